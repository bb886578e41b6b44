/**
 * Showing a profile in the source: line heat (a background whose strength is the line's
 * share of the busy time, plus "12.3% self, 31.0% total" after the first line of each hot
 * function) or code lenses on hot functions, as `alluse-perf.profile.display` says
 * (default: line heat). Only mapped user functions with a range in today's text are shown.
 */
import * as vscode from 'vscode';
import type { HotFunction, ProfileResult } from '../../protocol/index';

export type HeatDisplay = 'lineHeat' | 'codeLens' | 'both';

/** Five heat levels: a line's share of busy time at or above these percentages. */
const LEVELS = [0.2, 0.5, 1, 2.5, 5];
const MIN_FUNCTION_PCT = 0.5;

export const fmtShare = (f: Pick<HotFunction, 'selfPct' | 'totalPct'>) => `${f.selfPct.toFixed(1)}% self, ${f.totalPct.toFixed(1)}% total`;

export class ProfileHeat implements vscode.CodeLensProvider, vscode.Disposable {
  private result: ProfileResult | undefined;
  private readonly levelTypes = LEVELS.map((_, i) =>
    vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: `rgba(255, 96, 0, ${(0.08 + i * 0.07).toFixed(2)})`,
      overviewRulerColor: `rgba(255, 96, 0, ${(0.3 + i * 0.15).toFixed(2)})`,
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    }),
  );
  private readonly summaryType = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
  });
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensChanged.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorateAll()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('alluse-perf.profile.display')) { this.decorateAll(); this.lensChanged.fire(); }
      }),
      vscode.languages.registerCodeLensProvider([{ scheme: 'file', language: 'typescript' }, { scheme: 'file', language: 'javascript' }, { scheme: 'file', language: 'typescriptreact' }], this),
    );
  }

  private display(): HeatDisplay {
    return vscode.workspace.getConfiguration('alluse-perf').get<HeatDisplay>('profile.display', 'lineHeat');
  }

  show(result: ProfileResult | undefined): void {
    this.result = result;
    this.decorateAll();
    this.lensChanged.fire();
  }

  /** Hot user functions of a file, hottest first. */
  functionsIn(fsPath: string): HotFunction[] {
    return (this.result?.functions ?? []).filter((f) => f.category === 'user' && f.range && f.location?.file === fsPath && f.totalPct >= MIN_FUNCTION_PCT);
  }

  private decorateAll(): void {
    for (const e of vscode.window.visibleTextEditors) this.decorate(e);
  }

  private decorate(editor: vscode.TextEditor): void {
    const mode = this.display();
    const heat = this.result && mode !== 'codeLens';
    const fns = heat ? this.functionsIn(editor.document.uri.fsPath) : [];
    const perLevel: vscode.Range[][] = LEVELS.map(() => []);
    const summaries: vscode.DecorationOptions[] = [];
    if (heat && this.result) {
      const busy = this.result.busyMs || 1;
      // Line heat of the whole file: every function's line samples (inlined callees included).
      const lines = new Map<number, number>();
      for (const f of this.result.functions) {
        if (f.category !== 'user' || f.location?.file !== editor.document.uri.fsPath) continue;
        for (const l of f.lines) lines.set(l.line, (lines.get(l.line) ?? 0) + l.ms);
      }
      for (const [line, ms] of lines) {
        const pct = (100 * ms) / busy;
        let lvl = -1;
        for (let i = 0; i < LEVELS.length; i++) if (pct >= LEVELS[i]) lvl = i;
        if (lvl >= 0 && line - 1 < editor.document.lineCount) perLevel[lvl].push(new vscode.Range(line - 1, 0, line - 1, 0));
      }
      for (const f of fns) {
        const line = f.range!.startLine - 1;
        if (line >= editor.document.lineCount) continue;
        const end = editor.document.lineAt(line).range.end;
        summaries.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: fmtShare(f) } }, hoverMessage: hover(f, this.result) });
      }
    }
    this.levelTypes.forEach((t, i) => editor.setDecorations(t, perLevel[i]));
    editor.setDecorations(this.summaryType, summaries);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.result || this.display() === 'lineHeat') return [];
    return this.functionsIn(doc.uri.fsPath)
      .filter((f) => f.range!.startLine - 1 < doc.lineCount)
      .map((f) => new vscode.CodeLens(new vscode.Range(f.range!.startLine - 1, 0, f.range!.startLine - 1, 0), {
        title: `🔥 ${fmtShare(f)}`,
        tooltip: `${f.name}: share of the busy time of ${this.result!.component} (all threads) in profile ${this.result!.id}`,
        command: 'alluse-perf.openFlameGraph',
      }));
  }

  dispose(): void {
    for (const t of this.levelTypes) t.dispose();
    this.summaryType.dispose();
    this.lensChanged.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function hover(f: HotFunction, r: ProfileResult): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${f.name}**: ${fmtShare(f)} of ${Math.round(r.busyMs)} ms busy time (${r.component}, ${new Date(r.startedAt).toLocaleString()})\n\n`);
  md.appendMarkdown(`Threads: ${f.threads.join(', ')}`);
  return md;
}
