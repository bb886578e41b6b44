/**
 * Profiling in the editor: the commands ("Profile Component for 10 s…", "Profile Component
 * Heap…" (CPU plus a sampling heap profile, its hot allocations in the Hot Functions view),
 * "Start/Stop Continuous Profiling…" (profileContinuous.ts), "Open Profile…",
 * "Go to Hottest Function", "Compare Profiles…", "Open Flame Graph"), the current profile
 * shown as line heat or lenses, in the Hot Functions view and in the flame graph.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ConfigKeyUsagesRequest,
  ProfileCompareRequest,
  ProfileListRequest,
  ProfileResultRequest,
  ProfileStartRequest,
  WorkspaceSummaryRequest,
  type OsProcessProfile,
  type ProfileComparison,
  type ProfileEntry,
  type ProfileResult,
} from '../../protocol/index';
import { ConfigKeyLinks } from './configKeyLinks';
import { allocationSites, fmtBytes } from '../../engine/profile/heapSites';
import { ContinuousProfiling } from './profileContinuous';
import { FlameGraphPanel } from './flameGraphPanel';
import { HotFunctionsTree } from './hotFunctionsTree';
import { requireTrust } from './workspaceTrust';
import { fmtShare, ProfileHeat } from './profileHeat';

export class ProfileController implements vscode.Disposable {
  private current: ProfileResult | undefined;
  private readonly heat = new ProfileHeat();
  private readonly tree = new HotFunctionsTree();
  private flame: FlameGraphPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  readonly continuous: ContinuousProfiling;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly lc: LanguageClient,
    private readonly ready: Promise<void>,
    private readonly workspaceFile: () => Promise<vscode.Uri | undefined>,
  ) {
    const links = new ConfigKeyLinks(async (doc) => {
      const ws = await this.workspaceFile();
      if (!ws) return [];
      await this.ready;
      return this.lc.sendRequest<ConfigKeyUsagesRequest.Result>(ConfigKeyUsagesRequest.method, { uri: ws.toString(), configUri: doc.uri.toString(), text: doc.getText() } satisfies ConfigKeyUsagesRequest.Params);
    });
    this.continuous = new ContinuousProfiling(lc, ready, workspaceFile, (ws, title) => this.pickComponent(ws, title), (r) => this.show(r));
    const yaml = [{ scheme: 'file', language: 'yaml' }];
    this.disposables.push(
      this.heat,
      this.continuous,
      vscode.window.registerTreeDataProvider('alluse-perf.hotFunctions', this.tree),
      vscode.languages.registerDefinitionProvider(yaml, links),
      vscode.languages.registerCodeLensProvider(yaml, links),
      vscode.commands.registerCommand('alluse-perf.profileComponent', (name?: string, seconds?: number) => this.profile(name, seconds)),
      vscode.commands.registerCommand('alluse-perf.profileComponentHeap', (name?: string, seconds?: number) => this.profile(name, seconds, true)),
      vscode.commands.registerCommand('alluse-perf.openProfile', () => this.open()),
      vscode.commands.registerCommand('alluse-perf.goToHottestFunction', () => this.goToHottest()),
      vscode.commands.registerCommand('alluse-perf.compareProfiles', () => this.compare()),
      vscode.commands.registerCommand('alluse-perf.openFlameGraph', () => this.openFlame()),
      // A saved edit of a profiled file: the server finds the functions again in today's text
      // (by name, not by line), so the heat stays on the code it measured.
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (this.current?.functions.some((f) => f.location?.file === doc.uri.fsPath)) void this.reload();
      }),
    );
  }

  /** The profile shown now (for tests). */
  get shown(): ProfileResult | undefined {
    return this.current;
  }

  private show(r: ProfileResult): void {
    this.current = r;
    this.heat.show(r);
    this.tree.show(r);
    this.flame?.update(r);
    void vscode.commands.executeCommand('setContext', 'alluse-perf.hasProfile', true);
  }

  /** Every component: Node ones get a CPU profile, others the OS figures of their process. */
  private async components(ws: vscode.Uri): Promise<string[]> {
    await vscode.workspace.openTextDocument(ws);
    await this.ready;
    const s = await this.lc.sendRequest<WorkspaceSummaryRequest.Result>(WorkspaceSummaryRequest.method, { uri: ws.toString() } satisfies WorkspaceSummaryRequest.Params);
    const list = s?.summary.components ?? [];
    return [...list.filter((c) => c.kind === 'node'), ...list.filter((c) => c.kind !== 'node')].map((c) => c.name);
  }

  /** A component picked by the user (Node ones first); the only one without asking. */
  private async pickComponent(ws: vscode.Uri, title: string): Promise<string | undefined> {
    const names = await this.components(ws);
    if (!names.length) { void vscode.window.showWarningMessage('No components in alluse-perf.yaml to profile.'); return undefined; }
    return names.length === 1 ? names[0] : vscode.window.showQuickPick(names, { title, placeHolder: 'Component' });
  }

  /** `heap`: also take a sampling heap profile (kept as a standard .heapprofile next to the .cpuprofile files). */
  async profile(name?: string, seconds?: number, heap = false): Promise<ProfileResult | undefined> {
    const ws = await this.workspaceFile();
    if (!ws) return undefined;
    if (!requireTrust('Profiling', 'attaches to the component\'s process and runs code in it through its inspector')) return undefined;
    const duration = seconds ?? vscode.workspace.getConfiguration('alluse-perf').get<number>('profile.durationSeconds', 10);
    const what = heap ? 'CPU and heap' : 'a component';
    const component = name ?? await this.pickComponent(ws, `Profile ${what} for ${duration} s`);
    if (!component) return undefined;
    await vscode.workspace.openTextDocument(ws);
    await this.ready;
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Profiling ${component}${heap ? ' (CPU and heap)' : ''} for ${duration} s`, cancellable: true },
      (_p, token) => this.lc.sendRequest<ProfileStartRequest.Result>(ProfileStartRequest.method, { uri: ws.toString(), component, durationMs: duration * 1000, heap, trusted: vscode.workspace.isTrusted } satisfies ProfileStartRequest.Params, token),
    );
    if ('error' in r) {
      void vscode.window.showErrorMessage(`Could not profile ${component}: ${r.error}`);
      return undefined;
    }
    if ('os' in r) {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: osMarkdown(r.component, r.os) });
      await vscode.window.showTextDocument(doc, { preview: true });
      return undefined;
    }
    this.show(r.result);
    const top = r.result.functions.find((f) => f.category === 'user');
    const help = r.findings.length ? ` ${r.findings.length} hot-path finding(s) in the Problems panel.` : '';
    if (heap) {
      const site = allocationSites(r.result, 1)[0];
      const alloc = site ? `most allocated by ${site.name} (${fmtBytes(site.bytes)}, ${site.pct.toFixed(1)}%)` : 'no allocation sampled';
      void vscode.window.showInformationMessage(`Profiled ${component} (CPU and heap): ${alloc}; see "Hot Allocations" in the Hot Functions view.${help}`);
      return r.result;
    }
    void vscode.window.showInformationMessage(`Profiled ${component}: ${top ? `hottest is ${top.name} (${fmtShare(top)})` : 'no user code was busy'}.${help}`, 'Go to Hottest Function', 'Open Flame Graph').then((a) => {
      if (a === 'Go to Hottest Function') void this.goToHottest();
      if (a === 'Open Flame Graph') this.openFlame();
    });
    return r.result;
  }

  private async pickProfile(ws: vscode.Uri, title: string, exclude?: string): Promise<ProfileEntry | undefined> {
    await this.ready;
    const list = (await this.lc.sendRequest<ProfileListRequest.Result>(ProfileListRequest.method, { uri: ws.toString() } satisfies ProfileListRequest.Params)).filter((e) => e.id !== exclude);
    if (!list.length) { void vscode.window.showInformationMessage('No profiles kept yet: run "Profile Component for 10 s…" first.'); return undefined; }
    const pick = await vscode.window.showQuickPick(list.map((e) => ({
      label: `${e.component} · ${new Date(e.startedAt).toLocaleString()}`,
      description: `${(e.durationMs / 1000).toFixed(0)} s, ${e.files.length} thread(s)`,
      detail: e.top.map((t) => `${t.name} ${t.selfPct.toFixed(1)}%`).join(' · '),
      entry: e,
    })), { title });
    return pick?.entry;
  }

  async open(): Promise<void> {
    const ws = await this.workspaceFile();
    if (!ws) return;
    await vscode.workspace.openTextDocument(ws);
    const e = await this.pickProfile(ws, 'Open a kept profile');
    if (!e) return;
    const r = await this.lc.sendRequest<ProfileResultRequest.Result>(ProfileResultRequest.method, { uri: ws.toString(), id: e.id } satisfies ProfileResultRequest.Params);
    if (r) this.show(r.result);
  }

  private async reload(): Promise<void> {
    const ws = await this.workspaceFile();
    const id = this.current?.id;
    if (!ws || !id) return;
    const r = await this.lc.sendRequest<ProfileResultRequest.Result>(ProfileResultRequest.method, { uri: ws.toString(), id } satisfies ProfileResultRequest.Params).catch(() => null);
    if (r && this.current?.id === id) this.show(r.result);
  }

  async goToHottest(): Promise<void> {
    const f = this.current?.functions.find((x) => x.category === 'user' && x.location);
    if (!f?.location) { void vscode.window.showInformationMessage('No profile with mapped user code yet: run "Profile Component for 10 s…".'); return; }
    const pos = new vscode.Position((f.range?.startLine ?? f.location.line) - 1, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(f.location.file), { selection: new vscode.Range(pos, pos) });
  }

  async compare(): Promise<void> {
    const ws = await this.workspaceFile();
    if (!ws) return;
    await vscode.workspace.openTextDocument(ws);
    const before = await this.pickProfile(ws, 'Compare: the profile BEFORE the change');
    if (!before) return;
    const after = await this.pickProfile(ws, 'Compare: the profile AFTER the change', before.id);
    if (!after) return;
    const c = await this.lc.sendRequest<ProfileCompareRequest.Result>(ProfileCompareRequest.method, { uri: ws.toString(), before: before.id, after: after.id } satisfies ProfileCompareRequest.Params);
    if ('error' in c) { void vscode.window.showErrorMessage(c.error); return; }
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: comparisonMarkdown(c) });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  openFlame(): void {
    if (!this.current) { void vscode.window.showInformationMessage('No profile yet: run "Profile Component for 10 s…" or "Open Profile…".'); return; }
    if (!this.flame) {
      this.flame = new FlameGraphPanel(this.extensionUri, this.current, () => (this.flame = undefined));
      this.disposables.push(this.flame);
    } else this.flame.update(this.current);
    this.flame.reveal();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function osMarkdown(name: string, p: OsProcessProfile): string {
  return [
    `# ${name} (pid ${p.pid}): what the OS tells`,
    '',
    `Over ${(p.durationMs / 1000).toFixed(1)} s: CPU ${p.cores.toFixed(2)} cores (user ${p.userMs} ms, system ${p.systemMs} ms); context switches ${p.voluntaryCtxSwitches} voluntary, ${p.involuntaryCtxSwitches} involuntary.`,
    '',
    '| thread | name | CPU ms |', '|---:|---|---:|',
    ...p.threads.slice(0, 20).map((t) => `| ${t.tid} | ${t.name} | ${t.cpuMs} |`),
    '',
    '## Not available for this component',
    '',
    ...p.unavailable.map((u) => `- ${u}`),
  ].join('\n') + '\n';
}

export function comparisonMarkdown(c: ProfileComparison): string {
  const lines = [
    `# Profile comparison`,
    '',
    `Before: ${c.before.id} (${c.before.busyMsPerS} ms busy per second) · After: ${c.after.id} (${c.after.busyMsPerS} ms busy per second)`,
    '',
  ];
  if (c.configChanges.length) {
    lines.push('## Config changes', '', '| file | key | before | after |', '|---|---|---|---|');
    for (const ch of c.configChanges) lines.push(`| ${ch.file} | ${ch.key} | ${JSON.stringify(ch.before)} | ${JSON.stringify(ch.after)} |`);
    lines.push('');
  }
  lines.push('## Functions (share of busy time, self)', '', '| function | before | after | change |', '|---|---:|---:|---:|');
  for (const f of c.functions.slice(0, 30)) lines.push(`| ${f.name} | ${f.beforeSelfPct.toFixed(1)}% | ${f.afterSelfPct.toFixed(1)}% | ${f.deltaSelfPct > 0 ? '+' : ''}${f.deltaSelfPct.toFixed(1)} |`);
  return lines.join('\n') + '\n';
}
