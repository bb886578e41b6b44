/**
 * `alluse-perf coordinate conflicts|allocate` on the coordination fixture: studies run with
 * `alluse-perf optimize` (real logs), then their conflict on the shared cores is listed with
 * its resolution, and allocation measures the fixture's system and writes its change set.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { ROOT } from '../helpers/lspClient';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist/cli.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('alluse-perf coordinate', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alluse-cli-coord-'));
    cpSync(join(ROOT, 'test/fixtures/coord-workspace'), dir, { recursive: true });
    for (const study of ['engine-workers', 'learner-threads']) {
      const r = await cli(['optimize', '--workspace', dir, '--study', study, '--json']);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('conflicts: the cores conflict, resolved by the engine\'s priority (text and JSON)', async () => {
    const t = await cli(['coordinate', 'conflicts', '--workspace', dir]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /2 recommendation\(s\) from 3 studies; 1 conflict\(s\), 0 unresolved; 1 offered\./);
    assert.match(t.stdout, /\[priority\] cpu-cores: \d+ cores needed .* 6 available \(coordination\.totals\)/);
    assert.match(t.stdout, /Offered:\n {2}engine config\/engine\.yaml workers: 2 -> [45] \(study engine-workers\)/);
    const j = await cli(['coordinate', 'conflicts', '--workspace', dir, '--json']);
    const r = JSON.parse(j.stdout);
    assert.equal(r.conflicts[0].kind, 'shared-resource');
    assert.deepEqual(r.resolutions[0].dropped.map((d: { recommendation: { key: string } }) => d.recommendation.key), ['threads']);
  });

  it('allocate: measures, prints one change set, and --apply writes it keeping comments', async () => {
    const j = await cli(['coordinate', 'allocate', '--workspace', dir, '--budget', '8', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const r = JSON.parse(j.stdout);
    assert.ok(r.usage[0].used <= 6);
    assert.ok(r.evaluations <= 9);
    assert.equal(r.applied, false);
    assert.equal(parse(readFileSync(join(dir, 'config/engine.yaml'), 'utf8')).workers, 2, 'nothing written without --apply');
    const a = await cli(['coordinate', 'allocate', '--workspace', dir, '--budget', '8', '--apply']);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /Best of \d+ measured assignment/);
    assert.match(a.stdout, /Applied\./);
    const engine = readFileSync(join(dir, 'config/engine.yaml'), 'utf8');
    const learner = readFileSync(join(dir, 'config/learner.yaml'), 'utf8');
    assert.match(engine, /# engine: pricing threads\. Keep this comment\./);
    assert.match(engine, /^workers: \d+ +# worker threads$/m);
    assert.ok(parse(engine).workers + parse(learner).threads <= 6);
    assert.ok(120 * Math.log(1 + parse(engine).workers) + 50 * Math.log(1 + parse(learner).threads) > 166.5, 'better than today');
  });

  it('allocate: a bad budget is refused with what to write', async () => {
    const r = await cli(['coordinate', 'allocate', '--workspace', dir, '--budget', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--budget must be a whole number/);
  });
});
