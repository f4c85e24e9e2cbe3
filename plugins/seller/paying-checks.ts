/**
 * The seller's consensus checks of a sale on its paying channel (docs/protocol.md#seller-checks XBRSIG 4/8).
 *
 * Normal case: the state the maker signed is the seller's latest one advanced by this sale — same
 * channel, `seq == local + 1`, `balance == local − amount`.
 *
 * Decision — **resynchronise with the maker's ledger instead of refusing for ever.** The maker keeps a
 * seq it reserved even when the purchase then fails and is refunded (worker/market/ledger: "seq never
 * goes back"): after one failed sale the next state is `local + 2`, or (when the seller had sold and the
 * maker refunded) carries a higher balance than the seller expects. A seller that only accepted
 * `local + 1` would refuse every later sale. So a mismatching state that is **signed by the maker** and
 * **newer** than the local one (`seq > local`) is accepted when the maker's own ledger, asked through
 * `get_paying_channel_balance`, shows exactly this reservation (same seq, `remaining == balance`,
 * `inflight == amount`) on an OPEN paying channel of this market whose delegate is the seller's
 * (`get_paying_channel`). What the seller forfeits that
 * way is at most the price of sales the maker refunded (logged as a warning with the difference). A
 * replayed or older state (`seq ≤ local`) or a state on a channel the seller closed is never accepted.
 * The same path adopts a paying channel opened after `start`.
 *
 * Closing (`closingState`) follows the same rule: the seller closes at its own latest state, or — when
 * refunded reservations moved the maker's ledger on — at the ledger's newer state, provided that state
 * pays the seller at least what it holds signed (`remaining ≤ local balance`). Otherwise a close it
 * initiated would be refused for ever (the maker co-signs only its ledger's state) until the next sale.
 * It never closes at a state that pays it less, at an older one, or while the maker has a purchase on
 * the channel in flight.
 */
import type { Amount, Uuid } from '../../schema/codec/index.js';
import { formatUuid } from '../../schema/codec/index.js';
import { WampError } from '../../schema/index.js';
import { XbrErrorUri } from '../../schema/index.js';
import type { ClosingState } from '../common/index.js';
import type { PayingChannelState } from './paying-state.js';
import type { SellRequest } from './sell-args.js';
import { sameBytes as same } from '../../schema/codec/index.js';


/** How a sale's state relates to the local one. */
export type StateVerdict =
  | { readonly kind: 'next' }
  /** Not the next state, but newer: acceptable if the maker's ledger confirms it; else `error`. */
  | { readonly kind: 'resync'; readonly error: WampError }
  /** Never acceptable (replay, older state, closed channel). */
  | { readonly kind: 'refuse'; readonly error: WampError };

function seqError(req: SellRequest, local: PayingChannelState): WampError {
  return new WampError(XbrErrorUri.unexpectedChannelSeq, `channel_seq ${req.seq} is not the next sequence number ${local.seq + 1} of paying channel ${formatUuid(local.channelId)}`, {
    kwargs: { channel_oid: local.channelId, expected_seq: local.seq + 1, channel_seq: req.seq },
  });
}

function balanceError(req: SellRequest, local: PayingChannelState): WampError {
  return new WampError(XbrErrorUri.unexpectedChannelBalance, `balance ${req.balance} is not ${local.balance} − ${req.amount} on paying channel ${formatUuid(local.channelId)}`, {
    kwargs: { channel_oid: local.channelId, expected_balance: (local.balance - req.amount).toString(), balance: req.balance.toString() },
  });
}

/** The error for a channel that is not the seller's active paying channel. */
export function channelError(channelId: Uuid, local: PayingChannelState | null, why = 'is not the seller delegate\'s active paying channel'): WampError {
  return new WampError(XbrErrorUri.unexpectedChannelOid, `paying channel ${formatUuid(channelId)} ${why}`, {
    kwargs: { channel_oid: channelId, ...(local === null ? {} : { active_channel_oid: local.channelId }) },
  });
}

/** Classifies a sale's (channel, seq, balance) against the local state (`null`: no channel known yet). */
export function judgeState(req: SellRequest & { channelId: Uuid }, local: PayingChannelState | null): StateVerdict {
  if (local === null || !same(local.channelId, req.channelId)) return { kind: 'resync', error: channelError(req.channelId, local) };
  if (local.closed === true) return { kind: 'refuse', error: channelError(req.channelId, local, 'was closed cooperatively by the seller') };
  if (req.seq <= local.seq) return { kind: 'refuse', error: seqError(req, local) };
  if (req.seq !== local.seq + 1) return { kind: 'resync', error: seqError(req, local) };
  if (req.balance !== local.balance - req.amount) return { kind: 'resync', error: balanceError(req, local) };
  return { kind: 'next' };
}

/** The maker's ledger view used to confirm a resync. */
export interface MakerLedgerView {
  /** `get_paying_channel(channel_oid)` is OPEN, of this market, with the seller's delegate. */
  readonly channelIsOurs: boolean;
  readonly seq: number;
  readonly remaining: Amount;
  readonly inflight: Amount;
}

/** True when the maker's ledger shows exactly this sale's reservation on an open paying channel of the seller. */
export function ledgerConfirms(req: SellRequest & { channelId: Uuid }, view: MakerLedgerView): boolean {
  return view.channelIsOurs && view.seq === req.seq && view.remaining === req.balance && view.inflight === req.amount;
}

/** The maker's ledger balance of a paying channel (`get_paying_channel_balance`). */
export interface LedgerBalance {
  readonly seq: number;
  readonly remaining: Amount;
  readonly inflight: Amount;
}

/**
 * The state the seller closes its paying channel `local` at, given the maker's `ledger` balance of it.
 * @throws WampError `xbr.error.purchase_in_flight` (the maker has a purchase on the channel in flight),
 *   `xbr.error.unexpected_channel_seq` (the ledger is behind the seller's signed state),
 *   `xbr.error.unexpected_channel_balance` (the ledger would pay the seller less than it holds signed)
 */
export function closingState(local: PayingChannelState, ledger: LedgerBalance): ClosingState & { readonly adopted: boolean } {
  const kwargs = { channel_oid: local.channelId, seq: local.seq, balance: local.balance.toString(), maker_seq: ledger.seq, maker_remaining: ledger.remaining.toString() };
  const ch = formatUuid(local.channelId);
  if (ledger.inflight > 0n) {
    throw new WampError(XbrErrorUri.purchaseInFlight, `paying channel ${ch} has ${ledger.inflight} in flight at the market maker; close it once that purchase is resolved`, { kwargs: { ...kwargs, inflight: ledger.inflight.toString() } });
  }
  if (ledger.seq < local.seq) {
    throw new WampError(XbrErrorUri.unexpectedChannelSeq, `the market maker's ledger of paying channel ${ch} is at seq ${ledger.seq}, behind the seller's signed seq ${local.seq}`, { kwargs });
  }
  if (ledger.remaining > local.balance) {
    throw new WampError(XbrErrorUri.unexpectedChannelBalance, `the market maker's ledger of paying channel ${ch} has ${ledger.remaining} remaining, more than the seller's signed ${local.balance}: closing there would forfeit earnings`, { kwargs });
  }
  return { channelId: local.channelId, seq: ledger.seq, balance: ledger.remaining, adopted: ledger.seq !== local.seq || ledger.remaining !== local.balance };
}
