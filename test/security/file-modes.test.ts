/**
 * Attack: another local user reads the node's secrets off the disk — the maker's Ethereum key, the LMDB
 * databases (user keys, channels, balances), the maker's transaction journal, the IPFS repo `config` (the
 * node's libp2p private key) — or connects to the Unix socket that makes its sessions the trusted
 * `marketmaker`. docs/protocol.md#trust-model-secrets: the node directory is 0700, its files 0600.
 *
 * Through the real controller on the shipped config (dev chain and IPFS guests, router, xbrmm worker):
 * 1. a fresh node creates nothing under `.xbr-edge` that its group or others may read, write or enter;
 * 2. a node an older version left loose (0755 directories, 0644 files) is tightened when it starts again,
 *    by the controller (DBs, lock files, journal, key, their directory) and by the IPFS guest (its repo).
 *
 * The tests run as root in CI, and root ignores permission bits, so they assert on the mode bits, not on
 * whether another user's read fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, readdirSync, rmSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { logLines, startMarketEdge, type LogLine, type MarketEdge } from '../e2e/harness/market-edge.js';

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** Every entry under `dir` (not following links), with its lstat; entries removed meanwhile are skipped. */
function walk(dir: string): { path: string; stat: Stats }[] {
  const found: { path: string; stat: Stats }[] = [];
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    let stat: Stats;
    try {
      stat = lstatSync(next);
    } catch (err) {
      // the running node removes temp files while we walk
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    found.push({ path: next, stat });
    if (!stat.isDirectory()) continue;
    try {
      pending.push(...readdirSync(next).map((name) => join(next, name)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return found;
}

/** Paths under `dir` that grant their group or others anything, as `path mode` lines. */
function looseEntries(dir: string): string[] {
  return walk(dir)
    .filter(({ stat }) => !stat.isSymbolicLink() && (stat.mode & 0o077) !== 0)
    .map(({ path, stat }) => `${path} ${octal(stat.mode)}`);
}

/** The secrets of the shipped config, relative to the node directory. */
const SECRET_FILES = [
  '.xbr-edge/maker1.key',
  '.xbr-edge/xbrmm1-worker.db',
  '.xbr-edge/xbrmm1-worker.db-lock',
  '.xbr-edge/maker1.db',
  '.xbr-edge/maker1.db-lock',
  '.xbr-edge/maker1.db.journal',
  '.xbr-edge/maker1.db.journal-lock',
  '.xbr-edge/ipfs-repo/config',
];

function assertOwnerOnly(cbdir: string): void {
  const xbrEdge = join(cbdir, '.xbr-edge');
  const entries = walk(xbrEdge);
  assert.ok(entries.some((e) => e.stat.isSocket() && e.path.endsWith('router.sock')), 'the maker socket is among what was checked');
  assert.deepEqual(looseEntries(xbrEdge), [], 'paths under .xbr-edge that grant group/other permissions');
  assert.equal(octal(lstatSync(xbrEdge).mode), '0700', '.xbr-edge');
  for (const rel of SECRET_FILES) assert.equal(octal(lstatSync(join(cbdir, rel)).mode), '0600', rel);
}

test('a fresh node creates its node directory 0700 and keys, DBs, journal, IPFS repo and sockets owner-only', async (t) => {
  const edge = await startMarketEdge();
  t.after(() => edge.stop());
  assertOwnerOnly(edge.cbdir);
});

test('a node left loose by an older version (0755 / 0644) is owner-only again after a restart', async (t) => {
  const first = await startMarketEdge({ keepCbdir: true });
  const cbdir = first.cbdir;
  let edge: MarketEdge | undefined;
  t.after(async () => {
    await edge?.stop();
    rmSync(cbdir, { recursive: true, force: true });
  });
  assert.equal(await first.stop(), 0, first.output().slice(-3000));

  // What an older version (umask 022, no tightening) left on disk.
  const loosened = ['.xbr-edge', '.xbr-edge/ipfs-repo', '.xbr-edge/ipfs-repo/blocks'];
  for (const dir of loosened) chmodSync(join(cbdir, dir), 0o755);
  for (const file of SECRET_FILES) chmodSync(join(cbdir, file), 0o644);
  if (existsSync(join(cbdir, '.xbr-edge/ipfs-files'))) chmodSync(join(cbdir, '.xbr-edge/ipfs-files'), 0o755);
  assert.notDeepEqual(looseEntries(join(cbdir, '.xbr-edge')), []);

  edge = await startMarketEdge({ cbdir, keepCbdir: true });
  assertOwnerOnly(cbdir);

  const started = edge;
  // Tightened at start — not recreated (the dev chain kept its state, so the worker kept its DBs): the
  // controller and the IPFS guest each logged what they changed, before the files were used.
  const tightened = (component: string): Map<string, LogLine> =>
    new Map(logLines(started).filter((l) => l['component'] === component && l.msg === 'tightened file mode').map((l) => [String(l['path']), l]));
  const byController = tightened('controller');
  const expectChange = (lines: Map<string, LogLine>, rel: string, from: string, to: string): void => {
    const line = lines.get(join(cbdir, rel));
    assert.ok(line !== undefined, `no 'tightened file mode' line for ${rel}; got ${JSON.stringify([...lines.keys()])}`);
    assert.deepEqual({ from: line['from'], to: line['to'] }, { from, to }, rel);
  };
  expectChange(byController, '.xbr-edge', '0755', '0700');
  for (const rel of SECRET_FILES.filter((f) => !f.includes('ipfs-repo'))) expectChange(byController, rel, '0644', '0600');
  const byIpfsGuest = tightened('ipfs-node');
  expectChange(byIpfsGuest, '.xbr-edge/ipfs-repo', '0755', '0700');
  expectChange(byIpfsGuest, '.xbr-edge/ipfs-repo/config', '0644', '0600');
  expectChange(byIpfsGuest, '.xbr-edge/ipfs-repo/blocks', '0755', '0700');
});
