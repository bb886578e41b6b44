/**
 * Profiles kept in the workspace: `<store>/profiles/` holds one standard `.cpuprofile` per
 * thread (Chrome DevTools, VS Code and speedscope open them as they are), the analysed
 * result (`<id>.result.json`, so a profile opens again without re-mapping), the heap
 * profile if one was taken, and `index.json` listing them with their time, component and
 * the config they ran with (so two profiles can be compared before/after a config change).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapturedProfile, ProfileResult } from './types';

export interface ProfileEntry {
  id: string;
  component: string;
  startedAt: number;
  durationMs: number;
  samplingIntervalUs: number;
  /** Thread label → file name (relative to the profiles folder). */
  files: { thread: string; file: string }[];
  heapFile?: string;
  resultFile: string;
  busyMs: number;
  /** The three hottest functions (by self time), for lists. */
  top: { name: string; selfPct: number }[];
  /** The component's config files as they were when the profile was taken. */
  config?: Record<string, string>;
  note?: string;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'thread';

export function profileId(component: string, startedAt: number): string {
  const d = new Date(startedAt).toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
  return `${slug(component)}-${d}`;
}

export class ProfileStore {
  readonly folder: string;
  constructor(storeRoot: string) {
    this.folder = join(storeRoot, 'profiles');
  }

  private indexPath() { return join(this.folder, 'index.json'); }

  list(): ProfileEntry[] {
    if (!existsSync(this.indexPath())) return [];
    try {
      const v = JSON.parse(readFileSync(this.indexPath(), 'utf8')) as { profiles?: ProfileEntry[] };
      return (v.profiles ?? []).sort((a, b) => b.startedAt - a.startedAt);
    } catch {
      return []; // a damaged index: the profiles stay on disk, the list starts again
    }
  }

  private writeIndex(entries: ProfileEntry[]): void {
    mkdirSync(this.folder, { recursive: true });
    const tmp = `${this.indexPath()}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, profiles: entries }, null, 1));
    renameSync(tmp, this.indexPath());
  }

  save(cap: CapturedProfile, result: ProfileResult, config?: Record<string, string>, note?: string): ProfileEntry {
    mkdirSync(this.folder, { recursive: true });
    const used = new Set<string>();
    const files = cap.threads.map((t) => {
      let name = `${result.id}.${slug(t.label)}.cpuprofile`;
      for (let i = 2; used.has(name); i++) name = `${result.id}.${slug(t.label)}-${i}.cpuprofile`;
      used.add(name);
      writeFileSync(join(this.folder, name), JSON.stringify(t.profile));
      return { thread: t.label, file: name };
    });
    let heapFile: string | undefined;
    if (cap.heap) {
      heapFile = `${result.id}.heapprofile`;
      writeFileSync(join(this.folder, heapFile), JSON.stringify(cap.heap));
    }
    const resultFile = `${result.id}.result.json`;
    writeFileSync(join(this.folder, resultFile), JSON.stringify(result));
    const entry: ProfileEntry = {
      id: result.id, component: cap.component, startedAt: cap.startedAt, durationMs: cap.durationMs, samplingIntervalUs: cap.samplingIntervalUs,
      files, heapFile, resultFile, busyMs: result.busyMs,
      top: result.functions.filter((f) => f.category === 'user' || f.category === 'dependency').slice(0, 3).map((f) => ({ name: f.name, selfPct: f.selfPct })),
      config, note,
    };
    this.writeIndex([entry, ...this.list().filter((e) => e.id !== entry.id)]);
    return entry;
  }

  get(id: string): ProfileEntry | undefined {
    return this.list().find((e) => e.id === id);
  }

  result(id: string): ProfileResult | undefined {
    const e = this.get(id);
    if (!e) return undefined;
    const p = join(this.folder, e.resultFile);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as ProfileResult) : undefined;
  }

  /** The captured profile again (to re-map after a rebuild). */
  captured(id: string): CapturedProfile | undefined {
    const e = this.get(id);
    if (!e) return undefined;
    const threads = e.files.filter((f) => existsSync(join(this.folder, f.file))).map((f) => ({
      label: f.thread, kind: (f.thread === 'main' ? 'main' : 'worker') as 'main' | 'worker',
      profile: JSON.parse(readFileSync(join(this.folder, f.file), 'utf8')),
    }));
    const heap = e.heapFile && existsSync(join(this.folder, e.heapFile)) ? JSON.parse(readFileSync(join(this.folder, e.heapFile), 'utf8')) : undefined;
    return { component: e.component, startedAt: e.startedAt, durationMs: e.durationMs, samplingIntervalUs: e.samplingIntervalUs, threads, heap, warnings: [] };
  }

  remove(id: string): void {
    const e = this.get(id);
    if (!e) return;
    for (const f of [...e.files.map((x) => x.file), e.heapFile, e.resultFile]) if (f) rmSync(join(this.folder, f), { force: true });
    this.writeIndex(this.list().filter((x) => x.id !== id));
  }
}
