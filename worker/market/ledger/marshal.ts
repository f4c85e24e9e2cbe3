/**
 * Wire dicts of a channel and a balance (docs/protocol.md#maker-records `Channel.marshal()` / `ChannelBalance.marshal()`, the
 * return values of docs/protocol.md#channel-getters). Same keys as the original; on purpose, every uint256 is 32 bytes, also
 * when zero (the original sent the int 0; docs/protocol.md#differences; `unpack_uint256` reads both), block numbers
 * (`open_at`, `closing_at`, `closed_at`) are uint256 bytes or None as in the original, and byte fields are
 * fresh Uint8Arrays (never the stored Buffers).
 */
import type { BalanceResult, ChannelResult, EarningsResult } from '../../../schema/api/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { ChannelBalance } from '../../../schema/db/index.js';
import { ChannelState, type Channel } from '../../../schema/db/index.js';

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);
const copyOrNull = (b: Uint8Array | undefined): Uint8Array | null => (b === undefined ? null : new Uint8Array(b));
const u256 = (v: bigint): Uint8Array => new Uint8Array(packUint256(v));
const u256OrNull = (v: bigint | undefined): Uint8Array | null => (v === undefined ? null : u256(v));

/** `Channel.marshal()`. */
export function marshalChannel(c: Channel): ChannelResult {
  return {
    market_oid: copy(c.market_oid),
    member_oid: copyOrNull(c.member_oid),
    channel_oid: copy(c.channel_oid),
    timestamp: c.timestamp,
    open_at: u256OrNull(c.open_at),
    seq: c.seq,
    channel_type: c.channel_type,
    marketmaker: copy(c.marketmaker),
    actor: copy(c.actor),
    delegate: copy(c.delegate),
    recipient: copy(c.recipient),
    amount: u256(c.amount),
    timeout: c.timeout,
    state: c.state,
    closing_at: u256OrNull(c.closing_at),
    closed_at: u256OrNull(c.closed_at),
    close_mm_sig: copyOrNull(c.close_mm_sig),
    close_del_sig: copyOrNull(c.close_del_sig),
    close_channel_seq: c.close_channel_seq ?? 0,
    close_balance: u256(c.close_balance ?? 0n),
    close_is_final: c.close_is_final ?? false,
    closed_tx: copyOrNull(c.closed_tx),
  };
}

/** `ChannelBalance.marshal()`. */
export function marshalBalance(b: ChannelBalance): BalanceResult {
  return { remaining: u256(b.remaining), inflight: u256(b.inflight), seq: b.seq };
}

/**
 * A seller's earnings on its paying channel (`get_paying_channel`, docs/protocol.md#seller-earnings): what its
 * sales moved to `spent`, unclaimed until the close settles on chain (the contract then pays it out).
 */
export function marshalEarnings(c: Channel, b: ChannelBalance): EarningsResult {
  return {
    earned: u256(b.spent),
    unclaimed: u256(c.state === ChannelState.CLOSED ? 0n : b.spent),
    remaining: u256(b.remaining),
    inflight: u256(b.inflight),
    sales: b.sales ?? 0,
    refunds: b.refunds ?? 0,
    seq: b.seq,
  };
}
