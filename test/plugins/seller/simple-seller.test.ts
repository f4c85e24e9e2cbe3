/**
 * SimpleSeller end to end through the real edge (controller, router, dev chain, xbrmm maker): the seller
 * (a session of member #2, so provider id `member-0x…` of #2; delegate = demo account #5, paying channel
 * opened on chain by the market owner) offers every key it rotates, sells them to a plain wampy buyer (a
 * session of member #3, delegate #6), refuses bad `sell` calls (made from the maker's seat: only the maker
 * may call a seller), resynchronises after a sale the maker refunded, survives a restart with its archive
 * and state file (no other member can take its procedures meanwhile), co-signs a matching close only, and
 * revokes its offers on stop.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Wampy } from 'wampy';
import { SimpleSeller, type EncryptedPayload } from '../../../plugins/seller/index.js';
import { packUint256, unpackUint256 } from '../../../schema/codec/uint256.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { decryptPayload } from '../../../schema/crypto/index.js';
import { recoverChannelClose, signChannelClose } from '../../../schema/eip712/index.js';
import { offerMessage, signOffer } from '../../../schema/eip712/offer.js';
import { startMarketEdge, type MarketEdge } from '../../e2e/harness/market-edge.js';
import {
  addr,
  bytesOf,
  call,
  callError,
  connectMakerSeat,
  connectMember,
  e2eConfig,
  memberAuthidOf,
  openChannelOnChain,
  randomWallet,
  sleep,
  TestBuyer,
  untilKnown,
  uuid,
  world,
  XBR,
  type BalanceResult,
  type QuoteResult,
  type World,
} from '../../e2e/market/offers-purchase-helpers.js';
import { channelCloseMessage } from '../../../schema/eip712/index.js';

const SELLER_MEMBER = 2;
const AUTHID = memberAuthidOf(SELLER_MEMBER);
const SELL = `xbr.provider.${AUTHID}.sell`;
const CLOSE = `xbr.provider.${AUTHID}.close_channel`;
const URI = 'xbr.demo.simple';
const PRICE = 2n * XBR;
const PAYING = 500n * XBR;
const PAYMENT = 1000n * XBR;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('SimpleSeller end to end', { timeout: 300_000 }, () => {
  let edge: MarketEdge;
  let w: World;
  let client: Wampy;
  /** Calls the seller's procedures as the maker would (the maker's Unix socket transport). */
  let makerSeat: Wampy;
  let sellerSession: Wampy;
  let buyer: TestBuyer;
  let seller: SimpleSeller;
  let payingId: Uuid;
  let makerKey: Uint8Array;
  let dir: string;
  const wrapped: { payload: unknown; enc: EncryptedPayload }[] = [];

  const newSeller = (): SimpleSeller =>
    new SimpleSeller(w.maker, bytesOf(edge.account(5)), { archivePath: join(dir, 'keys'), statePath: join(dir, 'paying.json') });

  /** Buys `keyId` and decrypts `enc` with the key. */
  async function buyAndOpen(enc: EncryptedPayload): Promise<unknown> {
    const { key } = await untilKnown(() => buyer.buy(enc.keyId, PRICE));
    return decryptPayload(key, enc.ciphertext, enc.serializer);
  }

  /** `sell` arguments for the seller's next state, signed by `signer` (default the maker key). */
  async function sellArgs(keyId: Uuid, over: { seq?: number; balance?: bigint; signer?: Uint8Array } = {}): Promise<{ args: unknown[]; kwargs: Record<string, unknown> }> {
    const local = seller.balance()!;
    const seq = over.seq ?? local.seq + 1;
    const balance = over.balance ?? local.balance - PRICE;
    const closeAt = BigInt(await edge.provider().getBlockNumber());
    const sig = signChannelClose(channelCloseMessage(w.binding, closeAt, payingId, seq, balance, false), over.signer ?? makerKey);
    return { args: [w.maker, buyer.edPublic, keyId, payingId, seq, packUint256(PRICE), packUint256(balance), sig], kwargs: { close_at: closeAt } };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simple-seller-'));
    edge = await startMarketEdge({ configure: e2eConfig });
    client = await edge.connect({ serializer: 'cbor', wampy: { uriValidation: 'loose' } });
    w = await world(edge, client);
    makerSeat = await connectMakerSeat(edge);
    makerKey = new Uint8Array(readFileSync(join(edge.cbdir, '.xbr-edge/maker1.key')));
    payingId = await openChannelOnChain(w, 2, PAYING, addr(edge.account(5)));
    const paymentId = await openChannelOnChain(w, 1, PAYMENT, addr(edge.account(6)));
    buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, PAYMENT);
    sellerSession = await connectMember(edge, SELLER_MEMBER);
    // The monitor replicates the paying channel within a poll or so; the seller reads it at start.
    for (let i = 0; (await call(sellerSession, 'xbr.marketmaker.get_active_paying_channel', [addr(edge.account(5))])) === null; i++) {
      if (i > 60) throw new Error('paying channel never reached the maker');
      await sleep(250);
    }
    seller = newSeller();
    seller.add(w.apiId, URI, PRICE, { count: 2 });
    await seller.start(sellerSession);
  });
  after(async () => {
    await seller?.stop().catch(() => undefined);
    await makerSeat?.disconnect().catch(() => undefined);
    await edge?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('starts from the maker\'s paying-channel state and offers every rotated key (count 2)', async () => {
    assert.equal(edge.welcome(sellerSession).authid, AUTHID, 'the provider id is the member\'s authid');
    assert.deepEqual({ seq: seller.balance()!.seq, balance: seller.balance()!.balance }, { seq: 1, balance: PAYING });
    assert.equal(hex(seller.balance()!.channelId), hex(payingId));
    for (let i = 0; i < 10; i++) {
      const payload = { i, reading: 20 + i / 10 };
      wrapped.push({ payload, enc: await seller.wrap(w.apiId, URI, payload) });
    }
    const keys = [...new Set(wrapped.map((x) => hex(x.enc.keyId)))];
    assert.equal(keys.length, 5, 'two payloads per key');
    for (const x of wrapped) {
      const quote = await call<QuoteResult>(client, 'xbr.marketmaker.get_quote', [x.enc.keyId]);
      assert.equal(unpackUint256(quote.price), PRICE);
    }
    await assert.rejects(seller.wrap(w.apiId, 'xbr.other.topic', {}), /uri/);
  });

  it('sells keys: the buyer decrypts what the seller wrapped; seq and balance advance in step with the maker', async () => {
    for (const x of [wrapped[0]!, wrapped[2]!]) assert.deepEqual(await buyAndOpen(x.enc), x.payload);
    const local = seller.balance()!;
    assert.equal(local.seq, 3);
    assert.equal(local.balance, PAYING - 2n * PRICE);
    const ledger = await call<BalanceResult>(sellerSession, 'xbr.marketmaker.get_paying_channel_balance', [payingId]);
    assert.equal(ledger.seq, local.seq);
    assert.equal(unpackUint256(ledger.remaining), local.balance);
    // both signatures over the latest state are held, and persisted
    const msg = channelCloseMessage(w.binding, local.closeAt!, payingId, local.seq, local.balance, false);
    assert.equal(hex(recoverChannelClose(msg, local.makerSignature!)), hex(w.maker));
    assert.equal(hex(recoverChannelClose(msg, local.sellerSignature!)), hex(addr(edge.account(5))));
    const file = JSON.parse(readFileSync(join(dir, 'paying.json'), 'utf8'));
    assert.equal(file.channels[hex(payingId)].seq, 3);
  });

  it('refuses bad sell calls by URI and changes nothing', async () => {
    const before = seller.balance();
    const keyId = wrapped[4]!.enc.keyId;
    // Only the maker calls a seller: the router refuses anyone else, the buyer member included.
    const good = await sellArgs(keyId);
    for (const stranger of [client, buyer.session]) assert.equal((await callError(stranger, SELL, good.args, good.kwargs)).errorUri, 'wamp.error.not_authorized');
    let r = await sellArgs(keyId, { signer: bytesOf(randomWallet()) });
    assert.equal((await callError(makerSeat, SELL, r.args, r.kwargs)).errorUri, 'xbr.error.invalid_signature');
    r = await sellArgs(keyId, { seq: before!.seq });
    assert.equal((await callError(makerSeat, SELL, r.args, r.kwargs)).errorUri, 'xbr.error.unexpected_channel_seq', 'replay');
    r = await sellArgs(keyId, { seq: before!.seq + 2 });
    assert.equal((await callError(makerSeat, SELL, r.args, r.kwargs)).errorUri, 'xbr.error.unexpected_channel_seq', 'maker-signed skip the ledger does not confirm');
    r = await sellArgs(keyId, { balance: before!.balance - PRICE - 1n });
    assert.equal((await callError(makerSeat, SELL, r.args, r.kwargs)).errorUri, 'xbr.error.unexpected_channel_balance');
    r = await sellArgs(keyId);
    const badMaker = [...r.args];
    badMaker[0] = addr(randomWallet());
    assert.equal((await callError(makerSeat, SELL, badMaker, r.kwargs)).errorUri, 'xbr.error.unexpected_marketmaker_adr');
    const unknown = [...r.args];
    unknown[2] = uuid();
    assert.equal((await callError(makerSeat, SELL, unknown, r.kwargs)).errorUri, 'crossbar.error.no_such_object');
    const otherChannel = [...r.args];
    otherChannel[3] = uuid();
    assert.equal((await callError(makerSeat, SELL, otherChannel, r.kwargs)).errorUri, 'xbr.error.unexpected_channel_oid');
    const cheap = [...r.args];
    cheap[5] = packUint256(PRICE - 1n);
    assert.equal((await callError(makerSeat, SELL, cheap, r.kwargs)).errorUri, 'xbr.error.insufficient_amount');
    assert.deepEqual(seller.balance(), before);
    // the seller still sells the next real purchase
    assert.deepEqual(await buyAndOpen(wrapped[4]!.enc), wrapped[4]!.payload);
    assert.equal(seller.balance()!.seq, before!.seq + 1);
  });

  it('resynchronises after a sale the maker refunded (its seq stays consumed)', async () => {
    // An offer for a key the seller does not know, placed under its authid: the maker reserves, the seller
    // refuses (no such key), the maker refunds and keeps the advanced seq on both channels.
    // (Another session of the seller's own member: only it may place offers under that authid.)
    const rogue = await connectMember(edge, SELLER_MEMBER);
    const keyId = uuid();
    const sig = signOffer(offerMessage({ ...w.binding, keyId, apiId: w.apiId, uri: URI, validFrom: 0n, delegate: addr(edge.account(5)), price: PRICE }), bytesOf(edge.account(5)));
    await call(rogue, 'xbr.marketmaker.place_offer', [keyId, w.apiId, URI, 0, addr(edge.account(5)), sig], { price: packUint256(PRICE) });
    await rogue.disconnect();
    const local = seller.balance()!;
    const { args, kwargs } = await buyer.buyArgs(keyId, PRICE);
    const e = await callError(buyer.session, 'xbr.marketmaker.buy_key', args, kwargs);
    assert.equal(e.errorUri, 'crossbar.error.no_such_object');
    buyer.seq = Number(e.argsDict!['channel_seq']); // the buyer's payment seq was consumed too
    assert.equal(unpackUint256(e.argsDict!['remaining'] as Uint8Array), buyer.remaining);
    const ledger = await call<BalanceResult>(sellerSession, 'xbr.marketmaker.get_paying_channel_balance', [payingId]);
    assert.equal(ledger.seq, local.seq + 1);
    assert.deepEqual(seller.balance(), local);
    // the next sale arrives at local + 2: accepted after the maker's ledger confirms it
    assert.deepEqual(await buyAndOpen(wrapped[6]!.enc), wrapped[6]!.payload);
    assert.equal(seller.balance()!.seq, local.seq + 2);
    assert.equal(seller.balance()!.balance, local.balance - PRICE);
  });

  it('after a restart (new instance, same archive and state file) an old key sells with the right seq', async () => {
    const held = seller.balance()!;
    await seller.stop({ revokeOffers: false });
    assert.equal((await callError(makerSeat, SELL, (await sellArgs(wrapped[1]!.enc.keyId)).args)).errorUri, 'wamp.error.no_such_procedure');
    // While the seller is away, no one else takes its procedures: not another member, not an anonymous session.
    const squatter = await connectMember(edge, 4);
    for (const session of [squatter, client]) {
      await assert.rejects(session.register(SELL, (() => ({})) as never), (err: { errorUri?: string }) => err.errorUri === 'wamp.error.not_authorized');
    }
    await squatter.disconnect();
    seller = newSeller();
    seller.add(w.apiId, URI, PRICE, { count: 2 });
    await seller.start(sellerSession);
    assert.deepEqual(seller.balance(), held);
    // a key generated and used by the previous instance, never bought so far
    assert.deepEqual(await buyAndOpen(wrapped[9]!.enc), wrapped[9]!.payload);
    assert.equal(seller.balance()!.seq, held.seq + 1);
    assert.equal(seller.balance()!.balance, held.balance - PRICE);
  });

  it('co-signs a cooperative close only for its own current state, or a newer seq at the same balance', async () => {
    const local = seller.balance()!;
    const closeAt = BigInt(await edge.provider().getBlockNumber());
    const closeArgs = (seq: number, balance: bigint, key = makerKey): unknown[] => [
      w.maker, payingId, seq, packUint256(balance), true, signChannelClose(channelCloseMessage(w.binding, closeAt, payingId, seq, balance, true), key),
    ];
    assert.equal((await callError(makerSeat, CLOSE, closeArgs(local.seq - 1, local.balance), { close_at: closeAt })).errorUri, 'xbr.error.unexpected_channel_seq');
    assert.equal((await callError(makerSeat, CLOSE, closeArgs(local.seq, local.balance - 1n), { close_at: closeAt })).errorUri, 'xbr.error.unexpected_channel_balance');
    assert.equal((await callError(makerSeat, CLOSE, closeArgs(local.seq, local.balance, bytesOf(randomWallet())), { close_at: closeAt })).errorUri, 'xbr.error.invalid_signature');
    const wrong = closeArgs(local.seq, local.balance);
    wrong[1] = uuid();
    assert.equal((await callError(makerSeat, CLOSE, wrong, { close_at: closeAt })).errorUri, 'xbr.error.unexpected_channel_oid');
    // a newer seq is the maker's ledger after refunded reservations: only at the balance the seller holds
    assert.equal((await callError(makerSeat, CLOSE, closeArgs(local.seq + 2, local.balance + PRICE), { close_at: closeAt })).errorUri, 'xbr.error.unexpected_channel_seq');
    assert.equal(seller.balance()!.closed, undefined);
    const seq = local.seq + 2;
    const r = await call<{ seq: number; balance: Uint8Array; is_final: boolean; signature: Uint8Array }>(makerSeat, CLOSE, closeArgs(seq, local.balance), { close_at: closeAt });
    assert.equal(r.seq, seq);
    assert.equal(unpackUint256(r.balance), local.balance);
    assert.equal(r.is_final, true);
    assert.equal(hex(recoverChannelClose(channelCloseMessage(w.binding, closeAt, payingId, seq, local.balance, true), r.signature)), hex(addr(edge.account(5))));
    assert.equal(seller.balance()!.closed, true);
    assert.equal(seller.balance()!.seq, seq, 'the state file holds the close it co-signed');
    // no sale on a channel the seller agreed to close
    const s = await sellArgs(wrapped[1]!.enc.keyId);
    assert.equal((await callError(makerSeat, SELL, s.args, s.kwargs)).errorUri, 'xbr.error.unexpected_channel_oid');
  });

  it('stop() revokes the live offers and unregisters', async () => {
    const enc = await seller.wrap(w.apiId, URI, { last: true });
    const quote = await call<QuoteResult>(client, 'xbr.marketmaker.get_quote', [enc.keyId]);
    assert.equal(unpackUint256(quote.price), PRICE);
    await seller.stop();
    assert.equal(seller.state, 'stopped');
    assert.equal((await callError(client, 'xbr.marketmaker.get_quote', [enc.keyId])).errorUri, 'xbr.error.offer_revoked');
    assert.equal((await callError(makerSeat, CLOSE, [])).errorUri, 'wamp.error.no_such_procedure');
  });
});
