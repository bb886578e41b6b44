/**
 * The study log and resume: finished trials are kept and never run again, a trial started
 * but not finished (the process was killed) runs again once with the same number and
 * parameters, twice-interrupted trials count failed, a torn last line is cut off, and a
 * changed definition sets the old log aside.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runStudy } from '../../engine/tune/study';
import type { StudyDefinition } from '../../engine/tune/studyConfig';
import { parseStudyLog, resumeState, StudyLog, studyLogPath, type StudyLogRecord } from '../../engine/tune/studyLog';
import type { TrialOutcome } from '../../engine/tune/trialRunner';
import type { Params } from '../../engine/tune/types';
import { randomSampler } from '../helpers/tuneTestSampler';

const dir = mkdtempSync(join(tmpdir(), 'tune-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const def: StudyDefinition = {
  name: 'log-test',
  space: { x: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 1, high: 4 } },
  keys: { x: 'x', n: 'n' },
  objectives: [{ name: 'y', direction: 'minimize' }],
  constraints: [],
  trial: { command: 'unused', args: [], cwd: dir, env: {}, timeoutMs: 1000 },
  budget: { trials: 5 },
  repeats: 1,
  concurrency: 1,
  algorithm: 'random',
  seed: 4,
};

const lines = (recs: StudyLogRecord[]) => recs.map((r) => JSON.stringify(r) + '\n').join('');
const header = (hash: string): StudyLogRecord => ({ type: 'header', version: 1, study: def.name, hash, definition: {}, createdAt: '2026-01-01T00:00:00.000Z' });
const started = (trial: number, params: Params): StudyLogRecord => ({ type: 'trial-started', trial, params, at: 't' });
const finished = (trial: number, y: number): StudyLogRecord => ({ type: 'trial-finished', trial, state: 'complete', values: [y], metrics: { y }, feasible: true, repeats: 1, durationMs: 5, at: 't' });
const readLog = (p: string) => parseStudyLog(readFileSync(p, 'utf8')).records;

/** A trial executor that counts its calls per trial number; y = (x - 0.5)^2. */
function countingExecutor() {
  const calls: { trial: number; params: Params }[] = [];
  const run = async (params: Params, trial: number): Promise<TrialOutcome> => {
    calls.push({ trial, params });
    return { state: 'complete', values: [((params.x as number) - 0.5) ** 2], metrics: { y: ((params.x as number) - 0.5) ** 2 }, repeats: 1, durationMs: 1 };
  };
  return { calls, run };
}

describe('study log records', () => {
  it('reads records, cuts a torn last line and counts unreadable middle lines', () => {
    const good = lines([header('h'), started(0, { x: 0.1 }), finished(0, 1)]);
    const p = parseStudyLog(good + '{"type":"trial-sta');
    assert.equal(p.records.length, 3);
    assert.equal(p.torn, true);
    assert.equal(p.goodBytes, Buffer.byteLength(good));
    const q = parseStudyLog(lines([header('h')]) + 'garbage\n' + lines([started(0, { x: 0.2 })]));
    assert.equal(q.records.length, 2);
    assert.equal(q.badLines, 1);
    assert.equal(q.torn, false);
    // A complete record without its newline is still torn: the write did not finish.
    assert.equal(parseStudyLog(lines([header('h')]) + JSON.stringify(started(1, {}))).torn, true);
  });

  it('derives what to resume: finished kept, unfinished run again once, interrupted twice abandoned, cancelled run again', () => {
    const s = resumeState([
      started(0, { x: 0.1 }),
      finished(0, 0.16),
      started(1, { x: 0.2 }), // killed
      started(2, { x: 0.3 }),
      started(2, { x: 0.3 }), // killed twice
      started(3, { x: 0.4 }),
      { type: 'trial-cancelled', trial: 3, at: 't' },
      started(4, { x: 0.5 }),
      finished(4, 0),
    ]);
    assert.deepEqual(s.finished.map((f) => [f.trial, f.params]), [[0, { x: 0.1 }], [4, { x: 0.5 }]]);
    assert.deepEqual(s.rerun, [
      { trial: 1, params: { x: 0.2 }, interruptions: 1 },
      { trial: 3, params: { x: 0.4 }, interruptions: 0 },
    ]);
    assert.deepEqual(s.abandoned, [{ trial: 2, params: { x: 0.3 }, interruptions: 2 }]);
    assert.equal(s.nextTrial, 5);
  });
});

describe('resuming a study from its log', () => {
  it('starts a new log with a header and a session record', () => {
    const path = studyLogPath(dir, 'fresh one');
    assert.equal(path, join(dir, '.alluse-perf', 'studies', 'fresh_one.jsonl'));
    const { log, state } = StudyLog.open(path, 'fresh one', 'abc', { k: 1 });
    log.close();
    assert.deepEqual(state.finished, []);
    assert.deepEqual(state.notes, []);
    const recs = readLog(path);
    assert.equal(recs[0].type, 'header');
    assert.equal((recs[0] as { hash: string }).hash, 'abc');
    assert.equal(recs[1].type, 'session');
  });

  it('after a kill: finished trials are not run again, the unfinished one runs once with its parameters, the torn line is cut', async () => {
    const path = join(dir, 'killed.jsonl');
    const p1 = { x: 0.25, n: 2 };
    writeFileSync(path, lines([header('H'), started(0, { x: 0.9, n: 1 }), finished(0, 0.16), started(1, p1)]) + '{"type":"trial-fin');
    const { log, state } = StudyLog.open(path, def.name, 'H', {});
    assert.match(state.notes.join('\n'), /torn.*cut off/);
    assert.match(state.notes.join('\n'), /1 finished trial\(s\) kept, 1 interrupted trial\(s\) run again \(#1\)/);
    assert.ok(readFileSync(path, 'utf8').endsWith('\n'), 'the torn bytes are gone before anything is appended');
    const ex = countingExecutor();
    const sampler = randomSampler(def.space, def.seed);
    // Two at a time, so the sampler is asked while the re-run is still pending.
    const r = await runStudy({ ...def, concurrency: 2 }, { sampler, runTrial: ex.run, log, resume: state });
    log.close();
    assert.deepEqual(ex.calls.map((c) => c.trial), [1, 2, 3, 4], 'trial 0 not run again; trial 1 run once; then new ones');
    assert.deepEqual(ex.calls[0].params, p1, 'the interrupted trial runs with the parameters it had');
    assert.deepEqual(r.trials.map((t) => t.trial), [0, 1, 2, 3, 4]);
    assert.equal(r.trials[0].values![0], 0.16, 'the finished trial is kept as measured');
    // The sampler saw the resumed history and the re-run as pending before proposing trial 2.
    assert.equal(sampler.calls[0].history.length, 1);
    assert.deepEqual(sampler.calls[0].pending, [p1]);
    // Every trial finished exactly once in the log.
    const fin = readLog(path).filter((x) => x.type === 'trial-finished').map((x) => (x as { trial: number }).trial);
    assert.deepEqual(fin, [0, 1, 2, 3, 4]);
    // A second resume with the same budget runs nothing.
    const again = StudyLog.open(path, def.name, 'H', {});
    const ex2 = countingExecutor();
    const r2 = await runStudy(def, { sampler: randomSampler(def.space, def.seed), runTrial: ex2.run, log: again.log, resume: again.state });
    again.log.close();
    assert.equal(ex2.calls.length, 0);
    assert.equal(r2.trials.length, 5);
    assert.equal(r2.best!.trial, r.best!.trial);
  });

  it('a trial interrupted twice is recorded failed and not run a third time', async () => {
    const path = join(dir, 'twice.jsonl');
    writeFileSync(path, lines([header('H'), started(0, { x: 0.3, n: 1 }), { type: 'session', startedAt: 't', pid: 1 }, started(0, { x: 0.3, n: 1 })]));
    const { log, state } = StudyLog.open(path, def.name, 'H', {});
    const ex = countingExecutor();
    const r = await runStudy({ ...def, budget: { trials: 2 } }, { sampler: randomSampler(def.space, 1), runTrial: ex.run, log, resume: state });
    log.close();
    assert.deepEqual(ex.calls.map((c) => c.trial), [1]);
    assert.equal(r.trials[0].state, 'failed');
    assert.match(r.trials[0].reason!, /interrupted 2 times/);
    assert.equal(readLog(path).filter((x) => x.type === 'trial-finished').length, 2);
  });

  it('a changed definition keeps the old log under a new name and starts over', () => {
    const path = join(dir, 'changed.jsonl');
    writeFileSync(path, lines([header('OLD'), started(0, { x: 0.1 }), finished(0, 0.16)]));
    const { log, state } = StudyLog.open(path, def.name, 'NEW', {}, { now: () => new Date('2026-02-03T04:05:06.007Z') });
    log.close();
    assert.deepEqual(state.finished, []);
    assert.equal(state.setAside, join(dir, 'changed.2026-02-03T04-05-06-007Z.jsonl'));
    assert.match(state.notes[0], /definition of study "log-test" changed.*1 finished trials no longer apply.*kept as .*changed\.2026-02-03T04-05-06-007Z\.jsonl/);
    assert.equal(readLog(state.setAside!).length, 3, 'the old log is kept whole');
    assert.equal((readLog(path)[0] as { hash: string }).hash, 'NEW');
    // --fresh does the same on purpose.
    const f = StudyLog.open(path, def.name, 'NEW', {}, { fresh: true, now: () => new Date('2026-02-03T05:00:00.000Z') });
    f.log.close();
    assert.match(f.state.notes[0], /over \(--fresh\)/);
    assert.ok(existsSync(f.state.setAside!));
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('changed.')).length, 3);
  });
});
