/**
 * `xbr-edge backup` / `restore` on a node directory whose maker DB another process keeps writing (the crash
 * test's writer: 32 lanes of batched, fsynced ledger steps), as a running node would:
 * - every backup is one committed state of each DB: the maker copy opens, satisfies the ledger invariant, its
 *   balance agrees with its transactions, and it holds every step the writer reported committed before the
 *   backup began; the writer keeps committing meanwhile;
 * - the manifest names every file with its SHA-256, schema_version and the maker's channel count; the backup is
 *   owner-only; a non-empty target directory and bad command lines are refused;
 * - `restore` is refused while a node holds the node directory, refuses a damaged backup without touching
 *   anything, and otherwise moves the current files aside and puts the backup's in place (a DB kept as a
 *   directory too).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Uuid } from '../../../schema/codec/types.js';
import { checkBalance } from '../../../schema/db/ledger-invariant.js';
import { openMakerDb } from '../../../schema/db/maker-db.js';
import { openWorkerDb } from '../../../schema/db/worker-db.js';
import { validateNodeConfig } from '../../../config/index.js';
import type { NodeConfig } from '../../../config/types.js';
import { backupNode } from '../../../router/controller/backup.js';
import { readManifest, sha256File, verifyBackup, type BackupManifest } from '../../../router/controller/backup-manifest.js';
import { acquireNodeLock } from '../../../router/controller/node-lock.js';
import { workerChainIdentityPath } from '../../../router/controller/private-files.js';
import { BroadcastJournal } from '../../../worker/chain/index.js';
import { chainIdentityPath } from '../../../worker/host/index.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';

const WRITER = new URL('../../fixtures/ledger-crash-writer.ts', import.meta.url).pathname;
const CHANNEL = new Uint8Array(16).fill(0x5a) as Uuid;
/** Two whole lines of a dev chain journal: its header and one entry. */
const JOURNAL_LINES =
  '{"journal":"xbr-edge devchain journal","version":1,"chainId":31337,"hardfork":"cancun","genesisHash":"0x01","client":"t","created":"2026-12-06T00:00:00Z"}\n' +
  '{"m":"evm_mine","p":[],"t":1767225600,"n":1,"h":"0x02"}\n';
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);


/**
 * The writer's committed steps as they are reported. Its stdout is a file, not a
 * pipe: this process is busy checking copies for seconds at a time, and a full pipe would make the writer's
 * synchronous report fail (EAGAIN) or wait for us.
 */
class Writer {
  readonly child: ChildProcess;
  readonly commits: { tid: string }[] = [];
  readonly ready: Promise<void>;
  private readonly out: string;
  private readonly timer: NodeJS.Timeout;
  private read = 0;
  private partial = '';

  constructor(path: string, out: string) {
    this.out = out;
    const fd = openSync(out, 'w');
    this.child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], { stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      this.child.once('exit', (code, signal) => reject(new Error(`writer exited (${code ?? signal})`)));
    });
    this.ready.catch(() => undefined);
    this.timer = setInterval(() => {
      if (this.poll()) markReady();
    }, 10);
  }

  /** Reads what the writer reported since the last poll; true once it said READY. */
  poll(): boolean {
    const text = readFileSync(this.out, 'utf8');
    const fresh = this.partial + text.slice(this.read);
    this.read = text.length;
    const lines = fresh.split('\n');
    this.partial = lines.pop()!;
    for (const l of lines) if (l.startsWith('C ')) this.commits.push({ tid: l.slice(2) });
    return text.startsWith('READY\n');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Opens a copy of the backup's maker DB (the backup itself stays as it is) and checks it like the crash test does. */
async function checkMakerCopy(backupFile: string, work: string, mustHold: ReadonlySet<string>): Promise<{ transactions: number }> {
  const path = join(work, `check-${randomBytes(4).toString('hex')}.db`);
  copyFileSync(backupFile, path);
  const db = await openMakerDb({ path });
  try {
    const stored = db.transactions.range();
    const ids = new Set(stored.map((e) => Buffer.from(e.value.tid).toString('hex')));
    for (const tid of mustHold) assert.ok(ids.has(tid), `step ${tid}, reported committed before the backup began, is not in it`);
    const channel = db.paymentChannels.get(CHANNEL)!;
    const balance = db.paymentBalances.get(CHANNEL)!;
    checkBalance(channel, balance);
    assert.equal(balance.spent, stored.reduce((sum, e) => sum + e.value.amount, 0n), 'balance and transactions are of the same commit');
    assert.equal(balance.seq, 1 + stored.length, 'one seq step per stored transaction');
    assert.deepEqual(db.env.migrated, [], 'a backup of a current DB needs no migration');
    return { transactions: stored.length };
  } finally {
    await db.close();
  }
}

describe('xbr-edge backup and restore', { timeout: 180_000 }, () => {
  let root: string;
  let cbdir: string;
  let config: NodeConfig;
  let writer: Writer;
  const x = (p: string): string => join(cbdir, '.xbr-edge', p);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'xbr-backup-'));
    cbdir = join(root, 'node');
    mkdirSync(join(cbdir, '.xbr-edge'), { recursive: true });
    const raw = {
      version: 2,
      controller: { id: 'edge-test' },
      workers: [
        // A dev chain guest keeping its chain in .xbr-edge/devchain-state (only its arguments matter here).
        { type: 'guest', id: 'devchain', executable: process.execPath, arguments: ['devchain-main.js', '--port', '8545', '--state', '.xbr-edge/devchain-state'] },
        {
          type: 'xbrmm',
          id: 'xbrmm1',
          options: {
            extra: {
              // The worker DB as a directory (no extension): lmdb-js keeps data.mdb and lock.mdb inside.
              database: { path: '.xbr-edge/worker' },
              blockchain: { type: 'ethereum', gateway: { type: 'user', http: 'http://127.0.0.1:1' }, deployment: '.xbr-edge/devchain.json' },
            },
          },
          makers: [{ id: 'maker1', key: '.xbr-edge/maker1.key', database: { path: '.xbr-edge/maker1.db' }, connection: { realm: 'realm1', transport: { type: 'websocket', endpoint: { type: 'unix', path: '.xbr-edge/router.sock' } } } }],
        },
      ],
    };
    writeFileSync(join(cbdir, 'router-config.json'), JSON.stringify(raw, null, 2));
    const validated = validateNodeConfig(raw, { cbdir });
    assert.ok('config' in validated, JSON.stringify(validated));
    config = validated.config;
    const wdb = await openWorkerDb({ path: x('worker') });
    await wdb.env.write(() => wdb.monitor.put(31337, { chain_id: 31337, last_block: 42 } as never));
    await wdb.close();
    await (await BroadcastJournal.open(x('maker1.db.journal'))).close();
    writeFileSync(x('maker1.key'), randomBytes(32), { mode: 0o600 });
    writeFileSync(workerChainIdentityPath(x('worker')), '{"chain_id":"31337"}\n');
    // A dev chain journal with a line still being written by the running chain (no newline yet).
    mkdirSync(x('devchain-state'), { mode: 0o700 });
    writeFileSync(x('devchain-state/journal'), `${JOURNAL_LINES}{"m":"eth_sendRawTransaction","p":["0x02f8`);
    writer = new Writer(x('maker1.db'), join(root, 'writer.out'));
    await writer.ready;
  });
  after(async () => {
    await writer?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the chain identity file is the one the worker uses', () => {
    assert.equal(workerChainIdentityPath('/n/.xbr-edge/w.db'), chainIdentityPath('/n/.xbr-edge/w.db'));
  });

  it('backups taken while another process writes are each one consistent state; the writer goes on meanwhile', async () => {
    let previous = 0;
    let seenBefore = 0;
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 150));
      writer.poll();
      assert.ok(writer.commits.length > seenBefore, `the writer committed nothing more since backup ${i - 1}`);
      const mustHold = new Set(writer.commits.map((c) => c.tid));
      seenBefore = mustHold.size;
      const dir = join(root, `b${i}`);
      const manifest = await backupNode(config, { cbdir, config: join(cbdir, 'router-config.json') }, dir, { running: null });
      assert.deepEqual(verifyBackup(dir, manifest), []);
      const maker = manifest.files.find((f) => f.role === 'maker-db')!;
      const { transactions } = await checkMakerCopy(join(dir, maker.file), root, mustHold);
      assert.equal(maker.transactions, transactions);
      assert.deepEqual(maker.channels, { payment: 1, paying: 0 });
      assert.ok(transactions >= previous && transactions >= mustHold.size, `backup ${i}: ${transactions} transactions`);
      previous = transactions;
    }
    writer.poll();
    assert.equal(writer.child.exitCode, null, 'the writer is still running');
    assert.ok(writer.commits.length > seenBefore && seenBefore > 100, `the writer committed ${writer.commits.length} steps in all`);
  });

  it('through the CLI: the manifest, owner-only files, each DB\'s schema_version; a non-empty target and bad command lines are refused', async () => {
    const dir = join(root, 'cli');
    const r = await runXbrEdge('backup', '--to', dir, '--cbdir', cbdir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /backup of node edge-test written to .*: 7 files and manifest.json \(the node was not running\)/);
    const manifest = readManifest(dir);
    assert.deepEqual(manifest.files.map((f) => [f.role, f.file]), [
      ['config', 'config/router-config.json'],
      ['worker-db', 'xbrmm1/worker.mdb'],
      ['chain-identity', 'xbrmm1/worker.chain.json'],
      ['maker-db', 'xbrmm1/maker1.maker.mdb'],
      ['journal', 'xbrmm1/maker1.journal.mdb'],
      ['key', 'xbrmm1/maker1.key'],
      ['devchain-journal', 'devchain/devchain-journal'],
    ]);
    assert.deepEqual(manifest.files.map((f) => f.schema_version), [undefined, 1, undefined, 4, 1, undefined, undefined]);
    assert.equal(readFileSync(join(dir, 'devchain/devchain-journal'), 'utf8'), JOURNAL_LINES, 'the whole lines of the journal, not the one being written');
    assert.equal(manifest.node, 'edge-test');
    assert.match(manifest.created, /^\d{4}-\d\d-\d\dT/);
    assert.equal(manifest.files.find((f) => f.role === 'key')!.sha256, sha256File(x('maker1.key')));
    assert.equal(mode(dir), '700');
    assert.equal(mode(join(dir, 'xbrmm1')), '700');
    for (const f of [...manifest.files.map((f) => join(dir, f.file)), join(dir, 'manifest.json')]) assert.equal(mode(f), '600', f);
    assert.equal(readdirSync(join(dir, 'xbrmm1')).some((f) => f.endsWith('-lock')), false, 'no LMDB lock files in a backup');

    const again = await runXbrEdge('backup', '--to', dir, '--cbdir', cbdir);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /is not empty/);
    assert.ok(existsSync(join(dir, 'manifest.json')), 'a refused backup leaves the directory alone');
    const noTo = await runXbrEdge('backup', '--cbdir', cbdir);
    assert.equal(noTo.status, 2);
    assert.match(noTo.stderr, /--to DIR is required/);
    assert.equal((await runXbrEdge('restore', '--from', dir, '--bogus')).status, 2);
  });

  it('restore: refused while a node runs, refused for a damaged backup, else in place with the current files moved aside', async () => {
    const dir = join(root, 'cli');
    const manifest: BackupManifest = readManifest(dir);
    await writer.stop();
    const atBackup = await checkMakerCopy(join(dir, 'xbrmm1/maker1.maker.mdb'), root, new Set());

    // A stand-in controller holds the node directory.
    const controller = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => controller.once('spawn', r));
    const lock = acquireNodeLock(cbdir, controller.pid!);
    const refused = await runXbrEdge('restore', '--from', dir, '--cbdir', cbdir);
    controller.kill('SIGKILL');
    lock.release();
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`a node is running: stop it first\\. .*in use by the controller with pid ${controller.pid}`));

    // A damaged copy: nothing is touched.
    const damaged = join(root, 'damaged');
    mkdirSync(damaged);
    for (const f of ['manifest.json', ...manifest.files.map((f) => f.file)]) {
      mkdirSync(join(damaged, f, '..'), { recursive: true });
      copyFileSync(join(dir, f), join(damaged, f));
    }
    appendFileSync(join(damaged, 'xbrmm1/maker1.key'), 'x');
    const before = sha256File(x('maker1.db'));
    const bad = await runXbrEdge('restore', '--from', damaged, '--cbdir', cbdir);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /is damaged, nothing was restored:\n {2}xbrmm1\/maker1\.key: sha256 /);
    assert.equal(sha256File(x('maker1.db')), before);
    assert.equal(readdirSync(join(cbdir, '.xbr-edge')).some((f) => f.includes('before-restore')), false);

    const ok = await runXbrEdge('restore', '--from', dir, '--cbdir', cbdir);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /restored the backup of node edge-test taken .* every purchase since is gone/s);
    for (const f of manifest.files.filter((f) => f.role !== 'config')) {
      const data = f.role === 'worker-db' ? join(f.path, 'data.mdb') : f.path;
      assert.equal(sha256File(data), f.sha256, `${f.role} is the backup's`);
      assert.equal(mode(data), '600');
    }
    const aside = readdirSync(join(cbdir, '.xbr-edge')).filter((f) => f.includes('.before-restore-')).map((f) => f.replace(/\d{8}T\d{6}Z$/, '*')).sort();
    assert.deepEqual(aside, [
      'maker1.db-lock.before-restore-*',
      'maker1.db.before-restore-*',
      'maker1.db.journal-lock.before-restore-*',
      'maker1.db.journal.before-restore-*',
      'maker1.key.before-restore-*',
      'worker.before-restore-*',
      'worker.chain.json.before-restore-*',
    ]);
    assert.equal(readFileSync(x('maker1.key')).length, 32);
    assert.equal(readFileSync(x('devchain-state/journal'), 'utf8'), JOURNAL_LINES, "the dev chain's journal is the backup's");
    assert.deepEqual(readdirSync(x('devchain-state')).map((f) => f.replace(/\d{8}T\d{6}Z$/, '*')).sort(), ['journal', 'journal.before-restore-*']);
    assert.deepEqual(await checkMakerCopy(x('maker1.db'), root, new Set()), atBackup);
    const wdb = await openWorkerDb({ path: x('worker') });
    assert.equal((wdb.monitor.get(31337) as unknown as { last_block: number }).last_block, 42);
    await wdb.close();
  });
});
