/**
 * TransactionSender on a real (in-process EDR) chain: concurrent nonces, confirmations, reverts,
 * pre-broadcast failures without nonce gaps, and the journal entries each leaves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Wallet } from 'ethers';
import { WampError } from '../../../schema/errors.js';
import { TransactionSender, type TransactionSenderOptions } from '../../../worker/chain/index.js';
import { deployFlip, KEYS, openJournal, quietLogger, randomAddress, resetChain, tempDir } from './helpers.js';

async function makeSender(t: { after(fn: () => unknown): void }, key: string, extra: Partial<TransactionSenderOptions> = {}) {
  const provider = await resetChain();
  const journal = await openJournal(t, tempDir(t));
  const sender = new TransactionSender({ provider, privateKey: key, journal, pollIntervalMs: 20, timeoutMs: 20_000, logger: quietLogger, ...extra });
  t.after(() => sender.close());
  return { provider, journal, sender };
}

test('50 concurrent sends get 50 distinct consecutive nonces and all mine', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[0]);
  const start = await provider.getTransactionCount(sender.address, 'pending');
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => sender.send({ to: randomAddress(), value: BigInt(i + 1), label: `t${i}` })));
  const nonces = results.map((r) => r.entry.nonce).sort((a, b) => a - b);
  assert.deepEqual(nonces, Array.from({ length: 50 }, (_, i) => start + i));
  for (const r of results) {
    assert.equal(r.receipt.status, 1);
    assert.equal(r.entry.state, 'closed');
    assert.equal(r.entry.outcome, 'mined');
    assert.equal(r.entry.tx_hash, r.receipt.hash);
  }
  assert.equal(await provider.getTransactionCount(sender.address, 'latest'), start + 50);
  const all = journal.all();
  assert.equal(all.length, 50);
  assert.equal(journal.openEntries().length, 0);
  assert.ok(all.every((e) => e.state === 'closed' && e.outcome === 'mined' && e.gas_used === 21000n && typeof e.block_number === 'number'));
});

test('gas estimate gets the configured margin', async (t) => {
  const { provider, sender } = await makeSender(t, KEYS[1], { gasMarginPercent: 50 });
  const to = randomAddress();
  const estimate = await provider.estimateGas({ from: sender.address, to, value: 1n });
  const r = await sender.send({ to, value: 1n });
  assert.equal(r.entry.gas_limit, (estimate * 150n) / 100n);
  assert.ok(r.entry.max_fee_per_gas !== undefined && r.entry.max_priority_fee_per_gas !== undefined);
});

test('wait() respects the confirmation count (manual mining)', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[2], { confirmations: 3 });
  await provider.send('evm_setAutomine', [false]);
  const sub = await sender.submit({ to: randomAddress(), value: 5n });
  let settled = false;
  const done = sub.wait().then((r) => {
    settled = true;
    return r;
  });
  const tick = () => new Promise((r) => setTimeout(r, 150));
  await tick();
  assert.equal(settled, false, 'not mined yet');
  await provider.send('evm_mine', []);
  await tick();
  assert.equal(settled, false, '1 confirmation of 3');
  await provider.send('evm_mine', []);
  await tick();
  assert.equal(settled, false, '2 confirmations of 3');
  assert.equal(journal.get(sub.entry.id)?.state, 'open');
  await provider.send('evm_mine', []);
  const r = await done;
  assert.equal(r.receipt.status, 1);
  assert.equal(journal.get(sub.entry.id)?.state, 'closed');
  assert.equal(journal.get(sub.entry.id)?.outcome, 'mined');
});

test('no receipt within the timeout → wamp.error.timeout, entry left open', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[3], { timeoutMs: 200 });
  await provider.send('evm_setAutomine', [false]);
  const sub = await sender.submit({ to: randomAddress(), value: 5n });
  await assert.rejects(sub.wait(), (err: unknown) => err instanceof WampError && err.uri === 'wamp.error.timeout');
  assert.equal(journal.get(sub.entry.id)?.state, 'open');
  await provider.send('evm_mine', []);
  const r = await sub.wait(); // a later wait() polls again
  assert.equal(r.receipt.status, 1);
  assert.equal(journal.get(sub.entry.id)?.outcome, 'mined');
});

test('a journal that cannot be written stops the sender before anything is broadcast (fail closed)', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[7]);
  const before = await provider.getTransactionCount(sender.address, 'pending');
  await journal.close();
  const isStorage = (err: unknown): boolean => err instanceof WampError && err.uri === 'xbr.error.storage';
  await assert.rejects(sender.send({ to: randomAddress(), value: 1n }), isStorage);
  assert.equal(await provider.getTransactionCount(sender.address, 'pending'), before, 'nothing broadcast');
  await assert.rejects(sender.send({ to: randomAddress(), value: 1n }), isStorage);
});

test('a mined revert is a closed entry with status 0 and xbr.error.transaction_failed', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[4]);
  const flip = await deployFlip(provider, KEYS[7]);
  const sub = await sender.submit({ to: flip.address, data: flip.iface.encodeFunctionData('must'), gasLimit: 100_000n, label: 'must' });
  await assert.rejects(sub.wait(), (err: unknown) => {
    assert.ok(err instanceof WampError);
    assert.equal(err.uri, 'xbr.error.transaction_failed');
    assert.equal(err.kwargs['stage'], 'receipt');
    assert.equal(err.kwargs['tx_hash'], sub.entry.tx_hash);
    assert.match(err.message, /reverted/);
    return true;
  });
  const e = journal.get(sub.entry.id);
  assert.equal(e?.state, 'closed');
  assert.equal(e?.outcome, 'failed');
  assert.equal(e?.status, 0);
  assert.ok((e?.gas_used ?? 0n) > 0n);
  // and the sender carries on with the next nonce
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, sub.entry.nonce + 1);
});

test('gas estimation revert: clear error, nothing journaled, no nonce gap', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[5]);
  const flip = await deployFlip(provider, KEYS[7]);
  const first = await sender.send({ to: randomAddress(), value: 1n });
  await assert.rejects(sender.send({ to: flip.address, data: flip.iface.encodeFunctionData('must') }), (err: unknown) => {
    assert.ok(err instanceof WampError);
    assert.equal(err.uri, 'xbr.error.transaction_failed');
    assert.equal(err.kwargs['stage'], 'estimate');
    assert.match(err.message, /flip is off/);
    return true;
  });
  assert.equal(journal.all().length, 1);
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, first.entry.nonce + 1);
  assert.equal(next.receipt.status, 1);
});

test('a broadcast refused amid concurrent sends releases its nonce: no gap, the rest all mine', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[6]);
  const start = await provider.getTransactionCount(sender.address, 'pending');
  const original = provider.broadcastTransaction.bind(provider);
  let calls = 0;
  provider.broadcastTransaction = async (raw: string) => {
    calls++;
    if (calls === 5 || calls === 11) throw new Error('simulated: connection reset before the node saw it');
    return original(raw);
  };
  t.after(() => {
    provider.broadcastTransaction = original;
  });
  const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => sender.send({ to: randomAddress(), value: BigInt(i + 1) })));
  const ok = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
  const failed = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as unknown);
  assert.equal(failed.length, 2);
  for (const err of failed) {
    assert.ok(err instanceof WampError);
    assert.equal(err.uri, 'xbr.error.transaction_failed');
    assert.equal(err.kwargs['stage'], 'broadcast');
  }
  assert.deepEqual(
    ok.map((r) => r.entry.nonce).sort((a, b) => a - b),
    Array.from({ length: 18 }, (_, i) => start + i),
  );
  assert.equal(await provider.getTransactionCount(sender.address, 'latest'), start + 18);
  const rejected = journal.all().filter((e) => e.outcome === 'rejected');
  assert.equal(rejected.length, 2);
  assert.ok(rejected.every((e) => e.state === 'closed' && /connection reset/.test(e.error ?? '')));
  assert.equal(journal.openEntries().length, 0);
});

test('a refused broadcast the node did receive anyway counts as sent', async (t) => {
  const { provider, sender } = await makeSender(t, KEYS[0]);
  const original = provider.broadcastTransaction.bind(provider);
  provider.broadcastTransaction = async (raw: string) => {
    provider.broadcastTransaction = original;
    await original(raw);
    throw new Error('simulated: response lost');
  };
  const r = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(r.receipt.status, 1);
  const again = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(again.entry.nonce, r.entry.nonce + 1);
});

test('broadcast fails and the node cannot be asked: nonce kept, entry open, wait() rebroadcasts it', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[2]);
  const originalSend = provider.broadcastTransaction.bind(provider);
  const originalGet = provider.getTransaction.bind(provider);
  provider.broadcastTransaction = async () => {
    provider.getTransaction = async () => {
      provider.getTransaction = originalGet;
      throw new Error('simulated: node unreachable');
    };
    provider.broadcastTransaction = originalSend;
    throw new Error('simulated: connection reset');
  };
  const sub = await sender.submit({ to: randomAddress(), value: 3n });
  assert.equal(journal.get(sub.entry.id)?.state, 'open');
  const r = await sub.wait();
  assert.equal(r.receipt.hash, sub.entry.tx_hash);
  assert.equal(journal.get(sub.entry.id)?.outcome, 'mined');
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, sub.entry.nonce + 1);
});

test('the node resets connections while a receipt is awaited: asked again until it answers, sent once', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[3]);
  const start = await provider.getTransactionCount(sender.address, 'latest');
  const originalReceipt = provider.getTransactionReceipt.bind(provider);
  let failures = 0;
  provider.getTransactionReceipt = async (hash: string) => {
    if (failures < 4) {
      failures++;
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    }
    return originalReceipt(hash);
  };
  t.after(() => {
    provider.getTransactionReceipt = originalReceipt;
  });
  const r = await sender.send({ to: randomAddress(), value: 2n });
  assert.equal(failures, 4, 'the node failed the first four asks');
  assert.equal(r.receipt.status, 1);
  assert.equal(journal.get(r.entry.id)?.outcome, 'mined');
  assert.equal(await provider.getTransactionCount(sender.address, 'latest'), start + 1, 'nothing sent twice');
});

test('a node that cannot tell the chain id or the nonce: xbr.error.transaction_failed before anything is signed', async (t) => {
  const { provider, journal, sender } = await makeSender(t, KEYS[4]);
  const original = provider.getTransactionCount.bind(provider);
  provider.getTransactionCount = async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), { code: 'ECONNREFUSED' });
  };
  t.after(() => {
    provider.getTransactionCount = original;
  });
  await assert.rejects(sender.send({ to: randomAddress(), value: 1n }), (err: unknown) => err instanceof WampError && err.uri === 'xbr.error.transaction_failed' && err.kwargs['stage'] === 'sign' && /ECONNREFUSED/.test(err.message));
  assert.equal(journal.all().length, 0, 'nothing journaled');
  provider.getTransactionCount = original;
  const r = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(r.receipt.status, 1, 'the next send works once the node answers');
});

test('a caller id is journaled and cannot be reused', async (t) => {
  const { sender } = await makeSender(t, KEYS[1]);
  const id = new Uint8Array(16).fill(0xab);
  const r = await sender.send({ to: randomAddress(), value: 1n, id, label: 'closeChannel' });
  assert.deepEqual(Buffer.from(sender.entry(id)?.id ?? []), Buffer.from(id));
  assert.equal(sender.entry(id)?.label, 'closeChannel');
  assert.equal(sender.entry(id)?.tx_hash, r.receipt.hash);
  const isBadId = (err: unknown): boolean => err instanceof WampError && err.uri === 'wamp.error.invalid_argument';
  await assert.rejects(sender.send({ to: randomAddress(), value: 1n, id }), isBadId);
  await assert.rejects(sender.send({ to: randomAddress(), value: 1n, id: new Uint8Array(15) }), isBadId);
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, r.entry.nonce + 1);
});

test('bad options are refused', () => {
  const base = { provider: undefined as never, journal: undefined as never, privateKey: new Wallet(KEYS[0]).privateKey };
  assert.throws(() => new TransactionSender({ ...base, gasMarginPercent: -1 }), /gasMarginPercent/);
  assert.throws(() => new TransactionSender({ ...base, confirmations: 0 }), /confirmations/);
});
