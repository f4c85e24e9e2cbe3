/**
 * Ledger throughput on a real maker DB with DURABLE commits (fsync per commit, never noSync):
 * reserve+resolve purchase pairs per second, (a) one `writeSync` (transactionSync) per step, and
 * (b) many concurrent purchases whose steps are batched into shared commits by `env.write`
 * (lmdb-js async transactions; each purchase awaits the commit of its own step before going on, so a
 * signature would only leave after its reserve is durable). Goal (b) ≥ 5,000 pairs/s.
 *
 * A reserve is one write transaction (channel state and balance checks; remaining −= p, inflight += p,
 * seq+1 on the payment AND the paying balance; Transaction INFLIGHT); a resolve another (inflight →
 * spent on both, Transaction SUCCESS). Each lane uses its own payment and paying channel (different
 * channels run concurrently; the same channel is serialized by its lane).
 *
 * Run alone: `node --import tsx bench/primitives/ledger.ts [--quick]`; env `BENCH_LEDGER_LANES` sets the
 * number of concurrent purchase lanes of the batched mode (default 128).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Address, Ed25519PublicKey, Uuid } from '../../schema/codec/types.js';
import { WampError } from '../../schema/errors.js';
import { checkBalance } from '../../schema/db/ledger-invariant.js';
import { inflightTransactions, openMakerDb, type MakerDb } from '../../schema/db/maker-db.js';
import { initialBalance } from '../../schema/db/records/balance.js';
import { ChannelState, ChannelType, type Channel } from '../../schema/db/records/channel.js';
import { TransactionState, type Transaction } from '../../schema/db/records/transaction.js';

const PRICE = 35n * 10n ** 18n;
const DEPOSIT = 10n ** 30n;

interface Lane {
  payment: Uuid;
  paying: Uuid;
}

let pool = randomBytes(0);
let poolAt = 0;
/** Random 16-byte ids from a pool (one randomBytes call per 4096 ids, as a maker would do). */
const id = (): Uuid => {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(16 * 4096);
    poolAt = 0;
  }
  const start = poolAt;
  poolAt += 16;
  return new Uint8Array(pool.subarray(start, poolAt)) as Uuid;
};
const adr = (): Address => new Uint8Array(randomBytes(20)) as Address;
const nowNs = (): bigint => process.hrtime.bigint();

function openChannel(db: MakerDb, type: typeof ChannelType.PAYMENT | typeof ChannelType.PAYING): Uuid {
  const c: Channel = {
    market_oid: id(),
    channel_oid: id(),
    timestamp: nowNs(),
    channel_type: type,
    open_at: 1n,
    seq: 1,
    marketmaker: adr(),
    actor: adr(),
    delegate: adr(),
    recipient: adr(),
    amount: DEPOSIT,
    timeout: 1440,
    state: ChannelState.OPEN,
  };
  const [channels, balances] = type === ChannelType.PAYMENT ? [db.paymentChannels, db.paymentBalances] : [db.payingChannels, db.payingBalances];
  db.env.writeSync(() => {
    channels.put(c.channel_oid, c);
    balances.put(c.channel_oid, initialBalance(c.amount));
  });
  return c.channel_oid;
}

/** The reserve step: synchronous read-check-write, to be run inside one write transaction. */
function reserve(db: MakerDb, lane: Lane, price: bigint): Transaction {
  const pc = db.paymentChannels.get(lane.payment);
  const qc = db.payingChannels.get(lane.paying);
  const pb = db.paymentBalances.get(lane.payment);
  const qb = db.payingBalances.get(lane.paying);
  if (pc === undefined || qc === undefined || pb === undefined || qb === undefined) throw new WampError('xbr.error.invalid_channel', 'no such channel');
  if (pc.state !== ChannelState.OPEN || qc.state !== ChannelState.OPEN) throw new WampError('xbr.error.channel_not_open', 'channel not open');
  if (pb.remaining < price) throw new WampError('xbr.error.insufficient_payment_balance', 'insufficient payment balance');
  if (qb.remaining < price) throw new WampError('xbr.error.insufficient_paying_balance', 'insufficient paying balance');
  const pAfter = { remaining: pb.remaining - price, inflight: pb.inflight + price, spent: pb.spent, seq: pb.seq + 1 };
  const qAfter = { remaining: qb.remaining - price, inflight: qb.inflight + price, spent: qb.spent, seq: qb.seq + 1 };
  const t: Transaction = {
    tid: id(),
    created: nowNs(),
    created_payment_channel_seq: pb.seq,
    created_paying_channel_seq: qb.seq,
    offer: id(),
    key: id(),
    amount: price,
    payment_channel: lane.payment,
    paying_channel: lane.paying,
    state: TransactionState.INFLIGHT,
    buyer_pubkey: new Uint8Array(32) as Ed25519PublicKey,
    payment_channel_after: pAfter.remaining,
    paying_channel_after: qAfter.remaining,
  };
  db.paymentBalances.put(lane.payment, pAfter);
  db.payingBalances.put(lane.paying, qAfter);
  db.transactions.put(t.tid, t);
  return t;
}

/** The resolve step (SUCCESS): inflight → spent on both balances, transaction SUCCESS. */
function resolve(db: MakerDb, t: Transaction): void {
  const pb = db.paymentBalances.get(t.payment_channel);
  const qb = db.payingBalances.get(t.paying_channel);
  if (pb === undefined || qb === undefined || pb.inflight < t.amount || qb.inflight < t.amount) throw new WampError('xbr.error.ledger_invariant', 'inflight below amount');
  db.paymentBalances.put(t.payment_channel, { ...pb, inflight: pb.inflight - t.amount, spent: pb.spent + t.amount });
  db.payingBalances.put(t.paying_channel, { ...qb, inflight: qb.inflight - t.amount, spent: qb.spent + t.amount });
  db.transactions.put(t.tid, { ...t, state: TransactionState.SUCCESS, completed: nowNs(), completed_payment_channel_seq: pb.seq, completed_paying_channel_seq: qb.seq });
}

async function runSync(db: MakerDb, lane: Lane, ms: number): Promise<number> {
  const end = performance.now() + ms;
  const t0 = performance.now();
  let n = 0;
  while (performance.now() < end) {
    const t = db.env.writeSync(() => reserve(db, lane, PRICE));
    db.env.writeSync(() => resolve(db, t));
    n++;
    if ((n & 63) === 0) await new Promise((r) => setImmediate(r));
  }
  return n / ((performance.now() - t0) / 1000);
}

async function runBatched(db: MakerDb, lanes: Lane[], ms: number): Promise<number> {
  const end = performance.now() + ms;
  const t0 = performance.now();
  let n = 0;
  await Promise.all(
    lanes.map(async (lane) => {
      while (performance.now() < end) {
        const t = await db.env.write(() => reserve(db, lane, PRICE));
        // ... here the maker would call the seller ...
        await db.env.write(() => resolve(db, t));
        n++;
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

function verify(db: MakerDb): void {
  for (const [channels, balances] of [
    [db.paymentChannels, db.paymentBalances],
    [db.payingChannels, db.payingBalances],
  ] as const) {
    for (const { key, value } of balances.range()) {
      const c = channels.getByKey(key);
      if (c === undefined) throw new Error('balance without channel');
      checkBalance(c, value);
    }
  }
  if (inflightTransactions(db).length !== 0) throw new Error('INFLIGHT transactions left');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * Prints `ledger_sync_pairs`, `ledger_batched_pairs` (pairs/s) and their ratio, plus the batched
 * figure against the 5,000/s goal. `quick` runs each mode once for 0.4 s instead of 3 × 2 s.
 * @example await benchLedger((n, v, u) => console.log(`${n} ${v.toFixed(0)} ${u}`), true);
 */
export async function benchLedger(print: (name: string, value: number, unit: string) => void, quick: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-ledger-bench-'));
  const lanesN = Number(process.env['BENCH_LEDGER_LANES'] ?? 128);
  const runs = quick ? 1 : 3;
  const ms = quick ? 400 : 2000;
  const db = await openMakerDb({ path: join(dir, 'maker'), ledgerDebug: false });
  try {
    const lanes: Lane[] = [];
    for (let i = 0; i < lanesN; i++) lanes.push({ payment: openChannel(db, ChannelType.PAYMENT), paying: openChannel(db, ChannelType.PAYING) });
    const sync: number[] = [];
    const batched: number[] = [];
    for (let r = 0; r < runs; r++) {
      sync.push(await runSync(db, lanes[0] as Lane, ms));
      batched.push(await runBatched(db, lanes, ms));
    }
    verify(db);
    const s = median(sync);
    const b = median(batched);
    print('ledger_sync_pairs', s, 'pairs/s');
    print(`ledger_batched_pairs_${lanesN}lanes`, b, 'pairs/s');
    print('ledger_batched_vs_sync', b / s, 'x');
    print('ledger_batched_vs_goal_5000', b / 5000, 'x');
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchLedger((name, value, unit) => console.log(`${name} ${value < 100 ? value.toFixed(2) : value.toFixed(0)} ${unit}`), process.argv.includes('--quick'));
}
