/**
 * Schema migrations at open (schema/db/migrations.ts, maker-migrations.ts):
 * - a maker DB written by the first build (the fixture, made by that build's own ledger code) opens as
 *   version 3: `idx_transaction_by_payment_seq` answers for every old transaction, each balance counts its
 *   channel's sales and refunds, the ledger audits clean, a copy of the v1 DB was taken first, the step was
 *   logged `{path, from, to}`; the next open migrates nothing;
 * - the step also drops the settled entries older builds left in `idx_transaction_by_state`, and indexes
 *   records without `close_at`;
 * - a step that throws, or a process killed in the middle of one, leaves the DB at its old version, untouched;
 * - versions newer than the build, or older with no step from them, are still refused.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Uuid } from '../../../schema/codec/types.js';
import { SCHEMA_VERSIONS, currentSchemaVersion, openDbEnv } from '../../../schema/db/env.js';
import { inspectEnvCopy } from '../../../schema/db/env-copy.js';
import { key, u64, u8, uuid } from '../../../schema/db/keys.js';
import { MAKER_MIGRATIONS } from '../../../schema/db/maker-migrations.js';
import { MAKER_SUBDBS, MakerIndex } from '../../../schema/db/maker-schema.js';
import { inflightTransactions, openMakerDb, transactionsByPaymentSeq } from '../../../schema/db/maker-db.js';
import { openableVersions } from '../../../schema/db/migrations.js';
import { TransactionState, type Transaction } from '../../../schema/db/records/transaction.js';
import { WORKER_MIGRATIONS } from '../../../schema/db/worker-migrations.js';
import { WampError } from '../../../schema/errors.js';
import { auditLedger } from '../../../worker/market/ledger/index.js';
import { memoryLogger } from '../../helpers/router.js';
import { hex, tempDir, transaction, uuidOf } from './helpers.js';

const tmp = tempDir('xbr-migrate-');
after(() => tmp.cleanup());
let n = 0;
const fresh = (name = 'maker.db'): string => join(tmp.dir, `${n++}-${name}`);
const FIXTURE = new URL('../../fixtures/maker-db-v1/maker-v1.mdb.gz', import.meta.url).pathname;
const CRASH = new URL('../../fixtures/migration-crash.ts', import.meta.url).pathname;
/** A step that changes nothing, so a test's own step 1 → 2 leads to this build's version 3. */
const TO_CURRENT = [
  { from: 2, to: 3, describe: 'nothing', migrate: () => undefined },
  { from: 3, to: 4, describe: 'nothing', migrate: () => undefined },
];
const isSchemaError = (pattern: RegExp) => (e: unknown): boolean => e instanceof WampError && e.uri === 'xbr.error.storage_schema' && pattern.test(e.message);

test('the migration lists lead every known version to the current one', () => {
  assert.deepEqual(openableVersions(MAKER_MIGRATIONS, currentSchemaVersion('maker')), [...SCHEMA_VERSIONS.maker]);
  assert.deepEqual(openableVersions(WORKER_MIGRATIONS, currentSchemaVersion('worker')), [...SCHEMA_VERSIONS.worker]);
  for (const m of [...MAKER_MIGRATIONS, ...WORKER_MIGRATIONS]) assert.equal(m.to, m.from + 1);
});

test('a maker DB written by the first build opens as version 4, with the payment-seq index built for its transactions and its balances counting sales and refunds', async () => {
  const path = fresh();
  writeFileSync(path, gunzipSync(readFileSync(FIXTURE)));
  const before = await inspectEnvCopy(path, ['transactions', MakerIndex.transactionByPaymentSeq]);
  assert.equal(before.kind, 'maker');
  assert.equal(before.schema_version, 1);
  assert.equal(before.counts['transactions'], 4);
  assert.equal(before.counts[MakerIndex.transactionByPaymentSeq], 0, 'the previous build had no such index');

  const log = memoryLogger();
  let db = await openMakerDb({ path, log });
  try {
    assert.equal(db.env.meta.schema_version, 4);
    assert.deepEqual(db.env.migrated.map((m) => [m.from, m.to]), [[1, 2], [2, 3], [3, 4]]);
    assert.deepEqual(db.env.migrated[0]?.counts, { transactions: 4, payment_seq_added: 4, by_state_removed: 0 });
    // Two purchases sold, one refunded, one in flight (its counts come when it is resolved).
    assert.deepEqual(db.env.migrated[1]?.counts, { transactions: 4, payment_balances: 1, paying_balances: 1 });
    // Its one offer gets its entries in the offer book's new indexes (it has no categories and no expiry).
    assert.deepEqual(db.env.migrated[2]?.counts, {
      offers: 1,
      [MakerIndex.offerByApiSeller]: 1,
      [MakerIndex.offerByCategory]: 0,
      [MakerIndex.offerByCategoryPair]: 0,
      [MakerIndex.offerByUri]: 1,
      [MakerIndex.offerByExpiry]: 0,
    });
    assert.equal(db.offers.indexEntries(MakerIndex.offerByUri).length, 1);
    const counted = (b: { sales?: number; refunds?: number }) => [b.sales, b.refunds];
    assert.deepEqual(db.paymentBalances.range().map((e) => counted(e.value)), [[2, 1]]);
    assert.deepEqual(db.payingBalances.range().map((e) => counted(e.value)), [[2, 1]]);
    const stepLine = log.entries.find((e) => e.msg === 'migrated the database');
    assert.deepEqual([stepLine?.fields['path'], stepLine?.fields['from'], stepLine?.fields['to']], [path, 1, 2]);

    const txs = db.transactions.range().map((e) => e.value);
    assert.deepEqual(txs.map((t) => t.created_payment_channel_seq + 1).sort(), [2, 3, 4, 5]);
    for (const t of txs) {
      const found = transactionsByPaymentSeq(db, t.payment_channel, t.created_payment_channel_seq + 1);
      assert.deepEqual(found.map((f) => hex(f.tid)), [hex(t.tid)]);
    }
    assert.equal(transactionsByPaymentSeq(db, txs[0]!.payment_channel, 6).length, 0);
    assert.deepEqual(inflightTransactions(db).map((t) => t.created_payment_channel_seq + 1), [5]);
    assert.deepEqual(auditLedger(db), { channels: 2, transactions: 4, inflight: 1 });

    // The copy taken first is the v1 DB, openable by the build that wrote it.
    const copy = db.env.copyBeforeMigration!;
    assert.match(copy, /\.before-v4-\d{8}T\d{6}Z(-\d+)?$/);
    assert.equal((await inspectEnvCopy(copy)).schema_version, 1);
    assert.ok(log.entries.some((e) => e.msg === 'copied the database before migrating it' && e.fields['copy'] === copy));
  } finally {
    await db.close();
  }
  // Migrated once: the next open runs nothing and copies nothing; the previous build now refuses it.
  db = await openMakerDb({ path });
  assert.deepEqual(db.env.migrated, []);
  assert.equal(db.env.copyBeforeMigration, undefined);
  await db.close();
  await assert.rejects(openDbEnv({ path, kind: 'maker', subDbs: {}, schemaVersion: 1 }), isSchemaError(/schema_version 4, newer than this build/));
});

test('1 → 2 also indexes records without close_at and drops the settled entries older builds left in the by-state index (a DB in a directory)', async () => {
  const path = fresh('maker');
  const { [MakerIndex.transactionByPaymentSeq]: _, ...v1SubDbs } = MAKER_SUBDBS;
  const env = await openDbEnv({ path, kind: 'maker', subDbs: v1SubDbs, schemaVersion: 1 });
  const channel = uuidOf();
  const records: Transaction[] = [
    transaction({ payment_channel: channel, created_payment_channel_seq: 1, state: TransactionState.SUCCESS }),
    transaction({ payment_channel: channel, created_payment_channel_seq: 2, state: TransactionState.FAILED }),
    transaction({ payment_channel: channel, created_payment_channel_seq: 3, state: TransactionState.INFLIGHT }),
  ];
  env.writeSync(() => {
    for (const t of records) {
      assert.equal(t.close_at, undefined);
      env.sub('transactions').putSync(key(uuid(t.tid)), t);
      // As builds before 2026-11 wrote it: every transaction under its state, settled ones too.
      env.sub(MakerIndex.transactionByState).putSync(Buffer.concat([key(u8(t.state), u64(t.created)), key(uuid(t.tid))]), key(uuid(t.tid)));
    }
  });
  await env.close();

  const db = await openMakerDb({ path });
  try {
    assert.deepEqual(db.env.migrated[0]?.counts, { transactions: 3, payment_seq_added: 3, by_state_removed: 2 });
    // The copy of a DB kept as a directory is a directory too: rename it back and the previous build opens it.
    assert.equal((await inspectEnvCopy(join(db.env.copyBeforeMigration!, 'data.mdb'))).schema_version, 1);
    for (const t of records) assert.deepEqual(transactionsByPaymentSeq(db, channel as Uuid, t.created_payment_channel_seq + 1).map((f) => hex(f.tid)), [hex(t.tid)]);
    assert.deepEqual(db.transactions.indexEntries(MakerIndex.transactionByState).map((e) => hex(e.primaryKey)), [hex(records[2]!.tid)]);
  } finally {
    await db.close();
  }
});

test('a step that throws leaves the DB at its old version, unchanged', async () => {
  const path = fresh();
  const v1 = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack' }, schemaVersion: 1 });
  v1.writeSync(() => v1.sub('a').putSync(Buffer.from('k'), { v: 1 }));
  await v1.close();
  const failing = { from: 1, to: 2, describe: 'fails half-way', migrate: (txn: { sub(name: string): { putSync(k: Buffer, v: unknown): void } }) => {
    txn.sub('a').putSync(Buffer.from('k'), { v: 2 });
    txn.sub('a').putSync(Buffer.from('new'), { v: 2 });
    throw new Error('boom');
  } };
  await assert.rejects(openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack' }, migrations: [failing, ...TO_CURRENT] }), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage' && /migration 1 → 2 \(fails half-way\) failed, the database is left at version 1: boom/.test(e.message));
  const again = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack' }, schemaVersion: 1 });
  assert.deepEqual(again.sub('a').get(Buffer.from('k')), { v: 1 });
  assert.equal(again.sub('a').get(Buffer.from('new')), undefined);
  await again.close();
});

test('a process killed in the middle of a step leaves the DB at its old version, unchanged', async () => {
  const path = fresh();
  const v1 = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack' }, schemaVersion: 1 });
  v1.writeSync(() => v1.sub('a').putSync(Buffer.from('k'), { v: 1 }));
  await v1.close();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CRASH, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('MIGRATING\n')) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (signal === 'SIGKILL' && out.includes('MIGRATING')) resolve();
      else reject(new Error(`migration child ended without reaching the step (signal ${signal}): ${out}`));
    });
  });
  const env = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack' }, schemaVersion: 1 });
  assert.equal(env.meta.schema_version, 1);
  assert.deepEqual([...env.sub('a').getKeys()].map(String), ['k']);
  await env.close();
  const copies = readdirSync(tmp.dir).filter((f) => f.startsWith(path.slice(tmp.dir.length + 1) + '.before-v4-'));
  assert.equal(copies.length, 1, 'the copy before migrating was taken before the step began');
  assert.ok(existsSync(join(tmp.dir, copies[0]!)));
  // The next start runs the step again, from the old version.
  const fixed = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack' }, migrations: [{ from: 1, to: 2, describe: 'finishes', migrate: (txn) => void txn.sub('a').putSync(Buffer.from('m'), { ok: true }) }, ...TO_CURRENT] });
  assert.deepEqual([fixed.meta.schema_version, fixed.migrated.length, [...fixed.sub('a').getKeys()].map(String)], [4, 3, ['k', 'm']]);
  await fixed.close();
});

test('still refused: a newer version, or an older one no step leads from', async () => {
  const newer = fresh();
  await (await openDbEnv({ path: newer, kind: 'maker', subDbs: {}, schemaVersion: 5 })).close();
  await assert.rejects(openMakerDb({ path: newer }), isSchemaError(/schema_version 5, newer than this build \(it writes 4 and migrates 1, 2, 3\)/));
  const older = fresh();
  await (await openDbEnv({ path: older, kind: 'maker', subDbs: {}, schemaVersion: 0 })).close();
  await assert.rejects(openMakerDb({ path: older }), isSchemaError(/schema_version 0, unknown to this build/));
  // Without its steps, a v1 maker DB is refused too (openDbEnv knows no migrations of its own).
  const v1 = fresh();
  await (await openDbEnv({ path: v1, kind: 'maker', subDbs: {}, schemaVersion: 1 })).close();
  await assert.rejects(openDbEnv({ path: v1, kind: 'maker', subDbs: {} }), isSchemaError(/schema_version 1, unknown to this build \(it writes 4\)/));
});
