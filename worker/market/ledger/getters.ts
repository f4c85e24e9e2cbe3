/**
 * The read side of channels (docs/protocol.md#api-channels): lookups by id, the active channel of a delegate, and the
 * channel lists by delegate or actor, with the original's error URIs and messages. Arguments come
 * straight from the WAMP call, so each getter checks its own.
 *
 * A channel's balance tells who buys how much from whom, so a member sees its own channels only: with a
 * `viewer` (the authenticated caller) every getter answers for channels whose actor is the viewer and
 * refuses (`wamp.error.not_authorized`) or leaves out the others.
 */
import type { BalanceResult, ChannelResult, PayingChannelResult } from '../../../schema/api/index.js';
import { argumentError, describe } from '../../../schema/codec/index.js';
import type { Address, Uuid } from '../../../schema/codec/index.js';
import { channelTables, MakerIndex, type MakerDb } from '../../../schema/db/index.js';
import { address, key } from '../../../schema/db/index.js';
import type { ChannelBalance } from '../../../schema/db/index.js';
import { ChannelType, type Channel } from '../../../schema/db/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { hexOf, sameBytes } from './types.js';
import { XbrErrorUri } from '../../../schema/index.js';
import { activeChannel, isUsable, type LedgerChannelType } from './active-channel.js';
import { noSuchChannel } from './errors.js';
import { marshalBalance, marshalChannel, marshalEarnings } from './marshal.js';

function channelIdArg(value: unknown): Uuid {
  if (!(value instanceof Uint8Array) || value.length !== 16) throw argumentError('channel_oid', '16 bytes', describe(value));
  return value as Uuid;
}

function typeArg(value: unknown): LedgerChannelType {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (n !== ChannelType.PAYMENT && n !== ChannelType.PAYING) {
    // Numbers as they are; anything else described, never String()-ed: a dict with a `toString` key throws there.
    const shown = typeof value === 'number' || typeof value === 'bigint' ? String(value) : describe(value);
    throw new WampError(XbrErrorUri.invalidChannelType, `Channel type must be 1 (payment) or 2 (paying), was ${shown}`, { kwargs: { channel_type: shown } });
  }
  return n;
}

/** Throws `wamp.error.not_authorized` when a viewer is given and `channel` is not its own. */
function checkViewer(channel: Channel, viewer: Address | undefined): void {
  if (viewer === undefined || sameBytes(channel.actor, viewer)) return;
  throw new WampError(WampErrorUri.notAuthorized, `channel ${formatUuid(channel.channel_oid)} is not yours: the caller is member 0x${hexOf(viewer)}, not its actor`, {
    kwargs: { channel_oid: channel.channel_oid },
  });
}

/** The channel record of `type` with id `channelId`; `crossbar.error.no_such_object` when missing. */
function getChannel(db: MakerDb, type: LedgerChannelType, channelId: unknown, viewer?: Address): Channel {
  const id = channelIdArg(channelId);
  const channel = channelTables(db, type).channels.get(id);
  if (channel === undefined) throw noSuchChannel(type, id);
  checkViewer(channel, viewer);
  return channel;
}

/** The ledger balance of channel `channelId` of `type`; `crossbar.error.no_such_object` when missing. */
function getChannelBalance(db: MakerDb, type: LedgerChannelType, channelId: unknown, viewer?: Address): ChannelBalance {
  const id = channelIdArg(channelId);
  const { channels, balances } = channelTables(db, type);
  const balance = balances.get(id);
  if (balance === undefined) throw noSuchChannel(type, id);
  if (viewer !== undefined) {
    const channel = channels.get(id);
    if (channel === undefined) throw noSuchChannel(type, id);
    checkViewer(channel, viewer);
  }
  return balance;
}

/** `get_payment_channel` / `get_paying_channel` (docs/protocol.md#channel-getters). */
export function getChannelWire(db: MakerDb, type: LedgerChannelType, channelId: unknown, viewer?: Address): ChannelResult {
  return marshalChannel(getChannel(db, type, channelId, viewer));
}

/** `get_paying_channel` (docs/protocol.md#channel-getters): the channel and the seller's earnings on it (docs/protocol.md#seller-earnings). */
export function getPayingChannelWire(db: MakerDb, channelId: unknown, viewer?: Address): PayingChannelResult {
  // Both reads in one synchronous turn: every write of this process commits on this thread, so none runs between them.
  const channel = getChannel(db, ChannelType.PAYING, channelId, viewer);
  const balance = db.payingBalances.get(channel.channel_oid);
  if (balance === undefined) throw noSuchChannel(ChannelType.PAYING, channel.channel_oid);
  return { ...marshalChannel(channel), earnings: marshalEarnings(channel, balance) };
}

/** `get_payment_channel_balance` / `get_paying_channel_balance` (docs/protocol.md#channel-getters). */
export function getChannelBalanceWire(db: MakerDb, type: LedgerChannelType, channelId: unknown, viewer?: Address): BalanceResult {
  return marshalBalance(getChannelBalance(db, type, channelId, viewer));
}

/**
 * `get_active_payment_channel` / `get_active_paying_channel` (docs/protocol.md#get-active-channel): the delegate's oldest OPEN
 * channel with `remaining > 0`, or None.
 */
export function getActiveChannelWire(db: MakerDb, type: LedgerChannelType, delegateAdr: unknown, marketId?: Uuid, viewer?: Address): ChannelResult | null {
  if (!(delegateAdr instanceof Uint8Array) || delegateAdr.length !== 20) throw argumentError('delegate_adr', '20 bytes', describe(delegateAdr));
  const active = activeChannel(db, type, delegateAdr as Address, marketId);
  if (active === undefined) return null;
  checkViewer(active.channel, viewer);
  return marshalChannel(active.channel);
}

function listIds(db: MakerDb, type: LedgerChannelType, index: string, adr: Address, filterOpen: boolean, viewer: Address | undefined): Uint8Array[] {
  const { channels, balances } = channelTables(db, type);
  const out: Uint8Array[] = [];
  for (const { value: channel } of channels.byIndex(index, { prefix: key(address(adr)) })) {
    if (viewer !== undefined && !sameBytes(channel.actor, viewer)) continue;
    if (filterOpen && !isUsable(channel, balances.get(channel.channel_oid))) continue;
    out.push(new Uint8Array(channel.channel_oid));
  }
  return out;
}

/**
 * `get_channels_by_delegate(delegate_adr, channel_type, filter_open=True)` (docs/protocol.md#get-channels-by): channel ids, oldest
 * first; with `filter_open` only OPEN channels with `remaining > 0`.
 * Errors: `xbr.marketmaker.error.invalid_channel_type`, `xbr.marketmaker.error.invalid_delegate_adr`.
 */
export function getChannelsByDelegate(db: MakerDb, delegateAdr: unknown, channelType: unknown, filterOpen: unknown = true, viewer?: Address): Uint8Array[] {
  const type = typeArg(channelType);
  if (!(delegateAdr instanceof Uint8Array) || delegateAdr.length !== 20) {
    throw new WampError(XbrErrorUri.invalidDelegateAdr, `Delegate address must be 20 bytes, was ${describe(delegateAdr)}`);
  }
  const index = type === ChannelType.PAYMENT ? MakerIndex.paymentChannelByDelegate : MakerIndex.payingChannelByDelegate;
  return listIds(db, type, index, delegateAdr as Address, Boolean(filterOpen), viewer);
}

/**
 * `get_channels_by_actor(member_adr, channel_type, filter_open=True)` (docs/protocol.md#get-channels-by): payment channels by actor,
 * paying channels by recipient (the contract makes a paying channel's recipient its actor).
 * Errors: `xbr.marketmaker.error.invalid_channel_type`, `xbr.marketmaker.error.invalid_member_adr`.
 */
export function getChannelsByActor(db: MakerDb, memberAdr: unknown, channelType: unknown, filterOpen: unknown = true, viewer?: Address): Uint8Array[] {
  const type = typeArg(channelType);
  if (!(memberAdr instanceof Uint8Array) || memberAdr.length !== 20) {
    throw new WampError(XbrErrorUri.invalidMemberAdr, `Member address must be 20 bytes, was ${describe(memberAdr)}`);
  }
  if (viewer !== undefined && !sameBytes(memberAdr, viewer)) {
    throw new WampError(WampErrorUri.notAuthorized, `get_channels_by_actor: member_adr 0x${hexOf(memberAdr)} is not the caller 0x${hexOf(viewer)}; a member lists its own channels`);
  }
  const index = type === ChannelType.PAYMENT ? MakerIndex.paymentChannelByActor : MakerIndex.payingChannelByRecipient;
  return listIds(db, type, index, memberAdr as Address, Boolean(filterOpen), viewer);
}
