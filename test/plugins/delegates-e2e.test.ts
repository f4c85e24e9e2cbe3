/**
 * The seller and buyer delegates together through the real edge (controller, router, dev chain, xbrmm
 * maker): a SimpleSeller (a session of member #2, provider id `member-0x…` of #2; delegate #5, paying channel
 * opened on chain by the market owner for seller #2) publishing under keys that rotate every second, and a
 * SimpleBuyer (a session of member #3; delegate #6, payment channel funded on chain by buyer #3). Each
 * channel's ledger is read by a session of its own member (docs/protocol.md#trust-model).
 *
 * - rotation by interval: one offer per key, the buyer buys and decrypts payloads of several keys;
 * - seller offline: its session is lost, the maker hears it leave and suspends its offers, the buyer is
 *   refused (`xbr.error.offer_suspended`) before anything is reserved; the seller comes back (same archive
 *   and state file) and sells the key;
 * - cooperative close of both channels by their delegates (the seller's after a refunded sale moved the
 *   maker's ledger one seq ahead of it): Closed on chain, and every token balance moved exactly as the
 *   maker's ledger said before the close (payout, refund, market fee and network contribution).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, hexlify, Interface, type TransactionReceipt } from 'ethers';
import type { Wampy } from 'wampy';
import { xbrChannelAbi, xbrMarketAbi, xbrNetworkAbi, xbrTokenAbi } from '../../contracts/index.js';
import { SimpleBuyer } from '../../plugins/buyer/index.js';
import { FileSellerStateStore, SimpleSeller, type EncryptedPayload } from '../../plugins/seller/index.js';
import { packUint256, unpackUint256 } from '../../schema/codec/uint256.js';
import type { Uuid } from '../../schema/codec/types.js';
import { signChannelClose } from '../../schema/eip712/index.js';
import { offerMessage, signOffer } from '../../schema/eip712/offer.js';
import { WampError } from '../../schema/errors.js';
import { createLogger } from '../../schema/log.js';
import { startMarketEdge, type MarketEdge } from '../e2e/harness/market-edge.js';
import { addr, bytesOf, call, callError, connectMakerSeat, connectMember, e2eConfig, memberAuthidOf, openChannelOnChain, sleep, uuid, world, XBR, type ChannelResult, type QuoteResult, type World } from '../e2e/market/offers-purchase-helpers.js';
import { channelCloseMessage } from '../../schema/eip712/index.js';

const SELLER_MEMBER = 2;
const BUYER_MEMBER = 3;
const AUTHID = memberAuthidOf(SELLER_MEMBER);
const SELL = `xbr.provider.${AUTHID}.sell`;
const URI = 'xbr.demo.delegates';
const PRICE = 2n * XBR;
const PAYING = 100n * XBR;
const PAYMENT = 60n * XBR;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const quiet = createLogger({ test: 'delegates-e2e' }, 'error');
/** A channel state with its bytes as hex (byte arrays decoded from the wire may be Buffers). */
const view = (st: { channelId: Uint8Array; seq: number; balance?: bigint; remaining?: bigint; closed?: boolean | undefined; sellerSignature?: Uint8Array | undefined } | null | undefined) =>
  st === null || st === undefined ? st : { channel: hex(st.channelId), seq: st.seq, balance: st.balance ?? st.remaining, closed: st.closed, signature: st.sellerSignature === undefined ? undefined : hex(st.sellerSignature) };

/** The WampError `p` rejects with. */
async function rejection(p: Promise<unknown>): Promise<WampError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WampError, `expected a WampError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/** Polls `read` until `done` holds (the chain monitor brings the maker up to date within a poll or so). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('seller and buyer delegates end to end: interval rotation, seller offline, cooperative close of both channels', { timeout: 300_000 }, () => {
  let edge: MarketEdge;
  let w: World;
  let probe: Wampy;
  /** Sessions of the seller member #2 and the buyer member #3 that stay up: they read their own channels. */
  let sellerMember: Wampy;
  let buyerMember: Wampy;
  let sellerSession: Wampy;
  let seller: SimpleSeller;
  let buyer: SimpleBuyer;
  let payingId: Uuid;
  let paymentId: Uuid;
  let dir: string;
  const bought = new Set<string>();

  const connectSeller = (): Promise<Wampy> => connectMember(edge, SELLER_MEMBER);
  const statePath = (): string => join(dir, 'paying.json');
  async function startSeller(): Promise<void> {
    sellerSession = await connectSeller();
    seller = new SimpleSeller(w.maker, bytesOf(edge.account(5)), { archivePath: join(dir, 'keys'), statePath: statePath(), logger: quiet });
    seller.add(w.apiId, URI, PRICE, { interval: 1 });
    await seller.start(sellerSession);
  }
  const ledger = async (kind: 'payment' | 'paying', id: Uuid): Promise<{ seq: number; remaining: bigint; inflight: bigint }> => {
    const b = await call<{ seq: number; remaining: Uint8Array; inflight: Uint8Array | number }>(kind === 'payment' ? buyerMember : sellerMember, `xbr.marketmaker.get_${kind}_channel_balance`, [id]);
    return { seq: Number(b.seq), remaining: unpackUint256(b.remaining), inflight: b.inflight instanceof Uint8Array ? unpackUint256(b.inflight) : BigInt(b.inflight) };
  };
  /** A payload wrapped under a key the buyer has not bought yet (keys rotate every second). */
  async function freshPayload(payload: unknown): Promise<EncryptedPayload> {
    for (let i = 0; i < 40; i++) {
      const enc = await seller.wrap(w.apiId, URI, payload);
      if (!bought.has(hex(enc.keyId))) return enc;
      await sleep(100);
    }
    throw new Error('no fresh key within 4 s');
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'delegates-e2e-'));
    edge = await startMarketEdge({ configure: e2eConfig });
    probe = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, probe);
    sellerMember = await connectMember(edge, SELLER_MEMBER);
    buyerMember = await connectMember(edge, BUYER_MEMBER);
    payingId = await openChannelOnChain(w, 2, PAYING, addr(edge.account(5)));
    paymentId = await openChannelOnChain(w, 1, PAYMENT, addr(edge.account(6)));
    await until(() => call(sellerMember, 'xbr.marketmaker.get_active_paying_channel', [addr(edge.account(5))]), (c) => c !== null, 'the paying channel at the maker');
    await until(() => call(buyerMember, 'xbr.marketmaker.get_active_payment_channel', [addr(edge.account(6))]), (c) => c !== null, 'the payment channel at the maker');
    await startSeller();
    assert.equal(edge.welcome(sellerSession).authid, AUTHID, 'the provider id is the member\'s authid');
    buyer = new SimpleBuyer(edge.makerAddress, bytesOf(edge.account(6)), new Uint8Array(randomBytes(32)), { logger: quiet });
    assert.equal(await buyer.start(await connectMember(edge, BUYER_MEMBER)), PAYMENT);
  });
  after(async () => {
    await seller?.stop().catch(() => undefined);
    await buyer?.stop().catch(() => undefined);
    await edge?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('rotation by interval (1 s): one offer per key; the buyer buys each key once and decrypts every payload', async () => {
    const wrapped: { payload: unknown; enc: EncryptedPayload }[] = [];
    const deadline = Date.now() + 15_000;
    for (let i = 0; new Set(wrapped.map((x) => hex(x.enc.keyId))).size < 3; i++) {
      assert.ok(Date.now() < deadline, 'three keys within 15 s');
      const payload = { i, reading: 20 + i / 8, at: Date.now() };
      wrapped.push({ payload, enc: await seller.wrap(w.apiId, URI, payload) });
      await sleep(200);
    }
    const keys = [...new Set(wrapped.map((x) => hex(x.enc.keyId)))];
    assert.ok(wrapped.length > keys.length, 'keys rotate by time, not per payload');
    for (const k of keys) {
      const quote = await call<QuoteResult>(probe, 'xbr.marketmaker.get_quote', [Buffer.from(k, 'hex')]);
      assert.equal(unpackUint256(quote.price), PRICE, `key ${k} is offered`);
    }
    for (const x of wrapped) assert.deepEqual(await buyer.unwrap(x.enc.keyId, x.enc.serializer, x.enc.ciphertext), x.payload);
    for (const k of keys) bought.add(k);
    assert.equal(buyer.purchases, keys.length, 'one purchase per key');
    assert.deepEqual({ seq: buyer.channel!.seq, remaining: buyer.channel!.remaining }, { seq: 1 + keys.length, remaining: PAYMENT - BigInt(keys.length) * PRICE });
    assert.deepEqual({ seq: seller.balance()!.seq, balance: seller.balance()!.balance }, { seq: 1 + keys.length, balance: PAYING - BigInt(keys.length) * PRICE });
    assert.deepEqual(await ledger('paying', payingId), { seq: 1 + keys.length, remaining: PAYING - BigInt(keys.length) * PRICE, inflight: 0n });
  });

  it('seller offline: its offers are suspended, the buyer is refused with nothing reserved; the seller back (same archive and state) sells the key', async () => {
    const payload = { offline: true };
    const enc = await freshPayload(payload);
    const buyerBefore = buyer.channel!;
    const payingBefore = await ledger('paying', payingId);
    const held = seller.balance()!;

    await sellerSession.disconnect(); // the seller's session is gone; the router drops its procedures
    // The maker hears it leave (wamp.session.on_leave) and suspends its offers.
    await until(
      () => call(buyerMember, 'xbr.marketmaker.get_quote', [enc.keyId]).then(() => 'sellable', (err: { errorUri?: string }) => err.errorUri),
      (v) => v === 'xbr.error.offer_suspended',
      'the seller\'s offers suspended',
    );
    const e = await rejection(buyer.unwrap(enc.keyId, enc.serializer, enc.ciphertext));
    assert.equal(e.uri, 'xbr.error.offer_suspended');
    // Refused before anything was reserved: no seq used on either channel, no refund needed.
    assert.deepEqual(view(buyer.channel), view(buyerBefore));
    assert.deepEqual(await ledger('payment', paymentId), { seq: buyerBefore.seq, remaining: buyerBefore.remaining, inflight: 0n });
    assert.deepEqual(await ledger('paying', payingId), { seq: payingBefore.seq, remaining: payingBefore.remaining, inflight: 0n });
    assert.deepEqual(seller.balance(), held, 'the seller sold nothing');

    // The old instance winds down without its session (calls fail at once instead of hanging).
    await seller.stop({ revokeOffers: false });
    await startSeller();
    assert.deepEqual(view(seller.balance()), view(held), 'state file read back');
    assert.deepEqual(await buyer.unwrap(enc.keyId, enc.serializer, enc.ciphertext), payload);
    bought.add(hex(enc.keyId));
    assert.deepEqual({ seq: seller.balance()!.seq, balance: seller.balance()!.balance }, { seq: held.seq + 1, balance: held.balance - PRICE });
    assert.deepEqual({ seq: buyer.channel!.seq, remaining: buyer.channel!.remaining }, { seq: buyerBefore.seq + 1, remaining: buyerBefore.remaining - PRICE });
  });

  it('cooperative close of both channels by their delegates settles on chain exactly as the maker\'s ledger says', async () => {
    const provider = edge.provider();
    const d = edge.devchain.contracts;
    const token = new Contract(d.token, xbrTokenAbi, provider);
    const market = new Contract(d.market, xbrMarketAbi, provider);
    const network = new Contract(d.network, xbrNetworkAbi, provider);
    const channel = new Contract(d.channel, xbrChannelAbi, provider);
    const iface = new Interface(xbrChannelAbi);

    // A refunded sale: an offer under the seller's authid for a key it does not hold. The maker reserves,
    // the seller refuses, the maker refunds — its paying ledger is now one seq ahead of the seller.
    const rogue = await connectSeller();
    const keyId = uuid();
    const offerSig = signOffer(offerMessage({ ...w.binding, keyId, apiId: w.apiId, uri: URI, validFrom: 0n, delegate: addr(edge.account(5)), price: PRICE }), bytesOf(edge.account(5)));
    await call(rogue, 'xbr.marketmaker.place_offer', [keyId, w.apiId, URI, 0, addr(edge.account(5)), offerSig], { price: packUint256(PRICE) });
    await rogue.disconnect();
    assert.equal((await rejection(buyer.unwrap(keyId, 'cbor', new Uint8Array(64)))).uri, 'crossbar.error.no_such_object');

    const payment = await ledger('payment', paymentId);
    const paying = await ledger('paying', payingId);
    assert.equal(payment.inflight + paying.inflight, 0n);
    assert.deepEqual({ seq: buyer.channel!.seq, remaining: buyer.channel!.remaining }, { seq: payment.seq, remaining: payment.remaining });
    assert.equal(seller.balance()!.seq, paying.seq - 1, 'the seller is one (refunded) seq behind the maker');
    assert.equal(seller.balance()!.balance, paying.remaining);
    const earned = PAYING - paying.remaining;
    assert.equal(PAYMENT - payment.remaining, earned, 'every purchase went from this buyer to this seller');
    assert.equal(earned, BigInt(bought.size) * PRICE);

    // Who is paid what on a close (XBRChannel settlement): the market fee is a fraction of the coin supply,
    // the network's contribution a fraction of the fee.
    const [owner, organization, marketFee, contribution, coinSupply] = await Promise.all([
      market.getFunction('getMarketOwner')(hexlify(w.marketId)) as Promise<string>,
      network.getFunction('organization')() as Promise<string>,
      market.getFunction('getMarketFee')(hexlify(w.marketId)) as Promise<bigint>,
      network.getFunction('contribution')() as Promise<bigint>,
      token.getFunction('totalSupply')() as Promise<bigint>,
    ]);
    const split = (amount: bigint, remaining: bigint): { payout: bigint; fee: bigint; contribution: bigint } => {
      const fee = ((amount - remaining) * marketFee) / coinSupply;
      const contrib = fee > 0n ? (fee * contribution) / coinSupply : 0n;
      return { payout: amount - remaining - fee, fee, contribution: contrib };
    };
    const parties = {
      buyerMember: edge.account(3).address, buyerDelegate: edge.account(6).address, sellerMember: edge.account(2).address,
      sellerDelegate: edge.account(5).address, maker: edge.makerAddress, owner, organization, channelContract: d.channel,
    };
    const balances = async (): Promise<Map<string, bigint>> => {
      const m = new Map<string, bigint>();
      for (const a of new Set(Object.values(parties).map((x) => x.toLowerCase()))) m.set(a, (await token.getFunction('balanceOf')(a)) as bigint);
      return m;
    };
    /** Token deltas by address, summed where one address plays several parts. */
    const deltas = (moves: [string, bigint][]): Map<string, bigint> => {
      const m = new Map<string, bigint>();
      for (const a of Object.values(parties)) m.set(a.toLowerCase(), 0n);
      for (const [a, v] of moves) m.set(a.toLowerCase(), m.get(a.toLowerCase())! + v);
      return m;
    };
    const moved = (before: Map<string, bigint>, after: Map<string, bigint>): Map<string, bigint> => new Map([...after].map(([a, v]) => [a, v - before.get(a)!]));
    const closedEvent = async (tx: Uint8Array): Promise<{ payout: bigint; fee: bigint; refund: bigint }> => {
      const receipt = (await provider.getTransactionReceipt(hexlify(tx))) as TransactionReceipt;
      const ev = receipt.logs.map((l) => iface.parseLog(l)).find((l) => l?.name === 'Closed');
      assert.ok(ev !== undefined && ev !== null, 'a Closed event in the close transaction');
      return ev.args as unknown as { payout: bigint; fee: bigint; refund: bigint };
    };

    // The buyer closes its payment channel: the member gets the remaining back, the maker the payout.
    let before = await balances();
    const b = await buyer.closeChannel();
    assert.deepEqual([b.seq, b.remaining], [payment.seq, payment.remaining]);
    const bs = split(PAYMENT, payment.remaining);
    assert.deepEqual(moved(before, await balances()), deltas([
      [parties.buyerMember, payment.remaining], [parties.maker, bs.payout], [owner, bs.fee - bs.contribution], [organization, bs.contribution], [d.channel, -PAYMENT],
    ]));
    assert.deepEqual(await closedEvent(b.transaction).then((e) => [e.payout, e.fee, e.refund]), [bs.payout, bs.fee - bs.contribution, payment.remaining]);

    // The seller closes its paying channel (at the maker's newer ledger state): its member gets what it
    // earned, the maker gets the remaining back.
    before = await balances();
    const s = await seller.closeChannel();
    assert.deepEqual([s.seq, s.remaining], [paying.seq, paying.remaining]);
    const ss = split(PAYING, paying.remaining);
    assert.deepEqual(moved(before, await balances()), deltas([
      [parties.sellerMember, ss.payout], [parties.maker, paying.remaining], [owner, ss.fee - ss.contribution], [organization, ss.contribution], [d.channel, -PAYING],
    ]));
    assert.deepEqual(await closedEvent(s.transaction).then((e) => [e.payout, e.fee, e.refund]), [ss.payout, ss.fee - ss.contribution, paying.remaining]);

    for (const [id, remaining] of [[paymentId, payment.remaining], [payingId, paying.remaining]] as const) {
      const cs = await channel.getFunction('channelClosingStates')(hexlify(id));
      assert.equal(Number(cs.state), 3, 'Closed on chain');
      assert.equal(cs.closedBalance, remaining);
    }
    // The maker's ledger follows the chain.
    await until(() => call<ChannelResult>(buyerMember, 'xbr.marketmaker.get_payment_channel', [paymentId]), (c) => c.state === 3, 'the payment channel Closed at the maker');
    await until(() => call<ChannelResult>(sellerMember, 'xbr.marketmaker.get_paying_channel', [payingId]), (c) => c.state === 3, 'the paying channel Closed at the maker');

    // The seller holds the close (on disk too) and sells nothing more on that channel, whoever asks (the
    // maker's seat: only the maker's role may call a seller).
    const held = seller.balance()!;
    assert.deepEqual([held.closed, held.closeIsFinal, held.seq, held.balance], [true, true, paying.seq, paying.remaining]);
    assert.deepEqual(view(FileSellerStateStore.open(statePath()).load(payingId)), view(held));
    assert.equal((await rejection(seller.closeChannel())).uri, 'xbr.error.channel_closed');
    const makerKey = new Uint8Array(readFileSync(join(edge.cbdir, '.xbr-edge/maker1.key')));
    const enc = await freshPayload({ late: true });
    const closeAt = BigInt(await provider.getBlockNumber());
    const seq = paying.seq + 1;
    const balance = paying.remaining - PRICE;
    const sig = signChannelClose(channelCloseMessage(w.binding, closeAt, payingId, seq, balance, false), makerKey);
    const makerSeat = await connectMakerSeat(edge);
    const refused = await callError(makerSeat, SELL, [w.maker, buyer.buyerPubkey, enc.keyId, payingId, seq, packUint256(PRICE), packUint256(balance), sig], { close_at: closeAt });
    assert.equal(refused.errorUri, 'xbr.error.unexpected_channel_oid');
    assert.match(String(refused.argsList?.[0]), /closed/);
    await makerSeat.disconnect();
  });
});
