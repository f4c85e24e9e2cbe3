/**
 * The buyer's view of its payment channel (seq, remaining) and the checks that move it: a purchase is
 * signed over (seq + 1, remaining − price); the maker's receipt must be signed by the maker over exactly
 * that state; a failed purchase's maker-signed refund state (seq advanced, price back) is adopted once its
 * signature checks out. Nothing here does I/O.
 */
import { intArg, signatureArg, uint256Arg, unpackUint256, uuidArg } from '../../schema/codec/index.js';
import type { Address, Uuid } from '../../schema/codec/index.js';
import { formatUuid } from '../../schema/codec/index.js';
import { recoverChannelClose } from '../../schema/eip712/index.js';
import { WampError } from '../../schema/index.js';
import { XbrErrorUri } from '../../schema/index.js';
import { channelCloseMessage, type MarketBinding } from '../../schema/eip712/index.js';
import { blockNumber, hex, sameBytes } from './wire.js';
import type { BuyKeyResult } from '../../schema/api/index.js';

/** Largest channel seq (uint32 on chain). */
const MAX_SEQ = 2 ** 32 - 1;

/** The local state of the payment channel: what the next purchase builds on. */
export interface ChannelState {
  readonly channelId: Uuid;
  readonly seq: number;
  readonly remaining: bigint;
}

/** What a verified receipt delivers. */
export interface VerifiedReceipt {
  readonly state: ChannelState;
  readonly sealedKey: Uint8Array;
  /** The maker's signature over `state` at the purchase's `closeAt`: proof of the off-chain balance. */
  readonly signature: Uint8Array;
}

/** True when `signature` is the maker's over (`seq`, `remaining`) of `channelId` at `closeAt`. */
export function signedByMaker(binding: MarketBinding, maker: Address, closeAt: bigint, channelId: Uuid, seq: number, remaining: bigint, signature: Uint8Array): boolean {
  try {
    return sameBytes(recoverChannelClose(channelCloseMessage(binding, closeAt, channelId, seq, remaining, false), signature), maker);
  } catch {
    return false;
  }
}

/**
 * Checks the `buy_key` receipt against the purchase the buyer signed: the key and channel it named, the
 * maker's signature over (seq, remaining), and that those are the signed `expected` state.
 * @throws WampError `xbr.error.invalid_signature` (not the maker's signature),
 *   `xbr.error.invalid_transaction` (another key, channel, seq, remaining or closeAt); the receipt's shape is
 *   checked before, by the maker API's reader
 */
export function verifyReceipt(r: BuyKeyResult, p: { binding: MarketBinding; maker: Address; keyId: Uuid; closeAt: bigint; expected: ChannelState }): VerifiedReceipt {
  const parsed = { keyId: r.key_id, channelId: r.payment_channel, seq: r.channel_seq, remaining: unpackUint256(r.remaining), signature: r.signature, sealedKey: r.sealed_key, closeAt: r.close_at };
  const e = p.expected;
  const ch = formatUuid(e.channelId);
  if (!sameBytes(parsed.keyId, p.keyId)) throw invalidTransaction(`receipt is for key ${formatUuid(parsed.keyId)}, not ${formatUuid(p.keyId)}`);
  if (!sameBytes(parsed.channelId, e.channelId)) throw invalidTransaction(`receipt is for channel ${formatUuid(parsed.channelId)}, not ${ch}`);
  if (parsed.closeAt !== p.closeAt) throw invalidTransaction(`receipt is at close_at ${parsed.closeAt}, the purchase was signed at ${p.closeAt}`);
  if (!signedByMaker(p.binding, p.maker, parsed.closeAt, e.channelId, parsed.seq, parsed.remaining, parsed.signature)) {
    throw new WampError(XbrErrorUri.invalidSignature, `receipt for key ${formatUuid(p.keyId)} is not signed by the market maker 0x${hex(p.maker)}`, {
      kwargs: { channel_oid: e.channelId, channel_seq: parsed.seq },
    });
  }
  if (parsed.seq !== e.seq || parsed.remaining !== e.remaining) {
    throw invalidTransaction(`channel ${ch}: receipt state (seq ${parsed.seq}, remaining ${parsed.remaining}) is not the signed purchase (seq ${e.seq}, remaining ${e.remaining})`, {
      channel_seq: parsed.seq, remaining: parsed.remaining, expected_seq: e.seq, expected_remaining: e.remaining,
    });
  }
  return { state: { channelId: e.channelId, seq: parsed.seq, remaining: parsed.remaining }, sealedKey: parsed.sealedKey, signature: parsed.signature };
}

/**
 * The maker-signed refund state a failed `buy_key` carries in its kwargs (after the reservation the maker
 * refunds but keeps the advanced seq), if present, for this channel, newer than `current`, and signed by
 * the maker; otherwise undefined (the failure changed nothing the buyer can prove).
 */
export function refundState(err: WampError, p: { binding: MarketBinding; maker: Address; current: ChannelState }): ChannelState | undefined {
  const k = err.kwargs;
  if (k['signature'] === undefined || k['channel_seq'] === undefined || k['remaining'] === undefined) return undefined;
  let s: { channelId: Uuid; seq: number; remaining: bigint; closeAt: bigint; signature: Uint8Array };
  try {
    s = {
      channelId: k['payment_channel'] === undefined ? p.current.channelId : uuidArg('payment_channel', k['payment_channel']),
      seq: intArg('channel_seq', k['channel_seq'], { min: 1, max: MAX_SEQ }),
      remaining: uint256Arg('remaining', k['remaining']),
      closeAt: blockNumber('close_at', k['close_at']),
      signature: signatureArg('signature', k['signature']),
    };
  } catch {
    return undefined;
  }
  if (!sameBytes(s.channelId, p.current.channelId) || s.seq <= p.current.seq) return undefined;
  if (!signedByMaker(p.binding, p.maker, s.closeAt, s.channelId, s.seq, s.remaining, s.signature)) return undefined;
  return { channelId: s.channelId, seq: s.seq, remaining: s.remaining };
}

function invalidTransaction(message: string, kwargs: Record<string, unknown> = {}): WampError {
  return new WampError(XbrErrorUri.invalidTransaction, message, { kwargs });
}
