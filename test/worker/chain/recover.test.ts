/**
 * Crash recovery of the broadcast journal, in-process: a sender "crashes" at a hook that never returns
 * (after journaling, or after broadcasting), its journal is closed without the entry being closed,
 * and a fresh sender on the reopened journal settles the open entry with `recover()`.
 * (The same with a real SIGKILLed process is in `crash.test.ts`.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Transaction, Wallet, type BrowserProvider } from 'ethers';
import { BroadcastJournal, TransactionSender, type JournalEntry, type SenderHooks, type TransactionSenderOptions } from '../../../worker/chain/index.js';
import { KEYS, quietLogger, randomAddress, resetChain, tempDir } from './helpers.js';

type Ctx = { after(fn: () => unknown): void };

/** Starts a send that "crashes" at `at`; resolves with the journaled entry once the crash point is reached. */
async function crashAt(provider: BrowserProvider, dir: string, key: string, at: keyof SenderHooks): Promise<JournalEntry> {
  const journal = await BroadcastJournal.open(dir);
  let reached!: (e: JournalEntry) => void;
  const crashed = new Promise<JournalEntry>((r) => (reached = r));
  const hooks: SenderHooks = {
    [at]: (e: JournalEntry) => {
      reached(e);
      return new Promise<void>(() => undefined); // never returns: the process "died" here
    },
  };
  const sender = new TransactionSender({ provider, privateKey: key, journal, pollIntervalMs: 20, logger: quietLogger, hooks });
  void sender.submit({ to: randomAddress(), value: 7n, label: 'crashing' });
  const entry = await crashed;
  sender.close();
  await journal.close();
  return entry;
}

async function fresh(t: Ctx, provider: BrowserProvider, dir: string, key: string, extra: Partial<TransactionSenderOptions> = {}) {
  const journal = await BroadcastJournal.open(dir);
  t.after(() => journal.close());
  const sender = new TransactionSender({ provider, privateKey: key, journal, pollIntervalMs: 20, timeoutMs: 20_000, logger: quietLogger, ...extra });
  t.after(() => sender.close());
  return { journal, sender };
}

test('crash after broadcast, before close: recover() closes the mined entry', async (t) => {
  const provider = await resetChain();
  const dir = tempDir(t);
  const crashed = await crashAt(provider, dir, KEYS[0], 'afterBroadcast');
  const { journal, sender } = await fresh(t, provider, dir, KEYS[0]);
  assert.equal(journal.openEntries().length, 1);
  const report = await sender.recover();
  assert.equal(report.pending.length, 0);
  assert.equal(report.closed.length, 1);
  const e = journal.get(crashed.id);
  assert.equal(e?.state, 'closed');
  assert.equal(e?.outcome, 'mined');
  assert.equal(e?.status, 1);
  assert.equal(e?.tx_hash, crashed.tx_hash);
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, crashed.nonce + 1);
});

test('crash after broadcast with the tx still pending: left open, then waited on', async (t) => {
  const provider = await resetChain();
  await provider.send('evm_setAutomine', [false]);
  const dir = tempDir(t);
  const crashed = await crashAt(provider, dir, KEYS[1], 'afterBroadcast');
  const { journal, sender } = await fresh(t, provider, dir, KEYS[1]);
  const report = await sender.recover();
  assert.equal(report.closed.length, 0);
  assert.equal(report.pending.length, 1);
  assert.equal(journal.get(crashed.id)?.state, 'open');
  const waited = report.pending[0]?.wait();
  await provider.send('evm_mine', []);
  const r = await waited;
  assert.equal(r?.receipt.hash, crashed.tx_hash);
  assert.equal(journal.get(crashed.id)?.outcome, 'mined');
});

test('crash after journaling, before broadcast: recover() rebroadcasts the signed tx', async (t) => {
  const provider = await resetChain();
  const dir = tempDir(t);
  const crashed = await crashAt(provider, dir, KEYS[2], 'afterJournal');
  assert.equal(await provider.getTransaction(crashed.tx_hash), null, 'never reached the node');
  const { journal, sender } = await fresh(t, provider, dir, KEYS[2]);
  const report = await sender.recover();
  assert.equal(report.pending.length, 1);
  const r = await report.pending[0]?.wait();
  assert.equal(r?.receipt.status, 1);
  assert.equal(journal.get(crashed.id)?.outcome, 'mined');
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, crashed.nonce + 1);
});

test('crash before broadcast, rebroadcast off: closed as dropped and the nonce is reused', async (t) => {
  const provider = await resetChain();
  const dir = tempDir(t);
  const crashed = await crashAt(provider, dir, KEYS[3], 'afterJournal');
  const { journal, sender } = await fresh(t, provider, dir, KEYS[3], { rebroadcastOnRecover: false });
  const next = await sender.send({ to: randomAddress(), value: 1n }); // runs recover() first
  assert.equal(journal.get(crashed.id)?.outcome, 'dropped');
  assert.equal(next.entry.nonce, crashed.nonce);
});

test('journaled tx whose nonce another tx used: closed as replaced', async (t) => {
  const provider = await resetChain();
  const dir = tempDir(t);
  const crashed = await crashAt(provider, dir, KEYS[4], 'afterJournal');
  // Someone else (another instance, a wallet) uses the same nonce first.
  const w = new Wallet(KEYS[4]);
  const fee = await provider.getFeeData();
  const other = Transaction.from({ chainId: 31337n, type: 2, nonce: crashed.nonce, to: randomAddress(), value: 1n, gasLimit: 21_000n, maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas });
  other.signature = w.signingKey.sign(other.unsignedHash);
  await (await provider.broadcastTransaction(other.serialized)).wait();
  const { journal, sender } = await fresh(t, provider, dir, KEYS[4]);
  const report = await sender.recover();
  assert.equal(report.closed.length, 1);
  assert.equal(journal.get(crashed.id)?.outcome, 'replaced');
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, crashed.nonce + 1);
});

test('a journal refuses a foreign LMDB environment', async (t) => {
  const dir = tempDir(t);
  const { open } = await import('lmdb');
  const db = open({ path: dir });
  await db.put('x', 1);
  const meta = db.openDB('meta', {});
  await meta.put('kind', 'maker');
  await db.close();
  await assert.rejects(BroadcastJournal.open(dir), (err: unknown) => (err as { uri?: string }).uri === 'xbr.error.storage_schema');
});
