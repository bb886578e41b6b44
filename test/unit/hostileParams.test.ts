/**
 * A parameter value that looks like shell syntax stays a value. Each hostile value goes
 * through a real trial (runTrial: a real process, no shell) into the command's arguments,
 * its environment and its YAML and JSON configuration copies; the command records what it
 * got. Nothing the values say is executed (no sentinel file appears, the victim folder
 * survives), every channel carries the value byte for byte, and the config copies gain no
 * key and lose no comment. A NUL byte cannot be an argument at all: that trial fails with a
 * reason instead of running.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { StudyDefinition } from '../../engine/tune/studyConfig';
import { runTrial } from '../../engine/tune/trialRunner';

let dir: string;
let victim: string;
let pwned: string;
let records: string;
let script: string;

/** What a trial command can be handed to run something: each must arrive as plain text. */
function hostileValues(): string[] {
  return [
    `; rm -rf ${victim}`,
    `$(touch ${pwned})`,
    `\`touch ${pwned}-bt\``,
    `a' && touch ${pwned}-q '`,
    `" ; touch ${pwned}-dq ; "`,
    `x | touch ${pwned}-pipe`,
    `x && touch ${pwned}-and`,
    `line one\ntouch ${pwned}-nl\n`,
    `\r\ntouch ${pwned}-crlf`,
    `1\nevil: true`,
    `x # not a comment`,
    `*alias`,
    `&anchor x`,
    `!!js/function "touch ${pwned}-tag"`,
    `{ a: 1 }`,
    `- item`,
    `---\nother: doc`,
    `\${HOME} $HOME %PATH%`,
    `{params} \${trialConfigDir} $& $1`,
    `> /dev/null 2>&1 < /etc/passwd`,
    `café ☕ \u202e\u2066 tab\there`,
    '',
    ' ',
  ];
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'alluse-hostile-params-'));
  victim = join(dir, 'victim');
  mkdirSync(victim);
  writeFileSync(join(victim, 'keep.txt'), 'still here');
  pwned = join(dir, 'pwned');
  records = join(dir, 'records.jsonl');
  script = join(dir, 'trial.js');
  // The trial command: records its argv, the parameter's environment and its config copy.
  writeFileSync(
    script,
    `const fs = require('fs');
const file = process.env.ALLUSE_TRIAL_CONFIG_FILE;
fs.writeFileSync(${JSON.stringify(records)} + '.' + process.env.ALLUSE_TRIAL_NUMBER, JSON.stringify({ argv: process.argv.slice(2), mode: process.env.ALLUSE_PARAM_MODE, params: process.env.ALLUSE_PARAMS, config: fs.readFileSync(file, 'utf8') }) + '\\n');
console.log(JSON.stringify({ y: 1 }));
`,
  );
  writeFileSync(join(dir, 'engine.yaml'), '# engine settings\nmode: fast # how it runs\nworkers: 4 # threads\nnested:\n  level: 2 # stays\n');
  writeFileSync(join(dir, 'engine.json'), JSON.stringify({ mode: 'fast', workers: 4 }, null, 2));
});

after(() => rmSync(dir, { recursive: true, force: true }));

function study(configFile: string): StudyDefinition {
  return {
    name: 'hostile',
    configFile,
    space: { mode: { type: 'categorical', choices: hostileValues() } },
    keys: {},
    objectives: [{ name: 'y', direction: 'minimize' }],
    constraints: [],
    trial: { command: process.execPath, args: [script, '{params}', '--mode={params}', 'literal ; touch it', '${trialConfigFile}'], cwd: dir, env: {}, timeoutMs: 20_000 },
    budget: { trials: 1 },
    repeats: 1,
    concurrency: 1,
    algorithm: 'random',
    seed: 1,
  };
}

const recordOf = (trial: number) => JSON.parse(readFileSync(`${records}.${trial}`, 'utf8')) as { argv: string[]; mode: string; params: string; config: string };

/** Runs `f` over the items, `width` at a time (the trials are processes: a few at once keeps the test short). */
async function pool<T>(items: readonly T[], width: number, f: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await f(items[i], i);
    }
  }));
}

const sentinels = () => readdirSync(dir).filter((n) => n.startsWith('pwned'));

describe('hostile parameter values stay values', () => {
  it('through argv, environment and a YAML config copy: verbatim, nothing run, no key added, comments kept', async () => {
    await pool(hostileValues(), 4, async (value, i) => {
      const params = { mode: value };
      const out = await runTrial(study(join(dir, 'engine.yaml')), params, { trialNumber: i, tmpRoot: dir });
      assert.equal(out.state, 'complete', `${JSON.stringify(value)}: ${out.reason}`);
      const r = recordOf(i);
      assert.deepEqual(r.argv.slice(0, 3), [JSON.stringify(params), `--mode=${JSON.stringify(params)}`, 'literal ; touch it'], JSON.stringify(value));
      assert.equal(r.mode, value, 'ALLUSE_PARAM_MODE is the value, byte for byte');
      assert.deepEqual(JSON.parse(r.params), params);
      const cfg = parse(r.config) as Record<string, unknown>;
      assert.deepEqual(cfg, { mode: value, workers: 4, nested: { level: 2 } }, `${JSON.stringify(value)} -> ${r.config}`);
      for (const c of ['# engine settings', '# threads', '# stays']) assert.ok(r.config.includes(c), `comment ${c} kept for ${JSON.stringify(value)}`);
    });
    assert.deepEqual(sentinels(), [], 'something ran');
    assert.equal(readFileSync(join(victim, 'keep.txt'), 'utf8'), 'still here');
  });

  it('through a JSON config copy: the value is a JSON string, no key added', async () => {
    await pool(hostileValues(), 4, async (value, i) => {
      const out = await runTrial(study(join(dir, 'engine.json')), { mode: value }, { trialNumber: 100 + i, tmpRoot: dir });
      assert.equal(out.state, 'complete', out.reason);
      assert.deepEqual(JSON.parse(recordOf(100 + i).config), { mode: value, workers: 4 });
    });
    assert.deepEqual(sentinels(), []);
  });

  it('a NUL byte cannot be passed as an argument: the trial fails with a reason, nothing runs', async () => {
    const out = await runTrial(study(join(dir, 'engine.yaml')), { mode: `a\u0000; touch ${pwned}-nul` }, { trialNumber: 999, tmpRoot: dir });
    assert.equal(out.state, 'failed');
    assert.match(out.reason ?? '', /could not start|null bytes|NUL/i);
    assert.equal(existsSync(`${records}.999`), false, 'the command did not run');
    assert.deepEqual(sentinels(), []);
  });
});
