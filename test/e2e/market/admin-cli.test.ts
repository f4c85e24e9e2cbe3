/**
 * `xbr-edge admin` against a running edge: the real executable finds the node from --cbdir and its config,
 * connects on the operator socket (role `operator`) and reads each maker; a node that is not there is exit
 * 3, a bad command line exit 2.
 *
 * The ledger commands after a seller sold three keys to a buyer: `channels` shows both channels with their
 * balances, `transactions` the three purchases, `rescan` reads the chain again without changing anything (no
 * deposit counted twice) and refuses blocks out of range, `audit` finds nothing (exit 0). Then the edge is
 * stopped, the maker's LMDB is opened with the repository's own code and corrupted — a balance's `spent`
 * raised, a byte of a stored buyer signature flipped — and, on the restarted edge, the audit exits 4 naming the
 * channel, the purchase and what differs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatUuid } from '../../../schema/codec/uuid.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { openMakerDb } from '../../../schema/db/maker-db.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import { addr, connectMember, e2eConfig, openChannelOnChain, TestBuyer, TestSeller, untilKnown, world, XBR } from './offers-purchase-helpers.js';

const PRICE = 5n * XBR;
const DEPOSIT = 100n * XBR;
const PAYING_DEPOSIT = 500n * XBR;

interface ChannelJson {
  channel_oid: string;
  channel_type: string;
  state: string;
  actor: string;
  delegate: string;
  amount: string;
  remaining: string;
  inflight: string;
  spent: string;
  seq: number;
  open_at: number;
}
interface TransactionJson {
  tid: string;
  state: string;
  amount: string;
  payment_channel: string;
  payment_seq: number;
  payment_remaining: string;
  paying_channel: string | null;
  paying_seq: number | null;
  payment_del_sig: string;
  paying_del_sig: string;
}
interface AuditJson {
  realm: string;
  ok: boolean;
  channels: number;
  transactions: number;
  signatures_checked: number;
  chain_checked: number;
  mismatches_total: number;
  mismatches: { kind: string; channel_oid: string | null; tid: string | null; field: string; stored: string | null; expected: string | null; message: string }[];
}

/** `xbr-edge admin <args> --cbdir <edge> --json`, exit 0, parsed. */
async function adminJson<T>(edge: MarketEdge, ...args: string[]): Promise<T> {
  const r = await runXbrEdge('admin', ...args, '--cbdir', edge.cbdir, '--json');
  assert.equal(r.status, 0, `admin ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('xbr-edge admin on a running node', { timeout: 480_000 }, () => {
  let edge: MarketEdge;
  let cbdir: string | undefined;
  let paymentId: Uuid;
  let payingId: Uuid;
  let buyerMember: string;

  before(async () => {
    edge = await startMarketEdge({ configure: e2eConfig, keepCbdir: true });
    cbdir = edge.cbdir;
    const probe = await edge.connect({ serializer: 'cbor' });
    const w = await world(edge, probe);
    const seller = await TestSeller.start(w, 2, edge.account(5));
    payingId = await openChannelOnChain(w, 2, PAYING_DEPOSIT, addr(edge.account(5)));
    paymentId = await openChannelOnChain(w, 1, DEPOSIT, addr(edge.account(6)));
    buyerMember = edge.account(3).address;
    const buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, DEPOSIT);
    for (let i = 0; i < 3; i++) {
      const o = await seller.offer({ price: PRICE });
      await untilKnown(() => buyer.buy(o.keyId, PRICE));
    }
  });
  after(async () => {
    await edge?.stop();
    if (cbdir !== undefined) rmSync(cbdir, { recursive: true, force: true });
  });

  it('status: each maker RUNNING, its block and the sessions of its realm (table and --json)', async () => {
    const table = await runXbrEdge('admin', 'status', '--cbdir', edge.cbdir);
    assert.equal(table.status, 0, table.stderr);
    const [header, row] = table.stdout.trim().split('\n');
    assert.match(header ?? '', /^realm\s+maker\s+block\s+sessions\s+accounts$/);
    assert.match(row ?? '', new RegExp(`^realm1\\s+RUNNING\\s+\\d+\\s+\\d+\\s+${edge.makerAddress}$`));
    const [s] = await adminJson<{ realm: string; maker: string; block: number; sessions: number }[]>(edge, 'status');
    assert.equal(s?.realm, 'realm1');
    assert.equal(s?.maker, 'RUNNING');
    assert.ok((s?.block ?? 0) > 0);
    assert.ok((s?.sessions ?? 0) >= 2, 'the maker and the admin session itself');
  });

  it('markets: the demo market, its maker and owner', async () => {
    const [m] = await adminJson<{ market: string; marketmaker: string; network: string }[]>(edge, 'markets');
    assert.equal(`0x${m?.market.replaceAll('-', '')}`, edge.devchain.demo.marketId.toLowerCase());
    assert.equal(m?.marketmaker, edge.makerAddress);
    assert.equal(m?.network, edge.devchain.contracts.network);
  });

  it('ipfs: downloads by state; --retry-all schedules the pending ones', async () => {
    const [s] = await adminJson<{ realm: string; downloaded: number; pending: number; scheduled_now: number }[]>(edge, 'ipfs', '--retry-all');
    assert.equal(s?.realm, 'realm1');
    assert.equal(typeof s?.downloaded, 'number');
    assert.equal(s?.scheduled_now, s?.pending, 'every pending file was scheduled');
  });

  it('channels: after three purchases the buyer\'s channel has spent 3 × price at seq 4, the seller\'s paying channel the same', async () => {
    const [page] = await adminJson<{ realm: string; channels: ChannelJson[]; next_cursor: string | null }[]>(edge, 'channels');
    assert.equal(page?.realm, 'realm1');
    assert.equal(page?.next_cursor, null);
    const payment = page!.channels.find((c) => c.channel_oid === formatUuid(paymentId));
    assert.deepEqual(
      payment && { type: payment.channel_type, state: payment.state, actor: payment.actor, delegate: payment.delegate, amount: payment.amount, remaining: payment.remaining, inflight: payment.inflight, spent: payment.spent, seq: payment.seq },
      { type: 'payment', state: 'OPEN', actor: buyerMember, delegate: edge.account(6).address, amount: String(DEPOSIT), remaining: String(DEPOSIT - 3n * PRICE), inflight: '0', spent: String(3n * PRICE), seq: 4 },
    );
    const paying = page!.channels.find((c) => c.channel_oid === formatUuid(payingId));
    assert.deepEqual(paying && [paying.channel_type, paying.spent, paying.remaining, paying.seq], ['paying', String(3n * PRICE), String(PAYING_DEPOSIT - 3n * PRICE), 4]);
    // filters: the buyer member's channels are its payment channel; nothing is closed
    const [mine] = await adminJson<{ channels: ChannelJson[] }[]>(edge, 'channels', '--member', buyerMember);
    assert.deepEqual(mine?.channels.map((c) => c.channel_oid), [formatUuid(paymentId)]);
    const [closed] = await adminJson<{ channels: ChannelJson[] }[]>(edge, 'channels', '--state', 'closed');
    assert.deepEqual(closed?.channels, []);
    const [paged] = await adminJson<{ channels: ChannelJson[]; next_cursor: string | null }[]>(edge, 'channels', '--limit', '1');
    assert.equal(paged?.channels.length, 1);
    assert.equal(paged?.next_cursor, paged?.channels[0]?.channel_oid);
    // the table: amounts in XBR
    const t = await runXbrEdge('admin', 'channels', '--cbdir', edge.cbdir, '--type', 'payment');
    assert.equal(t.status, 0, t.stderr);
    const [header, ...rows] = t.stdout.trim().split('\n');
    assert.match(header ?? '', /^channel\s+type\s+state\s+actor\s+delegate\s+amount\s+remaining\s+inflight\s+spent\s+seq\s+opened\s+closing\s+closed$/);
    assert.deepEqual(rows.map((r) => r.split(/\s+/).slice(0, 10)), [[formatUuid(paymentId), 'payment', 'OPEN', buyerMember, edge.account(6).address, '100', '85', '0', '15', '4']]);
  });

  it('transactions --channel: the three purchases, newest first, with their signed states', async () => {
    const [page] = await adminJson<{ transactions: TransactionJson[]; next_cursor: string | null }[]>(edge, 'transactions', '--channel', formatUuid(paymentId));
    const txs = page!.transactions;
    assert.equal(txs.length, 3);
    assert.deepEqual(txs.map((t) => t.payment_seq), [4, 3, 2]);
    assert.deepEqual(txs.map((t) => t.payment_remaining), [3n, 2n, 1n].map((k) => String(DEPOSIT - k * PRICE)));
    for (const t of txs) {
      assert.equal(t.state, 'SUCCESS');
      assert.equal(t.amount, String(PRICE));
      assert.equal(t.payment_channel, formatUuid(paymentId));
      assert.equal(t.paying_channel, formatUuid(payingId));
      assert.match(t.payment_del_sig, /^0x[0-9a-f]{130}$/);
      assert.match(t.paying_del_sig, /^0x[0-9a-f]{130}$/);
    }
    assert.equal(page!.next_cursor, null);
    const [first] = await adminJson<{ transactions: TransactionJson[]; next_cursor: string }[]>(edge, 'transactions', '--channel', formatUuid(paymentId), '--limit', '2');
    assert.deepEqual(first?.transactions.map((t) => t.tid), txs.slice(0, 2).map((t) => t.tid));
    const [rest] = await adminJson<{ transactions: TransactionJson[]; next_cursor: string | null }[]>(edge, 'transactions', '--channel', formatUuid(paymentId), '--cursor', first!.next_cursor);
    assert.deepEqual(rest?.transactions.map((t) => t.tid), [txs[2]!.tid]);
    // the seller's paying channel shows the same three
    const [sales] = await adminJson<{ transactions: TransactionJson[] }[]>(edge, 'transactions', '--channel', formatUuid(payingId));
    assert.deepEqual(sales?.transactions.map((t) => t.paying_seq), [4, 3, 2]);
    const unknown = await runXbrEdge('admin', 'transactions', '--cbdir', edge.cbdir, '--channel', formatUuid(new Uint8Array(16).fill(9)));
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /crossbar\.error\.no_such_object: no payment or paying channel 09090909-/);
  });

  it('rescan --from-block: reads the chain again, changes nothing (no deposit counted twice); out of range is refused', async () => {
    const [before] = await adminJson<{ channels: ChannelJson[] }[]>(edge, 'channels');
    const from = Math.min(...before!.channels.map((c) => c.open_at));
    const [r] = await adminJson<{ realm: string; from_block: number; to_block: number; channel_events: number; channel_changes: number; replica_writes: number }[]>(edge, 'rescan', '--from-block', String(from));
    assert.equal(r?.from_block, from);
    assert.ok((r?.to_block ?? 0) >= from);
    assert.ok((r?.channel_events ?? 0) >= 2, 'both Opened events were read again');
    assert.equal(r?.channel_changes, 0);
    assert.equal(r?.replica_writes, 0);
    const [after] = await adminJson<{ channels: ChannelJson[] }[]>(edge, 'channels');
    assert.deepEqual(after?.channels, before?.channels);

    const head = await edge.provider().getBlockNumber();
    const ahead = await runXbrEdge('admin', 'rescan', '--cbdir', edge.cbdir, '--from-block', String(head + 1000));
    assert.equal(ahead.status, 1);
    assert.match(ahead.stderr, /wamp\.error\.invalid_argument: from_block: expected a block ≤ the chain head \d+, got \d+/);
    const early = await runXbrEdge('admin', 'rescan', '--cbdir', edge.cbdir, '--from-block', '0');
    assert.equal(early.status, 1);
    assert.match(early.stderr, /wamp\.error\.invalid_argument: from_block: expected a block ≥ \d+ \((market 0x[0-9a-f]{32} was created there|the first block this monitor follows)/);
    const none = await runXbrEdge('admin', 'rescan', '--cbdir', edge.cbdir);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /admin rescan needs --from-block N/);
  });

  it('audit on a clean ledger: every signature and channel checked, exit 0', async () => {
    const [a] = await adminJson<AuditJson[]>(edge, 'audit');
    assert.equal(a?.ok, true, JSON.stringify(a?.mismatches));
    assert.equal(a?.channels, 2);
    assert.equal(a?.transactions, 3);
    assert.equal(a?.signatures_checked, 6, 'the buyer\'s and the seller\'s signature of each purchase');
    assert.equal(a?.chain_checked, 2);
    assert.equal(a?.mismatches_total, 0);
    const t = await runXbrEdge('admin', 'audit', '--cbdir', edge.cbdir);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout.trim(), /^realm\s+result\s+channels\s+transactions\s+signatures\s+chain_checked\s+mismatches\s+ms\nrealm1\s+OK\s+2\s+3\s+6\s+2 at block \d+\s+0\s+\d+$/);
  });

  it('a bad command line is exit 2; a directory without a node is exit 3', async () => {
    const bad = await runXbrEdge('admin', 'nonsense', '--cbdir', edge.cbdir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown admin command "nonsense"/);
    const flag = await runXbrEdge('admin', 'channels', '--cbdir', edge.cbdir, '--member', '0x12');
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /--member: expected an address 0x \+ 40 hex digits, got "0x12"/);
    const empty = mkdtempSync(join(tmpdir(), 'xbr-admin-'));
    try {
      const none = await runXbrEdge('admin', 'status', '--cbdir', empty);
      assert.equal(none.status, 3, none.stderr);
      assert.match(none.stderr, /cannot read config file .*router-config\.json: file not found/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a corrupted maker DB (a balance\'s spent, a flipped signature byte): the audit exits 4 naming channel, purchase and field', async () => {
    const [listed] = await adminJson<{ transactions: TransactionJson[] }[]>(edge, 'transactions', '--channel', formatUuid(paymentId));
    const victim = listed!.transactions[1]!;
    await edge.stop();

    // The maker DB opened with the repository's own code, written around the ledger's checks.
    const db = await openMakerDb({ path: join(cbdir!, '.xbr-edge/maker1.db'), ledgerDebug: false });
    try {
      const balance = db.paymentBalances.get(paymentId);
      assert.equal(balance?.spent, 3n * PRICE);
      const tid = Buffer.from(victim.tid.replaceAll('-', ''), 'hex');
      const tx = db.transactions.get(tid as unknown as Uuid);
      assert.ok(tx?.payment_del_sig !== undefined);
      const sig = new Uint8Array(tx.payment_del_sig);
      sig[20]! ^= 0xff;
      db.env.writeSync(() => {
        db.env.sub('payment_balances').putSync(db.paymentBalances.keyOf(paymentId), { ...balance, spent: balance!.spent + 1n });
        db.env.sub('transactions').putSync(db.transactions.keyOf(tid as unknown as Uuid), { ...tx, payment_del_sig: sig });
      });
    } finally {
      await db.close();
    }

    edge = await startMarketEdge({ cbdir: cbdir!, configure: e2eConfig, keepCbdir: true });
    const r = await runXbrEdge('admin', 'audit', '--cbdir', edge.cbdir, '--json');
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /the audit found mismatches \(exit 4\)/);
    const [a] = JSON.parse(r.stdout) as AuditJson[];
    assert.equal(a?.ok, false);
    const lines = a!.mismatches.map((m) => `${m.kind} ${m.field} ${m.channel_oid} ${m.tid ?? '-'}`).sort();
    assert.deepEqual(lines, [`balance spent ${formatUuid(paymentId)} -`, `signature payment_del_sig ${formatUuid(paymentId)} ${victim.tid}`].sort(), JSON.stringify(a?.mismatches, null, 1));
    const spent = a!.mismatches.find((m) => m.field === 'spent')!;
    assert.deepEqual([spent.stored, spent.expected], [String(3n * PRICE + 1n), String(3n * PRICE)]);
    const bad = a!.mismatches.find((m) => m.kind === 'signature')!;
    assert.equal(bad.expected, edge.account(6).address.toLowerCase());
    assert.match(bad.message, new RegExp(`^purchase ${victim.tid}: the buyer delegate's signature \\(payment_del_sig\\) over channel ${formatUuid(paymentId)} seq 3 `));
    // the table names them too
    const t = await runXbrEdge('admin', 'audit', '--cbdir', edge.cbdir);
    assert.equal(t.status, 4);
    assert.match(t.stdout, /realm1\s+MISMATCH\s+2\s+3\s+6\s+2 at block \d+\s+2\s+\d+/);
    assert.match(t.stdout, new RegExp(`  balance spent: payment channel ${formatUuid(paymentId)}: spent is ${3n * PRICE + 1n} in the balance record, but ${3n * PRICE} from its purchases`));
    assert.match(t.stdout, new RegExp(`  signature payment_del_sig: purchase ${victim.tid}: `));
  });
});
