/**
 * `alluse/compare/run`: compares two versions of a component's configuration file with the
 * trial command of the tuning study that edits that file, through the engine's interleaved
 * A/B runner (engine/validate/compare.ts) and the same trial runner as the studies: each run
 * gets a fresh folder with the version's text under the file's own name. A thin adapter:
 * the statistics are in the engine. Nothing runs unless the client says the workspace is
 * trusted (the trial command is the workspace's code).
 */
import { isTrusted, untrustedMessage } from './trust';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CancellationToken, Connection } from 'vscode-languageserver/node';
import { workspaceConfigFrom } from '../../engine/workspace/config';
import { studiesFromYaml, type StudyDefinition } from '../../engine/tune/studyConfig';
import { runTrial } from '../../engine/tune/trialRunner';
import { runComparison, type Direction, type RunOnce } from '../../engine/validate/compare';
import { CompareProgressNotification, CompareRunRequest, type CompareViewData } from '../../protocol/index';
import type { CachedAnalysis } from './workspaceDocuments';

export interface CompareServiceHooks {
  analysis(uri: string): CachedAnalysis | undefined;
  progress(p: CompareProgressNotification.Params): void;
}

/** The study that measures a configuration file: the first whose `configFile` is that file. */
function studyFor(hooks: CompareServiceHooks, uri: string, configPath: string): StudyDefinition | string {
  const cached = hooks.analysis(uri);
  if (!cached?.analysis.doc) return 'Open alluse-perf.yaml first: the trial command is read from its tuning studies.';
  if (!uri.startsWith('file:')) return 'Comparing needs a workspace file on the local disk.';
  const errors = cached.analysis.findings.filter((f) => f.severity === 'error').length;
  if (errors) return `alluse-perf.yaml has ${errors} error(s); fix them (see the Problems panel) to compare configurations.`;
  let defs: StudyDefinition[];
  try {
    defs = studiesFromYaml(workspaceConfigFrom(cached.analysis.doc).tuning.studies, dirname(fileURLToPath(uri)));
  } catch (e) {
    return (e as Error).message;
  }
  const def = defs.find((d) => d.configFile && resolve(d.configFile) === resolve(configPath));
  return def ?? `No tuning study in alluse-perf.yaml edits ${basename(configPath)}, so there is no trial command to measure it with. Add a study with configFile: ${basename(configPath)} and a trial command (see docs/tuning.md).`;
}

export async function runCompare(hooks: CompareServiceHooks, p: CompareRunRequest.Params, signal?: AbortSignal): Promise<CompareRunRequest.Result> {
  if (!isTrusted(p)) return { ok: false, message: untrustedMessage('a comparison', "runs the study's trial command") };
  if (!p.configUri.startsWith('file:')) return { ok: false, message: 'The configuration file must be on the local disk.' };
  const configPath = fileURLToPath(p.configUri);
  const def = studyFor(hooks, p.uri, configPath);
  if (typeof def === 'string') return { ok: false, message: def };
  const repeats = Math.max(2, Math.min(100, Math.round(p.repeats ?? 5)));
  const warmup = Math.max(0, Math.min(10, Math.round(p.warmup ?? 1)));
  // One folder per version, holding the text under the file's own name; each run copies it.
  const root = mkdtempSync(join(tmpdir(), 'alluse-compare-'));
  const files = { a: join(root, 'a', basename(configPath)), b: join(root, 'b', basename(configPath)) };
  try {
    for (const arm of ['a', 'b'] as const) {
      mkdirSync(dirname(files[arm]), { recursive: true });
      writeFileSync(files[arm], arm === 'a' ? p.before : p.after);
    }
    const once = { a: { ...def, configFile: files.a, repeats: 1 }, b: { ...def, configFile: files.b, repeats: 1 } };
    const runOnce: RunOnce = async (arm, round, s) => {
      const o = await runTrial(once[arm], {}, { trialNumber: 2 * round + (arm === 'a' ? 0 : 1), signal: s });
      if (o.state === 'complete') return { ok: true, metrics: o.metrics ?? {} };
      return { ok: false, reason: o.reason ?? o.state, cancelled: o.state === 'cancelled' };
    };
    const directions: Record<string, Direction> = {};
    for (const o of def.objectives) directions[o.name] = o.direction;
    for (const c of def.constraints) directions[c.metric] ??= c.op === '<=' || c.op === '<' ? 'minimize' : 'maximize';
    const total = 2 * (repeats + warmup);
    hooks.progress({ id: p.id, done: 0, total, message: `Running ${def.name}'s trial command: ${total} runs, A and B alternating.` });
    const r = await runComparison(runOnce, {
      repeats,
      warmup,
      seed: def.seed,
      directions,
      metrics: Object.keys(directions),
      signal,
      onRun: (e) => hooks.progress({ id: p.id, done: e.done, total: e.total, message: `run ${e.done}/${e.total}: ${e.arm === 'a' ? p.labels.a : p.labels.b}${e.warmup ? ' (warm-up)' : ''}${e.outcome.ok ? '' : ` failed: ${e.outcome.reason}`}` }),
    });
    const data: CompareViewData = {
      study: def.name,
      component: def.component,
      configFile: configPath,
      labels: p.labels,
      repeats,
      warmup,
      metrics: r.metrics,
      samples: r.samples,
      cancelled: r.cancelled,
      ...(r.problem ? { problem: r.problem } : {}),
      at: new Date().toISOString(),
    };
    if (!r.metrics.length && !r.cancelled) return { ok: false, message: `The comparison measured nothing: ${r.problem ?? 'no run completed'}.` };
    return { ok: true, data };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Registers `alluse/compare/run` (kept out of server.ts, which only wires services). */
export function registerCompareService(connection: Connection, analysis: (uri: string) => CachedAnalysis | undefined): { cancelAll(): void } {
  const hooks: CompareServiceHooks = { analysis, progress: (p) => void connection.sendNotification(CompareProgressNotification.method, p) };
  const running = new Set<AbortController>();
  connection.onRequest(CompareRunRequest.method, async (p: CompareRunRequest.Params, token: CancellationToken): Promise<CompareRunRequest.Result> => {
    const abort = new AbortController();
    running.add(abort);
    token.onCancellationRequested(() => abort.abort());
    try {
      return await runCompare(hooks, p, abort.signal);
    } catch (e) {
      connection.console.error(`compare failed: ${(e as Error).stack ?? String(e)}`);
      return { ok: false, message: `The comparison failed: ${(e as Error).message}. See "ALL-USE Performance: Show Server Output".` };
    } finally {
      running.delete(abort);
    }
  });
  // On shutdown the running trial commands are stopped with their process groups.
  return { cancelAll: () => running.forEach((a) => a.abort()) };
}
