/**
 * The audit history of applied configuration changes: `.alluse-perf/audit.jsonl` in the
 * workspace folder, one JSON record per line, only ever appended to.
 *
 * Why append-only with update records instead of rewriting a JSON file: a crash (or kill -9)
 * in the middle of a write can then cost at most the record being written, never the history
 * before it. An entry is written once (`kind: "entry"`); what is learnt later (the measured
 * effect, the governor's verdict, a rollback) is appended as a `kind: "update"` record that
 * names the entry, and readers fold the updates into the entries in file order.
 *
 * Every line is written with a single `write` followed by `fsync`. A line cut short by a crash
 * (no final newline) is isolated by a newline before the next append; such a line, and any
 * line that is not a valid record, is skipped on reading and reported in `problems` with its
 * line number, so one damaged line never hides the rest of the history.
 *
 * The full text of the file before and after each change is kept content-addressed under
 * `.alluse-perf/history/sha256-<hex>.txt` (written once, by rename, so a crash leaves either
 * no copy or a whole one); an entry names its snapshots by hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Who or what applied a change. Other values are allowed for future appliers (shown as they are). */
export type AuditActor = 'user' | 'apply-all' | 'quick-fix' | 'governor' | 'allocation' | 'revert' | (string & {});

/**
 * `applied`: in effect (watched by the governor while `watch.state` is `watching`);
 * `rolled-back`: undone by a rollback after a regression (`rolledBackBy` names that entry);
 * `reverted`: undone on request from the history (`rolledBackBy` names that entry).
 */
export type AuditStatus = 'applied' | 'rolled-back' | 'reverted';

/** A configuration value as it appears in the file; null when the key is absent. */
export type AuditValue = string | number | boolean | null;

export interface AuditEdit {
  /** Dotted key path in the configuration file (`pool.workers`). */
  keyPath: string;
  before: AuditValue;
  after: AuditValue;
}

/** The measured effect of a change on one series (from `assessImpactInStore`). */
export interface AuditSeriesEffect {
  /** The impact metric (`latencyP95`, `cpu`, ...) and its series. */
  metric: string;
  series: string;
  label?: string;
  unit?: string;
  effect: number;
  effectLo95: number;
  effectHi95: number;
  /** Relative to the counterfactual (0.2 = 20% up); NaN is written as null. */
  relative: number | null;
  /** Whether the effect is better, worse or not distinguishable from none, given the metric's good direction. */
  verdict: 'better' | 'worse' | 'neutral';
  message: string;
}

/** The governor's state for an entry. */
export type WatchState = 'watching' | 'ok' | 'regressed' | 'not-watched';

export interface AuditWatch {
  state: WatchState;
  /** Why (one sentence: which series regressed, which alert fired, or why it is not watched). */
  reason?: string;
  /** When the state was decided (ISO time). */
  at: string;
}

export interface AuditEntry {
  /** Unique, sortable by time (`20261127T084512Z-1a2b3c`). */
  id: string;
  /** When the change was applied (ISO time). */
  time: string;
  actor: AuditActor;
  /** What the change came from, for people: `study "throughput"`, `quick fix`, `rollback of …`. */
  source?: string;
  /** The component whose configuration changed, when known. */
  component?: string;
  /** The changed file, relative to the workspace folder (forward slashes). */
  file: string;
  edits: AuditEdit[];
  /** Content hashes of the whole file before and after (see `AuditLog.snapshot`). */
  beforeSnapshot?: string;
  afterSnapshot?: string;
  status: AuditStatus;
  /** This entry undoes the entry `rollbackOf` (a rollback or a revert). */
  rollbackOf?: string;
  /** The entry that undid this one. */
  rolledBackBy?: string;
  /** The measured effect, filled in by the governor while it watches. */
  effects?: AuditSeriesEffect[];
  watch?: AuditWatch;
  /** When the effect was last measured (ISO time). */
  measuredAt?: string;
}

/** What `append` takes: the entry without what the log assigns. */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'time' | 'status' | 'beforeSnapshot' | 'afterSnapshot'> & {
  time?: string;
  status?: AuditStatus;
  /** Whole-file texts; stored content-addressed, the entry keeps their hashes. */
  beforeText?: string;
  afterText?: string;
};

/** Fields an update may change (never id, time, file or edits: what happened stays as it happened). */
export type AuditPatch = Partial<Pick<AuditEntry, 'status' | 'rolledBackBy' | 'effects' | 'watch' | 'measuredAt' | 'component'>>;

export interface AuditProblem {
  /** 1-based line number in audit.jsonl. */
  line: number;
  message: string;
}

export interface AuditReadResult {
  /** Oldest first. */
  entries: AuditEntry[];
  problems: AuditProblem[];
}

type Record_ = { v: 1; kind: 'entry'; entry: AuditEntry } | { v: 1; kind: 'update'; id: string; at: string; set: AuditPatch };

export const AUDIT_FOLDER = '.alluse-perf';
export const AUDIT_FILE = 'audit.jsonl';
export const SNAPSHOT_FOLDER = 'history';

const STATUSES: readonly string[] = ['applied', 'rolled-back', 'reverted'];
const PATCH_KEYS: readonly string[] = ['status', 'rolledBackBy', 'effects', 'watch', 'measuredAt', 'component'];

const isValue = (v: unknown): v is AuditValue => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function checkEntry(e: unknown): string | undefined {
  if (!e || typeof e !== 'object') return 'the entry is not an object';
  const x = e as Record<string, unknown>;
  if (typeof x.id !== 'string' || !x.id) return 'the entry has no id';
  if (typeof x.time !== 'string' || Number.isNaN(Date.parse(x.time))) return `entry ${x.id} has no valid time`;
  if (typeof x.actor !== 'string') return `entry ${x.id} has no actor`;
  if (typeof x.file !== 'string') return `entry ${x.id} has no file`;
  if (typeof x.status !== 'string' || !STATUSES.includes(x.status)) return `entry ${x.id} has an unknown status`;
  if (!Array.isArray(x.edits) || !x.edits.every((d) => d && typeof d === 'object' && typeof (d as AuditEdit).keyPath === 'string' && isValue((d as AuditEdit).before) && isValue((d as AuditEdit).after))) return `entry ${x.id} has malformed edits`;
  return undefined;
}

/**
 * Folds the records of an audit log's text into entries (oldest first). Pure; used by
 * `AuditLog.read` and by readers that got the text elsewhere (a report, a test).
 */
export function parseAuditLog(text: string): AuditReadResult {
  const byId = new Map<string, AuditEntry>();
  const problems: AuditProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let rec: Record_;
    try {
      rec = JSON.parse(line) as Record_;
    } catch {
      problems.push({ line: i + 1, message: i === lines.length - 1 ? 'the last line is cut short (a write was interrupted); it was skipped' : 'not valid JSON; the line was skipped' });
      continue;
    }
    if (!rec || typeof rec !== 'object' || rec.v !== 1) {
      problems.push({ line: i + 1, message: 'not an audit record of a known version; skipped' });
      continue;
    }
    if (rec.kind === 'entry') {
      const bad = checkEntry(rec.entry);
      if (bad) problems.push({ line: i + 1, message: `${bad}; skipped` });
      else if (byId.has(rec.entry.id)) problems.push({ line: i + 1, message: `entry ${rec.entry.id} appears twice; the second was skipped` });
      else byId.set(rec.entry.id, { ...rec.entry });
    } else if (rec.kind === 'update') {
      const target = typeof rec.id === 'string' ? byId.get(rec.id) : undefined;
      if (!target) {
        problems.push({ line: i + 1, message: `an update of entry ${String(rec.id)}, which is not in the log before it; skipped` });
        continue;
      }
      const set = rec.set && typeof rec.set === 'object' ? rec.set : {};
      if (set.status !== undefined && !STATUSES.includes(set.status)) {
        problems.push({ line: i + 1, message: `an update of ${rec.id} with an unknown status; skipped` });
        continue;
      }
      for (const k of Object.keys(set)) if (PATCH_KEYS.includes(k)) (target as unknown as Record<string, unknown>)[k] = (set as Record<string, unknown>)[k];
    } else problems.push({ line: i + 1, message: 'an unknown kind of record; skipped' });
  }
  return { entries: [...byId.values()], problems };
}

/** A new entry id: the UTC time to the second and 6 random hex digits (sortable, unique). */
export function newAuditId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** The content hash naming a snapshot. */
export function snapshotHash(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** NaN and ±Infinity are not JSON: written as null. */
const jsonLine = (rec: Record_) => JSON.stringify(rec, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));

/**
 * The audit log of one workspace folder. Synchronous and small: it is written a few times a
 * minute at most. One writer at a time is assumed (the language server); readers may be many.
 */
export class AuditLog {
  readonly folder: string;
  readonly path: string;

  /** `workspaceFolder`: the folder that holds alluse-perf.yaml. */
  constructor(readonly workspaceFolder: string) {
    this.folder = join(workspaceFolder, AUDIT_FOLDER);
    this.path = join(this.folder, AUDIT_FILE);
  }

  /** Every entry (oldest first, updates folded in) and the lines that could not be read. */
  read(): AuditReadResult {
    if (!existsSync(this.path)) return { entries: [], problems: [] };
    return parseAuditLog(readFileSync(this.path, 'utf8'));
  }

  /** Newest first, optionally only some. */
  list(filter: { status?: AuditStatus; component?: string; file?: string; watching?: boolean } = {}): AuditEntry[] {
    return this.read()
      .entries.filter((e) => (filter.status === undefined || e.status === filter.status) && (filter.component === undefined || e.component === filter.component) && (filter.file === undefined || e.file === filter.file) && (filter.watching === undefined || (e.watch?.state === 'watching') === filter.watching))
      .reverse();
  }

  get(id: string): AuditEntry | undefined {
    return this.read().entries.find((e) => e.id === id);
  }

  /** Appends a new entry (status `applied` unless given) and keeps its snapshots; returns it as stored. */
  append(input: NewAuditEntry): AuditEntry {
    const { beforeText, afterText, ...rest } = input;
    const entry: AuditEntry = {
      ...rest,
      id: newAuditId(input.time ? new Date(input.time) : new Date()),
      time: input.time ?? new Date().toISOString(),
      status: input.status ?? 'applied',
      ...(beforeText !== undefined ? { beforeSnapshot: this.saveSnapshot(beforeText) } : {}),
      ...(afterText !== undefined ? { afterSnapshot: this.saveSnapshot(afterText) } : {}),
    };
    const bad = checkEntry(entry);
    if (bad) throw new Error(`Cannot record the change: ${bad}.`);
    this.appendLine(jsonLine({ v: 1, kind: 'entry', entry }));
    return entry;
  }

  /** Records what was learnt about an entry later; returns the entry with the patch folded in. */
  update(id: string, set: AuditPatch): AuditEntry {
    const e = this.get(id);
    if (!e) throw new Error(`No change ${id} in ${this.path}: it may have been recorded in another workspace.`);
    const clean = Object.fromEntries(Object.entries(set).filter(([k, v]) => PATCH_KEYS.includes(k) && v !== undefined)) as AuditPatch;
    this.appendLine(jsonLine({ v: 1, kind: 'update', id, at: new Date().toISOString(), set: clean }));
    return { ...e, ...clean };
  }

  /** Keeps a whole-file text under history/ by its hash (once); returns the hash. */
  saveSnapshot(text: string): string {
    const hash = snapshotHash(text);
    const dir = join(this.folder, SNAPSHOT_FOLDER);
    const file = join(dir, `${hash}.txt`);
    if (existsSync(file)) return hash;
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, 'utf8');
    renameSync(tmp, file);
    return hash;
  }

  /** A kept snapshot's text, or undefined when it is missing or does not match its hash. */
  snapshot(hash: string): string | undefined {
    if (!/^sha256-[0-9a-f]{64}$/.test(hash)) return undefined;
    const file = join(this.folder, SNAPSHOT_FOLDER, `${hash}.txt`);
    if (!existsSync(file)) return undefined;
    const text = readFileSync(file, 'utf8');
    return snapshotHash(text) === hash ? text : undefined;
  }

  /** One line, one write, fsynced; a line cut short by an earlier crash is closed off first. */
  private appendLine(line: string): void {
    mkdirSync(this.folder, { recursive: true });
    let prefix = '';
    if (existsSync(this.path)) {
      const size = statSync(this.path).size;
      if (size > 0) {
        const fd = openSync(this.path, 'r');
        try {
          const b = Buffer.alloc(1);
          readSync(fd, b, 0, 1, size - 1);
          if (b[0] !== 0x0a) prefix = '\n';
        } finally {
          closeSync(fd);
        }
      }
    }
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${prefix}${line}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
