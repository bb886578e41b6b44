// docs/troubleshooting.md stays true to the code: every message it quotes (the code spans
// in the first column of its tables; `…` stands for a varying part) is still written by the
// client, server, CLI or engine, and every diagnostic code of alluse-perf.yaml is explained.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts')) out.push(readFileSync(join(ROOT, p), 'utf8'));
  }
  return out;
}

/** All the code, with the string escapes a message may contain undone. */
const CODE = ['client/src', 'server/src', 'cli', 'engine']
  .flatMap(sources)
  .join('\n')
  .replace(/\\(['"`])/g, '$1');
const DOC = readFileSync(join(ROOT, 'docs/troubleshooting.md'), 'utf8');

/** The code spans of the first cell of every table row (the header rows have none). */
function quotedMessages(): string[] {
  const out: string[] = [];
  for (const line of DOC.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const first = line.split(' | ')[0];
    for (const m of first.matchAll(/`([^`]+)`/g)) out.push(m[1]);
  }
  return out;
}

describe('docs/troubleshooting.md', () => {
  it('quotes only messages the code still writes', () => {
    const quoted = quotedMessages();
    assert.ok(quoted.length >= 80, `${quoted.length} quoted messages`);
    const missing: string[] = [];
    for (const q of quoted) {
      for (const piece of q.split('…').map((s) => s.trim())) {
        if (piece.length < 4) continue;
        if (!CODE.includes(piece)) missing.push(`${piece}   (from: ${q})`);
      }
    }
    assert.deepEqual(missing, [], 'messages quoted in docs/troubleshooting.md that no source file writes any more');
  });

  it('explains every diagnostic code of alluse-perf.yaml', () => {
    const union = /export type FindingCode =([^;]*);/.exec(readFileSync(join(ROOT, 'engine/workspace/findings.ts'), 'utf8'))![1];
    const codes = [...union.matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]);
    assert.ok(codes.length >= 20);
    for (const c of codes) assert.ok(DOC.includes(`\`${c}\``), `${c} is not explained in docs/troubleshooting.md`);
  });

  it('fails on a message that is not in the code (the check can fail)', () => {
    assert.ok(!CODE.includes('The flux capacitor is out of plutonium'));
  });
});
