/**
 * `buy_key` asked again, through the purchase part's procedure on a real maker DB, with a seller stub behind
 * the maker's session: the identical call gets the same receipt and sealed key from the transaction record
 * (the seller is not called again, the buyer is charged once) — also from a restarted maker (DB reopened, new
 * part) long after the signed `close_at`, for the last copy of an offer, and for a dynamically priced offer
 * (no second quote); while the first call still runs it waits for it; a refunded purchase answers its refund
 * again (same URI, same maker signature); another member is not authorized; a changed argument gets the
 * normal refusal.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Address, Uuid } from '../../../../schema/codec/types.js';
import { packUint256, unpackUint256 } from '../../../../schema/codec/uint256.js';
import { ChannelType } from '../../../../schema/db/records/channel.js';
import type { Offer } from '../../../../schema/db/records/offer.js';
import { SealedBoxKeyPair } from '../../../../schema/crypto/index.js';
import { recoverChannelClose, signChannelClose } from '../../../../schema/eip712/channelClose.js';
import { WampError } from '../../../../schema/errors.js';
import type { ProcedureCall } from '../../../../worker/market/api/index.js';
import { auditLedger } from '../../../../worker/market/ledger/index.js';
import { BLOCK, MAKER, MARKET, freshDb, hex, newKey, openChannel, putOffer, rnd, type Key } from '../ledger/helpers.js';
import { buyKeyHandler, SellerStub, wire } from './buy-key-stubs.js';
import { channelCloseMessage } from '../../../../schema/eip712/index.js';

const PRICE = 35n;
const QUOTE = 7n;
const DEPOSIT = 1000n;

async function rejection(p: Promise<unknown>): Promise<WampError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WampError, `expected a WampError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('purchase part: buy_key asked again', () => {
  let t: Awaited<ReturnType<typeof freshDb>>;
  let block = BLOCK;
  let seller: SellerStub;
  let buyer: Key;
  let actor: Address;
  let payment: Uuid;
  const seed = rnd(32);
  const buyerPubkey = ed25519.getPublicKey(seed);
  const box = SealedBoxKeyPair.fromEd25519Secret(seed);

  before(async () => {
    t = await freshDb();
  });
  after(async () => {
    await t.cleanup();
  });
  beforeEach(() => {
    block = BLOCK;
    seller = new SellerStub(newKey(), QUOTE);
    buyer = newKey();
    actor = rnd(20) as Address;
    payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, DEPOSIT, { actor });
    openChannel(t.db, ChannelType.PAYING, seller.key.address, DEPOSIT);
  });

  /** The buy_key handler of a fresh purchase part (a restarted maker gets a new one). */
  const buyKey = (): ((call: ProcedureCall) => Promise<unknown>) => buyKeyHandler(t.db, seller, () => block);

  /** The signed buy_key call of seq/balance for `offer` (by the channel's actor unless `member` is given). */
  const call = (offer: Offer, seq: number, balance: bigint, over: { amount?: bigint; member?: Address; closeAt?: bigint } = {}): ProcedureCall => {
    const closeAt = over.closeAt ?? BLOCK;
    const signature = signChannelClose(channelCloseMessage(MARKET, closeAt, payment, seq, balance, false), buyer.priv);
    return {
      args: [buyer.address, buyerPubkey, offer.key, payment, seq, packUint256(over.amount ?? offer.price ?? QUOTE), packUint256(balance), signature],
      kwargs: { close_at: closeAt },
      details: { caller: 7, caller_authid: `member-0x${hex(over.member ?? actor)}`, caller_authrole: 'user' },
    };
  };

  const balance = () => t.db.paymentBalances.get(payment)!;

  it('the identical call: the same receipt and sealed key, the seller called once, the buyer charged once', async () => {
    const handler = buyKey();
    const offer = putOffer(t.db, seller.key.address, PRICE);
    const c = call(offer, 2, DEPOSIT - PRICE, { amount: PRICE + 3n });
    const first = (await handler(c)) as Record<string, unknown>;
    const again = (await handler(c)) as Record<string, unknown>;
    assert.deepEqual(wire(again), wire(first));
    assert.equal(seller.calls, 1);
    assert.equal(hex(box.open(again['sealed_key'] as Uint8Array)), hex(seller.dataKey));
    assert.equal(unpackUint256(again['amount'] as Uint8Array), PRICE + 3n, 'the amount the buyer offered, echoed');
    assert.equal(unpackUint256(again['amount_paid'] as Uint8Array), PRICE);
    assert.equal(again['channel_seq'], 2);
    assert.equal(hex(recoverChannelClose(channelCloseMessage(MARKET, BLOCK, payment, 2, DEPOSIT - PRICE, false), again['signature'] as Uint8Array)), hex(MAKER.address));
    assert.deepEqual(balance(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 });
    auditLedger(t.db);
  });

  it('a restarted maker (DB reopened, new part), 2000 blocks later: the same receipt', async () => {
    const offer = putOffer(t.db, seller.key.address, PRICE);
    const c = call(offer, 2, DEPOSIT - PRICE);
    const first = await buyKey()(c);
    await t.reopen();
    block = BLOCK + 2000n; // the signed close_at is out of the purchase window by now
    const again = await buyKey()(c);
    assert.deepEqual(wire(again), wire(first));
    assert.equal(seller.calls, 1);
    assert.deepEqual(balance(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 });
  });

  it('another member asking the identical call is not authorized; a changed argument gets the normal refusal', async () => {
    const handler = buyKey();
    const offer = putOffer(t.db, seller.key.address, PRICE);
    await handler(call(offer, 2, DEPOSIT - PRICE));
    const stranger = await rejection(handler({ ...call(offer, 2, DEPOSIT - PRICE), details: { caller: 9, caller_authid: `member-0x${hex(rnd(20))}`, caller_authrole: 'user' } }));
    assert.equal(stranger.uri, 'wamp.error.not_authorized');
    assert.equal(stranger.kwargs['sealed_key'], undefined);
    // Same seq, another (validly signed) balance: not the identical call.
    const changed = await rejection(handler(call(offer, 2, DEPOSIT - PRICE - 1n)));
    assert.equal(changed.uri, 'xbr.error.unexpected_channel_seq');
    const otherAmount = await rejection(handler(call(offer, 2, DEPOSIT - PRICE, { amount: PRICE + 1n })));
    assert.equal(otherAmount.uri, 'xbr.error.unexpected_channel_seq');
    assert.equal(seller.calls, 1);
    assert.deepEqual(balance(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 });
  });

  it('the last copy: the identical call still gets its receipt, another purchase is sold out', async () => {
    const handler = buyKey();
    const offer = putOffer(t.db, seller.key.address, PRICE, { copies: 1, remaining: 1 });
    const first = await handler(call(offer, 2, DEPOSIT - PRICE));
    assert.deepEqual(wire(await handler(call(offer, 2, DEPOSIT - PRICE))), wire(first));
    assert.equal((await rejection(handler(call(offer, 3, DEPOSIT - 2n * PRICE)))).uri, 'xbr.error.offer_sold_out');
    assert.equal(seller.calls, 1);
  });

  it('a dynamically priced offer: the identical call asks the seller for no quote', async () => {
    const handler = buyKey();
    const offer = putOffer(t.db, seller.key.address, null);
    const first = await handler(call(offer, 2, DEPOSIT - QUOTE));
    assert.equal(seller.quotes, 1);
    assert.deepEqual(wire(await handler(call(offer, 2, DEPOSIT - QUOTE))), wire(first));
    assert.equal(seller.quotes, 1);
    assert.equal(seller.calls, 1);
  });

  it('asked again while the first call waits for the seller: it waits too and gets the same receipt', async () => {
    const handler = buyKey();
    // One copy, taken by the first call's reservation: the second is refused (sold out) before the ledger,
    // finds the first INFLIGHT, and waits for the channel's lock and the resolve commit.
    const offer = putOffer(t.db, seller.key.address, PRICE, { copies: 1, remaining: 1 });
    let open!: () => void;
    seller.gate = new Promise((r) => (open = r));
    const c = call(offer, 2, DEPOSIT - PRICE);
    const first = handler(c);
    while (seller.calls === 0) await new Promise((r) => setTimeout(r, 5));
    const again = handler(c);
    await new Promise((r) => setTimeout(r, 50));
    open();
    seller.gate = undefined;
    const [a, b] = await Promise.all([first, again]);
    assert.deepEqual(wire(b), wire(a));
    assert.equal(seller.calls, 1);
    assert.deepEqual(balance(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 });
  });

  it('a refunded purchase asked again: the same error URI and the same maker-signed refund state', async () => {
    const handler = buyKey();
    const offer = putOffer(t.db, seller.key.address, PRICE);
    seller.mode = 'throw';
    const c = call(offer, 2, DEPOSIT - PRICE);
    const first = await rejection(handler(c));
    seller.mode = 'ok';
    const again = await rejection(handler(c));
    assert.equal(first.uri, 'com.example.seller_broken');
    assert.equal(again.uri, first.uri);
    for (const k of ['payment_channel', 'channel_seq', 'remaining', 'close_at', 'signature']) assert.deepEqual(wire(again.kwargs[k]), wire(first.kwargs[k]), k);
    assert.equal(again.kwargs['channel_seq'], 2);
    assert.equal(unpackUint256(again.kwargs['remaining'] as Uint8Array), DEPOSIT);
    assert.equal(seller.calls, 1);
    assert.deepEqual(balance(), { remaining: DEPOSIT, inflight: 0n, spent: 0n, seq: 2, refunds: 1 });
    // The next purchase builds on the refunded state.
    await handler(call(offer, 3, DEPOSIT - PRICE));
    assert.deepEqual(balance(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 3, sales: 1, refunds: 1 });
  });
});
