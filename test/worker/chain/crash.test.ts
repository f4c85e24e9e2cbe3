/**
 * A real crash: a sender process (fixture `crash-sender.ts`) on a `hardhat node` child is SIGKILLed
 * after broadcasting but before closing its journal entry, or at a random instant of a concurrent
 * stream; a fresh sender on the same journal then recovers every open entry, and the journal and the
 * chain agree (every entry mined, nonces 0…n−1 with no gap, nothing lost).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { JsonRpcProvider } from 'ethers';
import { BroadcastJournal, TransactionSender } from '../../../worker/chain/index.js';
import { KEYS, quietLogger, randomAddress, tempDir } from './helpers.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CONFIG = new URL('./hardhat.config.cjs', import.meta.url).pathname;
const FIXTURE = new URL('./crash-sender.ts', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `hardhat node` on a free port (stopped after the test). */
async function startNode(t: { after(fn: () => unknown): void }): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ['node_modules/.bin/hardhat', '--config', CONFIG, 'node', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => stop(child));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const guard = setTimeout(() => reject(new Error(`hardhat node did not start:\n${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Started HTTP')) {
        clearTimeout(guard);
        resolve();
      }
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`hardhat node exited (${code}):\n${out}`)));
  });
  return `http://127.0.0.1:${port}`;
}

/** Runs the fixture until `killWhen(stdout)` says so, then SIGKILLs it; resolves with its stdout. */
function runAndKill(t: { after(fn: () => unknown): void }, args: string[], killWhen: (out: string) => number | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => stop(child));
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const delay = timer === undefined ? killWhen(out) : undefined;
      if (delay !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), delay);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`fixture exited on its own (${signal}):\n${out.slice(-500)}`));
      else resolve(out);
    });
  });
}

async function recoverFresh(t: { after(fn: () => unknown): void }, url: string, dir: string, key: string) {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
  t.after(() => provider.destroy());
  const journal = await BroadcastJournal.open(dir);
  t.after(() => journal.close());
  const sender = new TransactionSender({ provider, privateKey: key, journal, pollIntervalMs: 20, timeoutMs: 20_000, logger: quietLogger });
  t.after(() => sender.close());
  const report = await sender.recover();
  await Promise.all(report.pending.map((p) => p.wait()));
  return { provider, journal, sender, report };
}

test('SIGKILL after broadcast, before the journal close: a fresh sender recovers it', async (t) => {
  const url = await startNode(t);
  const dir = tempDir(t);
  const out = await runAndKill(t, [url, dir, KEYS[0], 'after-broadcast'], (o) => (o.includes('BROADCAST ') ? 0 : undefined));
  const [, hash, nonce] = /BROADCAST (0x[0-9a-f]{64}) (\d+)/.exec(out) ?? [];
  assert.ok(hash !== undefined && nonce !== undefined);
  const { journal, sender, report } = await recoverFresh(t, url, dir, KEYS[0]);
  assert.equal(report.closed.length + report.pending.length, 1);
  const entries = journal.all();
  assert.equal(entries.length, 4);
  assert.equal(journal.openEntries().length, 0);
  const crashed = entries.find((e) => e.tx_hash === hash);
  assert.equal(crashed?.outcome, 'mined');
  assert.equal(crashed?.nonce, Number(nonce));
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, Number(nonce) + 1);
});

test('SIGKILL at a random instant of a concurrent stream: nothing lost, no nonce gap', async (t) => {
  const url = await startNode(t);
  const dir = tempDir(t);
  const key = KEYS[1];
  await runAndKill(t, [url, dir, key, 'stream'], (o) => ((o.match(/SENT /g)?.length ?? 0) >= 10 ? Math.floor(Math.random() * 200) : undefined));
  const { provider, journal, sender, report } = await recoverFresh(t, url, dir, key);
  t.diagnostic(`open entries at restart: ${report.closed.length} closed by recover(), ${report.pending.length} waited on`);
  assert.equal(journal.openEntries().length, 0);
  const entries = journal.all();
  assert.ok(entries.length >= 10);
  const nonces = entries.map((e) => e.nonce).sort((a, b) => a - b);
  assert.deepEqual(nonces, Array.from({ length: entries.length }, (_, i) => i), 'journaled nonces 0…n−1');
  assert.ok(entries.every((e) => e.outcome === 'mined'), 'every journaled tx mined (rebroadcast if it never left)');
  assert.equal(await provider.getTransactionCount(sender.address, 'latest'), entries.length);
  const next = await sender.send({ to: randomAddress(), value: 1n });
  assert.equal(next.entry.nonce, entries.length);
});
