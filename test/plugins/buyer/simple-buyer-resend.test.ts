/**
 * SimpleBuyer when a `buy_key` answer is lost, against the real purchase part on a real maker DB (a wampy-like
 * stub client routes the maker's procedures to it and loses answers on demand): the buyer keeps the signed
 * call and sends exactly it again before it signs anything new — on the next `unwrap` (same key or another),
 * on `closeChannel`, after the maker restarts — and adopts what the maker answers: the receipt and key of the
 * purchase it made (paid once, the seller called once), its signed refund, or the purchase itself when the
 * first call never arrived. The buyer's state moves only by a verified receipt or a signed refund.
 */
import { balanceAnswer, channelAnswer, closeAnswer, configAnswer, quoteAnswer, statusAnswer } from '../../helpers/maker-results.js';
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toChecksumAddress } from '../../../schema/codec/address.js';
import type { Address, Uuid } from '../../../schema/codec/types.js';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { offerByKey } from '../../../schema/db/maker-db.js';
import { ChannelType } from '../../../schema/db/records/channel.js';
import { encryptPayload } from '../../../schema/crypto/payload.js';
import { WampError } from '../../../schema/errors.js';
import { WampErrorUri } from '../../../schema/error-uris.js';
import { createLogger } from '../../../schema/log.js';
import { SimpleBuyer } from '../../../plugins/buyer/index.js';
import type { ProcedureCall } from '../../../worker/market/index.js';
import { BLOCK, MAKER, MARKET, freshDb, hex, newKey, openChannel, putOffer, rnd, type Key } from '../../worker/market/ledger/helpers.js';
import { buyKeyHandler, SellerStub } from '../../worker/market/procedures/buy-key-stubs.js';

const MM = 'xbr.marketmaker.';
const PRICE = 35n;
const DEPOSIT = 1000n;

/** How the next `buy_key` goes wrong: its answer is lost after the maker ran it, or it never reaches the maker. */
type Fault = 'none' | 'connection-lost' | 'callee-left' | 'never-arrived';

/** A wampy-like client of the buyer member: the maker's procedures, answered by the real purchase part. */
class MakerStub {
  /** The maker is registered (false: the router answers no_such_procedure, as while it restarts). */
  up = true;
  /** The client has a WAMP session (false: wampCall fails at once). */
  sessionUp = true;
  fault: Fault = 'none';
  /** `[uri, args]` of every call that reached the stub. */
  readonly calls: [string, unknown[]][] = [];

  constructor(
    public buyKey: (call: ProcedureCall) => Promise<unknown>,
    readonly db: () => import('../../../schema/db/maker-db.js').MakerDb,
    readonly payment: Uuid,
    readonly delegate: Address,
    readonly actor: Address,
  ) {}

  getSessionId(): number | null {
    return this.sessionUp ? 1 : null;
  }

  async call(uri: string, payload: { argsList?: unknown[]; argsDict?: Record<string, unknown> } = {}): Promise<{ argsList: unknown[] }> {
    const args = payload.argsList ?? [];
    this.calls.push([uri, args]);
    try {
      return { argsList: [await this.answer(uri, args, payload.argsDict ?? {})] };
    } catch (err) {
      // As wampy rejects: a WAMP ERROR as {errorUri, argsList, argsDict}; a lost connection as a plain Error.
      if (err instanceof WampError) throw { errorUri: err.uri, argsList: [err.message, ...err.args], argsDict: err.kwargs };
      throw err;
    }
  }

  private async answer(uri: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    const db = this.db();
    switch (uri) {
      case MM + 'get_config':
        return configAnswer({
          marketmaker: toChecksumAddress(MAKER.address),
          verifying_chain_id: Number(MARKET.chainId),
          verifying_contract_adr: toChecksumAddress(MARKET.verifyingContract),
          market: formatUuid(MARKET.marketId),
        });
      case MM + 'get_status':
        return statusAnswer(BLOCK);
      case MM + 'get_active_payment_channel':
        return channelAnswer({ channel_oid: this.payment, market_oid: MARKET.marketId, delegate: this.delegate, marketmaker: MAKER.address, channel_type: 1 });
      case MM + 'get_payment_channel_balance':
        return balanceAnswer(db.paymentBalances.get(this.payment)!);
      case MM + 'get_quote':
        return quoteAnswer(args[0] as Uuid, offerByKey(db, args[0] as Uuid)!.price!);
      case MM + 'close_channel': {
        const [channel_oid, , , , balance, seq, is_final] = args as [Uuid, number, number, Uint8Array, Uint8Array, number, boolean];
        return closeAnswer({ market_oid: MARKET.marketId, channel_oid, balance, seq, is_final });
      }
      case MM + 'buy_key': {
        if (!this.up) throw new WampError(WampErrorUri.noSuchProcedure, 'no callee registered for procedure "xbr.marketmaker.buy_key"');
        const fault = this.fault;
        this.fault = 'none';
        if (fault === 'never-arrived') throw new Error('Connection closed');
        const answer = this.buyKey({ args, kwargs, details: { caller: 1, caller_authid: `member-0x${hex(this.actor)}`, caller_authrole: 'user' } });
        if (fault === 'none') return answer;
        await answer.catch(() => undefined); // the maker ran it to the end; its answer is what gets lost
        if (fault === 'callee-left') throw new WampError(WampErrorUri.canceled, 'callee left before answering');
        throw new Error('Connection closed');
      }
      default:
        throw new WampError(WampErrorUri.noSuchProcedure, `no callee for ${uri}`);
    }
  }

  /** The `buy_key` argument lists that reached the stub, newest last. */
  buyKeyCalls(): unknown[][] {
    return this.calls.filter(([u]) => u === MM + 'buy_key').map(([, a]) => a);
  }
}

/** The buyer's channel state with its id as hex (ids from the maker's kwargs are Buffers). */
function state(b: SimpleBuyer): { channelId: string; seq: number; remaining: bigint } | undefined {
  const s = b.channel;
  return s === undefined ? undefined : { channelId: hex(s.channelId), seq: s.seq, remaining: s.remaining };
}

async function rejection(p: Promise<unknown>): Promise<WampError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WampError, `expected a WampError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('SimpleBuyer: a lost buy_key answer is asked again, identically', () => {
  let t: Awaited<ReturnType<typeof freshDb>>;
  let seller: SellerStub;
  let delegate: Key;
  let actor: Address;
  let payment: Uuid;
  let maker: MakerStub;
  let buyer: SimpleBuyer;

  before(async () => {
    t = await freshDb();
  });
  after(async () => {
    await t.cleanup();
  });
  beforeEach(async () => {
    seller = new SellerStub(newKey());
    delegate = newKey();
    actor = rnd(20) as Address;
    payment = openChannel(t.db, ChannelType.PAYMENT, delegate.address, DEPOSIT, { actor });
    openChannel(t.db, ChannelType.PAYING, seller.key.address, DEPOSIT);
    maker = new MakerStub(buyKeyHandler(t.db, seller, () => BLOCK), () => t.db, payment, delegate.address, actor);
    buyer = new SimpleBuyer(MAKER.address, delegate.priv, rnd(32), { logger: createLogger({ test: 'buyer-resend' }, 'error') });
    await buyer.start(maker);
  });

  /** A fresh offer of the seller stub and one payload under its (the stub's) data key. */
  const offer = (): { keyId: Uuid; ct: Uint8Array; data: unknown } => {
    const o = putOffer(t.db, seller.key.address, PRICE);
    const data = { n: hex(o.key) };
    return { keyId: o.key, ct: encryptPayload(seller.dataKey, data), data };
  };
  const ledger = () => t.db.paymentBalances.get(payment)!;

  it('the connection is lost after the maker sold: the next unwrap sends the same call again and gets the key, paid once', async () => {
    const o = offer();
    maker.fault = 'connection-lost';
    const e = await rejection(buyer.unwrap(o.keyId, 'cbor', o.ct));
    assert.match(e.message, /got no answer/);
    assert.deepEqual(state(buyer), { channelId: hex(payment), seq: 1, remaining: DEPOSIT }, 'no receipt, no move');
    assert.deepEqual(ledger(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 }, 'the maker sold');

    assert.deepEqual(await buyer.unwrap(o.keyId, 'cbor', o.ct), o.data);
    const [first, again] = maker.buyKeyCalls();
    assert.deepEqual(again, first, 'exactly the same call, signature included');
    assert.equal(buyer.purchases, 1);
    assert.equal(buyer.resent, 1);
    assert.equal(seller.calls, 1);
    assert.deepEqual(state(buyer), { channelId: hex(payment), seq: 2, remaining: DEPOSIT - PRICE });
    assert.deepEqual(ledger(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 }, 'charged once');
  });

  it('the maker dies before answering and restarts: nothing new is signed until the same call is answered; then the next key', async () => {
    const a = offer();
    const b = offer();
    maker.fault = 'callee-left';
    assert.equal((await rejection(buyer.unwrap(a.keyId, 'cbor', a.ct))).uri, WampErrorUri.canceled);
    // Restarting: the same call is sent again, gets no answer, and no new purchase is signed.
    maker.up = false;
    assert.equal((await rejection(buyer.unwrap(b.keyId, 'cbor', b.ct))).uri, WampErrorUri.noSuchProcedure);
    assert.equal(buyer.purchases, 1);
    assert.equal(buyer.resent, 1);
    // Back, as a new maker over the reopened DB.
    await t.reopen();
    maker.buyKey = buyKeyHandler(t.db, seller, () => BLOCK);
    maker.up = true;
    assert.deepEqual(await buyer.unwrap(b.keyId, 'cbor', b.ct), b.data);
    assert.equal(buyer.resent, 2);
    assert.equal(buyer.purchases, 2);
    const calls = maker.buyKeyCalls();
    assert.equal(calls.length, 4, 'first, again (no maker), again (answered), then the next key');
    assert.deepEqual(calls[1], calls[0]);
    assert.deepEqual(calls[2], calls[0]);
    assert.equal(calls[3]![4], 3, 'the next key signs seq 3');
    // The lost key came with its receipt: cached, no further call.
    assert.deepEqual(await buyer.unwrap(a.keyId, 'cbor', a.ct), a.data);
    assert.equal(maker.buyKeyCalls().length, 4);
    assert.equal(seller.calls, 2);
    assert.deepEqual(state(buyer), { channelId: hex(payment), seq: 3, remaining: DEPOSIT - 2n * PRICE });
    assert.deepEqual(ledger(), { remaining: DEPOSIT - 2n * PRICE, inflight: 0n, spent: 2n * PRICE, seq: 3, sales: 2 });
  });

  it('the call never reached the maker: sent again, it is the purchase itself', async () => {
    const o = offer();
    maker.fault = 'never-arrived';
    await rejection(buyer.unwrap(o.keyId, 'cbor', o.ct));
    assert.equal(ledger().seq, 1);
    maker.sessionUp = false;
    await rejection(buyer.unwrap(o.keyId, 'cbor', o.ct)); // no session: sent nowhere, still pending
    maker.sessionUp = true;
    assert.deepEqual(await buyer.unwrap(o.keyId, 'cbor', o.ct), o.data);
    assert.equal(seller.calls, 1);
    assert.equal(buyer.purchases, 1);
    assert.deepEqual(ledger(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 });
    assert.deepEqual(state(buyer), { channelId: hex(payment), seq: 2, remaining: DEPOSIT - PRICE });
  });

  it('a lost answer of a refunded purchase: the same signed refund is adopted, and the key is bought on top of it', async () => {
    const o = offer();
    seller.mode = 'throw';
    maker.fault = 'connection-lost';
    await rejection(buyer.unwrap(o.keyId, 'cbor', o.ct));
    seller.mode = 'ok';
    assert.deepEqual(await buyer.unwrap(o.keyId, 'cbor', o.ct), o.data);
    assert.equal(buyer.resent, 1);
    assert.equal(buyer.purchases, 2, 'the refunded purchase, then a new one');
    assert.equal(seller.calls, 2);
    assert.deepEqual(state(buyer), { channelId: hex(payment), seq: 3, remaining: DEPOSIT - PRICE });
    assert.deepEqual(ledger(), { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 3, sales: 1, refunds: 1 });
  });

  it('closeChannel sends the lost purchase again first, and closes over its receipt\'s state', async () => {
    const o = offer();
    maker.fault = 'callee-left';
    await rejection(buyer.unwrap(o.keyId, 'cbor', o.ct));
    const closed = await buyer.closeChannel();
    const uris = maker.calls.map(([u]) => u).filter((u) => u === MM + 'buy_key' || u === MM + 'close_channel');
    assert.deepEqual(uris, [MM + 'buy_key', MM + 'buy_key', MM + 'close_channel']);
    const closeArgs = maker.calls.find(([u]) => u === MM + 'close_channel')![1];
    assert.equal(closeArgs[5], 2, 'the close is signed at the receipt\'s seq');
    assert.equal(unpackUint256(closeArgs[4] as Uint8Array), DEPOSIT - PRICE);
    assert.equal(closed.seq, 2);
  });

  it('a restarted start() on a new session sends the lost purchase again right away', async () => {
    const o = offer();
    maker.fault = 'connection-lost';
    await rejection(buyer.unwrap(o.keyId, 'cbor', o.ct));
    assert.equal(await buyer.start(maker), DEPOSIT - PRICE);
    assert.equal(buyer.resent, 1);
    assert.deepEqual(state(buyer), { channelId: hex(payment), seq: 2, remaining: DEPOSIT - PRICE });
    const calls = maker.buyKeyCalls().length;
    assert.deepEqual(await buyer.unwrap(o.keyId, 'cbor', o.ct), o.data);
    assert.equal(maker.buyKeyCalls().length, calls, 'the key came with the answer to the call sent again');
  });
});
