/**
 * Continuous low-rate profiling in the editor: "Start/Stop Continuous Profiling…" asks the
 * server to profile a component in consecutive windows at 10 ms sampling (each kept in the
 * store); every window that ends refreshes the heat, the Hot Functions view and the flame
 * graph with the latest profile. A status bar item says what runs and stops it on click.
 * The loop lives in the server, so it stops with the server too (and when the component
 * goes away); the server tells why, and the client says it.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ProfileContinuousNotification, ProfileContinuousRequest, type ProfileResult } from '../../protocol/index';
import { requireTrust } from './workspaceTrust';
import { continuousStatusText } from './profileContinuousStatus';

export class ContinuousProfiling implements vscode.Disposable {
  /** Component → windows done, for the components profiled continuously now. */
  private readonly running = new Map<string, number>();
  private readonly item = vscode.window.createStatusBarItem('alluse-perf.continuousProfiling', vscode.StatusBarAlignment.Left, 40);
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(
    private readonly lc: LanguageClient,
    private readonly ready: Promise<void>,
    private readonly workspaceFile: () => Promise<vscode.Uri | undefined>,
    private readonly pickComponent: (ws: vscode.Uri, title: string) => Promise<string | undefined>,
    private readonly showLatest: (r: ProfileResult) => void,
  ) {
    this.item.name = 'ALL-USE continuous profiling';
    this.item.command = 'alluse-perf.toggleContinuousProfiling';
    this.disposables.push(
      vscode.commands.registerCommand('alluse-perf.toggleContinuousProfiling', (name?: string) => this.toggle(name)),
    );
    void this.ready.then(() => {
      this.disposables.push(this.lc.onNotification(ProfileContinuousNotification.method, (p: ProfileContinuousNotification.Params) => this.onWindow(p)));
    });
  }

  /** The components profiled continuously now (for tests). */
  get components(): string[] {
    return [...this.running.keys()];
  }

  private onWindow(p: ProfileContinuousNotification.Params): void {
    if (p.state === 'window') {
      this.running.set(p.component, p.windows);
      this.showLatest(p.result);
    } else {
      const was = this.running.delete(p.component);
      // A stop the user asked for needs no message; one the server decided (component gone) does.
      if (was && p.reason !== 'stopped') void vscode.window.showWarningMessage(`Continuous profiling of ${p.component} stopped after ${p.windows} profile(s): ${p.reason}`);
    }
    this.render();
  }

  private render(): void {
    const text = continuousStatusText(this.running);
    if (!text) { this.item.hide(); return; }
    this.item.text = text.text;
    this.item.tooltip = text.tooltip;
    this.item.show();
  }

  async toggle(name?: string): Promise<void> {
    const ws = await this.workspaceFile();
    if (!ws) return;
    if (!requireTrust('Continuous profiling', 'attaches to the component\'s process and runs code in it through its inspector')) return;
    const component = name ?? (this.running.size === 1 ? [...this.running.keys()][0] : await this.pickComponent(ws, 'Start or stop continuous profiling of a component'));
    if (!component) return;
    await this.ready;
    const action = this.running.has(component) ? 'stop' : 'start';
    const windowS = vscode.workspace.getConfiguration('alluse-perf').get<number>('profile.continuousWindowSeconds', 60);
    const r = await this.lc.sendRequest<ProfileContinuousRequest.Result>(ProfileContinuousRequest.method, { uri: ws.toString(), component, action, windowMs: windowS * 1000, trusted: vscode.workspace.isTrusted } satisfies ProfileContinuousRequest.Params);
    if ('error' in r) {
      void vscode.window.showErrorMessage(`Could not profile ${component} continuously: ${r.error}`);
      return;
    }
    for (const c of [...this.running.keys()]) if (!r.running.includes(c)) this.running.delete(c);
    for (const c of r.running) if (!this.running.has(c)) this.running.set(c, 0);
    this.render();
    if (action === 'start') void vscode.window.showInformationMessage(`Profiling ${component} continuously: a ${windowS} s profile after another at 10 ms sampling, each kept; the heat shows the latest. Run the command again (or click the status bar) to stop.`);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
