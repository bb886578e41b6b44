/**
 * Starts the analysis server and keeps it running: a crashed server is restarted (up to a
 * limit) and the user is told, so a bug never silently ends validation.
 */
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, TransportKind, type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { ServerInitializationOptions } from '../../protocol/index';
import { SERVER_NODE_FLAGS, serverEnv } from '../../protocol/serverProcess';
import { RESTART_COMMAND_TITLE, RestartPolicy, SHOW_OUTPUT_TITLE } from './restartPolicy';

export const WORKSPACE_FILE_SELECTOR: { scheme: string; language: string; pattern: string }[] = [{ scheme: 'file', language: 'yaml', pattern: '**/alluse-perf.yaml' }];

/**
 * Restarts a crashed server (see RestartPolicy for how often); once it gives up, says so with
 * buttons to restart the server and to show its output.
 */
export class RestartingErrorHandler implements ErrorHandler {
  readonly policy = new RestartPolicy();

  constructor(
    private readonly onRestart: (count: number) => void,
    private readonly onGiveUp: (message: string) => void,
  ) {}

  error(): ErrorHandlerResult {
    // A single broken message is not a reason to stop; `closed` decides about restarts.
    return { action: ErrorAction.Continue };
  }

  closed(): CloseHandlerResult {
    const d = this.policy.onCrash(Date.now());
    if (!d.restart) {
      this.onGiveUp(d.message);
      // handled: the library would show the message without buttons; onGiveUp shows it with them.
      return { action: CloseAction.DoNotRestart, message: d.message, handled: true };
    }
    this.onRestart(d.count);
    return { action: CloseAction.Restart, message: d.message };
  }
}

/** The message when the server was given up on, with its two ways out. */
export async function showGaveUp(message: string, output: vscode.LogOutputChannel): Promise<void> {
  output.error(message);
  const pick = await vscode.window.showErrorMessage(message, RESTART_COMMAND_TITLE, SHOW_OUTPUT_TITLE);
  if (pick === RESTART_COMMAND_TITLE) await vscode.commands.executeCommand('alluse-perf.restartServer');
  else if (pick === SHOW_OUTPUT_TITLE) output.show(true);
}

export function createAnalysisClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, onRestart: (count: number) => void, onGiveUp: (message: string) => void = (m) => void showGaveUp(m, output)): { client: LanguageClient; errorHandler: RestartingErrorHandler } {
  const serverModule = context.asAbsolutePath('dist/server.js');
  // The server's V8 and malloc settings (young generation, heap growth, malloc's mmap threshold
  // and arenas), shared with the tests' and benchmarks' launcher; why each: protocol/serverProcess.ts
  // (`alluse-perf monitor` sets its young generation itself: cli/monitorLauncher.ts).
  const env = serverEnv(process.env);
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS], env } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009', ...SERVER_NODE_FLAGS], env } },
  };
  const config = vscode.workspace.getConfiguration('alluse-perf');
  const initializationOptions: ServerInitializationOptions = { debounceMs: config.get<number>('validation.debounceMs', 150) };
  const errorHandler = new RestartingErrorHandler(onRestart, onGiveUp);
  const clientOptions: LanguageClientOptions = {
    documentSelector: WORKSPACE_FILE_SELECTOR,
    outputChannel: output,
    initializationOptions,
    errorHandler,
  };
  return { client: new LanguageClient('alluse-perf', 'ALL-USE Performance', serverOptions, clientOptions), errorHandler };
}
