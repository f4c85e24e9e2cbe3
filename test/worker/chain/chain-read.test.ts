/** chainRead: a node's failure or silence becomes xbr.error.chain_unavailable naming what was asked. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chainRead } from '../../../worker/chain/index.js';
import { WampError } from '../../../schema/index.js';

const unavailable = (what: RegExp) => (err: unknown) => err instanceof WampError && err.uri === 'xbr.error.chain_unavailable' && what.test(err.message);

test('a refused or reset connection is xbr.error.chain_unavailable naming the read', async () => {
  await assert.rejects(chainRead('the current block', () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), { code: 'ECONNREFUSED' }))), unavailable(/the current block: connect ECONNREFUSED/));
});

test('a node that does not answer within timeoutMs is xbr.error.chain_unavailable', async () => {
  await assert.rejects(chainRead('the current block', () => new Promise<never>(() => undefined), { timeoutMs: 50 }), unavailable(/no answer within 50 ms/));
});

test('an answer, or a WampError of the read itself, passes through', async () => {
  assert.equal(await chainRead('x', async () => 5, { timeoutMs: 1000 }), 5);
  const own = new WampError('xbr.error.chain_mismatch', 'other chain');
  await assert.rejects(chainRead('x', () => Promise.reject(own)), (err) => err === own);
});
