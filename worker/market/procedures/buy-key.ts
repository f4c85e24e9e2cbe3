/**
 * `buy_key(delegate_adr, buyer_pubkey, key_id, channel_oid, channel_seq, amount, balance, signature, *, close_at)`
 * (docs/protocol.md#buy-key) with the fixes of docs/protocol.md#differences. The start-up recovery of interrupted purchases is the
 * purchase part's (worker/market/parts/purchase-recovery.ts).
 *
 * One purchase: check the arguments → (dynamic price: ask the seller) → reserve in one durable write
 * (ledger checks, offer buyable + one copy taken, seq + 1 on both channels) → sign the paying state and
 * call `xbr.provider.<seller_authid>.sell` with a deadline → the ledger verifies the seller's signature
 * and resolves durably → sign the receipt. On a failure after the reservation the buyer is refunded and
 * the error carries the maker-signed refunded state (see `buy-key-receipt.ts`). The payment channel and
 * the seller are locked from reserve to resolve; other channels and sellers run concurrently.
 *
 * The identical signed call asked again (after a lost answer: connection, cancel, crash of the maker) gets the
 * answer of the purchase it made, from the transaction record (`buy-key-replay.ts`): looked up only once the
 * normal path refused it without reserving, so the normal purchase does no extra read.
 */
import { chainRead } from '../../chain/index.js';
import type { BuyKeyResult } from '../../../schema/api/index.js';
import { parseAddress } from '../../../schema/codec/index.js';
import { nowNs } from '../../../schema/codec/index.js';
import type { Address, Amount, Uuid } from '../../../schema/codec/index.js';
import { formatUuid, timeOrderedUuid } from '../../../schema/codec/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { TransactionState } from '../../../schema/db/index.js';
import { WampError } from '../../../schema/index.js';
import { MarketMakerTopic, WampErrorUri } from '../../../schema/index.js';
import type { MakerContext, ProcedureCall, MakerHandler } from '../api/index.js';
import { KeyedMutex, runPurchase, type ReservedPurchase } from '../ledger/index.js';
import type { MarketBinding } from '../../../schema/eip712/index.js';
import { checkOfferBuyable, takeCopy, unsellableReason } from '../offers/index.js';
import { publishLogged } from './publish-logged.js';
import { askSellerPrice } from './seller-quote.js';
import { DEFAULT_SELLER_TIMEOUT_MS, envMs } from './seller-call.js';
import { requireCallerMember } from './member-checks.js';
import { parseBuyKeyArgs, type BuyKeyInput } from './buy-key-args.js';
import { BlockHead, DEFAULT_HEAD_TTL_MS } from '../../../schema/index.js';
import { buyKeyReceipt, refundedError } from './buy-key-receipt.js';
import { answerAgain, type AnswerAgainContext } from './buy-key-replay.js';
import { sellReserved } from './buy-key-seller-call.js';
import { countPurchase } from '../metrics.js';
import { requireSellerOnline } from './seller-online.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

/** What one `buy_key` call did so far. */
interface Attempt {
  reserved?: ReservedPurchase;
  repeated?: boolean;
}

export interface BuyKeyOptions {
  /** Deadline of the seller's `sell` (ms); default `XBR_MM_SELLER_TIMEOUT_MS` or 10 s. */
  readonly sellTimeoutMs?: number;
  /** Largest age of the cached chain head used for the `close_at` window (ms); default 1 s. */
  readonly headTtlMs?: number;
}

/** How long a purchase waits for the chain head before it checks against the last one known (ms). */
const HEAD_TIMEOUT_MS = 2000;

export function buyKeyProcedure(ctx: MakerContext, options: BuyKeyOptions = {}): MakerHandler<typeof MarketMakerProcedure.buyKey> {
  const timeoutMs = options.sellTimeoutMs ?? envMs('XBR_MM_SELLER_TIMEOUT_MS', DEFAULT_SELLER_TIMEOUT_MS);
  const mutex = new KeyedMutex();
  const head = new BlockHead(
    async () => BigInt(await chainRead('the current block', () => ctx.provider.getBlockNumber(), { timeoutMs: HEAD_TIMEOUT_MS })),
    options.headTtlMs ?? DEFAULT_HEAD_TTL_MS,
    (err, last) => ctx.log.warn('chain head not readable; checking close_at against the last head known', { block: last.toString(), error: err as Error }),
  );
  const makerAddress = parseAddress(ctx.address, 'maker address');
  const binding: MarketBinding = { chainId: ctx.verifyingChainId, verifyingContract: parseAddress(ctx.verifyingContract, 'verifying_contract_adr'), marketId: ctx.marketId };
  const db = ctx.makerDb;

  /** The price to charge: the offer's, or for a dynamically priced offer the seller's quote now. */
  const priceOf = async (offer: Offer): Promise<Amount | undefined> => (offer.price === null ? askSellerPrice(ctx.session, offer, timeoutMs) : undefined);

  const publishEmpty = (reserved: ReservedPurchase, r: { paymentBalance: { remaining: bigint; inflight: bigint }; payingBalance?: { remaining: bigint; inflight: bigint } }): void => {
    if (reserved.price === 0n) return;
    if (r.paymentBalance.remaining + r.paymentBalance.inflight === 0n) {
      const id = reserved.payment.channel.channel_oid;
      publishLogged(ctx, MarketMakerTopic.onPaymentChannelEmpty, [id], { payment_channel: formatUuid(id) });
    }
    if (reserved.paying !== undefined && r.payingBalance !== undefined && r.payingBalance.remaining + r.payingBalance.inflight === 0n) {
      const id = reserved.paying.channel.channel_oid;
      publishLogged(ctx, MarketMakerTopic.onPayingChannelEmpty, [id], { paying_channel: formatUuid(id) });
    }
  };

  const again: AnswerAgainContext = { db, mutex, makerKey: ctx.privateKey, binding };

  /** `buy_key` asked again: the answer of the purchase the identical call made (logged), or undefined. */
  const answeredAgain = async (input: BuyKeyInput, buyerMember: Address): Promise<BuyKeyResult | undefined> => {
    const receipt = await answerAgain(again, input, buyerMember);
    if (receipt !== undefined) {
      ctx.log.info('buy_key asked again: answered from its transaction record', { key: formatUuid(input.keyId), payment_channel: formatUuid(input.channelId), channel_seq: input.channelSeq });
    }
    return receipt;
  };

  /** One purchase; `attempt.reserved` is set once this call holds a reservation, `attempt.repeated` when it is answered again. */
  const purchase = async (input: BuyKeyInput, buyerMember: Address, attempt: Attempt): Promise<BuyKeyResult> => {
    const offer = checkOfferBuyable(db, input.keyId, { now: nowNs() });
    // Before anything is reserved: a purchase from a seller that is gone would only burn a seq on both channels.
    await requireSellerOnline(ctx, offer);
    if (offer.price === null) {
      // The quote is a call to the seller, which an identical call asked again must not make.
      const receipt = await answeredAgain(input, buyerMember);
      if (receipt !== undefined) {
        attempt.repeated = true;
        return receipt;
      }
    }
    const price = await priceOf(offer);
    // The cached head may be a poll behind the block the buyer read: look again before calling it the future.
    let currentBlock = await head.current();
    if (input.closeAt > currentBlock) currentBlock = await head.fresh();
    const tid = timeOrderedUuid();
    try {
      const { resolved } = await runPurchase(
        db,
        mutex,
        {
          ...binding,
          offer,
          ...(price === undefined ? {} : { price }),
          paymentChannelId: input.channelId,
          buyerDelegate: input.delegate,
          buyerMember,
          buyerPubkey: input.buyerPubkey,
          amount: input.amount,
          channelSeq: input.channelSeq,
          balance: input.balance,
          signature: input.signature,
          closeAt: input.closeAt,
          currentBlock,
          now: nowNs(),
          tid,
          onReserve: (o) => {
            // Same clock rules as get_quote, decided inside the reservation so no copy is oversold.
            // `o` is the stored record just read by the ledger (key → offer is unique and fixed).
            const reason = unsellableReason(o, nowNs());
            if (reason !== undefined) throw reason;
            return takeCopy(db, o);
          },
        },
        async (r) => {
          attempt.reserved = r;
          return sellReserved(ctx.session, makerAddress, ctx.privateKey, input, r, timeoutMs);
        },
      );
      const r = attempt.reserved as ReservedPurchase | undefined;
      if (r === undefined) throw new WampError(WampErrorUri.runtimeError, 'purchase resolved without a reservation');
      const receipt = buyKeyReceipt(ctx.privateKey, binding, r, resolved);
      // debug: one line per purchase would cost more than the purchase's own bookkeeping at full rate, and its
      // fields alone cost ~4 µs, so they are built only when debug lines are written.
      // Written after the resolve is durable and before the receipt is returned (sent): a crash test kills
      // the worker right here to prove that the identical call gets this receipt after the restart.
      if (ctx.log.debugEnabled) {
        ctx.log.debug('key sold', {
          tid: formatUuid(tid),
          offer: formatUuid(r.offer.offer),
          key: formatUuid(input.keyId),
          payment_channel: formatUuid(input.channelId),
          paying_channel: r.paying === undefined ? null : formatUuid(r.paying.channel.channel_oid),
          price: r.price,
          channel_seq: receipt.channel_seq,
        });
      }
      publishEmpty(r, resolved);
      return receipt;
    } catch (err) {
      if (!(err instanceof WampError) || attempt.reserved === undefined) throw err;
      // Only a purchase the ledger has durably FAILED (refunded) gets a signed refund state.
      if (db.transactions.get(tid)?.state !== TransactionState.FAILED) throw err;
      const seq = err.kwargs['channel_seq'];
      const remaining = err.kwargs['remaining'];
      if (typeof seq !== 'number' || typeof remaining !== 'bigint') throw err;
      ctx.log.warn('purchase failed and refunded', {
        tid: formatUuid(tid),
        key: formatUuid(input.keyId),
        payment_channel: formatUuid(input.channelId),
        seller_authid: offer.seller_authid,
        error_uri: err.uri,
        error: err.message,
        channel_seq: seq,
      });
      throw refundedError(err, ctx.privateKey, binding, input, input.channelId as Uuid, seq, remaining);
    }
  };

  const answer = async (call: ProcedureCall, attempt: Attempt): Promise<BuyKeyResult> => {
    const input: BuyKeyInput = parseBuyKeyArgs(call.args, call.kwargs);
    const buyerMember = requireCallerMember(call.details, undefined, 'buy_key');
    try {
      return await purchase(input, buyerMember, attempt);
    } catch (err) {
      // Refused before this call reserved anything: it may be the identical call asked again (its seq is
      // used, its offer may be sold out or expired by now). Only then is the transaction record consulted.
      if (attempt.reserved !== undefined || !(err instanceof WampError)) throw err;
      const receipt = await answeredAgain(input, buyerMember);
      if (receipt === undefined) throw err;
      attempt.repeated = true;
      return receipt;
    }
  };

  const buyKey = async (call: ProcedureCall): Promise<BuyKeyResult> => {
    const started = performance.now();
    const attempt: Attempt = {};
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      const receipt = await answer(call, attempt);
      countPurchase(ctx.marketIdHex, attempt.repeated === true ? 'repeated' : 'sold', seconds());
      return receipt;
    } catch (err) {
      countPurchase(ctx.marketIdHex, attempt.reserved === undefined ? 'refused' : 'refunded', seconds(), err);
      throw err;
    }
  };

  return buyKey;
}
