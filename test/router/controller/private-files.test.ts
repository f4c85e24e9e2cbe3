/**
 * The controller's start-up tightening (router/controller/private-files.ts), on a node directory an older
 * version left loose: the xbrmm worker's DBs, lock files, journals, key and IPFS files become 0600/0700, and
 * so do their directories inside the node directory — but not the node directory itself, nothing reached
 * through a symbolic link, nothing outside it but the configured secrets themselves.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { validateNodeConfig } from '../../../config/index.js';
import type { NodeConfig } from '../../../config/types.js';
import { makerJournalPath, tightenPrivateFiles } from '../../../router/controller/private-files.js';
import { journalPath } from '../../../worker/host/index.js';
import { memoryLogger } from '../../helpers/router.js';

const mode = (path: string): number => statSync(path).mode & 0o7777;

function loose(path: string, m: number, kind: 'file' | 'dir' = 'file'): string {
  mkdirSync(dirname(path), { recursive: true });
  if (kind === 'dir') mkdirSync(path, { recursive: true });
  else writeFileSync(path, 'x');
  chmodSync(path, m);
  return path;
}

const maker = (id: string, key: string, db: string, realm: string): Record<string, unknown> => ({
  id,
  key,
  database: { path: db },
  connection: { realm, transport: { type: 'websocket', endpoint: { type: 'unix', path: '.xbr-edge/router.sock' } } },
});

function nodeConfig(cbdir: string, makers: Record<string, unknown>[]): NodeConfig {
  const chain = { type: 'ethereum', gateway: { type: 'user', http: 'http://127.0.0.1:8545' }, deployment: '.xbr-edge/devchain.json' };
  const extra = { database: { path: '.xbr-edge/xbrmm1-worker.db' }, blockchain: chain, ipfs: { url: 'http://127.0.0.1:5001/api/v0', directory: '.xbr-edge/ipfs-files' } };
  const r = validateNodeConfig({ version: 2, workers: [{ type: 'xbrmm', id: 'xbrmm1', options: { extra }, makers }] }, { cbdir });
  assert.ok('config' in r, JSON.stringify(r));
  return r.config;
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-private-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('tightenPrivateFiles', () => {
  it('the journal path is the one the maker uses', () => {
    assert.equal(makerJournalPath('/n/.xbr-edge/maker1.db'), journalPath('/n/.xbr-edge/maker1.db'));
  });

  it('tightens every secret of an older node (0644 → 0600, 0755 → 0700) and logs one line per change', (t) => {
    const root = tempDir(t);
    const cbdir = loose(join(root, 'node'), 0o755, 'dir');
    const x = (p: string): string => join(cbdir, '.xbr-edge', p);
    const files = [
      'xbrmm1-worker.db', 'xbrmm1-worker.db-lock',
      'maker1.db', 'maker1.db-lock', 'maker1.db.journal', 'maker1.db.journal-lock', 'maker1.key',
    ].map((p) => loose(x(p), 0o644));
    const ipfsFiles = loose(x('ipfs-files'), 0o755, 'dir');
    const ipfsFile = loose(x('ipfs-files/bafkreiexample'), 0o644);
    // maker2 keeps its DB as a directory (no extension: lmdb-js puts data.mdb and lock.mdb inside) in a subdir
    const dbDir = loose(join(cbdir, 'dbs', 'maker2'), 0o755, 'dir');
    const dataMdb = loose(join(dbDir, 'data.mdb'), 0o644);
    const notSecret = loose(x('devchain.json'), 0o644);
    chmodSync(join(cbdir, '.xbr-edge'), 0o755);
    chmodSync(join(cbdir, 'dbs'), 0o755);

    const config = nodeConfig(cbdir, [
      maker('maker1', '.xbr-edge/maker1.key', '.xbr-edge/maker1.db', 'realm1'),
      maker('maker2', '.xbr-edge/maker2.key', 'dbs/maker2', 'realm2'),
    ]);
    const log = memoryLogger();
    const r = tightenPrivateFiles(config, cbdir, log);

    for (const f of [...files, ipfsFile, dataMdb]) assert.equal(mode(f).toString(8), '600', f);
    for (const d of [join(cbdir, '.xbr-edge'), ipfsFiles, dbDir, join(cbdir, 'dbs')]) assert.equal(mode(d).toString(8), '700', d);
    assert.equal(mode(cbdir), 0o755, 'the node directory itself is the admin’s');
    assert.equal(mode(notSecret), 0o644, 'only what holds secrets is touched (its directory is 0700 now)');
    assert.deepEqual(r.failed, []);
    const logged = log.entries.filter((e) => e.msg === 'tightened file mode').map((e) => e.fields);
    assert.equal(logged.length, r.changed.length);
    assert.equal(logged.length, files.length + 6, JSON.stringify(logged, null, 1));
    assert.deepEqual(logged.find((f) => f['path'] === x('maker1.db')), { path: x('maker1.db'), from: '0644', to: '0600' });
    assert.deepEqual(logged.find((f) => f['path'] === join(cbdir, '.xbr-edge')), { path: join(cbdir, '.xbr-edge'), from: '0755', to: '0700' });

    // a second start changes nothing and says nothing
    const again = memoryLogger();
    assert.deepEqual(tightenPrivateFiles(config, cbdir, again).changed, []);
    assert.deepEqual(again.entries, []);
  });

  it('ignores what does not exist yet (a fresh node)', (t) => {
    const cbdir = tempDir(t);
    const log = memoryLogger();
    const r = tightenPrivateFiles(nodeConfig(cbdir, [maker('maker1', '.xbr-edge/maker1.key', '.xbr-edge/maker1.db', 'realm1')]), cbdir, log);
    assert.deepEqual(r, { changed: [], links: [], failed: [] });
    assert.deepEqual(log.entries, []);
  });

  it('does not follow a link planted at a secret name, and leaves directories outside the node directory alone', (t) => {
    const root = tempDir(t);
    const cbdir = loose(join(root, 'node'), 0o755, 'dir');
    const victim = loose(join(root, 'etc', 'passwd'), 0o644);
    loose(join(cbdir, '.xbr-edge', 'maker1.db'), 0o644);
    symlinkSync(victim, join(cbdir, '.xbr-edge', 'maker1.db-lock'));
    // the key lives outside the node directory: the key is tightened, its directory is not ours to change
    const keyDir = loose(join(root, 'keys'), 0o755, 'dir');
    const key = loose(join(keyDir, 'maker1.key'), 0o640);
    const log = memoryLogger();
    const r = tightenPrivateFiles(nodeConfig(cbdir, [maker('maker1', key, '.xbr-edge/maker1.db', 'realm1')]), cbdir, log);
    assert.equal(mode(victim), 0o644, 'the link target keeps its mode');
    assert.deepEqual(r.links, [join(cbdir, '.xbr-edge', 'maker1.db-lock')]);
    assert.equal(mode(key), 0o600);
    assert.equal(mode(keyDir), 0o755);
    assert.equal(mode(join(cbdir, '.xbr-edge', 'maker1.db')), 0o600);
    assert.equal(mode(cbdir), 0o755);
  });

  it('a secret configured as the node directory is not tightened (it would take the whole node): a warning', (t) => {
    const root = tempDir(t);
    const cbdir = loose(join(root, 'node'), 0o755, 'dir');
    const config = nodeConfig(cbdir, [maker('maker1', '.xbr-edge/maker1.key', '.xbr-edge/maker1.db', 'realm1')]);
    const xbrmm = config.workers[0];
    assert.ok(xbrmm?.type === 'xbrmm' && xbrmm.options.extra.ipfs !== undefined);
    xbrmm.options.extra.ipfs.directory = cbdir;
    const log = memoryLogger();
    tightenPrivateFiles(config, cbdir, log);
    assert.equal(mode(cbdir), 0o755);
    assert.ok(log.entries.some((e) => e.level === 'warn' && e.msg === 'not tightening a private path that contains the node directory' && e.fields['path'] === cbdir));
  });
});
