/**
 * Small readers of maker values outside the maker API's results: the refund state a failed `buy_key`
 * carries in its error kwargs. Results themselves are read by the maker API (schema/api, `callMaker`).
 */

/** An integer block number (number or bigint) as bigint. */
export function blockNumber(name: string, v: unknown): bigint {
  if (typeof v === 'bigint' && v >= 0n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new TypeError(`${name}: expected a block number, got ${typeof v}`);
}

export { sameBytes, toHex as hex } from '../../schema/codec/index.js';
