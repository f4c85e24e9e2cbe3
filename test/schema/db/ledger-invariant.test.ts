import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WampError } from '../../../schema/errors.js';
import { checkBalance, checkBalanceWrite, checkSeqAdvance } from '../../../schema/db/ledger-invariant.js';
import { uuidOf } from './helpers.js';

const ch = { channel_oid: uuidOf(), amount: 100n };
const ok = { remaining: 60n, inflight: 10n, spent: 30n, seq: 4 };
const ledgerError = (pattern: RegExp) => (e: unknown): boolean => e instanceof WampError && e.uri === 'xbr.error.ledger_invariant' && pattern.test(e.message);

test('checkBalance accepts amount == remaining + inflight + spent', () => {
  checkBalance(ch, ok);
  checkBalance({ ...ch, amount: 2n ** 256n - 1n }, { remaining: 2n ** 256n - 1n, inflight: 0n, spent: 0n, seq: 1 });
});

test('checkBalance catches each violation with a precise message', () => {
  assert.throws(() => checkBalance(ch, { ...ok, spent: 31n }), ledgerError(/amount 100 != remaining 60 \+ inflight 10 \+ spent 31 \(= 101\)/));
  assert.throws(() => checkBalance(ch, { ...ok, remaining: -1n, spent: 91n }), ledgerError(/remaining is negative \(-1\)/));
  assert.throws(() => checkBalance(ch, { ...ok, inflight: -10n, spent: 50n }), ledgerError(/inflight is negative/));
  assert.throws(() => checkBalance(ch, { ...ok, spent: -1n, remaining: 91n }), ledgerError(/spent is negative/));
  assert.throws(() => checkBalance({ ...ch, amount: -1n }, ok), ledgerError(/amount is negative/));
  assert.throws(() => checkBalance(ch, { ...ok, remaining: 60 as unknown as bigint }), ledgerError(/remaining is not a bigint/));
  assert.throws(() => checkBalance(ch, { ...ok, seq: -1 }), ledgerError(/seq -1 is not a non-negative integer/));
  assert.throws(() => checkBalance(ch, { ...ok, seq: 1.5 }), ledgerError(/seq 1.5/));
  const hexId = Buffer.from(ch.channel_oid).toString('hex');
  assert.throws(() => checkBalance(ch, { ...ok, spent: 0n }), (e: unknown) => e instanceof WampError && e.message.includes(hexId) && e.kwargs['channel'] === hexId);
});

test('checkSeqAdvance requires a strictly increasing seq', () => {
  checkSeqAdvance({ seq: 4 }, { seq: 5 });
  assert.throws(() => checkSeqAdvance({ seq: 4 }, { seq: 4 }), ledgerError(/seq must increase, went from 4 to 4/));
  assert.throws(() => checkSeqAdvance({ seq: 4 }, { seq: 3 }), ledgerError(/from 4 to 3/));
});

test('checkBalanceWrite: reserve advances seq, resolve keeps it, paying without seq advance is refused', () => {
  const id = ch.channel_oid;
  const reserved = { remaining: 50n, inflight: 20n, spent: 30n, seq: 5 };
  checkBalanceWrite(ch, ok, reserved, id); // reserve
  checkBalanceWrite(ch, reserved, { remaining: 50n, inflight: 10n, spent: 40n, seq: 5 }, id); // resolve SUCCESS
  checkBalanceWrite(ch, reserved, { remaining: 60n, inflight: 10n, spent: 30n, seq: 5 }, id); // resolve FAILED (refund)
  checkBalanceWrite(ch, undefined, { remaining: 100n, inflight: 0n, spent: 0n, seq: 1 }, id); // open
  assert.throws(() => checkBalanceWrite(ch, ok, { remaining: 50n, inflight: 20n, spent: 30n, seq: 4 }, id), ledgerError(/without a seq advance/));
  assert.throws(() => checkBalanceWrite(ch, ok, { ...ok, seq: 3 }, id), ledgerError(/seq must increase/));
  assert.throws(() => checkBalanceWrite(undefined, ok, ok, id), ledgerError(/without its channel record/));
  assert.throws(() => checkBalanceWrite(ch, ok, { ...ok, seq: 5, spent: 0n }, id), ledgerError(/amount 100 !=/));
});
