/**
 * Applied configuration changes for the report, with what the store says each did.
 *
 * Two sources: the audit log (`.alluse-perf/audit.jsonl`, engine/coordinate/audit.ts), which
 * records every applied change with its edits and, once the governor has watched it, its
 * measured effects; and the notes the editor's "Apply All Recommendations" left before the
 * audit log existed (`.alluse-perf/history/<time>-<file>.json`: file, copy, study, time). A
 * note that matches an audit entry (same file, within a minute) is not listed twice. A change
 * without measured effects gets them here: each key series of its component after the change
 * against a forecast from before it (`assessImpactInStore`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLog, SNAPSHOT_FOLDER, AUDIT_FOLDER } from '../coordinate/audit';
import { assessImpactInStore, impactSeries } from '../monitor/impactQuery';
import type { MetricStore } from '../monitor/storeApi';
import type { ComponentConfig } from '../workspace/config';
import type { ReportChange } from './types';

const MAX_CHANGES = 20;
/** The metrics whose effect a change gets when none was measured. */
const EFFECT_METRICS = new Set(['cpu', 'memory', 'throughput', 'latencyP95', 'errorRatio']);

interface HistoryNote {
  file: string;
  copy?: string;
  study?: string;
  at: string;
}

const toPath = (f: string) => (f.startsWith('file:') ? fileURLToPath(f) : f);

/** The changes applied in [from, to], newest first (at most 20); problems go to `notes`. */
export function readChanges(workspaceDir: string, components: readonly ComponentConfig[], range: { from: number; to: number }, notes: string[]): ReportChange[] {
  const rel = (f: string) => {
    const abs = isAbsolute(toPath(f)) ? toPath(f) : resolve(workspaceDir, f);
    const r = relative(workspaceDir, abs);
    return r.startsWith('..') ? abs : r.split('\\').join('/');
  };
  const componentOf = (file: string) => components.find((c) => c.configFiles.some((f) => rel(f) === file))?.name;
  const out: ReportChange[] = [];
  const audit = new AuditLog(workspaceDir).read();
  for (const p of audit.problems) notes.push(`${AUDIT_FOLDER}/audit.jsonl line ${p.line}: ${p.message}`);
  for (const e of audit.entries) {
    const at = Date.parse(e.time);
    if (at < range.from || at > range.to) continue;
    out.push({
      at,
      file: rel(e.file),
      study: e.source,
      component: e.component ?? componentOf(rel(e.file)),
      source: 'audit',
      actor: e.actor,
      status: e.status,
      watch: e.watch && { state: e.watch.state, reason: e.watch.reason },
      keys: Object.fromEntries(e.edits.map((d) => [d.keyPath, [d.before, d.after]])),
      effects: (e.effects ?? []).map((x) => ({ metric: x.label ?? x.metric, unit: (x.unit as ReportChange['effects'][number]['unit']) ?? 'count', message: x.message, relative: x.relative ?? undefined, significant: x.verdict !== 'neutral' })),
    });
  }
  const historyDir = resolve(workspaceDir, AUDIT_FOLDER, SNAPSHOT_FOLDER);
  if (existsSync(historyDir)) {
    for (const name of readdirSync(historyDir).filter((n) => n.endsWith('.json')).sort()) {
      try {
        const n = JSON.parse(readFileSync(resolve(historyDir, name), 'utf8')) as HistoryNote;
        const at = Date.parse(n.at);
        if (typeof n.file !== 'string' || !Number.isFinite(at) || at < range.from || at > range.to) continue;
        const file = rel(n.file);
        if (out.some((c) => c.source === 'audit' && c.file === file && Math.abs(c.at - at) < 60_000)) continue;
        out.push({ at, file, study: n.study ? `study "${n.study}"` : undefined, component: componentOf(file), source: 'history', effects: [] });
      } catch (e) {
        notes.push(`${AUDIT_FOLDER}/${SNAPSHOT_FOLDER}/${name} could not be read: ${(e as Error).message}`);
      }
    }
  }
  out.sort((a, b) => b.at - a.at);
  if (out.length > MAX_CHANGES) {
    notes.push(`${out.length} changes were applied in the range; the report lists the newest ${MAX_CHANGES}.`);
    out.length = MAX_CHANGES;
  }
  return out;
}

/** Fills in the effects of the changes that have none, from the store; `pause` runs between two assessments. */
export async function measureChanges(store: MetricStore, components: readonly ComponentConfig[], changes: ReportChange[], now: number, pause: () => Promise<void> = async () => undefined): Promise<void> {
  for (const ch of changes) {
    if (ch.effects.length) continue;
    const c = components.find((x) => x.name === ch.component);
    if (!c) {
      ch.note = 'no component in alluse-perf.yaml lists this file under configFiles, so no series to measure its effect on';
      continue;
    }
    const problems: string[] = [];
    for (const s of impactSeries(c).filter((x) => EFFECT_METRICS.has(x.metric))) {
      await pause();
      try {
        const r = assessImpactInStore(store, { name: s.name, labels: s.labels, at: ch.at, now }, s.unit);
        ch.effects.push({ metric: s.label, unit: s.unit, message: r.message, relative: r.relative, relativeLo95: r.relativeLo95, relativeHi95: r.relativeHi95, significant: r.significant });
      } catch (e) {
        problems.push(`${s.label}: ${(e as Error).message}`);
      }
    }
    if (!ch.effects.length && problems.length) ch.note = problems[0];
  }
}
