/**
 * Reading what the maker sends back. A malformed value from the maker is the maker's fault, not the
 * buyer's caller's: it is reported as `xbr.error.invalid_transaction` naming the field, never as an
 * argument error of the buyer's own API.
 */
import { WampError } from '../../schema/index.js';
import { XbrErrorUri } from '../../schema/index.js';

/** Runs `parse` on `what` from the maker; a failure becomes `xbr.error.invalid_transaction`. */
export function fromMaker<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new WampError(XbrErrorUri.invalidTransaction, `the market maker sent an unusable ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** A dict (not bytes, not a list). */
export function asDict(what: string, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    throw new WampError(XbrErrorUri.invalidTransaction, `the market maker sent no ${what} dict`);
  }
  return v as Record<string, unknown>;
}

/** An integer block number (number or bigint) as bigint. */
export function blockNumber(name: string, v: unknown): bigint {
  if (typeof v === 'bigint' && v >= 0n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new TypeError(`${name}: expected a block number, got ${typeof v}`);
}

export { sameBytes, toHex as hex } from '../../schema/codec/index.js';
