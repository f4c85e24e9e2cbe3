/**
 * The fuzzer's own premises, checked without an edge: a call is a pure function of (seed, index); every
 * generated message is one the router accepts on the wire (else a router refusal would be blamed on the
 * maker) and stays far below max_message_size; the table covers every maker procedure; and the oracle
 * accepts and refuses what it should.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cborSerializer } from '../../../router/wamp/cbor.js';
import { msgpackSerializer } from '../../../router/wamp/msgpack.js';
import { encodeWamp } from '../../helpers/raw.js';
import { describeCall } from './describe.js';
import { generateCall, type FuzzCall, type FuzzWorld } from './generate.js';
import { judgeCall, judgeHello } from './oracle.js';
import { assertCoversEveryProcedure, PROCEDURES, type Slot } from './procedures.js';

const SLOTS: readonly Slot[] = [
  'uuid', 'address', 'bytes32', 'uint256', 'signature', 'pubkey', 'int', 'seq', 'ctype', 'actorType', 'limit', 'chainId', 'block', 'ns', 'bool',
  'string', 'offerUri', 'cid', 'realm', 'authid', 'categories', 'attributes', 'authDetails', 'addressList', 'uuidList', 'stringList', 'nothing',
];

/** A world of the right shape with made-up values (the generator does not care whether they are real). */
const WORLD: FuzzWorld = {
  pools: Object.fromEntries(SLOTS.map((s) => [s, [Buffer.alloc(16, 1), Buffer.alloc(20, 2), 7, 2n ** 60n, 'xbr.demo', { a: 'b' }, [Buffer.alloc(20, 3)], null]])) as Record<Slot, unknown[]>,
  memberCallers: [3, 4],
  replays: [{ procedure: 'xbr.marketmaker.buy_key', args: [Buffer.alloc(20), Buffer.alloc(32), Buffer.alloc(16), Buffer.alloc(16), 2, Buffer.alloc(32), Buffer.alloc(32), Buffer.alloc(65)], kwargs: { close_at: 5n } }],
  pubkeys: ['ab'.repeat(32)],
  logins: [{ pubkey: 'cd'.repeat(32), wallet: `0x${'11'.repeat(20)}`, signature: `0x${'22'.repeat(65)}` }],
};

function wireMessage(c: FuzzCall): unknown[] {
  if (c.hello !== undefined) return [1, 'realm1', c.hello];
  const msg: unknown[] = [48, 1, c.options ?? {}, c.procedure];
  if (c.args !== undefined || c.kwargs !== undefined) msg.push(c.args ?? []);
  if (c.kwargs !== undefined) msg.push(c.kwargs);
  return msg;
}

test('the procedure table has exactly the maker\'s procedures', () => {
  assertCoversEveryProcedure();
});

test('call i of a seed is the same call whatever was generated before', () => {
  const later = describeCall(generateCall(42, 1234, WORLD));
  for (let i = 0; i < 50; i++) generateCall(42, i, WORLD);
  assert.equal(describeCall(generateCall(42, 1234, WORLD)), later);
  assert.notEqual(describeCall(generateCall(43, 1234, WORLD)), later);
});

test('every generated message is accepted by the router\'s decoders and stays below 1 MiB; every procedure and shape occurs', () => {
  const procedures = new Set<string>();
  const shapes = new Set<string>();
  let largest = 0;
  for (let i = 0; i < 5000; i++) {
    const c = generateCall(7, i, WORLD);
    procedures.add(c.procedure);
    shapes.add(c.shape.split('+')[0]!);
    const bytes = encodeWamp(c.serializer, wireMessage(c));
    largest = Math.max(largest, bytes.length);
    assert.doesNotThrow(() => (c.serializer === 'cbor' ? cborSerializer : msgpackSerializer).decode(bytes), `the router refuses ${describeCall(c).slice(0, 500)}`);
  }
  assert.ok(largest < 512 * 1024, `largest message ${largest} bytes`);
  assert.deepEqual([...procedures].sort(), PROCEDURES.map((p) => p.uri).sort());
  assert.deepEqual([...shapes].sort(), ['hello', 'keyword', 'mixed', 'none', 'positional', 'replay', 'twice']);
});

test('the oracle: specific errors pass, catch-alls, hangs, dropped sessions and results for the wrong caller do not', () => {
  const call = (procedure: string, caller: FuzzCall['caller']): FuzzCall => ({ index: 0, procedure, caller, serializer: 'msgpack', shape: 'none' });
  const buy = call('xbr.marketmaker.buy_key', 'member');
  assert.equal(judgeCall(buy, { kind: 'error', uri: 'wamp.error.invalid_argument', message: '' }), undefined);
  assert.equal(judgeCall(buy, { kind: 'error', uri: 'xbr.error.unexpected_channel_seq', message: '' }), undefined);
  assert.equal(judgeCall(buy, { kind: 'error', uri: 'wamp.error.no_such_procedure', message: '' }), undefined, 'buy_key calls the seller');
  assert.match(judgeCall(call('xbr.marketmaker.get_offer', 'member'), { kind: 'error', uri: 'wamp.error.no_such_procedure', message: '' }) ?? '', /allow-list/);
  assert.match(judgeCall(buy, { kind: 'error', uri: 'wamp.error.runtime_error', message: 'x' }) ?? '', /allow-list/);
  assert.match(judgeCall(buy, { kind: 'error', uri: 'wamp.error.invalid_payload', message: 'x' }) ?? '', /allow-list/);
  assert.match(judgeCall(buy, { kind: 'timeout', ms: 10 }) ?? '', /no reply/);
  assert.match(judgeCall(buy, { kind: 'closed', detail: 'x' }) ?? '', /ended/);
  assert.match(judgeCall(call('xbr.marketmaker.buy_key', 'anonymous'), { kind: 'result', args: [], kwargs: {} }) ?? '', /RESULT/);
  assert.match(judgeCall(call('xbr.marketmaker.buy_key', 'operator'), { kind: 'error', uri: 'wamp.error.invalid_argument', message: '' }) ?? '', /not_authorized/);
  assert.match(judgeCall(call('xbr.marketmaker.get_ipfs_status', 'member'), { kind: 'result', args: [], kwargs: {} }) ?? '', /RESULT/);
  assert.match(judgeCall(call('xbr.marketmaker.authenticator.authenticate', 'operator'), { kind: 'result', args: [], kwargs: {} }) ?? '', /RESULT/);
  assert.equal(judgeCall(call('xbr.marketmaker.get_offer', 'anonymous'), { kind: 'result', args: [], kwargs: {} }), undefined);
  assert.equal(judgeHello({ kind: 'challenge', authmethod: 'cryptosign' }), undefined);
  assert.equal(judgeHello({ kind: 'abort', uri: 'xbr.marketmaker.error.invalid-auth-request', message: '' }), undefined);
  assert.match(judgeHello({ kind: 'abort', uri: 'wamp.error.runtime_error', message: '' }) ?? '', /allow-list/);
  assert.match(judgeHello({ kind: 'welcome', details: {} }) ?? '', /welcomed/);
});
