/** The history webview's messages are untrusted: only the protocol's shapes, with an id of the audit log's form, get through. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newAuditId } from '../../engine/coordinate/audit';
import { parseHistoryWebviewMessage } from '../../protocol/index';

describe('parseHistoryWebviewMessage', () => {
  it('accepts the protocol', () => {
    const id = newAuditId(new Date('2026-11-27T08:45:12.345Z'));
    assert.match(id, /^20261127T084512Z-[0-9a-f]{6}$/);
    assert.deepEqual(parseHistoryWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseHistoryWebviewMessage({ type: 'refresh', extra: 1 }), { type: 'refresh' });
    assert.deepEqual(parseHistoryWebviewMessage({ type: 'revert', id, file: '/etc/passwd' }), { type: 'revert', id });
    assert.deepEqual(parseHistoryWebviewMessage({ type: 'openFile', id }), { type: 'openFile', id });
  });
  it('drops everything else', () => {
    for (const bad of [null, undefined, 1, 'ready', {}, { type: 'revert' }, { type: 'revert', id: 7 }, { type: 'revert', id: '../../x' }, { type: 'revert', id: '20261127T084512Z-zzzzzz' }, { type: 'openFile', id: `20261127T084512Z-abcdef\n` }, { type: 'studyCommand', command: 'run' }]) {
      assert.equal(parseHistoryWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
