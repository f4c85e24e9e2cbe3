import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withPayload } from '../../../router/core/replies.js';
import { MessageType } from '../../../router/wamp/messages.js';

describe('withPayload', () => {
  it('appends args, then kwargs only when there are any, and leaves out what is empty', () => {
    const head = (): unknown[] => [MessageType.RESULT, 7, {}];
    assert.deepEqual(withPayload(head(), undefined, undefined), [MessageType.RESULT, 7, {}]);
    assert.deepEqual(withPayload(head(), [], {}), [MessageType.RESULT, 7, {}]);
    assert.deepEqual(withPayload(head(), [1, 'a'], undefined), [MessageType.RESULT, 7, {}, [1, 'a']]);
    assert.deepEqual(withPayload(head(), [1], {}), [MessageType.RESULT, 7, {}, [1]]);
    assert.deepEqual(withPayload(head(), undefined, { k: 1 }), [MessageType.RESULT, 7, {}, [], { k: 1 }]);
    assert.deepEqual(withPayload(head(), [], { k: 1 }), [MessageType.RESULT, 7, {}, [], { k: 1 }]);
  });

  it('counts only own keys of kwargs', () => {
    const inherited = Object.create({ k: 1 }) as Record<string, unknown>;
    assert.deepEqual(withPayload([MessageType.RESULT, 7, {}], [2], inherited), [MessageType.RESULT, 7, {}, [2]]);
  });

  it('returns a new array and leaves the message it was given as it was', () => {
    const message: unknown[] = [MessageType.INVOCATION, 1, 2, {}];
    const out = withPayload(message, [1], { a: 1 });
    assert.notEqual(out, message);
    assert.deepEqual(message, [MessageType.INVOCATION, 1, 2, {}]);
  });
});
