import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, closest } from '../../engine/text/similar';
import { LineIndex, parseComparison, parseDuration, parseSize } from '../../engine/index';

describe('units and expressions', () => {
  it('parses durations', () => {
    assert.equal(parseDuration('100ms'), 100);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    for (const bad of ['', '100', 'ms', '10 s', '5x', '1h 30m']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('parses sizes', () => {
    assert.equal(parseSize('512MiB'), 512 * 1024 * 1024);
    assert.equal(parseSize('2GB'), 2e9);
    assert.equal(parseSize('1 KiB'), 1024);
    for (const bad of ['512', 'MiB', '5 mb', '1.2.3GiB']) assert.equal(parseSize(bad), undefined, bad);
  });

  it('parses comparisons', () => {
    assert.deepEqual(parseComparison('p95_latency_ms <= 50', false), { component: undefined, metric: 'p95_latency_ms', op: '<=', value: 50 });
    assert.deepEqual(parseComparison('protocol-engine.latency_p95_ms > 5e1', true), { component: 'protocol-engine', metric: 'latency_p95_ms', op: '>', value: 50 });
    assert.deepEqual(parseComparison('eviction == "lru"', false), { component: undefined, metric: 'eviction', op: '==', value: 'lru' });
    assert.equal(parseComparison('p95 < ', false), undefined);
    assert.equal(parseComparison('rm -rf ~', false), undefined);
  });

  it('measures edit distance and picks close words only', () => {
    assert.equal(editDistance('intervall', 'interval'), 1);
    assert.equal(editDistance('retnetion', 'retention'), 1); // a transposition counts once
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(closest('intervall', ['interval', 'retention']), 'interval');
    assert.equal(closest('Interval', ['interval']), 'interval');
    assert.equal(closest('xy', ['ab', 'cd']), undefined);
  });

  it('converts offsets and positions, with CRLF line ends', () => {
    const idx = new LineIndex('a: 1\r\nbb: 2\rc: 3\n');
    assert.equal(idx.lineCount, 4);
    assert.deepEqual(idx.positionAt(6), { line: 1, character: 0 });
    assert.deepEqual(idx.positionAt(12), { line: 2, character: 0 });
    assert.equal(idx.offsetAt({ line: 1, character: 2 }), 8);
    assert.equal(idx.lineText(1), 'bb: 2');
    assert.equal(idx.offsetAt({ line: 9, character: 0 }), 17);
  });
});
