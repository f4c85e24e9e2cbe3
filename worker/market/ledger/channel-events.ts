/**
 * Applies XBRChannel events (as decoded by the chain monitor) to the maker's channel replica. Each event
 * is one durable write transaction and idempotent: applying the same event again changes nothing, and a
 * replay of a run of events in chain order (what the monitor does after a restart, or a rescan from an
 * older block) changes nothing either, at no point of it: nothing moves a CLOSED channel back, and a
 * `Closing` older than the channel's closing block is left alone. Events of other markets, or `Opened` for another maker, are
 * ignored (docs/protocol.md#maker-defect-26).
 *
 * - `Opened`: creates the channel record and its ledger balance (seq 1, remaining = amount); a known
 *   channel id is left alone, and so is a balance record already there.
 * - `Closing`: state CLOSING with the on-chain state: `closing_at` = the event's block, `close_balance` =
 *   the event's refund, `close_channel_seq` when the event source knows it, `timeout` = blocks until
 *   settlement.
 * - `Closed`: state CLOSED, `closed_at`, `closed_tx`, the final balance (and seq when known).
 * The ledger balance is left as is: it is the maker's off-chain history of the channel.
 */
import type { Address, Amount, Hash32, NsTime, Signature65, Uuid } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { channelTables, type MakerDb } from '../../../schema/db/index.js';
import { initialBalance } from '../../../schema/db/index.js';
import { ChannelState, ChannelType, type Channel } from '../../../schema/db/index.js';
import { argumentError, describe } from '../../../schema/codec/index.js';
import type { Logger } from '../../../schema/index.js';
import type { LedgerChannelType } from './active-channel.js';
import { sameBytes } from './types.js';

interface ChannelEventBase {
  /** 1 PAYMENT, 2 PAYING. */
  readonly ctype: number;
  readonly marketId: Uuid;
  readonly channelId: Uuid;
  readonly blockNumber: bigint;
  readonly txHash: Hash32;
}

/** `XBRChannel.Opened`. */
export interface ChannelOpenedEvent extends ChannelEventBase {
  readonly type: 'Opened';
  readonly actor: Address;
  readonly delegate: Address;
  readonly marketmaker: Address;
  readonly recipient: Address;
  readonly amount: Amount;
  /** The actor's EIP712ChannelOpen signature (kept when it is 65 bytes). */
  readonly signature?: Uint8Array;
}

/** `XBRChannel.Closing`. */
export interface ChannelClosingEvent extends ChannelEventBase {
  readonly type: 'Closing';
  readonly payout: Amount;
  readonly fee: Amount;
  /** The balance returned to the channel's owner (the submitted closing balance). */
  readonly refund: Amount;
  /** Block from which the channel can be settled. */
  readonly timeoutAt: bigint;
  /** The closing seq, when the event source knows it (the event itself does not carry it). */
  readonly seq?: number;
}

/** `XBRChannel.Closed`. */
export interface ChannelClosedEvent extends ChannelEventBase {
  readonly type: 'Closed';
  readonly payout: Amount;
  readonly fee: Amount;
  readonly refund: Amount;
  /** Block of the payout. */
  readonly closedAt: bigint;
  /** The closed seq, when known. */
  readonly seq?: number;
}

/** A channel event; field names as the chain monitor's `ChannelChainEvent` so it can be passed as is. */
export type ChannelEvent = ChannelOpenedEvent | ChannelClosingEvent | ChannelClosedEvent;

export interface ChannelEventContext {
  /** This maker's market: events of other markets are ignored. */
  readonly marketId: Uuid;
  /** This maker's address: `Opened` events naming another maker are ignored (optional). */
  readonly marketmaker?: Address;
  /** Replication time, ns: the new channel's `timestamp` (the by-delegate index order, docs/protocol.md#active-channel). */
  readonly now: NsTime;
  readonly log?: Logger;
}

/** What applying an event did. */
export type ChannelEventResult = 'created' | 'updated' | 'unchanged' | 'ignored';

function ctypeOf(ev: ChannelEvent): LedgerChannelType {
  if (ev.ctype !== ChannelType.PAYMENT && ev.ctype !== ChannelType.PAYING) throw argumentError('ctype', '1 (payment) or 2 (paying)', String(ev.ctype));
  return ev.ctype;
}

function opened(db: MakerDb, ev: ChannelOpenedEvent, type: LedgerChannelType, ctx: ChannelEventContext): ChannelEventResult {
  if (typeof ev.amount !== 'bigint' || ev.amount <= 0n) throw argumentError('amount', 'a positive amount', describe(ev.amount));
  const { channels, balances } = channelTables(db, type);
  // A channel id is unique across both types on chain; one already known (of either type) is never replaced.
  if (db.paymentChannels.has(ev.channelId) || db.payingChannels.has(ev.channelId)) return 'unchanged';
  const channel: Channel = {
    market_oid: ev.marketId,
    channel_oid: ev.channelId,
    timestamp: ctx.now,
    channel_type: type,
    open_at: ev.blockNumber,
    open_tx: ev.txHash,
    seq: 1,
    marketmaker: ev.marketmaker,
    actor: ev.actor,
    delegate: ev.delegate,
    recipient: ev.recipient,
    amount: ev.amount,
    timeout: 0,
    state: ChannelState.OPEN,
  };
  if (ev.signature instanceof Uint8Array && ev.signature.length === 65) channel.open_sig = ev.signature as Signature65;
  channels.put(ev.channelId, channel);
  // A balance record without its channel (a record lost, the event read again by a rescan) keeps its history: the
  // deposit is never counted again over what was spent from it.
  if (!balances.has(ev.channelId)) balances.put(ev.channelId, initialBalance(ev.amount));
  return 'created';
}

function changed(a: Channel, b: Channel): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Channel>;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x instanceof Uint8Array || y instanceof Uint8Array) {
      if (!(x instanceof Uint8Array && y instanceof Uint8Array && sameBytes(x, y))) return true;
    } else if (x !== y) return true;
  }
  return false;
}

function closingOrClosed(db: MakerDb, ev: ChannelClosingEvent | ChannelClosedEvent, type: LedgerChannelType): ChannelEventResult {
  const { channels } = channelTables(db, type);
  const current = channels.get(ev.channelId);
  if (current === undefined) return 'ignored';
  if (current.state === ChannelState.CLOSED) return 'unchanged';
  // A `Closing` older than the `Closing` event the channel already shows (a rescan reads every event again, in
  // chain order): the newer state stays; applying the old one would move the channel back until the newer event
  // came again. Only after an applied event (its timeout set): a CLOSING of the maker's own close, not yet mined,
  // holds the signed `closeAt`, and an on-chain close before it must still be applied.
  if (ev.type === 'Closing' && current.state === ChannelState.CLOSING && current.timeout > 0 && current.closing_at !== undefined && ev.blockNumber < current.closing_at) return 'unchanged';
  const next: Channel = { ...current, close_balance: ev.refund };
  if (ev.seq !== undefined) next.close_channel_seq = ev.seq;
  if (ev.type === 'Closing') {
    next.state = ChannelState.CLOSING;
    next.closing_at = ev.blockNumber;
    if (ev.timeoutAt > ev.blockNumber) next.timeout = Number(ev.timeoutAt - ev.blockNumber);
  } else {
    next.state = ChannelState.CLOSED;
    next.closed_at = ev.closedAt;
    next.closed_tx = ev.txHash;
  }
  if (!changed(current, next)) return 'unchanged';
  channels.put(ev.channelId, next);
  return 'updated';
}

/**
 * Applies one channel event in one durable write transaction (joins the caller's if there is one).
 * @example applyChannelEvent(db, ev, { marketId, marketmaker: makerAddress, now: nowNs() }) // 'created'
 */
export function applyChannelEvent(db: MakerDb, ev: ChannelEvent, ctx: ChannelEventContext): ChannelEventResult {
  if (ev === null || typeof ev !== 'object') throw argumentError('event', 'a channel event', describe(ev));
  if (!(ev.channelId instanceof Uint8Array) || ev.channelId.length !== 16) throw argumentError('channelId', '16 bytes', describe(ev.channelId));
  if (!sameBytes(ev.marketId, ctx.marketId)) return 'ignored';
  if (ev.type === 'Opened' && ctx.marketmaker !== undefined && !sameBytes(ev.marketmaker, ctx.marketmaker)) return 'ignored';
  const type = ctypeOf(ev);
  const result = db.env.writeSync(() => {
    switch (ev.type) {
      case 'Opened':
        return opened(db, ev, type, ctx);
      case 'Closing':
      case 'Closed':
        return closingOrClosed(db, ev, type);
      default:
        throw argumentError('type', "'Opened', 'Closing' or 'Closed'", String((ev as { type?: unknown }).type));
    }
  });
  if (result !== 'unchanged') ctx.log?.info(`channel event ${ev.type}: ${result}`, { channel: formatUuid(ev.channelId), ctype: type, block: ev.blockNumber });
  return result;
}
