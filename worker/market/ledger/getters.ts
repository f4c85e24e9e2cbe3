/**
 * The read side of channels (spec §3.14–§3.16): lookups by id, the active channel of a delegate, and the
 * channel lists by delegate or actor, with the original's error URIs and messages. Arguments come
 * straight from the WAMP call, so each getter checks its own.
 */
import { argumentError, describe } from '../../../schema/codec/argument.js';
import type { Address, Uuid } from '../../../schema/codec/types.js';
import { channelTables, MakerIndex, type MakerDb } from '../../../schema/db/maker-db.js';
import { address, key } from '../../../schema/db/keys.js';
import type { ChannelBalance } from '../../../schema/db/records/balance.js';
import { ChannelType, type Channel } from '../../../schema/db/records/channel.js';
import { WampError } from '../../../schema/errors.js';
import { XbrErrorUri } from '../../../schema/uris.js';
import { activeChannel, isUsable, type LedgerChannelType } from './activeChannel.js';
import { noSuchChannel } from './errors.js';
import { marshalBalance, marshalChannel, type BalanceWire, type ChannelWire } from './marshal.js';

function channelIdArg(value: unknown): Uuid {
  if (!(value instanceof Uint8Array) || value.length !== 16) throw argumentError('channel_oid', '16 bytes', describe(value));
  return value as Uuid;
}

function typeArg(value: unknown): LedgerChannelType {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (n !== ChannelType.PAYMENT && n !== ChannelType.PAYING) {
    throw new WampError(XbrErrorUri.invalidChannelType, `Channel type must be 1 (payment) or 2 (paying), was ${String(value)}`, { kwargs: { channel_type: String(value) } });
  }
  return n;
}

/** The channel record of `type` with id `channelId`; `crossbar.error.no_such_object` when missing. */
export function getChannel(db: MakerDb, type: LedgerChannelType, channelId: unknown): Channel {
  const id = channelIdArg(channelId);
  const channel = channelTables(db, type).channels.get(id);
  if (channel === undefined) throw noSuchChannel(type, id);
  return channel;
}

/** The ledger balance of channel `channelId` of `type`; `crossbar.error.no_such_object` when missing. */
export function getChannelBalance(db: MakerDb, type: LedgerChannelType, channelId: unknown): ChannelBalance {
  const id = channelIdArg(channelId);
  const balance = channelTables(db, type).balances.get(id);
  if (balance === undefined) throw noSuchChannel(type, id);
  return balance;
}

/** `get_payment_channel` / `get_paying_channel` (spec §3.14). */
export function getChannelWire(db: MakerDb, type: LedgerChannelType, channelId: unknown): ChannelWire {
  return marshalChannel(getChannel(db, type, channelId));
}

/** `get_payment_channel_balance` / `get_paying_channel_balance` (spec §3.14). */
export function getChannelBalanceWire(db: MakerDb, type: LedgerChannelType, channelId: unknown): BalanceWire {
  return marshalBalance(getChannelBalance(db, type, channelId));
}

/**
 * `get_active_payment_channel` / `get_active_paying_channel` (spec §3.15, §6.3): the delegate's oldest OPEN
 * channel with `remaining > 0`, or None.
 */
export function getActiveChannelWire(db: MakerDb, type: LedgerChannelType, delegateAdr: unknown, marketId?: Uuid): ChannelWire | null {
  if (!(delegateAdr instanceof Uint8Array) || delegateAdr.length !== 20) throw argumentError('delegate_adr', '20 bytes', describe(delegateAdr));
  const active = activeChannel(db, type, delegateAdr as Address, marketId);
  return active === undefined ? null : marshalChannel(active.channel);
}

function listIds(db: MakerDb, type: LedgerChannelType, index: string, adr: Address, filterOpen: boolean): Uint8Array[] {
  const { channels, balances } = channelTables(db, type);
  const out: Uint8Array[] = [];
  for (const { value: channel } of channels.byIndex(index, { prefix: key(address(adr)) })) {
    if (filterOpen && !isUsable(channel, balances.get(channel.channel_oid))) continue;
    out.push(new Uint8Array(channel.channel_oid));
  }
  return out;
}

/**
 * `get_channels_by_delegate(delegate_adr, channel_type, filter_open=True)` (spec §3.16): channel ids, oldest
 * first; with `filter_open` only OPEN channels with `remaining > 0`.
 * Errors: `xbr.marketmaker.error.invalid_channel_type`, `xbr.marketmaker.error.invalid_delegate_adr`.
 */
export function getChannelsByDelegate(db: MakerDb, delegateAdr: unknown, channelType: unknown, filterOpen: unknown = true): Uint8Array[] {
  const type = typeArg(channelType);
  if (!(delegateAdr instanceof Uint8Array) || delegateAdr.length !== 20) {
    throw new WampError(XbrErrorUri.invalidDelegateAdr, `Delegate address must be 20 bytes, was ${describe(delegateAdr)}`);
  }
  const index = type === ChannelType.PAYMENT ? MakerIndex.paymentChannelByDelegate : MakerIndex.payingChannelByDelegate;
  return listIds(db, type, index, delegateAdr as Address, Boolean(filterOpen));
}

/**
 * `get_channels_by_actor(member_adr, channel_type, filter_open=True)` (spec §3.16): payment channels by actor,
 * paying channels by recipient (the contract makes a paying channel's recipient its actor).
 * Errors: `xbr.marketmaker.error.invalid_channel_type`, `xbr.marketmaker.error.invalid_member_adr`.
 */
export function getChannelsByActor(db: MakerDb, memberAdr: unknown, channelType: unknown, filterOpen: unknown = true): Uint8Array[] {
  const type = typeArg(channelType);
  if (!(memberAdr instanceof Uint8Array) || memberAdr.length !== 20) {
    throw new WampError(XbrErrorUri.invalidMemberAdr, `Member address must be 20 bytes, was ${describe(memberAdr)}`);
  }
  const index = type === ChannelType.PAYMENT ? MakerIndex.paymentChannelByActor : MakerIndex.payingChannelByRecipient;
  return listIds(db, type, index, memberAdr as Address, Boolean(filterOpen));
}
