/**
 * The maker's decision to co-sign a channel close (`close_channel`, docs/protocol.md#cooperative-close, docs/protocol.md#differences): never for a
 * state that disagrees with its ledger, never while a purchase on the channel is in flight. On success the
 * channel is marked CLOSING (close requested) in the same durable transaction, so no purchase can start on
 * it any more; only then may the caller sign `message` and submit the close on chain.
 */
import { argumentError, describe } from '../../../schema/codec/index.js';
import type { Address, Amount, Signature65, Uuid } from '../../../schema/codec/index.js';
import { packUint256, UINT256_MAX } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { channelTables, type MakerDb } from '../../../schema/db/index.js';
import type { ChannelBalance } from '../../../schema/db/index.js';
import { ChannelState, ChannelType, type Channel } from '../../../schema/db/index.js';
import { recoverChannelClose } from '../../../schema/eip712/index.js';
import type { ChannelCloseMessage } from '../../../schema/eip712/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import type { LedgerChannelType } from './active-channel.js';
import { invalidSignature, ledgerCorrupt, unexpectedBalance, unexpectedSeq } from './errors.js';
import { checkCloseAt, hexOf, MAX_CHANNEL_SEQ, sameBytes } from './types.js';
import { channelCloseMessage, type MarketBinding } from '../../../schema/eip712/index.js';

export interface CooperativeCloseRequest extends MarketBinding {
  /** `closing_seq`: must equal the ledger's seq. */
  readonly seq: number;
  /** `closing_balance`: must equal the ledger's `remaining`. */
  readonly balance: Amount;
  readonly isFinal: boolean;
  /** The channel delegate's EIP712ChannelClose signature over this close. */
  readonly delegateSignature: Signature65;
  /** `current_block_number` of `close_channel`: the signed `closeAt`. */
  readonly closeAt: bigint;
  /** The maker's current block: `closeAt` must not be after it (the contract would revert) nor older than 1440 blocks. */
  readonly currentBlock: bigint;
  /** The authenticated member asking for the close (from the router): it must be the channel's actor. */
  readonly member?: Address;
}

/** An accepted close. */
export interface CloseDecision {
  readonly type: LedgerChannelType;
  /** The channel as stored now (state CLOSING, close fields set). */
  readonly channel: Channel;
  readonly balance: ChannelBalance;
  /** The EIP712ChannelClose both parties sign (the maker signs it after this returned). */
  readonly message: ChannelCloseMessage;
  /** The channel as it was before (OPEN): what {@link abandonCooperativeClose} restores. */
  readonly previous: Channel;
}

function validate(req: CooperativeCloseRequest): void {
  if (req === null || typeof req !== 'object') throw argumentError('request', 'an object', describe(req));
  if (typeof req.seq !== 'number' || !Number.isInteger(req.seq) || req.seq < 1 || req.seq > MAX_CHANNEL_SEQ) {
    throw argumentError('closing_seq', `an integer in [1, ${MAX_CHANNEL_SEQ}]`, String(req.seq));
  }
  if (typeof req.balance !== 'bigint' || req.balance < 0n || req.balance > UINT256_MAX) throw argumentError('closing_balance', 'a uint256 (bigint)', describe(req.balance));
  if (typeof req.isFinal !== 'boolean') throw argumentError('closing_is_final', 'a boolean', describe(req.isFinal));
  checkCloseAt(req.closeAt, req.currentBlock);
  if (req.closeAt > req.currentBlock) throw argumentError('current_block_number', `a block not after the current block ${req.currentBlock}`, String(req.closeAt));
}

function findChannel(db: MakerDb, id: Uuid): { type: LedgerChannelType; channel: Channel } {
  const payment = db.paymentChannels.get(id);
  if (payment !== undefined) return { type: ChannelType.PAYMENT, channel: payment };
  const paying = db.payingChannels.get(id);
  if (paying !== undefined) return { type: ChannelType.PAYING, channel: paying };
  throw new WampError(XbrErrorUri.invalidChannel, `no channel ${formatUuid(id)} in this market`, { kwargs: { channel_oid: id } });
}

/**
 * Checks a delegate-signed close against the ledger and marks the channel CLOSING, in one durable write
 * transaction. Refusals change nothing: `xbr.error.invalid_channel` (unknown or of another market),
 * `xbr.error.invalid_signature` (not the channel's delegate), `xbr.error.channel_not_open`,
 * `xbr.error.purchase_in_flight` (inflight > 0), `xbr.error.unexpected_channel_seq` (seq ≠ ledger seq),
 * `xbr.error.unexpected_channel_balance` (balance ≠ ledger remaining), `wamp.error.invalid_argument`.
 * @example const d = checkCooperativeClose(db, channelId, { seq, balance, isFinal: true, delegateSignature, closeAt, currentBlock, chainId, verifyingContract, marketId });
 *          const makerSig = signChannelClose(d.message, makerKey);
 */
export function checkCooperativeClose(db: MakerDb, channelId: Uuid, req: CooperativeCloseRequest): CloseDecision {
  if (!(channelId instanceof Uint8Array) || channelId.length !== 16) throw argumentError('channel_oid', '16 bytes', describe(channelId));
  validate(req);
  const message = channelCloseMessage(req, req.closeAt, channelId, req.seq, req.balance, req.isFinal);
  return db.env.writeSync(() => {
    const { type, channel } = findChannel(db, channelId);
    if (!sameBytes(channel.market_oid, req.marketId)) {
      throw new WampError(XbrErrorUri.invalidChannel, `channel ${formatUuid(channelId)} belongs to another market`, { kwargs: { channel_oid: channelId } });
    }
    if (req.member !== undefined && !sameBytes(channel.actor, req.member)) {
      throw new WampError(WampErrorUri.notAuthorized, `channel ${formatUuid(channelId)} is not yours: its actor is 0x${hexOf(channel.actor)}, the caller is member 0x${hexOf(req.member)}`, {
        kwargs: { channel_oid: channelId },
      });
    }
    let signer: Address;
    try {
      signer = recoverChannelClose(message, req.delegateSignature);
    } catch (err) {
      throw invalidSignature(`EIP712 signature recovery failed (${err instanceof Error ? err.message : String(err)})`, err);
    }
    if (!sameBytes(signer, channel.delegate)) throw invalidSignature('EIP712 signature invalid: not signed by the channel\'s delegate');
    if (channel.state !== ChannelState.OPEN) {
      throw new WampError(XbrErrorUri.channelNotOpen, `channel ${formatUuid(channelId)} of type ${type} exists, but is not open (channel is in state ${channel.state})`, {
        kwargs: { channel_oid: channelId, state: channel.state },
      });
    }
    const { balances, channels } = channelTables(db, type);
    const balance = balances.get(channelId);
    if (balance === undefined) throw ledgerCorrupt(`channel ${formatUuid(channelId)} has no balance record`, { channel_oid: channelId });
    if (balance.inflight > 0n) {
      throw new WampError(XbrErrorUri.purchaseInFlight, `channel ${formatUuid(channelId)} has ${balance.inflight} in flight; close it once the purchases are resolved`, {
        kwargs: { channel_oid: channelId, inflight: packUint256(balance.inflight) },
      });
    }
    if (req.seq !== balance.seq) throw unexpectedSeq(channelId, req.seq, balance.seq, balance.remaining);
    if (req.balance !== balance.remaining) throw unexpectedBalance(channelId, req.balance, balance.remaining, balance.seq);
    const closing: Channel = {
      ...channel,
      state: ChannelState.CLOSING,
      closing_at: req.closeAt,
      close_channel_seq: req.seq,
      close_balance: req.balance,
      close_is_final: req.isFinal,
      close_del_sig: req.delegateSignature,
    };
    channels.put(channelId, closing);
    return { type, channel: closing, balance, message, previous: channel };
  });
}

/**
 * Undoes an accepted close whose transaction certainly never took effect (refused before or at broadcast,
 * reverted, or replaced): the channel is OPEN again as before, so it is not stuck in CLOSING (docs/protocol.md#maker-defect-24).
 * Only the close `decision` marked is undone: if the channel changed since (e.g. the chain monitor applied a
 * `Closing` / `Closed`), it is left alone. One durable write; returns whether the channel was restored.
 * Never call it when the outcome is unknown (a timeout): the transaction may still be mined.
 * @example if (err.uri === 'xbr.error.transaction_failed') abandonCooperativeClose(db, decision)
 */
export function abandonCooperativeClose(db: MakerDb, decision: CloseDecision): boolean {
  const { channels } = channelTables(db, decision.type);
  const id = decision.channel.channel_oid;
  return db.env.writeSync(() => {
    const current = channels.get(id);
    const marked = decision.channel;
    if (
      current === undefined ||
      current.state !== ChannelState.CLOSING ||
      current.closing_at !== marked.closing_at ||
      current.close_channel_seq !== marked.close_channel_seq ||
      current.close_balance !== marked.close_balance ||
      current.timeout !== marked.timeout ||
      // A maker-started close is marked before its seller co-signs (maker-close.ts): then neither has one.
      !(current.close_del_sig === undefined ? marked.close_del_sig === undefined : sameBytes(current.close_del_sig, marked.close_del_sig))
    ) {
      return false;
    }
    channels.put(id, decision.previous);
    return true;
  });
}
