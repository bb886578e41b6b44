/**
 * Starts the analysis server and keeps it running: a crashed server is restarted (up to a
 * limit) and the user is told, so a bug never silently ends validation.
 */
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, TransportKind, type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { ServerInitializationOptions } from '../../protocol/index';

export const WORKSPACE_FILE_SELECTOR: { scheme: string; language: string; pattern: string }[] = [{ scheme: 'file', language: 'yaml', pattern: '**/alluse-perf.yaml' }];

/** At most this many restarts within RESTART_WINDOW_MS; beyond that the server stays stopped. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60_000;

class RestartingErrorHandler implements ErrorHandler {
  private restarts: number[] = [];

  constructor(private readonly onRestart: (count: number) => void) {}

  error(): ErrorHandlerResult {
    // A single broken message is not a reason to stop; `closed` decides about restarts.
    return { action: ErrorAction.Continue };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    this.restarts.push(now);
    if (this.restarts.length > MAX_RESTARTS) {
      return {
        action: CloseAction.DoNotRestart,
        message: `The ALL-USE Performance analysis server stopped ${MAX_RESTARTS + 1} times in 3 minutes and was not restarted again. Look at "ALL-USE Performance: Show Server Output", then run "ALL-USE Performance: Restart Analysis Server".`,
      };
    }
    this.onRestart(this.restarts.length);
    return { action: CloseAction.Restart, message: `The ALL-USE Performance analysis server stopped unexpectedly and was restarted (${this.restarts.length} of ${MAX_RESTARTS}).` };
  }
}

export function createAnalysisClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, onRestart: (count: number) => void): LanguageClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const config = vscode.workspace.getConfiguration('alluse-perf');
  const initializationOptions: ServerInitializationOptions = { debounceMs: config.get<number>('validation.debounceMs', 150) };
  const clientOptions: LanguageClientOptions = {
    documentSelector: WORKSPACE_FILE_SELECTOR,
    outputChannel: output,
    initializationOptions,
    errorHandler: new RestartingErrorHandler(onRestart),
  };
  return new LanguageClient('alluse-perf', 'ALL-USE Performance', serverOptions, clientOptions);
}
