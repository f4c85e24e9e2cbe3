/**
 * A delegate's cooperative close of its own channel (docs/protocol.md#cooperative-close `close_channel`, docs/protocol.md#differences): the buyer closes
 * its payment channel, the seller its paying channel, the same way — sign a final EIP712ChannelClose over
 * the state to close at (`closeAt` = a recent block, which the maker checks against its own head), call
 * `xbr.marketmaker.close_channel`, and read the answer. The maker co-signs only a state equal to its ledger
 * and submits `closeChannel`; it answers once the transaction is mined, so a final close is settled on
 * chain when this returns.
 *
 * The answer must echo the channel and the state that was signed: an answer about anything else is the
 * maker's fault and is reported as `xbr.error.invalid_transaction`, never taken as a success.
 */
import { packUint256, unpackUint256 } from '../../schema/codec/index.js';
import type { Signature65, Uuid } from '../../schema/codec/index.js';
import { formatUuid } from '../../schema/codec/index.js';
import { sameBytes } from '../../schema/codec/index.js';
import { channelCloseMessage, signChannelClose, type MarketBinding } from '../../schema/eip712/index.js';
import { WampError } from '../../schema/index.js';
import { MarketMakerProcedure, XbrErrorUri } from '../../schema/index.js';
import { callMaker, type CallFn } from './call-maker.js';

/** One WAMP call to the maker: positional (and keyword) arguments in, the first positional result out. */
type MakerCall = CallFn;

/** The state a channel is closed at. */
export interface ClosingState {
  readonly channelId: Uuid;
  readonly seq: number;
  /** Remaining balance (base units): goes back to the party that funded the channel. */
  readonly balance: bigint;
}

/** What a cooperative close returns. */
export interface CloseResult {
  readonly channelId: Uuid;
  /** Hash of the `closeChannel` transaction (32 bytes). */
  readonly transaction: Uint8Array;
  readonly seq: number;
  /**
   * The remaining balance closed at: refunded to the buyer member (payment channel) or returned to the
   * market maker (paying channel); the rest, less the market fee, went to the other party.
   */
  readonly remaining: bigint;
}

function invalid(message: string): WampError {
  return new WampError(XbrErrorUri.invalidTransaction, `the market maker answered close_channel with ${message}`);
}

/**
 * Signs the final close of `state` at block `closeAt` with the channel delegate's key and has the maker
 * co-sign and submit it. Returns the result and the delegate's signature (a seller keeps it with its state).
 * @throws WampError the maker's refusal with its URI (`xbr.error.unexpected_channel_seq`,
 *   `xbr.error.purchase_in_flight`, `xbr.error.channel_not_open`, …), `xbr.error.invalid_transaction`
 *   for an answer that does not echo the signed close
 * @example const { result } = await closeCooperatively(call, binding, delegateKey, { channelId, seq, balance }, closeAt);
 */
export async function closeCooperatively(
  call: MakerCall,
  binding: MarketBinding,
  delegateKey: Uint8Array,
  state: ClosingState,
  closeAt: bigint,
): Promise<{ result: CloseResult; signature: Signature65 }> {
  const signature = signChannelClose(channelCloseMessage(binding, closeAt, state.channelId, state.seq, state.balance, true), delegateKey);
  const r = await callMaker(call, MarketMakerProcedure.closeChannel, [
    state.channelId, Number(binding.chainId), Number(closeAt), binding.verifyingContract, packUint256(state.balance), state.seq, true, signature,
  ]);
  if (!sameBytes(r.channel_oid, state.channelId)) throw invalid(`another channel than ${formatUuid(state.channelId)}`);
  if (r.seq !== state.seq) throw invalid(`seq ${r.seq}, not the signed ${state.seq}`);
  if (unpackUint256(r.balance) !== state.balance) throw invalid(`another balance than the signed ${state.balance}`);
  if (!r.is_final) throw invalid('a non-final close');
  const tx = r.transaction;
  return { result: { channelId: state.channelId, transaction: new Uint8Array(tx), seq: state.seq, remaining: state.balance }, signature };
}

/**
 * The chain's current block number as the maker reports it (`get_status` → `block.number`): a delegate
 * without its own chain access signs `closeAt` with it.
 * @throws WampError `xbr.error.invalid_transaction` when the answer is not a `get_status` result
 */
export async function makerBlockNumber(call: MakerCall): Promise<bigint> {
  return BigInt((await callMaker(call, MarketMakerProcedure.getStatus, [])).block.number);
}
