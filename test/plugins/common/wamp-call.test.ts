/**
 * `wampCall`: callee errors keep their URI, message and kwargs; a client without a WAMP session fails at once.
 * `isUnanswered` tells a call that got no answer (failed here, or the router answered for a callee that did not)
 * from a callee's own error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isUnanswered, wampCall, type WampCaller } from '../../../plugins/common/index.js';
import { WampError } from '../../../schema/errors.js';

async function failure(p: Promise<unknown>): Promise<WampError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WampError, `expected a WampError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('wampCall', () => {
  it('returns the first positional result and passes positional and keyword arguments', async () => {
    const seen: unknown[] = [];
    const client: WampCaller = {
      call: async (uri, payload) => {
        seen.push(uri, payload);
        return { argsList: ['r0', 'r1'] };
      },
      getSessionId: () => 7,
    };
    assert.equal(await wampCall(client, 'a.b', [1, 2], { k: true }), 'r0');
    assert.deepEqual(seen, ['a.b', { argsList: [1, 2], argsDict: { k: true } }]);
  });

  it('a callee error keeps its URI, message, further args and kwargs', async () => {
    const client: WampCaller = { call: async () => Promise.reject({ errorUri: 'xbr.error.x', argsList: ['why', 'more'], argsDict: { seq: 3 } }) };
    const e = await failure(wampCall(client, 'a.b'));
    assert.deepEqual([e.uri, e.message, e.args, e.kwargs], ['xbr.error.x', 'why', ['more'], { seq: 3 }]);
  });

  it('a client without a WAMP session fails at once instead of queueing the call for ever', async () => {
    let called = false;
    const client: WampCaller = {
      call: () => {
        called = true;
        return new Promise<never>(() => undefined);
      },
      getSessionId: () => null,
    };
    const e = await failure(wampCall(client, 'xbr.marketmaker.place_offer'));
    assert.equal(e.uri, 'wamp.error.runtime_error');
    assert.match(e.message, /session is closed/);
    assert.equal(called, false);
    assert.equal(typeof (e.cause as { errorUri?: unknown }).errorUri, 'undefined', 'seen as a lost transport (retryable)');
  });

  it('isUnanswered: a lost session or connection, canceled, timed out — not a callee\'s error, not a router refusal', async () => {
    const rejecting = (err: unknown): WampCaller => ({ call: async () => Promise.reject(err), getSessionId: () => 1 });
    const noSession = await failure(wampCall({ call: async () => ({}), getSessionId: () => null }, 'a.b'));
    const connectionClosed = await failure(wampCall(rejecting(new Error('Connection closed')), 'a.b'));
    const canceled = await failure(wampCall(rejecting({ errorUri: 'wamp.error.canceled', argsList: ['callee left before answering'] }), 'a.b'));
    const timeout = await failure(wampCall(rejecting({ errorUri: 'wamp.error.timeout', argsList: [] }), 'a.b'));
    for (const e of [noSession, connectionClosed, canceled, timeout]) assert.equal(isUnanswered(e), true, e.message);
    const calleeError = await failure(wampCall(rejecting({ errorUri: 'xbr.error.unexpected_channel_seq', argsList: ['no'] }), 'a.b'));
    const calleeRuntime = await failure(wampCall(rejecting({ errorUri: 'wamp.error.runtime_error', argsList: ['bug'] }), 'a.b'));
    const noProcedure = await failure(wampCall(rejecting({ errorUri: 'wamp.error.no_such_procedure', argsList: [] }), 'a.b'));
    for (const e of [calleeError, calleeRuntime, noProcedure]) assert.equal(isUnanswered(e), false, e.message);
    assert.equal(isUnanswered(new WampError('wamp.error.runtime_error', 'made elsewhere')), false);
    assert.equal(isUnanswered(new Error('x')), false);
  });
});
