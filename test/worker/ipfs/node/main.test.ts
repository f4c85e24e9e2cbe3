/**
 * The `ipfs` guest worker process (worker/ipfs/node/main.ts) as the controller runs it: seeded before its port
 * opens (so the TCP readiness probe means "seeded"), structured logs, SIGTERM → exit 0, busy port → exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'kubo-rpc-client';
import { DEMO_CIDS } from '../../../../contracts/index.js';
import { freePort, waitExit } from '../../../e2e/harness/market-edge.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;

interface Guest {
  child: ChildProcess;
  output: () => string;
  logs: () => Record<string, unknown>[];
}

function spawnGuest(args: string[]): Guest {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/ipfs/node/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const logs = (): Record<string, unknown>[] =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, output: () => output, logs };
}

/** Polls like the controller's `{type: tcp}` readiness check: resolves at the first accepted connection. */
async function waitPortOpen(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`guest exited with ${child.exitCode}:\n${output()}`);
    const open = await new Promise<boolean>((done) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        done(true);
      });
      s.once('error', () => {
        s.destroy();
        done(false);
      });
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} not open within 60 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('ipfs guest: every --seed file is served once the port opens; SIGTERM stops it with exit 0', async (t) => {
  const repo = mkdtempSync(join(tmpdir(), 'xbr-ipfs-guest-'));
  t.after(() => rmSync(repo, { recursive: true, force: true }));
  const port = await freePort();
  const guest = spawnGuest(['--repo', repo, '--port', String(port), '--seed', 'contracts/demo-rdf']);
  t.after(() => {
    if (guest.child.exitCode === null && guest.child.signalCode === null) guest.child.kill('SIGKILL');
  });

  await waitPortOpen(port, guest.child, guest.output);
  // right at the first accepted connection, as the controller would declare it ready: all seeded
  const client = create({ url: `http://127.0.0.1:${port}/api/v0` });
  for (const [key, cid] of Object.entries(DEMO_CIDS)) {
    const chunks: Uint8Array[] = [];
    for await (const c of client.cat(cid, { timeout: 2000 })) chunks.push(c);
    assert.ok(Buffer.concat(chunks).toString('utf8').includes('@prefix dcterms:'), key);
  }

  const seeded = guest.logs().filter((l) => l['msg'] === 'seeded');
  assert.deepEqual(seeded.map((l) => l['cid']).sort(), Object.values(DEMO_CIDS).sort());
  assert.ok(seeded.every((l) => l['component'] === 'ipfs-node' && l['level'] === 'info' && typeof l['file'] === 'string'));
  const ready = guest.logs().find((l) => l['msg'] === 'ipfs node ready');
  assert.equal(ready?.['api'], `http://127.0.0.1:${port}/api/v0`);
  assert.equal(typeof ready?.['startup_ms'], 'number');

  guest.child.kill('SIGTERM');
  const exit = await waitExit(guest.child, 15_000);
  assert.deepEqual(exit, { code: 0, signal: null }, guest.output());
  assert.ok(guest.logs().some((l) => l['msg'] === 'stopped'));
});

test('ipfs guest: a busy port is a clear error and exit 1, before any repo is created', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-ipfs-guest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const blocker = createServer();
  const port = await new Promise<number>((done) => blocker.listen(0, '127.0.0.1', () => done((blocker.address() as { port: number }).port)));
  t.after(() => blocker.close());

  const repo = join(dir, 'repo');
  const guest = spawnGuest(['--repo', repo, '--port', String(port)]);
  const exit = await waitExit(guest.child, 30_000);
  assert.deepEqual(exit, { code: 1, signal: null }, guest.output());
  const err = guest.logs().find((l) => l['msg'] === 'cannot start');
  assert.match(String((err?.['error'] as { message?: unknown } | undefined)?.message), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  assert.throws(() => rmSync(repo), /ENOENT/);
});
