/**
 * Model-based test of the maker's ledger (issue "Step 5", docs/protocol.md#ledger-rules): fast-check draws
 * sequences of purchases reserved (valid or with a wrong seq, balance or signer), resolved sold or failed, the
 * refund of everything in flight at a start, cooperative closes, the chain's `Opened` (a deposit), `Closing`
 * and `Closed`, and restarts, and runs each against the real LMDB ledger (the maker DB with its debug write
 * checks on) and against a small pure model of it. After every step, for every channel:
 * `amount == remaining + inflight + spent`, `seq` never goes back, the ledger's balance, counts and state
 * equal the model's, and the start-up audit (`auditLedger`) holds. A failing sequence is shrunk to a minimal one.
 *
 * Used by `ledger-model.test.ts` (a fixed budget in CI) and by `npm run proof -- ledger --runs N`.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Hash32, Uuid } from '../../schema/codec/types.js';
import { ChannelState, ChannelType } from '../../schema/db/records/channel.js';
import type { Offer } from '../../schema/db/records/offer.js';
import { channelCloseMessage, signChannelClose } from '../../schema/eip712/index.js';
import { WampError } from '../../schema/errors.js';
import { applyChannelEvent, auditLedger, checkCooperativeClose, recoverInflight, reservePurchase, resolvePurchase } from '../../worker/market/ledger/index.js';
import { BLOCK, buyRequest, freshDb, hex, MAKER, MARKET, newKey, openChannel, putOffer, rnd, tick, type Key } from '../worker/market/ledger/helpers.js';

type Db = Awaited<ReturnType<typeof freshDb>>;
type ChannelKind = typeof ChannelType.PAYMENT | typeof ChannelType.PAYING;

/** Prices of the offers every seller has (0: a free key, which still advances the paying seq when there is a paying channel). */
const PRICES = [0n, 1n, 7n, 25n] as const;
const BUYERS = 2;
const SELLERS = 2;
const MAX_CHANNELS = 8;

interface ModelChannel {
  readonly id: Uuid;
  readonly type: ChannelKind;
  /** Index of its delegate among the buyers (payment) or sellers (paying). */
  readonly owner: number;
  readonly amount: bigint;
  remaining: bigint;
  inflight: bigint;
  spent: bigint;
  seq: number;
  sales: number;
  refunds: number;
  state: number;
}

interface Pending {
  readonly tid: Uuid;
  readonly payment: ModelChannel;
  readonly paying: ModelChannel | undefined;
  readonly amount: bigint;
}

export interface LedgerModel {
  /** In the order the ledger learnt of them (the order the active channel is chosen by). */
  readonly channels: ModelChannel[];
  readonly pending: Pending[];
  /** The chain's block for the next event (events come in chain order). */
  block: bigint;
}

export interface RealLedger {
  readonly db: Db;
  readonly buyers: readonly Key[];
  readonly sellers: readonly Key[];
  /** `offers[seller][i]` is priced `PRICES[i]`. */
  readonly offers: readonly (readonly Offer[])[];
  /** Each channel's seq when last checked: it must never go back. */
  readonly seqSeen: Map<string, number>;
}

type LedgerCommand = fc.AsyncCommand<LedgerModel, RealLedger>;

const REFUSED_ONLY = (e: unknown): boolean => e instanceof WampError && !e.uri.startsWith('xbr.error.storage') && e.uri !== 'xbr.error.ledger_invariant';

/** The oldest OPEN channel of the delegate with something left: the one the ledger reserves on. */
function activeOf(m: LedgerModel, type: ChannelKind, owner: number): ModelChannel | undefined {
  return m.channels.find((c) => c.type === type && c.owner === owner && c.state === ChannelState.OPEN && c.remaining > 0n);
}

function channelsOf(m: LedgerModel, type: ChannelKind): ModelChannel[] {
  return m.channels.filter((c) => c.type === type);
}

/** Every check of a step: the ledger equals the model, the invariant, seqs never back, the audit. */
/** What the runs of this process did: steps checked, purchases the ledger accepted (for the proof CLI's summary). */
export const STEPS = { n: 0, bought: 0 };
function checkAll(m: LedgerModel, r: RealLedger, after: string): void {
  STEPS.n++;
  const db = r.db.db;
  for (const c of m.channels) {
    const tables = c.type === ChannelType.PAYMENT ? { ch: db.paymentChannels, b: db.paymentBalances } : { ch: db.payingChannels, b: db.payingBalances };
    const b = tables.b.get(c.id);
    const ch = tables.ch.get(c.id);
    assert.ok(b !== undefined && ch !== undefined, `${after}: channel ${hex(c.id)} is missing`);
    const got = { remaining: b.remaining, inflight: b.inflight, spent: b.spent, seq: b.seq, sales: b.sales ?? 0, refunds: b.refunds ?? 0, state: ch.state };
    const want = { remaining: c.remaining, inflight: c.inflight, spent: c.spent, seq: c.seq, sales: c.sales, refunds: c.refunds, state: c.state };
    assert.deepEqual(got, want, `${after}: channel ${hex(c.id)} (type ${c.type}) differs from the model`);
    assert.equal(b.remaining + b.inflight + b.spent, ch.amount, `${after}: amount != remaining + inflight + spent on ${hex(c.id)}`);
    const seen = r.seqSeen.get(hex(c.id)) ?? 0;
    assert.ok(b.seq >= seen, `${after}: seq of ${hex(c.id)} went back from ${seen} to ${b.seq}`);
    r.seqSeen.set(hex(c.id), b.seq);
  }
  auditLedger(db);
}

class OpenChannel implements LedgerCommand {
  constructor(readonly type: ChannelKind, readonly owner: number, readonly amount: bigint) {}
  check(m: Readonly<LedgerModel>): boolean {
    return m.channels.length < MAX_CHANNELS;
  }
  async run(m: LedgerModel, r: RealLedger): Promise<void> {
    const key = (this.type === ChannelType.PAYMENT ? r.buyers : r.sellers)[this.owner]!;
    const id = openChannel(r.db.db, this.type, key.address, this.amount);
    m.channels.push({ id, type: this.type, owner: this.owner, amount: this.amount, remaining: this.amount, inflight: 0n, spent: 0n, seq: 1, sales: 0, refunds: 0, state: ChannelState.OPEN });
    checkAll(m, r, this.toString());
  }
  toString(): string {
    return `Opened(${this.type === ChannelType.PAYMENT ? 'payment' : 'paying'}, owner ${this.owner}, ${this.amount})`;
  }
}

type Corruption = 'none' | 'seq' | 'balance' | 'signer';

class Buy implements LedgerCommand {
  constructor(readonly buyer: number, readonly pick: number, readonly seller: number, readonly priceIndex: number, readonly corrupt: Corruption) {}
  check(m: Readonly<LedgerModel>): boolean {
    return m.channels.some((c) => c.type === ChannelType.PAYMENT && c.owner === this.buyer);
  }
  async run(m: LedgerModel, r: RealLedger): Promise<void> {
    const own = channelsOf(m, ChannelType.PAYMENT).filter((c) => c.owner === this.buyer);
    const payment = own[this.pick % own.length]!;
    const price = PRICES[this.priceIndex]!;
    const offer = r.offers[this.seller]![this.priceIndex]!;
    const paying = activeOf(m, ChannelType.PAYING, this.seller);
    const seq = payment.seq + 1 + (this.corrupt === 'seq' ? 1 : 0);
    const balance = payment.remaining - price + (this.corrupt === 'balance' ? 1n : 0n);
    const accepted =
      this.corrupt === 'none' && payment.state === ChannelState.OPEN && payment.remaining >= price && (price === 0n || (paying !== undefined && paying.remaining >= price));
    const buyer = r.buyers[this.buyer]!;
    const signer = this.corrupt === 'signer' ? newKey() : buyer;
    let reserved: ReturnType<typeof reservePurchase> | undefined;
    try {
      reserved = reservePurchase(r.db.db, buyRequest({ offer, channelId: payment.id, buyer, seq, balance: balance < 0n ? 0n : balance, signer }));
    } catch (err) {
      if (!REFUSED_ONLY(err)) throw err;
      assert.ok(!accepted, `${this}: refused a valid purchase: ${(err as WampError).uri} ${(err as Error).message}`);
    }
    if (reserved !== undefined) {
      assert.ok(accepted, `${this}: accepted a purchase the model refuses`);
      const payingUsed = reserved.paying === undefined ? undefined : m.channels.find((c) => hex(c.id) === hex(reserved.paying!.channel.channel_oid));
      assert.equal(payingUsed, paying, `${this}: reserved on another paying channel than the seller's active one`);
      for (const c of [payment, paying]) {
        if (c === undefined) continue;
        c.remaining -= price;
        c.inflight += price;
        c.seq += 1;
      }
      m.pending.push({ tid: reserved.transaction.tid, payment, paying, amount: price });
      STEPS.bought++;
    }
    checkAll(m, r, this.toString());
  }
  toString(): string {
    return `Buy(buyer ${this.buyer} channel #${this.pick}, seller ${this.seller}, price ${PRICES[this.priceIndex]}, ${this.corrupt})`;
  }
}

/** Settles a pending purchase in the model: sold moves the price to spent, failed gives it back. */
function settle(p: Pending, ok: boolean): void {
  for (const c of [p.payment, p.paying]) {
    if (c === undefined) continue;
    c.inflight -= p.amount;
    if (ok) {
      c.spent += p.amount;
      c.sales++;
    } else {
      c.remaining += p.amount;
      c.refunds++;
    }
  }
}

class Resolve implements LedgerCommand {
  constructor(readonly pick: number, readonly ok: boolean) {}
  check(m: Readonly<LedgerModel>): boolean {
    return m.pending.length > 0;
  }
  async run(m: LedgerModel, r: RealLedger): Promise<void> {
    const [p] = m.pending.splice(this.pick % m.pending.length, 1);
    resolvePurchase(r.db.db, p!.tid, this.ok ? { ok: true } : { ok: false, error: 'xbr.error.transaction_failed' });
    settle(p!, this.ok);
    // Resolving it again is refused and changes nothing.
    assert.throws(() => resolvePurchase(r.db.db, p!.tid, { ok: true }), REFUSED_ONLY);
    checkAll(m, r, this.toString());
  }
  toString(): string {
    return `Resolve(#${this.pick}, ${this.ok ? 'sold' : 'failed'})`;
  }
}

/** A crash and a start: the DB is reopened; with `recover`, everything in flight is refunded as the maker's start does. */
class Restart implements LedgerCommand {
  constructor(readonly recover: boolean) {}
  check(): boolean {
    return true;
  }
  async run(m: LedgerModel, r: RealLedger): Promise<void> {
    await r.db.reopen();
    if (this.recover) {
      const resolved = await recoverInflight(r.db.db, () => ({ ok: false, error: 'xbr.error.transaction_failed' }));
      assert.equal(resolved.length, m.pending.length, `${this}: refunded ${resolved.length} purchases, ${m.pending.length} were in flight`);
      for (const p of m.pending.splice(0)) settle(p, false);
    }
    checkAll(m, r, this.toString());
  }
  toString(): string {
    return this.recover ? 'Restart(refund what is in flight)' : 'Restart';
  }
}

class CooperativeClose implements LedgerCommand {
  constructor(readonly pick: number, readonly staleSeq: boolean) {}
  check(m: Readonly<LedgerModel>): boolean {
    return m.channels.length > 0;
  }
  async run(m: LedgerModel, r: RealLedger): Promise<void> {
    const c = m.channels[this.pick % m.channels.length]!;
    const key = (c.type === ChannelType.PAYMENT ? r.buyers : r.sellers)[c.owner]!;
    const seq = this.staleSeq ? c.seq - 1 : c.seq;
    const delegateSignature = signChannelClose(channelCloseMessage(MARKET, BLOCK, c.id, seq, c.remaining, true), key.priv);
    const accepted = !this.staleSeq && c.state === ChannelState.OPEN && c.inflight === 0n;
    try {
      checkCooperativeClose(r.db.db, c.id, { ...MARKET, seq, balance: c.remaining, isFinal: true, delegateSignature, closeAt: BLOCK, currentBlock: BLOCK });
      assert.ok(accepted, `${this}: accepted a close the model refuses`);
      c.state = ChannelState.CLOSING;
    } catch (err) {
      if (!REFUSED_ONLY(err)) throw err;
      assert.ok(!accepted, `${this}: refused a valid close: ${(err as WampError).uri} ${(err as Error).message}`);
    }
    checkAll(m, r, this.toString());
  }
  toString(): string {
    return `CooperativeClose(channel #${this.pick}${this.staleSeq ? ', stale seq' : ''})`;
  }
}

/** The chain's `Closing` or `Closed` of a channel (whoever closed it), in chain order. */
class ChainClose implements LedgerCommand {
  constructor(readonly pick: number, readonly settled: boolean) {}
  check(m: Readonly<LedgerModel>): boolean {
    return m.channels.length > 0;
  }
  async run(m: LedgerModel, r: RealLedger): Promise<void> {
    const c = m.channels[this.pick % m.channels.length]!;
    m.block += 1n;
    const block = m.block;
    const base = { ctype: c.type, marketId: MARKET.marketId, channelId: c.id, blockNumber: block, txHash: rnd(32) as Hash32, payout: c.spent, fee: 0n, refund: c.remaining };
    applyChannelEvent(r.db.db, this.settled ? { ...base, type: 'Closed', closedAt: block } : { ...base, type: 'Closing', timeoutAt: block + 10n }, { marketId: MARKET.marketId, marketmaker: MAKER.address, now: tick() });
    if (c.state !== ChannelState.CLOSED) c.state = this.settled ? ChannelState.CLOSED : ChannelState.CLOSING;
    checkAll(m, r, this.toString());
  }
  toString(): string {
    return `Chain${this.settled ? 'Closed' : 'Closing'}(channel #${this.pick})`;
  }
}

const kind = fc.constantFrom<ChannelKind>(ChannelType.PAYMENT, ChannelType.PAYING);
const amount = fc.constantFrom(1n, 10n, 30n, 100n);

const buy = fc
  .tuple(fc.nat({ max: BUYERS - 1 }), fc.nat({ max: 3 }), fc.nat({ max: SELLERS - 1 }), fc.nat({ max: PRICES.length - 1 }), fc.constantFrom<Corruption>('none', 'none', 'none', 'seq', 'balance', 'signer'))
  .map(([b, p, s, i, c]) => new Buy(b, p, s, i, c));
const resolve = fc.tuple(fc.nat({ max: 7 }), fc.boolean()).map(([p, ok]) => new Resolve(p, ok));

/** The commands fast-check draws from (one of the list at a time, so purchases and resolves are listed more than once to be drawn more often). */
const LEDGER_COMMANDS = [
  fc.tuple(kind, fc.nat({ max: Math.max(BUYERS, SELLERS) - 1 }), amount).map(([t, o, a]) => new OpenChannel(t, o, a)),
  buy,
  buy,
  buy,
  resolve,
  resolve,
  fc.boolean().map((recover) => new Restart(recover)),
  fc.tuple(fc.nat({ max: 7 }), fc.boolean()).map(([p, stale]) => new CooperativeClose(p, stale)),
  fc.tuple(fc.nat({ max: 7 }), fc.boolean()).map(([p, settled]) => new ChainClose(p, settled)),
];

/** A fresh ledger with two buyers and two sellers, each with one channel, and every seller's offers. */
async function setup(db: Db): Promise<{ model: LedgerModel; real: RealLedger }> {
  const buyers = Array.from({ length: BUYERS }, () => newKey());
  const sellers = Array.from({ length: SELLERS }, () => newKey());
  const offers = sellers.map((s) => PRICES.map((price) => putOffer(db.db, s.address, price)));
  const model: LedgerModel = { channels: [], pending: [], block: 1000n };
  const real: RealLedger = { db, buyers, sellers, offers, seqSeen: new Map() };
  for (let i = 0; i < BUYERS; i++) await new OpenChannel(ChannelType.PAYMENT, i, 100n).run(model, real);
  for (let i = 0; i < SELLERS; i++) await new OpenChannel(ChannelType.PAYING, i, 100n).run(model, real);
  return { model, real };
}

/** The property: any sequence of commands keeps the ledger equal to the model, each on a fresh DB. */
export function ledgerProperty(maxCommands = 60): fc.IAsyncPropertyWithHooks<[Iterable<LedgerCommand>]> {
  return fc.asyncProperty(fc.commands(LEDGER_COMMANDS, { maxCommands, size: 'max' }), async (cmds) => {
    const db = await freshDb();
    try {
      const { model, real } = await setup(db);
      await fc.asyncModelRun(() => ({ model, real }), cmds);
    } finally {
      await db.cleanup();
    }
  });
}
