/** Small shared pieces of the ledger: the `closeAt` rule, byte helpers. */
import { argumentError } from '../../../schema/codec/index.js';

/**
 * Largest distance, in blocks, between a signed `closeAt` and the maker's current block (docs/protocol.md#differences:
 * "the current block number (within 1440 blocks)", the contracts' PRESIGNED_TXN_MAX_AGE). Both
 * directions: a delegate whose node is a few blocks ahead of the maker's is not refused.
 */
const CLOSE_AT_WINDOW = 1440n;

/** Largest `channelSeq` an EIP712ChannelClose can carry (uint32). */
export const MAX_CHANNEL_SEQ = 0xffff_ffff;

/**
 * Throws `wamp.error.invalid_argument` (argument `close_at`) unless `closeAt` is within
 * {@link CLOSE_AT_WINDOW} blocks of `currentBlock`.
 */
export function checkCloseAt(closeAt: bigint, currentBlock: bigint): void {
  if (typeof closeAt !== 'bigint' || closeAt < 0n) throw argumentError('close_at', 'a block number (bigint ≥ 0)', String(closeAt));
  if (typeof currentBlock !== 'bigint' || currentBlock < 0n) throw argumentError('current_block', 'a block number (bigint ≥ 0)', String(currentBlock));
  const d = closeAt > currentBlock ? closeAt - currentBlock : currentBlock - closeAt;
  if (d > CLOSE_AT_WINDOW) {
    throw argumentError('close_at', `a block within ${CLOSE_AT_WINDOW} blocks of the current block ${currentBlock}`, String(closeAt));
  }
}

/** Byte-wise equality (stored fields come back from LMDB as Buffers); lower-case hex without `0x`. */
export { sameBytes, toHex as hexOf } from '../../../schema/codec/index.js';
