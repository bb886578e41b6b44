/** The comparison webview's messages are untrusted: only the protocol's shapes get through. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCompareWebviewMessage } from '../../protocol/index';

describe('parseCompareWebviewMessage', () => {
  it('accepts the protocol and nothing more of a message', () => {
    assert.deepEqual(parseCompareWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseCompareWebviewMessage({ type: 'cancel', extra: 'x' }), { type: 'cancel' });
    assert.deepEqual(parseCompareWebviewMessage({ type: 'rerun', before: 'rm -rf' }), { type: 'rerun' });
  });
  it('drops everything else', () => {
    for (const bad of [null, undefined, 1, 'ready', {}, { type: 'run' }, { type: 'studyCommand', command: 'run' }, { type: 'toString' }, { type: ['cancel'] }]) {
      assert.equal(parseCompareWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
