/**
 * Hot path: the EIP712 digest of `EIP712ChannelOpen`. A fixed 12-word layout filled in place, one keccak
 * for the struct and one for the digest. Equal to `hashTypedMessage('EIP712ChannelOpen', m)`.
 */
import type { Hash32 } from '../codec/types.js';
import { domainSeparatorRef } from './domainSeparator.js';
import { invalidArgument } from './errors.js';
import { keccak256 } from './keccak.js';
import { typeHashRef } from './typeHash.js';
import type { ChannelOpenMessage } from './types.js';
import { writeAddress, writeFixedBytes, writeUint } from './words.js';

const struct = new Uint8Array(32 * 12);
const structView = new DataView(struct.buffer);
struct.set(typeHashRef('EIP712ChannelOpen'), 0);
const digest = new Uint8Array(66);
digest[0] = 0x19;
digest[1] = 0x01;
digest.set(domainSeparatorRef('EIP712ChannelOpen'), 2);

/**
 * `hashTypedMessage('EIP712ChannelOpen', m)` without the generic machinery.
 * @example hashChannelOpen({ chainId: 1n, verifyingContract, ctype: 1, openedAt: 108n, marketId, channelId,
 *   actor, delegate, marketmaker, recipient, amount: 123n * 10n ** 18n })
 */
export function hashChannelOpen(m: ChannelOpenMessage): Hash32 {
  if (m === null || typeof m !== 'object') throw invalidArgument('EIP712ChannelOpen', 'expected a message object');
  writeUint(struct, structView, 32, m.chainId, 256, 'EIP712ChannelOpen.chainId');
  writeAddress(struct, 64, m.verifyingContract, 'EIP712ChannelOpen.verifyingContract');
  writeUint(struct, structView, 96, m.ctype, 8, 'EIP712ChannelOpen.ctype');
  writeUint(struct, structView, 128, m.openedAt, 256, 'EIP712ChannelOpen.openedAt');
  writeFixedBytes(struct, 160, m.marketId, 16, 'EIP712ChannelOpen.marketId');
  writeFixedBytes(struct, 192, m.channelId, 16, 'EIP712ChannelOpen.channelId');
  writeAddress(struct, 224, m.actor, 'EIP712ChannelOpen.actor');
  writeAddress(struct, 256, m.delegate, 'EIP712ChannelOpen.delegate');
  writeAddress(struct, 288, m.marketmaker, 'EIP712ChannelOpen.marketmaker');
  writeAddress(struct, 320, m.recipient, 'EIP712ChannelOpen.recipient');
  writeUint(struct, structView, 352, m.amount, 256, 'EIP712ChannelOpen.amount');
  digest.set(keccak256(struct), 34);
  return keccak256(digest) as Hash32;
}
