// engine/collect/si.ts: systeminformation's functions, each loading only its own module of
// the package on first call (the package's index loads all twenty), and the collectors that
// use them (the fallback off /proc, and file systems off Linux) still read this machine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSysteminformation } from '../../engine/collect/si';
import { SiSystemCollector, SlowSystemCollector } from '../../engine/collect/siSystem';

const loadedModules = () =>
  Object.keys(require.cache)
    .map((k) => /systeminformation[\\/]lib[\\/](\w+)\.js$/.exec(k)?.[1])
    .filter((m): m is string => m !== undefined)
    .sort();

describe('systeminformation, module by module', () => {
  it('loads a module when one of its functions is first called, and never the index', async () => {
    const si = await loadSysteminformation();
    assert.deepEqual(loadedModules(), []);
    const m = await si.mem();
    assert.ok(m.total > 0, `memory total ${m.total}`);
    assert.deepEqual(loadedModules(), ['memory', 'util']);
  });

  it('feeds the fallback system collector and the file systems off Linux', async () => {
    const fallback = await new SiSystemCollector().collect(1000);
    const names = new Set(fallback.samples.map((s) => s.series.name));
    for (const name of ['system_cpu_ratio', 'system_memory_total_bytes', 'system_memory_used_bytes']) assert.ok(names.has(name), `${name} in ${[...names].join(', ')}; problems: ${JSON.stringify(fallback.problems)}`);
    const slow = await new SlowSystemCollector({ platform: 'darwin', gpu: false }).collect(1000);
    const fs = slow.samples.filter((s) => s.series.name === 'system_filesystem_used_ratio');
    assert.ok(fs.length > 0, `file systems from fsSize; problems: ${JSON.stringify(slow.problems)}`);
    assert.ok(fs.every((s) => s.v >= 0 && s.v <= 1));
    assert.ok(!loadedModules().includes('index') && !loadedModules().includes('wifi'), loadedModules().join(', '));
  });
});
