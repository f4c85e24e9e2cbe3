/**
 * `SimpleBuyer` end to end through the real edge (router, dev chain, market maker): a plain wampy seller
 * (TestSeller of member #2, delegate #5, paying channel opened on chain by the market owner) and a
 * SimpleBuyer on a session of member #3 whose payment channel it opens itself through `open_channel` (member
 * #3 funds it; the delegate is a fresh key that #3 consents to on chain first). The maker's view of the
 * channel is read by another session of #3: a member sees its own channels only (docs/protocol.md#trust-model).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Contract, hexlify, Interface, type Signer } from 'ethers';
import type { Wampy } from 'wampy';
import { devchainAccountKey, DEMO_SERVICE_PREFIX, xbrChannelAbi, xbrMarketAbi, xbrTokenAbi } from '../../../contracts/index.js';
import { encryptPayload } from '../../../schema/crypto/payload.js';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { WampError } from '../../../schema/errors.js';
import { SimpleBuyer } from '../../../plugins/buyer/index.js';
import { startMarketEdge, type MarketEdge } from '../../e2e/harness/market-edge.js';
import { addr, call, connectMember, e2eConfig, openChannelOnChain, randomWallet, TestSeller, world, XBR, type BalanceResult, type ChannelResult, type World } from '../../e2e/market/offers-purchase-helpers.js';

const AMOUNT = 100n * XBR;
const MAX_PRICE = 10n * XBR;

/** The WampError `fn` rejects with. */
async function rejection(fn: () => Promise<unknown>): Promise<WampError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof WampError, `expected a WampError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('SimpleBuyer end to end', { timeout: 300_000 }, () => {
  let edge: MarketEdge;
  let w: World;
  let seller: TestSeller;
  let probe: Wampy;
  /** Another session of the buyer member #3: reads the buyer's channel at the maker. */
  let buyerMember: Wampy;
  let buyerSession: Wampy;
  let buyer: SimpleBuyer;
  const delegate = randomWallet();
  const edSeed = new Uint8Array(randomBytes(32));
  let tokenOf: (who: string) => Promise<bigint>;

  /** A fresh offer of `price` and `n` payloads encrypted under its key. */
  async function offerWithData(price: bigint, n = 1): Promise<{ keyId: Uint8Array; payloads: { data: unknown; ct: Uint8Array }[] }> {
    const o = await seller.offer({ price });
    const payloads = Array.from({ length: n }, (_, i) => {
      const data = { key: Buffer.from(o.keyId).toString('hex'), i, big: 2n ** 70n, bytes: new Uint8Array([i, 1, 2]) };
      return { data, ct: encryptPayload(o.key, data) };
    });
    return { keyId: o.keyId, payloads };
  }

  const newBuyer = (opts: ConstructorParameters<typeof SimpleBuyer>[3] = {}): SimpleBuyer =>
    new SimpleBuyer(edge.makerAddress, hexToBytes(delegate.privateKey), edSeed, opts);

  before(async () => {
    edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_MM_SELLER_TIMEOUT_MS: '1500' } });
    probe = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, probe);
    seller = await TestSeller.start(w, 2, edge.account(5));
    await openChannelOnChain(w, 2, 500n * XBR, addr(edge.account(5)));
    // The buyer member #3 consents to the fresh delegate as a consumer (what open_channel checks).
    const market = new Contract(edge.devchain.contracts.market, xbrMarketAbi, edge.account(3) as Signer);
    await (await market.getFunction('setConsent')(edge.devchain.demo.marketId, delegate.address, 2, edge.devchain.demo.catalogId, true, DEMO_SERVICE_PREFIX)).wait();
    const token = new Contract(edge.devchain.contracts.token, xbrTokenAbi, edge.provider());
    // No allowance left from the demo: the buyer must approve XBRChannel itself before opening.
    await (await (token.connect(edge.account(3)) as Contract).getFunction('approve')(edge.devchain.contracts.channel, 0n)).wait();
    tokenOf = async (who) => (await token.getFunction('balanceOf')(who)) as bigint;
    buyerSession = await connectMember(edge, 3);
    buyerMember = await connectMember(edge, 3);
  });
  after(async () => {
    await buyer?.stop();
    await edge?.stop();
  });

  it('opens its payment channel through open_channel at start (member #3 funds it, the delegate owns it)', async () => {
    buyer = newBuyer({ maxPrice: MAX_PRICE, openChannel: { amount: AMOUNT, memberKey: devchainAccountKey(3), provider: edge.chainUrl } });
    const memberBefore = await tokenOf(edge.account(3).address);
    const remaining = await buyer.start(buyerSession);
    assert.equal(remaining, AMOUNT);
    assert.equal(memberBefore - (await tokenOf(edge.account(3).address)), AMOUNT, 'the member funded the channel (after approving it)');
    const ch = buyer.channel!;
    assert.equal(ch.seq, 1);
    const onChain = await new Contract(edge.devchain.contracts.channel, xbrChannelAbi, edge.provider()).getFunction('channels')(hexlify(ch.channelId));
    assert.equal(Number(onChain.ctype), 1);
    assert.equal(onChain.actor, edge.account(3).address);
    assert.equal(onChain.delegate, delegate.address);
    assert.equal(onChain.amount, AMOUNT);
    const active = await call<ChannelResult>(buyerMember, 'xbr.marketmaker.get_active_payment_channel', [addr(delegate)]);
    assert.equal(hexlify(active.channel_oid), hexlify(ch.channelId));
  });

  it('buys many keys, once each, and decrypts every payload; local and maker balances agree', async () => {
    const sellsBefore = seller.sells;
    const offers = [];
    for (let i = 0; i < 8; i++) offers.push(await offerWithData(XBR + BigInt(i), 3));
    for (const o of offers) {
      for (const p of o.payloads) assert.deepEqual(await buyer.unwrap(o.keyId, 'cbor', p.ct), p.data);
    }
    const spent = offers.reduce((s, _, i) => s + XBR + BigInt(i), 0n);
    assert.equal(seller.sells - sellsBefore, 8);
    assert.equal(buyer.purchases, 8);
    assert.equal(buyer.channel!.seq, 9);
    assert.equal(buyer.channel!.remaining, AMOUNT - spent);
    const b = await buyer.balance();
    assert.equal(b.seq, 9);
    assert.equal(b.remaining, AMOUNT - spent);
    assert.equal(b.inflight, 0n);
  });

  it('concurrent unwraps of one key make one purchase; of different keys, one each, in sequence', async () => {
    const one = await offerWithData(2n * XBR, 5);
    const sells = seller.sells;
    const purchases = buyer.purchases;
    const results = await Promise.all(one.payloads.map((p) => buyer.unwrap(one.keyId, 'cbor', p.ct)));
    assert.deepEqual(results, one.payloads.map((p) => p.data));
    assert.equal(seller.sells - sells, 1);
    assert.equal(buyer.purchases - purchases, 1);

    const many = await Promise.all([1, 2, 3, 4].map(() => offerWithData(XBR, 2)));
    const before = buyer.channel!;
    const all = await Promise.all(many.flatMap((o) => o.payloads.map((p) => buyer.unwrap(o.keyId, 'cbor', p.ct))));
    assert.deepEqual(all, many.flatMap((o) => o.payloads.map((p) => p.data)));
    assert.equal(buyer.purchases - purchases, 5);
    assert.equal(buyer.channel!.seq, before.seq + 4);
    assert.equal(buyer.channel!.remaining, before.remaining - 4n * XBR);
    assert.equal((await buyer.balance()).remaining, buyer.channel!.remaining);
  });

  it('refuses a key dearer than maxPrice or revoked without buying, and a payload under another key does not decrypt', async () => {
    const dear = await offerWithData(MAX_PRICE + 1n);
    const sells = seller.sells;
    const state = buyer.channel!;
    const e = await rejection(() => buyer.unwrap(dear.keyId, 'cbor', dear.payloads[0]!.ct));
    assert.equal(e.uri, 'xbr.error.max_price_exceeded');
    assert.equal(seller.sells, sells);
    assert.deepEqual(buyer.channel, state);

    const revoked = await offerWithData(XBR);
    await call(seller.session, 'xbr.marketmaker.revoke_offer', [revoked.keyId]);
    const r = await rejection(() => buyer.unwrap(revoked.keyId, 'cbor', revoked.payloads[0]!.ct));
    assert.equal(r.uri, 'xbr.error.offer_revoked');
    assert.match(r.message, new RegExp(`key ${formatUuid(revoked.keyId)} cannot be bought`));
    assert.deepEqual(buyer.channel, state);

    const a = await offerWithData(XBR);
    const b = await offerWithData(XBR);
    await buyer.unwrap(b.keyId, 'cbor', b.payloads[0]!.ct);
    assert.equal((await rejection(() => buyer.unwrap(b.keyId, 'cbor', a.payloads[0]!.ct))).uri, 'xbr.error.decryption_failed');
    assert.equal((await rejection(() => buyer.unwrap(b.keyId, 'json', b.payloads[0]!.ct))).uri, 'xbr.error.deserialization_failed');
  });

  it('a failing seller: clear error, the maker-signed refund is adopted, the next purchase (same key) succeeds', async () => {
    const o = await offerWithData(3n * XBR);
    const before = buyer.channel!;
    seller.mode = 'throw';
    try {
      const e = await rejection(() => buyer.unwrap(o.keyId, 'cbor', o.payloads[0]!.ct));
      assert.equal(e.uri, 'com.example.seller_broken');
      assert.match(e.message, /refunded/);
      assert.ok(e.kwargs['signature'] instanceof Uint8Array);
    } finally {
      seller.mode = 'ok';
    }
    // The maker kept the advanced seq and gave the price back; the buyer holds exactly that state.
    assert.equal(buyer.channel!.seq, before.seq + 1);
    assert.equal(buyer.channel!.remaining, before.remaining);
    const maker = await buyer.balance();
    assert.equal(maker.seq, before.seq + 1);
    assert.equal(maker.remaining, before.remaining);

    assert.deepEqual(await buyer.unwrap(o.keyId, 'cbor', o.payloads[0]!.ct), o.payloads[0]!.data);
    assert.equal(buyer.channel!.seq, before.seq + 2);
    assert.equal(buyer.channel!.remaining, before.remaining - 3n * XBR);
  });

  it('a restarted buyer (new instance) resumes at the maker\'s seq and balance and keeps buying', async () => {
    const state = buyer.channel!;
    await buyer.stop();
    const session = await connectMember(edge, 3);
    // No openChannel option: it must find the channel the first instance opened.
    buyer = newBuyer();
    assert.equal(await buyer.start(session), state.remaining);
    assert.deepEqual(buyer.channel, state);
    const o = await offerWithData(XBR, 2);
    for (const p of o.payloads) assert.deepEqual(await buyer.unwrap(o.keyId, 'cbor', p.ct), p.data);
    assert.equal(buyer.channel!.seq, state.seq + 1);
    assert.equal(buyer.channel!.remaining, state.remaining - XBR);

    // Without maxPrice the limit is the channel: a key dearer than what is left is refused before buying.
    const dear = await offerWithData(buyer.channel!.remaining + 1n);
    const sells = seller.sells;
    const e = await rejection(() => buyer.unwrap(dear.keyId, 'cbor', dear.payloads[0]!.ct));
    assert.equal(e.uri, 'xbr.error.insufficient_balance');
    assert.equal(seller.sells, sells);
  });

  it('closes cooperatively: Closed on chain, the member refunded the remaining, the maker paid the rest', async () => {
    const state = buyer.channel!;
    const member = edge.account(3).address;
    const [memberBefore, makerBefore] = await Promise.all([tokenOf(member), tokenOf(edge.makerAddress)]);
    const closed = await buyer.closeChannel();
    assert.equal(closed.seq, state.seq);
    assert.equal(closed.remaining, state.remaining);

    const channel = new Contract(edge.devchain.contracts.channel, xbrChannelAbi, edge.provider());
    const cs = await channel.getFunction('channelClosingStates')(hexlify(state.channelId));
    assert.equal(Number(cs.state), 3, 'Closed on chain');
    assert.equal(cs.closedBalance, state.remaining);
    const receipt = await edge.provider().getTransactionReceipt(hexlify(closed.transaction));
    const iface = new Interface(xbrChannelAbi);
    const ev = receipt!.logs.map((l) => iface.parseLog(l)).find((l) => l?.name === 'Closed');
    assert.ok(ev !== undefined && ev !== null, 'a Closed event');
    const { payout, fee, refund } = ev.args as unknown as { payout: bigint; fee: bigint; refund: bigint };
    assert.equal(refund, state.remaining);
    assert.equal(payout + fee, AMOUNT - state.remaining, 'the demo market charges no fee, and no network contribution is due');
    const [memberAfter, makerAfter] = await Promise.all([tokenOf(member), tokenOf(edge.makerAddress)]);
    assert.equal(memberAfter - memberBefore, state.remaining);
    assert.equal(makerAfter - makerBefore, payout);

    // The maker's ledger follows the chain (monitor) and the buyer refuses to buy on a closed channel.
    const deadline = Date.now() + 15_000;
    let ledgerState = 0;
    while (Date.now() < deadline) {
      ledgerState = (await call<ChannelResult>(buyerMember, 'xbr.marketmaker.get_payment_channel', [state.channelId])).state;
      if (ledgerState === 3) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(ledgerState, 3);
    const o = await offerWithData(XBR);
    assert.equal((await rejection(() => buyer.unwrap(o.keyId, 'cbor', o.payloads[0]!.ct))).uri, 'xbr.error.channel_closed');
    assert.equal(unpackUint256((await call<BalanceResult>(buyerMember, 'xbr.marketmaker.get_payment_channel_balance', [state.channelId])).remaining), state.remaining);
  });
});

function hexToBytes(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h.replace(/^0x/, ''), 'hex'));
}
