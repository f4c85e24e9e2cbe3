/**
 * A crash at any instant loses no committed ledger write and leaves no half-written one: a writer
 * process is SIGKILLed mid-stream several times; after each kill the DB must hold every step the
 * writer had reported as committed, and the balance must agree with the transactions stored.
 * (SIGKILL tests a process crash; the page cache survives it, so power loss is covered by fsync'd
 * commits — overlappingSync off, never noSync — not by this test.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Uuid } from '../../../schema/codec/types.js';
import { checkBalance } from '../../../schema/db/ledger-invariant.js';
import { openMakerDb } from '../../../schema/db/maker-db.js';

const WRITER = new URL('../../fixtures/ledger-crash-writer.ts', import.meta.url).pathname;
const CHANNEL = new Uint8Array(16).fill(0x5a) as Uuid;

function runAndKill(path: string, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (timer === undefined && out.includes('READY\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited on its own (signal ${signal}):\n${out.slice(-500)}`));
      resolve(out.split('\n').filter((l) => l.startsWith('C ')).map((l) => l.slice(2)));
    });
  });
}

test('SIGKILL mid-stream: every reported commit survives and the ledger stays consistent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'maker');
  const reported = new Set<string>();
  for (const killAfterMs of [150, 400, 275]) {
    for (const tid of await runAndKill(path, killAfterMs)) reported.add(tid);
    const db = await openMakerDb({ path });
    try {
      const stored = db.transactions.range();
      const storedIds = new Set(stored.map((e) => Buffer.from(e.value.tid).toString('hex')));
      for (const tid of reported) assert.ok(storedIds.has(tid), `committed step ${tid} lost after SIGKILL`);
      const channel = db.paymentChannels.get(CHANNEL)!;
      const balance = db.paymentBalances.get(CHANNEL)!;
      checkBalance(channel, balance);
      const spentByTransactions = stored.reduce((sum, e) => sum + e.value.amount, 0n);
      assert.equal(balance.spent, spentByTransactions, 'balance and transactions were committed together or not at all');
      assert.equal(balance.seq, 1 + stored.length, 'one seq step per stored transaction');
    } finally {
      await db.close();
    }
  }
  assert.ok(reported.size > 100, `the writer committed only ${reported.size} steps before being killed`);
});
