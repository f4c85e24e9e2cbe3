/**
 * Ethereum addresses: 20 raw bytes on the wire, EIP-55 checksummed `0x…` strings in `get_config`, logs
 * and EIP712 messages for JS libraries.
 */
import { keccak256 } from '../eip712/keccak.js';
import { argumentError, describe, expectBytes, toHex } from './argument.js';
import type { Address } from './types.js';

const HEX40_RE = /^(?:0x|0X)?([0-9a-fA-F]{40})$/;
const MIXED_CASE_RE = /[a-f].*[A-F]|[A-F].*[a-f]/;

/**
 * Checks that `bytes` is 20 bytes and returns it typed as an {@link Address} (no copy).
 *
 * @throws WampError `wamp.error.invalid_argument` (`<name>: expected 20 bytes, got 19`).
 * @example
 * const delegate = asAddress(args[0], 'delegate_adr');
 */
export function asAddress(bytes: unknown, name = 'address'): Address {
  return expectBytes(name, bytes, 20) as Address;
}

/** Applies EIP-55 mixed-case to 40 lowercase hex digits (no prefix). */
function checksumHex(lower: string): string {
  const hash = keccak256(Buffer.from(lower, 'ascii'));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i] as string;
    const nibble = ((hash[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/**
 * Formats a 20-byte address as its EIP-55 checksummed string.
 *
 * @throws WampError `wamp.error.invalid_argument` if `bytes` is not 20 bytes.
 * @example
 * toChecksumAddress(parseAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'));
 * // '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
 */
export function toChecksumAddress(bytes: Uint8Array, name = 'address'): string {
  return checksumHex(toHex(expectBytes(name, bytes, 20)));
}

/**
 * Parses an address string into its 20 bytes. The `0x` prefix is optional. All-lowercase and
 * all-uppercase strings are taken as they are; a mixed-case string must carry a valid EIP-55 checksum.
 *
 * @throws WampError `wamp.error.invalid_argument` for a malformed string or a bad checksum.
 * @example
 * parseAddress('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'); // 20 bytes
 * parseAddress('0xfb6916095ca1df60bB79Ce92cE3Ea74c37c5d359'); // throws: bad EIP-55 checksum
 */
export function parseAddress(text: string, name = 'address'): Address {
  if (typeof text !== 'string') throw argumentError(name, 'an address string', describe(text));
  const m = HEX40_RE.exec(text);
  if (m === null) throw argumentError(name, 'a 0x-prefixed 40-digit hex address', JSON.stringify(text.slice(0, 50)));
  const digits = m[1] as string;
  if (MIXED_CASE_RE.test(digits) && checksumHex(digits.toLowerCase()).slice(2) !== digits) {
    throw argumentError(name, 'a valid EIP-55 checksum', JSON.stringify(text));
  }
  return new Uint8Array(Buffer.from(digits, 'hex')) as Address;
}

/**
 * True if `bytes` is the zero address (20 zero bytes).
 *
 * @example
 * isZeroAddress(new Uint8Array(20)); // true
 */
export function isZeroAddress(bytes: Uint8Array): boolean {
  if (bytes.length !== 20) return false;
  for (let i = 0; i < 20; i++) if (bytes[i] !== 0) return false;
  return true;
}
