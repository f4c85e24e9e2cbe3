/**
 * Hot path: the EIP712 digest of `EIP712ChannelClose` (every off-chain payment). A fixed 9-word layout
 * is filled in place, then one keccak for the struct and one for the digest; the type hash and the XBR
 * domain separator are precomputed. Equal to `hashTypedMessage('EIP712ChannelClose', m)`.
 */
import type { Hash32 } from '../codec/types.js';
import { domainSeparatorRef } from './domainSeparator.js';
import { invalidArgument } from './errors.js';
import { keccak256 } from './keccak.js';
import { typeHashRef } from './typeHash.js';
import type { ChannelCloseMessage } from './types.js';
import { writeAddress, writeBool, writeFixedBytes, writeUint } from './words.js';

const struct = new Uint8Array(32 * 9);
const structView = new DataView(struct.buffer);
struct.set(typeHashRef('EIP712ChannelClose'), 0);
const digest = new Uint8Array(66);
digest[0] = 0x19;
digest[1] = 0x01;
digest.set(domainSeparatorRef('EIP712ChannelClose'), 2);

/**
 * `hashTypedMessage('EIP712ChannelClose', m)` without the generic machinery.
 * @example hashChannelClose({ chainId: 1n, verifyingContract, closeAt: 1n, marketId, channelId,
 *   channelSeq: 1, balance: 88_000000000000000000n, isFinal: false }) // 0xa4cb6e37…4dbf for docs/protocol.md#test-vectors
 */
export function hashChannelClose(m: ChannelCloseMessage): Hash32 {
  if (m === null || typeof m !== 'object') throw invalidArgument('EIP712ChannelClose', 'expected a message object');
  writeUint(struct, structView, 32, m.chainId, 256, 'EIP712ChannelClose.chainId');
  writeAddress(struct, 64, m.verifyingContract, 'EIP712ChannelClose.verifyingContract');
  writeUint(struct, structView, 96, m.closeAt, 256, 'EIP712ChannelClose.closeAt');
  writeFixedBytes(struct, 128, m.marketId, 16, 'EIP712ChannelClose.marketId');
  writeFixedBytes(struct, 160, m.channelId, 16, 'EIP712ChannelClose.channelId');
  writeUint(struct, structView, 192, m.channelSeq, 32, 'EIP712ChannelClose.channelSeq');
  writeUint(struct, structView, 224, m.balance, 256, 'EIP712ChannelClose.balance');
  writeBool(struct, 256, m.isFinal, 'EIP712ChannelClose.isFinal');
  digest.set(keccak256(struct), 34);
  return keccak256(digest) as Hash32;
}
