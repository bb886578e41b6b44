/**
 * The tuning studies of a workspace for the report: each log in `.alluse-perf/studies/`
 * (`<name>.jsonl`; the logs set aside when a definition changed, `<name>.<time>.jsonl`, are
 * history and left out), its trials, best feasible trial, best-so-far curve and the kept
 * re-measurement of its recommendation (`<name>.remeasure.json`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Effect } from '../tune/remeasure';
import { parseStudyLog, resumeState } from '../tune/studyLog';
import { bestTrial } from '../tune/studyResult';
import { toMinimization, type ObjectiveSpec } from '../tune/types';
import type { ReportStudy } from './types';

const SET_ASIDE = /\.\d{4}-\d\d-\d\dT[\d-]+Z\.jsonl$/;

export function studiesDir(workspaceDir: string): string {
  return join(workspaceDir, '.alluse-perf', 'studies');
}

/** Every study log of the workspace, by name; problems (an unreadable log) go to `notes`. */
export function readStudies(workspaceDir: string, notes: string[]): ReportStudy[] {
  const dir = studiesDir(workspaceDir);
  if (!existsSync(dir)) return [];
  const out: ReportStudy[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl') && !SET_ASIDE.test(f)).sort()) {
    try {
      const s = studyFromLog(readFileSync(join(dir, file), 'utf8'), file.replace(/\.jsonl$/, ''));
      const remeasure = join(dir, file.replace(/\.jsonl$/, '.remeasure.json'));
      if (s && existsSync(remeasure)) {
        const r = JSON.parse(readFileSync(remeasure, 'utf8')) as { at: string; result: { pairs: number; effects: Effect[]; problem?: string } };
        s.remeasure = { at: r.at, pairs: r.result.pairs, effects: r.result.effects, problem: r.result.problem };
      }
      if (s) out.push(s);
      else notes.push(`${join('.alluse-perf', 'studies', file)} has no study header; left out.`);
    } catch (e) {
      notes.push(`${join('.alluse-perf', 'studies', file)} could not be read: ${(e as Error).message}`);
    }
  }
  return out;
}

/** A study from the text of its log; undefined when the first record is not a header. */
export function studyFromLog(text: string, fallbackName: string): ReportStudy | undefined {
  const { records } = parseStudyLog(text);
  const header = records[0];
  if (header?.type !== 'header') return undefined;
  const def = (header.definition ?? {}) as { objectives?: ObjectiveSpec[] };
  const objectives = Array.isArray(def.objectives) ? def.objectives.filter((o) => o && typeof o.name === 'string') : [];
  const { finished } = resumeState(records.slice(1));
  const best = objectives.length ? bestTrial(finished, objectives) : undefined;
  let lastActivity: string | undefined;
  for (const r of records) if ('at' in r && typeof r.at === 'string') lastActivity = r.at;
  const study: ReportStudy = {
    name: typeof header.study === 'string' ? header.study : fallbackName,
    objectives: objectives.map((o) => ({ name: o.name, direction: o.direction })),
    trials: finished.length,
    complete: finished.filter((t) => t.state === 'complete').length,
    failed: finished.filter((t) => t.state === 'failed').length,
    feasible: finished.filter((t) => t.state === 'complete' && t.feasible).length,
    best: best && { trial: best.trial, params: best.params, values: best.values ?? [] },
    lastActivity,
  };
  // Best so far of the first objective, in its own direction, over the trials in order.
  if (objectives.length) {
    const points: [number, number][] = [];
    let bestMin = Infinity;
    for (const t of finished) {
      if (t.state !== 'complete' || !t.feasible || !t.values || !Number.isFinite(t.values[0])) continue;
      const v = toMinimization(t.values, objectives)[0];
      if (v < bestMin) bestMin = v;
      points.push([t.trial, objectives[0].direction === 'maximize' ? -bestMin : bestMin]);
    }
    const all = finished.filter((t) => t.state === 'complete' && t.values && Number.isFinite(t.values[0])).map((t): [number, number] => [t.trial, t.values![0]]);
    if (points.length) study.chart = { id: `study-${study.name}`, x: 'trial', title: `${study.name}: ${objectives[0].name} (${objectives[0].direction}) by trial`, unit: 'count', series: [{ label: 'best so far', points }, { label: 'trial', points: all, style: 'dots' }] };
  }
  return study;
}
