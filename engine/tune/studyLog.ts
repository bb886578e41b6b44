/**
 * The study's log: `.alluse-perf/studies/<name>.jsonl`, one JSON record a line, append-only,
 * fsynced after every record so a kill -9 loses at most the trial that was running.
 *
 * Records
 *   {"type":"header","version":1,"study","hash","definition","createdAt"}      first line
 *   {"type":"session","startedAt","pid"}                                      each run of the study
 *   {"type":"trial-started","trial","params","at"}
 *   {"type":"trial-finished","trial","state":"complete"|"failed","values","metrics","constraints","feasible","spread","reason","repeats","durationMs","at"}
 *   {"type":"trial-cancelled","trial","at"}                                   stopped by the user or the time budget
 *
 * Resume rules: a finished trial is never run again; a trial started but neither finished
 * nor cancelled (the process died) is run again once with the same number and parameters,
 * and counted failed if it was already interrupted twice (it may be what kills the run); a
 * cancelled trial is run again. A different definition hash starts a new log; the old one
 * is kept, renamed. A torn last line (a crash in the middle of a write) is cut off.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Params } from './types';

export const STUDY_LOG_VERSION = 1;

export interface FinishedTrialRecord {
  type: 'trial-finished';
  trial: number;
  state: 'complete' | 'failed';
  /** Raw objective values (not negated), in objective order; absent when failed. */
  values?: number[];
  metrics?: Record<string, number>;
  /** Constraint values, <= 0 satisfied (types.ts convention). */
  constraints?: number[];
  feasible: boolean;
  spread?: Record<string, { min: number; max: number; relative: number }>;
  reason?: string;
  repeats: number;
  durationMs: number;
  at: string;
  /** Set by the log reader: the parameters from the trial's started record. */
  params?: Params;
}

export type StudyLogRecord =
  | { type: 'header'; version: number; study: string; hash: string; definition: unknown; createdAt: string }
  | { type: 'session'; startedAt: string; pid: number }
  | { type: 'trial-started'; trial: number; params: Params; at: string }
  | FinishedTrialRecord
  | { type: 'trial-cancelled'; trial: number; at: string };

/** A trial the log says must run (again) with these parameters. */
export interface PendingTrial {
  trial: number;
  params: Params;
  /** How often it was started without an end: 1 for one crash. */
  interruptions: number;
}

export interface StudyLogState {
  /** Finished trials (with their params), in trial order. */
  finished: (FinishedTrialRecord & { params: Params })[];
  /** Trials to run again first, in trial order. */
  rerun: PendingTrial[];
  /** Trials interrupted twice: recorded as failed by the runner, not run a third time. */
  abandoned: PendingTrial[];
  /** The next unused trial number. */
  nextTrial: number;
  /** What the user should know: a torn line cut, a changed definition. */
  notes: string[];
  /** The path of the previous log when it was set aside because the definition changed. */
  setAside?: string;
}

/** `<workspace>/.alluse-perf/studies/<name>.jsonl`. */
export function studyLogPath(workspaceDir: string, studyName: string): string {
  return join(workspaceDir, '.alluse-perf', 'studies', `${studyName.replace(/[^\w.-]/g, '_')}.jsonl`);
}

/** Reads the records of a log text; a last line without its newline that does not parse is torn. */
export function parseStudyLog(text: string): { records: StudyLogRecord[]; goodBytes: number; torn: boolean; badLines: number } {
  const records: StudyLogRecord[] = [];
  let pos = 0;
  let goodBytes = 0;
  let torn = false;
  let badLines = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(pos, end);
    let rec: StudyLogRecord | undefined;
    if (line.trim()) {
      try {
        const v = JSON.parse(line) as StudyLogRecord;
        if (v && typeof v === 'object' && typeof v.type === 'string') rec = v;
      } catch {
        /* handled below */
      }
    }
    if (nl < 0) {
      // No newline at the end: a record is only complete with its newline.
      if (line.trim()) torn = true;
      break;
    }
    if (rec) records.push(rec);
    else if (line.trim()) badLines++;
    pos = nl + 1;
    goodBytes = Buffer.byteLength(text.slice(0, pos));
  }
  return { records, goodBytes, torn, badLines };
}

/** The resume state of a log's records (after the header). */
export function resumeState(records: readonly StudyLogRecord[]): Omit<StudyLogState, 'notes' | 'setAside'> {
  const started = new Map<number, { params: Params; starts: number }>();
  const finished = new Map<number, FinishedTrialRecord>();
  const cancelledOpen = new Set<number>();
  let maxTrial = -1;
  for (const r of records) {
    if (r.type === 'trial-started') {
      const s = started.get(r.trial);
      started.set(r.trial, { params: r.params, starts: (s?.starts ?? 0) + 1 });
      cancelledOpen.delete(r.trial);
      maxTrial = Math.max(maxTrial, r.trial);
    } else if (r.type === 'trial-finished') {
      if (!finished.has(r.trial)) finished.set(r.trial, r);
      maxTrial = Math.max(maxTrial, r.trial);
    } else if (r.type === 'trial-cancelled') {
      // A cancelled start is not an interruption: take it back from the count.
      const s = started.get(r.trial);
      if (s) s.starts = Math.max(0, s.starts - 1);
      cancelledOpen.add(r.trial);
    }
  }
  const out: Omit<StudyLogState, 'notes' | 'setAside'> = { finished: [], rerun: [], abandoned: [], nextTrial: maxTrial + 1 };
  for (const n of [...new Set([...started.keys(), ...finished.keys()])].sort((a, b) => a - b)) {
    const f = finished.get(n);
    const s = started.get(n);
    if (f) {
      out.finished.push({ ...f, params: f.params ?? s?.params ?? {} });
    } else if (s) {
      const p: PendingTrial = { trial: n, params: s.params, interruptions: s.starts };
      if (s.starts >= 2) out.abandoned.push(p);
      else out.rerun.push(p);
    }
  }
  return out;
}

export class StudyLog {
  private fd: number;
  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Opens (or creates) the log of a study whose definition hashes to `hash`, and returns
   * what to resume. `fresh` sets any existing log aside and starts over.
   */
  static open(path: string, study: string, hash: string, definition: unknown, opts: { fresh?: boolean; now?: () => Date } = {}): { log: StudyLog; state: StudyLogState } {
    const now = opts.now ?? (() => new Date());
    mkdirSync(dirname(path), { recursive: true });
    const notes: string[] = [];
    let setAside: string | undefined;
    let records: StudyLogRecord[] = [];
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      const parsed = parseStudyLog(text);
      const header = parsed.records[0];
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      const aside = () => {
        setAside = path.replace(/\.jsonl$/, '') + `.${stamp}.jsonl`;
        renameSync(path, setAside);
      };
      if (opts.fresh) {
        aside();
        notes.push(`Started study "${study}" over (--fresh); the previous log is kept as ${setAside}.`);
      } else if (!header || header.type !== 'header') {
        aside();
        notes.push(`The log ${path} has no header (not a study log, or damaged at its start); it is kept as ${setAside} and the study starts over.`);
      } else if (header.hash !== hash || header.version !== STUDY_LOG_VERSION) {
        aside();
        notes.push(`The definition of study "${study}" changed since its log was written (space, objectives, constraints, trial command, repeats, algorithm, seed or the base configuration file); its ${parsed.records.filter((r) => r.type === 'trial-finished').length} finished trials no longer apply. The old log is kept as ${setAside}; the study starts over.`);
      } else {
        records = parsed.records.slice(1);
        if (parsed.torn) {
          truncateSync(path, parsed.goodBytes);
          notes.push(`The last line of ${path} was torn (the study was stopped while writing it) and has been cut off.`);
        }
        if (parsed.badLines) notes.push(`${parsed.badLines} unreadable line(s) in ${path} were skipped.`);
      }
    }
    const fd = openSync(path, 'a');
    const log = new StudyLog(path, fd);
    if (!records.length && !existsSyncNonEmpty(path)) {
      log.append({ type: 'header', version: STUDY_LOG_VERSION, study, hash, definition, createdAt: now().toISOString() });
    }
    log.append({ type: 'session', startedAt: now().toISOString(), pid: process.pid });
    const state = resumeState(records);
    if (state.finished.length || state.rerun.length || state.abandoned.length) {
      notes.push(
        `Resuming study "${study}" from ${path}: ${state.finished.length} finished trial(s) kept` +
          (state.rerun.length ? `, ${state.rerun.length} interrupted trial(s) run again (${state.rerun.map((r) => `#${r.trial}`).join(', ')})` : '') +
          (state.abandoned.length ? `, ${state.abandoned.length} trial(s) interrupted twice counted as failed` : '') +
          '.',
      );
    }
    return { log, state: { ...state, notes, setAside } };
  }

  /** Appends one record and fsyncs it: a record on disk survives a kill -9 of this process. */
  append(record: StudyLogRecord): void {
    writeSync(this.fd, JSON.stringify(record) + '\n');
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

function existsSyncNonEmpty(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}
