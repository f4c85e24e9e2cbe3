/** Small shared pieces of the ledger: the market's EIP712 binding, the `closeAt` rule, byte helpers. */
import { argumentError } from '../../../schema/codec/index.js';
import type { Address, Uuid } from '../../../schema/codec/index.js';
import type { ChannelCloseMessage } from '../../../schema/eip712/index.js';

/** What every channel signature of this market is bound to (the maker's `get_config`). */
export interface MarketBinding {
  /** `XBRNetwork.verifyingChain()`. */
  readonly chainId: bigint;
  /** The XBRNetwork address (`verifying_contract_adr`). */
  readonly verifyingContract: Address;
  /** The market this maker serves. */
  readonly marketId: Uuid;
}

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

/** The EIP712ChannelClose message of an off-chain state of `channelId` in this market. */
export function closeMessage(m: MarketBinding, closeAt: bigint, channelId: Uuid, channelSeq: number, balance: bigint, isFinal: boolean): ChannelCloseMessage {
  return { chainId: m.chainId, verifyingContract: m.verifyingContract, closeAt, marketId: m.marketId, channelId, channelSeq, balance, isFinal };
}

/** Byte-wise equality (stored fields come back from LMDB as Buffers); lower-case hex without `0x`. */
export { sameBytes, toHex as hexOf } from '../../../schema/codec/index.js';
