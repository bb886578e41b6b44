/** The study webview's messages are untrusted: only the protocol's shapes get through. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStudyWebviewMessage } from '../../protocol/index';

describe('parseStudyWebviewMessage', () => {
  it('accepts the protocol', () => {
    assert.deepEqual(parseStudyWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseStudyWebviewMessage({ type: 'refresh', extra: 1 }), { type: 'refresh' });
    for (const command of ['run', 'cancel', 'remeasure', 'applyAll', 'revert']) {
      assert.deepEqual(parseStudyWebviewMessage({ type: 'studyCommand', command, study: 'other' }), { type: 'studyCommand', command });
    }
  });
  it('drops everything else', () => {
    for (const bad of [null, undefined, 1, 'ready', {}, { type: 'studyCommand' }, { type: 'studyCommand', command: 'rm -rf' }, { type: 'studyCommand', command: 'toString' }, { type: 'reveal', uri: 'x' }, { type: 'setRange', range: '5m' }]) {
      assert.equal(parseStudyWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
