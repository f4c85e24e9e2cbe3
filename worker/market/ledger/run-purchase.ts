/**
 * The whole purchase under the per-channel lock: reserve → seller call → verify → resolve. Purchases on
 * the same payment channel, and sales of the same seller delegate (whose paying channel accepts only the
 * next seq), run one at a time; all others run concurrently (docs/protocol.md#ledger-rules). The reserve and the resolve are
 * group commits (`env.write`): concurrent purchases share their fsyncs. The seller is called only once
 * the reserve is durable, and the result is returned only once the resolve is durable; the locks are
 * released as soon as the resolve is queued (see `resolvePurchaseBatched`). Every
 * `await` is outside the synchronous read-check-write of a transaction.
 */
import type { Address, Signature65 } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import { ChannelType } from '../../../schema/db/index.js';
import { recoverDigestSigner } from '../../../schema/eip712/index.js';
import { toWampError, WampError } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import { activeChannel } from './active-channel.js';
import { invalidSignature, noActivePaymentChannel } from './errors.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { reservePurchaseBatched, type ReservedPurchase, type ReservePurchaseRequest } from './reserve-purchase.js';
import { resolvePurchaseBatched, type PurchaseOutcome, type ResolvedPurchase } from './resolve-purchase.js';
import { hexOf, sameBytes } from './types.js';

/**
 * Throws `xbr.error.invalid_signature` unless `signature` is the paying channel delegate's EIP712ChannelClose
 * over exactly the paying state the maker reserved (docs/protocol.md#buy-key-flow, XBRSIG 6/8).
 */
export function verifySellerSignature(reserved: ReservedPurchase, signature: Uint8Array | undefined): void {
  const paying = reserved.paying;
  if (paying === undefined) return;
  if (signature === undefined) throw invalidSignature('the seller delegate returned no signature');
  let signer: Address;
  try {
    signer = recoverDigestSigner(paying.digest, signature);
  } catch (err) {
    throw invalidSignature(`EIP712 signature invalid or not signed by seller delegate (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (!sameBytes(signer, paying.channel.delegate)) throw invalidSignature('EIP712 signature invalid or not signed by seller delegate');
}

/** What the seller call must produce for a SUCCESS. */
export interface SellResult {
  /** The seller delegate's signature over `reserved.paying.message` (may be absent only without a paying leg). */
  readonly sellerSignature?: Signature65;
  /** The data key sealed to the buyer: stored with the SUCCESS, so the identical `buy_key` can be answered again. */
  readonly sealedKey?: Uint8Array;
}

function successOf(sold: SellResult): PurchaseOutcome {
  const { sellerSignature, sealedKey } = sold;
  if (sellerSignature === undefined) return sealedKey === undefined ? { ok: true } : { ok: true, sealedKey };
  return sealedKey === undefined ? { ok: true, sellerSignature } : { ok: true, sellerSignature, sealedKey };
}

/** A finished purchase. */
export interface PurchaseResult<S extends SellResult> {
  readonly reserved: ReservedPurchase;
  readonly resolved: ResolvedPurchase;
  /** What `sell` returned (e.g. the sealed key). */
  readonly sold: S;
}

/** The lock key of a payment channel: held by a purchase on it from before its reserve until its resolve is queued. */
export function paymentLockKey(paymentChannelId: Uint8Array): string {
  return `payment:${hexOf(paymentChannelId)}`;
}

/** The lock keys of a purchase: its payment channel and its seller. */
function purchaseLockKeys(paymentChannelId: Uint8Array, seller: Uint8Array): string[] {
  return [paymentLockKey(paymentChannelId), `seller:${hexOf(seller)}`];
}

/**
 * Runs one purchase end to end. `sell` gets the durable reservation (sign `reserved.paying.message` inside
 * it, call the seller, return its signature); if it throws, or the seller's signature does not verify, the
 * purchase is failed and refunded and the error is rethrown (as `xbr.error.transaction_failed` unless it
 * already is a WampError), with the resync kwargs (`channel_seq`, `remaining`) added.
 * A refused reservation throws before `sell` is called. Storage errors while resolving propagate.
 * @example
 * const { resolved, sold } = await runPurchase(db, mutex, req, async (r) => callSeller(r, signChannelClose(r.paying!.message, makerKey)));
 */
export async function runPurchase<S extends SellResult>(
  db: MakerDb,
  mutex: KeyedMutex,
  req: ReservePurchaseRequest,
  sell: (reserved: ReservedPurchase) => Promise<S>,
): Promise<PurchaseResult<S>> {
  let paymentChannelId = req.paymentChannelId;
  if (paymentChannelId === undefined) {
    // Pin the channel before locking, so the lock and the reservation are about the same channel.
    paymentChannelId = activeChannel(db, ChannelType.PAYMENT, req.buyerDelegate, req.marketId)?.channel.channel_oid;
    if (paymentChannelId === undefined) throw noActivePaymentChannel(hexOf(req.buyerDelegate));
  }
  const pinned: ReservePurchaseRequest = { ...req, paymentChannelId };
  const done = await mutex.run(purchaseLockKeys(paymentChannelId, req.offer.seller), async () => {
    const reserved = await reservePurchaseBatched(db, pinned);
    let sold: S;
    try {
      sold = await sell(reserved);
      verifySellerSignature(reserved, sold.sellerSignature);
    } catch (err) {
      const e = toWampError(err, XbrErrorUri.transactionFailed);
      const resolved = await resolvePurchaseBatched(db, reserved.transaction.tid, { ok: false, error: e.uri });
      throw new WampError(e.uri, e.message, {
        args: e.args,
        kwargs: { ...e.kwargs, payment_channel: resolved.transaction.payment_channel, channel_seq: resolved.paymentBalance.seq, remaining: resolved.paymentBalance.remaining },
        cause: err,
      });
    }
    // The locks are released as soon as the resolve is queued, not once it has run or is durable: queued
    // writes run in queue order (env.write), so the next purchase's reservation on these channels runs
    // after this resolve, in the same commit or a later one, and can only be durable (and signed for)
    // after it. This purchase's receipt still waits for its own durable commit, below.
    const durable = resolvePurchaseBatched(db, reserved.transaction.tid, successOf(sold));
    return { reserved, sold, durable };
  });
  const resolved = await done.durable;
  return { reserved: done.reserved, resolved, sold: done.sold };
}
