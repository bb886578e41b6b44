// cli/monitorArgs.ts: which `alluse-perf monitor` command lines the entry runs without
// commander. What it takes must be what commander would read; anything else is left to
// commander (undefined), so help, errors and exit codes stay commander's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainMonitorArgs } from '../../cli/monitorArgs';

describe('plainMonitorArgs', () => {
  it('reads the plain monitor command lines with commander\'s defaults', () => {
    assert.deepEqual(plainMonitorArgs(['monitor']), { workspace: '.', json: false });
    assert.deepEqual(plainMonitorArgs(['monitor', '--workspace', 'ws', '--json', '--duration', '40s']), { workspace: 'ws', duration: '40s', json: true });
    assert.deepEqual(plainMonitorArgs(['monitor', '--duration=5m', '--workspace=/a b/c=d']), { workspace: '/a b/c=d', duration: '5m', json: false });
    assert.deepEqual(plainMonitorArgs(['monitor', '--workspace=']), { workspace: '', json: false });
  });

  it('leaves everything else to commander', () => {
    for (const args of [
      [],
      ['validate'],
      ['--json', 'monitor'],
      ['monitor', '--help'],
      ['monitor', '-h'],
      ['monitor', '--workspace'],
      ['monitor', '--workspace', '--json'],
      ['monitor', '--duration', '-1s'],
      ['monitor', '--json', '--json'],
      ['monitor', '--json=yes'],
      ['monitor', '--workspace', 'a', '--workspace', 'b'],
      ['monitor', '--bogus'],
      ['monitor', 'extra'],
      ['monitor', '--', '--json'],
      ['monitor', '--works', 'a'],
    ]) assert.equal(plainMonitorArgs(args), undefined, JSON.stringify(args));
  });
});
