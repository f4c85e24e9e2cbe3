/**
 * Phase 1 of a key purchase (docs/protocol.md#ledger-rules): every check and the reservation in ONE synchronous, durable LMDB
 * write transaction. Nothing is awaited between reading the ledger and writing it, so two purchases can
 * never both spend the same `remaining` or both use the same `channel_seq`; a refusal throws from inside
 * the transaction and leaves the DB exactly as it was.
 *
 * Decisions (documented in the ledger's README-level module doc, `index.ts`):
 * - the buyer's EIP712ChannelClose must be signed by the payment channel's DELEGATE (docs/protocol.md#maker-defect-14) over
 *   (chainId, verifyingContract, closeAt, marketId, channelId, channel_seq, balance, isFinal=false), with
 *   `closeAt` within {@link CLOSE_AT_WINDOW} blocks of the maker's current block;
 * - `channel_seq == ledger.seq + 1` and `balance == ledger.remaining − price` (the price actually charged;
 *   `amount` is only the most the buyer agrees to pay, so the signed state is always the ledger's state);
 * - the paying leg moves by the same price P as the payment leg (docs/protocol.md#balance-arithmetic). The market fee is not an
 *   off-chain matter: XBRChannel takes it from each leg's earned amount at settlement;
 * - free offers (price 0) still need the buyer's payment channel and signature, and still advance its seq
 *   by 1 (the buyer's rule "sign seq + 1" never depends on the price); the seller's active paying channel,
 *   if it has one, advances by 1 at balance unchanged, otherwise none is used;
 * - the maker signs nothing here: the result carries the two EIP712ChannelClose messages, and the caller
 *   signs `paying.message` for the seller once this function has returned (the reservation is durable).
 */
import { argumentError, describe } from '../../../schema/codec/index.js';
import type { Address, Amount, Ed25519PublicKey, Hash32, NsTime, Signature65, Uuid } from '../../../schema/codec/index.js';
import { UINT256_MAX } from '../../../schema/codec/index.js';
import { formatUuid, timeOrderedUuid } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import type { ChannelBalance } from '../../../schema/db/index.js';
import { ChannelState, ChannelType, type Channel } from '../../../schema/db/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { TransactionState, type Transaction } from '../../../schema/db/index.js';
import { hashChannelClose } from '../../../schema/eip712/index.js';
import { recoverDigestSigner } from '../../../schema/eip712/index.js';
import type { ChannelCloseMessage } from '../../../schema/eip712/index.js';
import { WampError } from '../../../schema/index.js';
import { XbrErrorUri, CrossbarErrorUri } from '../../../schema/index.js';
import { activeChannel } from './active-channel.js';
import {
  insufficientAmount,
  insufficientPayingBalance,
  insufficientPaymentBalance,
  invalidSignature,
  ledgerCorrupt,
  noActivePaymentChannel,
  notChannelActor,
  paymentChannelNotOpen,
  unexpectedBalance,
  unexpectedSeq,
} from './errors.js';
import { checkCloseAt, hexOf, MAX_CHANNEL_SEQ, sameBytes } from './types.js';
import { channelCloseMessage, type MarketBinding } from '../../../schema/eip712/index.js';

/** `paying_channel` of a transaction that used no paying channel (a free key from a seller without one). */
export const NO_PAYING_CHANNEL = new Uint8Array(16) as Uuid;

export interface ReservePurchaseRequest extends MarketBinding {
  /** The offer being bought (re-read by id inside the transaction; the stored record is authoritative). */
  readonly offer: Offer;
  /** The price to charge: required for a dynamically priced offer (`price: null`, the seller's quote); for a fixed price it may be given and must then equal it. */
  readonly price?: Amount;
  /** `channel_oid` of `buy_key`; when absent the buyer delegate's active payment channel (docs/protocol.md#active-channel). */
  readonly paymentChannelId?: Uuid;
  /** `delegate_adr` of `buy_key`: must be the payment channel's delegate. */
  readonly buyerDelegate: Address;
  /**
   * The authenticated member calling `buy_key` (from the router, never from arguments): it must be the
   * payment channel's actor, so nobody spends from a channel that is not theirs. Left out only by callers
   * that are not serving a WAMP caller (tests of the ledger itself, the in-process bench bound).
   */
  readonly buyerMember?: Address;
  readonly buyerPubkey: Ed25519PublicKey;
  /** The most the buyer agrees to pay (`amount` of `buy_key`). */
  readonly amount: Amount;
  /** The payment channel seq the buyer signed. */
  readonly channelSeq: number;
  /** The payment channel balance the buyer signed. */
  readonly balance: Amount;
  /** The buyer delegate's EIP712ChannelClose signature. */
  readonly signature: Signature65;
  /** The `closeAt` block the buyer signed. */
  readonly closeAt: bigint;
  /** The maker's current block number: `closeAt` may not be after it (the contract refuses such a state until then). */
  readonly currentBlock: bigint;
  /** Time of the reservation, ns (becomes `transaction.created`). */
  readonly now: NsTime;
  /** Transaction id; default a random one. */
  readonly tid?: Uuid;
  /**
   * Runs inside the reserve transaction with the freshly read offer, after every ledger check and before
   * any write: the offer book's buyability checks and copy decrement (`checkOfferBuyable`, `takeCopy`)
   * go here, so a sold-out offer and a reserved purchase can never disagree. Throwing refuses the
   * purchase with nothing changed. Must be synchronous. May return the offer as it now stands (e.g. what
   * `takeCopy` wrote), which saves re-reading it; otherwise it is re-read.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing is the common case
  readonly onReserve?: (offer: Offer) => Offer | void;
}

/** One leg of a reserved purchase. */
export interface ReservedLeg {
  readonly channel: Channel;
  /** The balance after the reservation. */
  readonly balance: ChannelBalance;
  /** The off-chain state after this purchase, as EIP712ChannelClose (isFinal = false). */
  readonly message: ChannelCloseMessage;
  /** The EIP712 digest of `message`, computed once for every signature made or checked over it. */
  readonly digest: Hash32;
}

/** A durable reservation: what the maker needs for the seller call and the receipt. */
export interface ReservedPurchase {
  readonly transaction: Transaction;
  /** The buyer's leg; `payment.message` is what the buyer signed and what the maker countersigns as receipt after SUCCESS. */
  readonly payment: ReservedLeg;
  /** The seller's leg; `paying.message` is what the maker signs and sends with `sell`. Absent for a free key when the seller has no paying channel. */
  readonly paying?: ReservedLeg;
  /** The offer as read inside the transaction (after `onReserve`). */
  readonly offer: Offer;
  /** The price charged. */
  readonly price: Amount;
}

function amountArg(name: string, v: unknown): Amount {
  if (typeof v !== 'bigint' || v < 0n || v > UINT256_MAX) throw argumentError(name, 'a uint256 (bigint)', typeof v === 'bigint' ? String(v) : describe(v));
  return v;
}

function bytesArg(name: string, v: unknown, n: number): void {
  if (!(v instanceof Uint8Array) || v.length !== n) throw argumentError(name, `${n} bytes`, describe(v));
}

function validate(req: ReservePurchaseRequest): void {
  if (req === null || typeof req !== 'object') throw argumentError('request', 'an object', describe(req));
  if (req.offer === null || typeof req.offer !== 'object') throw argumentError('offer', 'an offer record', describe(req.offer));
  bytesArg('offer.offer', req.offer.offer, 16);
  if (req.paymentChannelId !== undefined) bytesArg('channel_oid', req.paymentChannelId, 16);
  bytesArg('delegate_adr', req.buyerDelegate, 20);
  bytesArg('buyer_pubkey', req.buyerPubkey, 32);
  bytesArg('market_oid', req.marketId, 16);
  bytesArg('verifying_contract_adr', req.verifyingContract, 20);
  if (req.tid !== undefined) bytesArg('tid', req.tid, 16);
  amountArg('amount', req.amount);
  amountArg('balance', req.balance);
  if (req.price !== undefined) amountArg('price', req.price);
  if (typeof req.channelSeq !== 'number' || !Number.isInteger(req.channelSeq) || req.channelSeq < 1 || req.channelSeq > MAX_CHANNEL_SEQ) {
    throw argumentError('channel_seq', `an integer in [1, ${MAX_CHANNEL_SEQ}]`, String(req.channelSeq));
  }
  if (typeof req.now !== 'bigint') throw argumentError('now', 'a time in ns (bigint)', describe(req.now));
  if (typeof req.chainId !== 'bigint') throw argumentError('verifying_chain_id', 'a bigint', describe(req.chainId));
  checkCloseAt(req.closeAt, req.currentBlock);
  if (req.closeAt > req.currentBlock) throw argumentError('close_at', `a block not after the current block ${req.currentBlock}`, String(req.closeAt));
  if (req.buyerMember !== undefined) bytesArg('buyer_member', req.buyerMember, 20);
  if (req.onReserve !== undefined && typeof req.onReserve !== 'function') throw argumentError('onReserve', 'a function', describe(req.onReserve));
}

/** The price to charge: the stored offer's, or the caller's quote for a dynamically priced offer. */
function priceOf(offer: Offer, requested: Amount | undefined): Amount {
  if (offer.price === null) {
    if (requested === undefined) throw argumentError('price', 'the quoted price of a dynamically priced offer', 'undefined');
    return requested;
  }
  if (requested !== undefined && requested !== offer.price) throw argumentError('price', `the offer's price ${offer.price}`, String(requested));
  return offer.price;
}

function freshOffer(db: MakerDb, offer: Offer): Offer {
  const stored = db.offers.get(offer.offer);
  if (stored === undefined) throw new WampError(CrossbarErrorUri.noSuchObject, `no offer with ID "${formatUuid(offer.offer)}"`, { kwargs: { offer: offer.offer } });
  if (stored.revoked !== undefined) {
    throw new WampError(XbrErrorUri.offerRevoked, `the offer for key with ID "${formatUuid(stored.key)}" was revoked`, { kwargs: { key: stored.key } });
  }
  return stored;
}

function paymentChannelOf(db: MakerDb, req: ReservePurchaseRequest): { channel: Channel; balance: ChannelBalance } {
  let channel: Channel | undefined;
  if (req.paymentChannelId !== undefined) {
    channel = db.paymentChannels.get(req.paymentChannelId);
    if (channel === undefined) {
      throw new WampError(CrossbarErrorUri.noSuchObject, `no payment channel at address "${formatUuid(req.paymentChannelId)}"`, { kwargs: { channel_oid: req.paymentChannelId } });
    }
  } else {
    channel = activeChannel(db, ChannelType.PAYMENT, req.buyerDelegate, req.marketId)?.channel;
    if (channel === undefined) throw noActivePaymentChannel(hexOf(req.buyerDelegate));
  }
  if (!sameBytes(channel.market_oid, req.marketId)) {
    throw new WampError(CrossbarErrorUri.noSuchObject, `payment channel at address "${formatUuid(channel.channel_oid)}" belongs to another market`, {
      kwargs: { channel_oid: channel.channel_oid },
    });
  }
  if (req.buyerMember !== undefined && !sameBytes(channel.actor, req.buyerMember)) throw notChannelActor(channel, req.buyerMember);
  if (channel.state !== ChannelState.OPEN) throw paymentChannelNotOpen(channel.channel_oid, channel.state);
  const balance = db.paymentBalances.get(channel.channel_oid);
  if (balance === undefined) throw ledgerCorrupt(`payment channel ${formatUuid(channel.channel_oid)} has no balance record`, { channel_oid: channel.channel_oid });
  return { channel, balance };
}

/** Checks the buyer's signature; returns the digest it signed (the receipt is signed over the same state). */
function checkBuyerSignature(req: ReservePurchaseRequest, channel: Channel): { message: ChannelCloseMessage; digest: Hash32 } {
  const message = channelCloseMessage(req, req.closeAt, channel.channel_oid, req.channelSeq, req.balance, false);
  let signer: Address;
  let digest: Hash32;
  try {
    digest = hashChannelClose(message);
    signer = recoverDigestSigner(digest, req.signature);
  } catch (err) {
    throw invalidSignature(`EIP712 signature invalid or not signed by buyer delegate (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (!sameBytes(signer, channel.delegate)) throw invalidSignature('EIP712 signature invalid or not signed by buyer delegate: the signer is not the payment channel\'s delegate');
  if (!sameBytes(req.buyerDelegate, channel.delegate)) throw invalidSignature('delegate_adr is not the payment channel\'s delegate');
  return { message, digest };
}

/**
 * Checks a purchase and reserves its price on both channels in one durable write transaction: payment
 * and paying `remaining −= price`, `inflight += price`, `seq + 1`, and a Transaction in state INFLIGHT.
 * Returns only after the commit is on disk. Every refusal throws a WampError and changes nothing:
 * `wamp.error.invalid_argument` (bad request field, `close_at` out of window, dynamic price missing),
 * `crossbar.error.no_such_object` (offer/channel missing, channel not OPEN or of another market),
 * `xbr.error.offer_revoked`, `xbr.error.invalid_signature`, `xbr.error.unexpected_channel_seq`,
 * `xbr.error.unexpected_channel_balance` (kwargs carry the maker's seq/remaining to resync),
 * `xbr.error.insufficient_amount`, `xbr.error.insufficient_payment_balance`,
 * `xbr.error.insufficient_paying_balance`, whatever `onReserve` throws, storage errors.
 * @example
 * const r = reservePurchase(db, { offer, buyerDelegate, buyerPubkey, paymentChannelId, amount, channelSeq, balance,
 *   signature, closeAt, currentBlock, now: nowNs(), chainId, verifyingContract, marketId, onReserve: (o) => takeCopy(db, o) });
 * const sig = signChannelClose(r.paying!.message, makerKey); // only now may a signature leave the process
 */
export function reservePurchase(db: MakerDb, req: ReservePurchaseRequest): ReservedPurchase {
  return db.env.writeSync(reserver(db, req));
}

/**
 * As {@link reservePurchase}, but the write joins the next batched commit (`env.write`), so concurrent
 * purchases on different channels share one fsync. Resolves once that commit is durable — only then may
 * the paying state be signed for the seller. The checks still run inside the write transaction.
 */
export function reservePurchaseBatched(db: MakerDb, req: ReservePurchaseRequest): Promise<ReservedPurchase> {
  return db.env.write(reserver(db, req));
}

/** Validates the request, then returns the transaction body (read-check-write, synchronous). */
function reserver(db: MakerDb, req: ReservePurchaseRequest): () => ReservedPurchase {
  validate(req);
  const tid = req.tid ?? timeOrderedUuid();
  return () => {
    let offer = freshOffer(db, req.offer);
    const price = priceOf(offer, req.price);
    const payment = paymentChannelOf(db, req);
    const pb = payment.balance;
    const paymentId = payment.channel.channel_oid;
    const signed = checkBuyerSignature(req, payment.channel);
    if (req.channelSeq !== pb.seq + 1) throw unexpectedSeq(paymentId, req.channelSeq, pb.seq + 1, pb.remaining);
    if (price > 0n && req.amount < price) throw insufficientAmount(req.amount, price);
    if (pb.remaining < price) throw insufficientPaymentBalance(paymentId, pb.remaining, price);
    if (req.balance !== pb.remaining - price) throw unexpectedBalance(paymentId, req.balance, pb.remaining - price, pb.seq);

    const paying = activeChannel(db, ChannelType.PAYING, offer.seller, req.marketId);
    if (price > 0n) {
      if (paying === undefined) throw insufficientPayingBalance(hexOf(offer.seller), 'has no open paying channel with a positive balance');
      if (paying.balance.remaining < price) {
        throw insufficientPayingBalance(hexOf(offer.seller), `paying channel ${formatUuid(paying.channel.channel_oid)} has ${paying.balance.remaining} remaining, less than the price ${price}`);
      }
    }
    if (paying !== undefined && paying.balance.seq >= MAX_CHANNEL_SEQ) {
      throw insufficientPayingBalance(hexOf(offer.seller), `paying channel ${formatUuid(paying.channel.channel_oid)} has used up its sequence numbers`);
    }
    if (db.transactions.has(tid)) throw argumentError('tid', 'a new transaction id', `the existing ${formatUuid(tid)}`);

    if (req.onReserve !== undefined) {
      offer = req.onReserve(offer) ?? db.offers.get(offer.offer) ?? offer;
    }

    const paymentAfter: ChannelBalance = { ...pb, remaining: pb.remaining - price, inflight: pb.inflight + price, seq: pb.seq + 1 };
    db.paymentBalances.put(paymentId, paymentAfter);
    let payingLeg: ReservedLeg | undefined;
    if (paying !== undefined) {
      const yb = paying.balance;
      const payingAfter: ChannelBalance = { ...yb, remaining: yb.remaining - price, inflight: yb.inflight + price, seq: yb.seq + 1 };
      db.payingBalances.put(paying.channel.channel_oid, payingAfter);
      const message = channelCloseMessage(req, req.closeAt, paying.channel.channel_oid, payingAfter.seq, payingAfter.remaining, false);
      payingLeg = { channel: paying.channel, balance: payingAfter, message, digest: hashChannelClose(message) };
    }
    const transaction: Transaction = {
      tid,
      created: req.now,
      created_payment_channel_seq: pb.seq,
      created_paying_channel_seq: paying?.balance.seq ?? 0,
      offer: offer.offer,
      key: offer.key,
      amount: price,
      payment_channel: paymentId,
      paying_channel: paying?.channel.channel_oid ?? NO_PAYING_CHANNEL,
      state: TransactionState.INFLIGHT,
      buyer_pubkey: req.buyerPubkey,
      payment_channel_after: paymentAfter.remaining,
      paying_channel_after: payingLeg?.balance.remaining ?? 0n,
      payment_del_sig: req.signature,
      // What the answer to this call is made of, for the identical call asked again (`findPurchaseReplay`).
      close_at: req.closeAt,
    };
    if (req.amount !== price) transaction.amount_offered = req.amount;
    db.transactions.put(tid, transaction);
    // The checks above made (seq, balance) the buyer signed equal to the ledger's state after the purchase,
    // so the buyer's message and digest are this leg's.
    const paymentLeg: ReservedLeg = { channel: payment.channel, balance: paymentAfter, message: signed.message, digest: signed.digest };
    return payingLeg === undefined ? { transaction, payment: paymentLeg, offer, price } : { transaction, payment: paymentLeg, paying: payingLeg, offer, price };
  };
}
