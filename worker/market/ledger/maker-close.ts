/**
 * A close of a seller's paying channel that the maker starts (docs/protocol.md#seller-earnings): the seller
 * member asks, the maker marks the channel CLOSING at the ledger's current state (so no purchase can start on
 * it any more) and signs that state; the seller delegate co-signs it through `xbr.provider.<authid>.close_channel`
 * (docs/protocol.md#provider-close-channel); only a co-signature by the channel's delegate is recorded, and
 * only then is the close submitted. The same rules as a close the delegate starts (cooperative-close.ts):
 * never while a purchase is in flight, and undone by `abandonCooperativeClose` when it certainly failed.
 */
import { argumentError, describe } from '../../../schema/codec/index.js';
import type { Address, Signature65, Uuid } from '../../../schema/codec/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { ChannelState, ChannelType, type Channel, type MakerDb } from '../../../schema/db/index.js';
import { channelCloseMessage, recoverChannelClose, type MarketBinding } from '../../../schema/eip712/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import type { CloseDecision } from './cooperative-close.js';
import { invalidSignature, ledgerCorrupt, noSuchChannel } from './errors.js';
import { checkCloseAt, hexOf, sameBytes } from './types.js';

export interface MakerCloseRequest extends MarketBinding {
  /** The block the close is signed at (`closeAt`): the maker's current block. */
  readonly closeAt: bigint;
  readonly currentBlock: bigint;
  /** The authenticated member asking (from the router): it must be the channel's actor. */
  readonly member: Address;
}

/**
 * Marks the paying channel `channelId` CLOSING at the ledger's current (seq, remaining), final, in one durable
 * write, and returns the decision whose `message` the maker signs next. Refusals change nothing:
 * `crossbar.error.no_such_object` (no such paying channel), `xbr.error.invalid_channel` (another market),
 * `wamp.error.not_authorized` (not the caller's), `xbr.error.channel_not_open`, `xbr.error.purchase_in_flight`.
 */
export function beginMakerClose(db: MakerDb, channelId: Uuid, req: MakerCloseRequest): CloseDecision {
  if (!(channelId instanceof Uint8Array) || channelId.length !== 16) throw argumentError('channel_oid', '16 bytes', describe(channelId));
  checkCloseAt(req.closeAt, req.currentBlock);
  return db.env.writeSync(() => {
    const channel = db.payingChannels.get(channelId);
    if (channel === undefined) throw noSuchChannel(ChannelType.PAYING, channelId);
    if (!sameBytes(channel.market_oid, req.marketId)) {
      throw new WampError(XbrErrorUri.invalidChannel, `channel ${formatUuid(channelId)} belongs to another market`, { kwargs: { channel_oid: channelId } });
    }
    if (!sameBytes(channel.actor, req.member)) {
      throw new WampError(WampErrorUri.notAuthorized, `paying channel ${formatUuid(channelId)} is not yours: its actor is 0x${hexOf(channel.actor)}, the caller is member 0x${hexOf(req.member)}`, {
        kwargs: { channel_oid: channelId },
      });
    }
    if (channel.state !== ChannelState.OPEN) {
      throw new WampError(XbrErrorUri.channelNotOpen, `paying channel ${formatUuid(channelId)} is not open (state ${channel.state})`, { kwargs: { channel_oid: channelId, state: channel.state } });
    }
    const balance = db.payingBalances.get(channelId);
    if (balance === undefined) throw ledgerCorrupt(`paying channel ${formatUuid(channelId)} has no balance record`, { channel_oid: channelId });
    if (balance.inflight > 0n) {
      throw new WampError(XbrErrorUri.purchaseInFlight, `paying channel ${formatUuid(channelId)} has ${balance.inflight} in flight; ask again once the purchases are resolved`, {
        kwargs: { channel_oid: channelId, inflight: packUint256(balance.inflight) },
      });
    }
    const message = channelCloseMessage(req, req.closeAt, channelId, balance.seq, balance.remaining, true);
    const closing: Channel = {
      ...channel,
      state: ChannelState.CLOSING,
      closing_at: req.closeAt,
      close_channel_seq: balance.seq,
      close_balance: balance.remaining,
      close_is_final: true,
    };
    db.payingChannels.put(channelId, closing);
    return { type: ChannelType.PAYING, channel: closing, balance, message, previous: channel };
  });
}

/**
 * Records the seller delegate's co-signature of a maker-started close, after checking that the channel's
 * delegate made it over exactly the marked state: `xbr.error.invalid_signature` otherwise (nothing written).
 * Returns the decision as now stored, for the submit and, should it fail, `abandonCooperativeClose`.
 */
export function recordSellerCoSignature(db: MakerDb, decision: CloseDecision, signature: unknown): CloseDecision {
  if (!(signature instanceof Uint8Array) || signature.length !== 65) throw invalidSignature(`the seller's co-signature must be 65 bytes, got ${describe(signature)}`);
  let signer: Address;
  try {
    signer = recoverChannelClose(decision.message, signature as Signature65);
  } catch (err) {
    throw invalidSignature(`EIP712 signature recovery failed (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (!sameBytes(signer, decision.channel.delegate)) throw invalidSignature('the seller\'s co-signature is not by the channel\'s delegate');
  const id = decision.channel.channel_oid;
  return db.env.writeSync(() => {
    const current = db.payingChannels.get(id);
    // The chain monitor may have moved the channel on meanwhile: then there is nothing to co-sign any more.
    if (current === undefined || current.state !== ChannelState.CLOSING || current.closing_at !== decision.channel.closing_at || current.close_del_sig !== undefined) {
      throw new WampError(XbrErrorUri.channelNotOpen, `paying channel ${formatUuid(id)} changed while its seller co-signed the close (state ${current?.state})`, { kwargs: { channel_oid: id } });
    }
    const signed: Channel = { ...current, close_del_sig: signature as Signature65 };
    db.payingChannels.put(id, signed);
    return { ...decision, channel: signed };
  });
}
