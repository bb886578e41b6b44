/**
 * "ALL-USE Performance: Assess Impact of a Change…": pick a component and a metric, confirm the
 * change time (by default the last save of one of the component's config files, or of
 * alluse-perf.yaml, which this module remembers), and show the effect the server measured
 * (`alluse/assessImpact`) in the impact webview.
 */
import * as vscode from 'vscode';
import type { AssessImpactRequest, ImpactTargetsRequest } from '../../protocol/index';
import { formatLocalTime, parseChangeTime } from './changeTime';

const SAVES_KEY = 'alluse-perf.configSaves';

/** Remembers when files were saved (the last 100), across reloads, to offer the last config save as the change time. */
export class SaveLog {
  private saves: Record<string, number>;

  constructor(private readonly state: vscode.Memento) {
    this.saves = state.get<Record<string, number>>(SAVES_KEY) ?? {};
  }

  watch(): vscode.Disposable {
    return vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.uri.scheme !== 'file') return;
      this.saves[d.uri.fsPath] = Date.now();
      const kept = Object.entries(this.saves).sort((a, b) => b[1] - a[1]).slice(0, 100);
      this.saves = Object.fromEntries(kept);
      void this.state.update(SAVES_KEY, this.saves);
    });
  }

  /** The latest save of any of `paths`. */
  lastSave(paths: readonly string[]): { path: string; at: number } | undefined {
    let best: { path: string; at: number } | undefined;
    for (const p of paths) {
      const at = this.saves[p];
      if (at !== undefined && (!best || at > best.at)) best = { path: p, at };
    }
    return best;
  }
}

export interface ImpactCommandDeps {
  targets(uri: string): Promise<ImpactTargetsRequest.Result>;
  assess(params: AssessImpactRequest.Params): Promise<AssessImpactRequest.Result>;
  show(component: string, result: Extract<AssessImpactRequest.Result, { ok: true }>): void;
  saves: SaveLog;
}

export async function assessImpactCommand(file: vscode.Uri, deps: ImpactCommandDeps): Promise<void> {
  const { components } = await deps.targets(file.toString());
  if (!components.length) {
    void vscode.window.showWarningMessage('Impact assessment reads the monitor’s store: start monitoring first ("ALL-USE Performance: Start Monitoring").');
    return;
  }
  const component = components.length === 1 ? components[0] : (await vscode.window.showQuickPick(components.map((c) => ({ label: c.name, c })), { title: 'Assess Impact: which component?' }))?.c;
  if (!component) return;
  const metric = (await vscode.window.showQuickPick(component.metrics.map((m) => ({ label: m.label, description: m.series, m })), { title: `Assess Impact on ${component.name}: which metric?` }))?.m;
  if (!metric) return;
  const last = deps.saves.lastSave([...component.configFiles, file.fsPath]);
  const now = Date.now();
  const input = await vscode.window.showInputBox({
    title: `Assess Impact on ${component.name} ${metric.label}: when was the change?`,
    prompt: last ? `Default: the last save of ${vscode.workspace.asRelativePath(last.path)}. Or type 14:05, 20m (ago), or a date and time.` : 'A time like 14:05, 20m (ago), or a date and time (2026-11-27 14:05).',
    value: last ? formatLocalTime(last.at) : '30m',
    validateInput: (v) => {
      const t = parseChangeTime(v, Date.now());
      if (t === undefined) return 'Not a time: type 14:05, 20m, or 2026-11-27 14:05.';
      return t >= Date.now() ? 'The change must be in the past.' : undefined;
    },
  });
  if (input === undefined) return;
  const at = parseChangeTime(input, now)!;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Assessing the impact on ${component.name} ${metric.label}…` }, () =>
    deps.assess({ uri: file.toString(), component: component.name, metric: metric.metric, at }),
  );
  if (!result.ok) {
    void vscode.window.showWarningMessage(result.message);
    return;
  }
  deps.show(component.name, result);
}
