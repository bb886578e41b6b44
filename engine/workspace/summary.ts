/**
 * A plain-data view of the workspace file for the views (overview webview, trees, CLI):
 * what each component is and where in the file it is declared. Built from the document
 * model, so it is available even while parts of the file are still wrong.
 */
import type { Document, YAMLMap } from 'yaml';
import type { LineIndex, Range } from '../text/positions';
import { mapAt, mapsOf, rootMap, scalarAt, seqAt } from './yamlAccess';

/** A component as the overview and the trees show it: its kind, metrics endpoint, config files, limits and SLOs, and where it is in the file. */
export interface ComponentSummary {
  name: string;
  kind: 'node' | 'process';
  /** How the process is found, in words: "pid file .run/x.pid", "command matching /x/", "started by node ...". */
  locators: string[];
  metricsUrl?: string;
  configFiles: string[];
  limits: Record<string, string>;
  slos: Record<string, string>;
  /** Where each limit and SLO key is, by its path: `limits.memory`, `slos.latency.p95`. */
  keyRanges: Record<string, Range>;
  range: Range;
}

/** A tuning study as the Studies view lists it: component, config file, algorithm, parameters and objectives, and its place in the file. */
export interface StudySummary {
  name: string;
  component?: string;
  configFile?: string;
  algorithm: string;
  parameters: string[];
  objectives: string[];
  range: Range;
}

/** What a workspace file declares, for the overview, the trees and the webviews (plain data). */
export interface WorkspaceSummary {
  components: ComponentSummary[];
  studies: StudySummary[];
  monitor: { interval: string; retention: string; alerts: number };
}

export function summarize(doc: Document.Parsed | undefined, idx: LineIndex): WorkspaceSummary {
  const root = doc ? rootMap(doc) : undefined;
  if (!doc || !root) return { components: [], studies: [], monitor: { interval: '100ms', retention: '24h', alerts: 0 } };
  const rangeOf = (m: YAMLMap) => idx.range(m.range?.[0] ?? 0, m.range?.[1] ?? 0);
  const text = (m: YAMLMap | undefined, k: string) => scalarAt(doc, m, k)?.text;

  const components: ComponentSummary[] = mapsOf(doc, seqAt(doc, root, 'components')).map((c) => {
    const proc = mapAt(doc, c, 'process');
    const locators: string[] = [];
    const pid = text(proc, 'pidFile');
    if (pid) locators.push(`pid file ${pid}`);
    const match = text(proc, 'commandMatch');
    if (match) locators.push(`command matching /${match}/`);
    const start = mapAt(doc, proc, 'start');
    if (start) {
      const args = (seqAt(doc, start, 'args')?.items ?? []).map((a) => String((a as { value?: unknown }).value ?? ''));
      locators.push(`started by ${[text(start, 'command') ?? '?', ...args].join(' ')}`);
    }
    const keyRanges: Record<string, Range> = {};
    const flat = (m: YAMLMap | undefined, prefix = '', path = prefix): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const p of m?.items ?? []) {
        const name = String((p.key as { value?: unknown })?.value);
        const k = `${prefix}${name}`;
        const kr = (p.key as { range?: [number, number] } | null)?.range;
        if (kr) keyRanges[`${path}${name}`] = idx.range(kr[0], kr[1]);
        const v = p.value as { value?: unknown; items?: unknown } | null;
        if (v && 'items' in (v as object)) Object.assign(out, flat(v as YAMLMap, `${k}.`, `${path}${name}.`));
        else if (v && v.value !== undefined && v.value !== null) out[k] = String(v.value);
      }
      return out;
    };
    return {
      name: text(c, 'name') ?? '(unnamed)',
      kind: text(c, 'kind') === 'node' ? 'node' : 'process',
      locators,
      metricsUrl: text(mapAt(doc, c, 'metrics'), 'url'),
      configFiles: (seqAt(doc, c, 'configFiles')?.items ?? []).map((a) => String((a as { value?: unknown }).value ?? '')),
      limits: flat(mapAt(doc, c, 'limits'), '', 'limits.'),
      slos: flat(mapAt(doc, c, 'slos'), '', 'slos.'),
      keyRanges,
      range: rangeOf(c),
    };
  });

  const studies: StudySummary[] = mapsOf(doc, seqAt(doc, mapAt(doc, root, 'tuning'), 'studies')).map((s) => ({
    name: text(s, 'name') ?? '(unnamed)',
    component: text(s, 'component'),
    configFile: text(s, 'configFile'),
    algorithm: text(s, 'algorithm') ?? 'auto',
    parameters: (mapAt(doc, s, 'parameters')?.items ?? []).map((p) => String((p.key as { value?: unknown })?.value)),
    objectives: mapsOf(doc, seqAt(doc, s, 'objectives')).map((o) => `${text(o, 'direction') ?? '?'} ${text(o, 'metric') ?? '?'}`),
    range: rangeOf(s),
  }));

  const monitor = mapAt(doc, root, 'monitor');
  return {
    components,
    studies,
    monitor: {
      interval: text(monitor, 'interval') ?? '100ms',
      retention: text(monitor, 'retention') ?? '24h',
      alerts: seqAt(doc, monitor, 'alerts')?.items.length ?? 0,
    },
  };
}
