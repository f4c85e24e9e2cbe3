/**
 * The shared checks of the procedures that take a member-signed message (`open_channel`, `close_channel`,
 * `set_consent`): block numbers, the market binding every signature carries, and the pre-signed block window
 * of the contracts. Positional or keyword arguments (autobahn callers may pass either): `namedArgs` of
 * worker/market/api.
 */
import { argumentError, describe, toHex } from '../../../schema/codec/index.js';
import type { Address, Uuid } from '../../../schema/codec/index.js';
import { sameBytes } from '../../../schema/codec/index.js';
import type { MakerContext } from '../api/index.js';

/** Blocks a pre-signed block number may lie behind the current block (the contracts' PRESIGNED_TXN_MAX_AGE). */
const PRESIGNED_MAX_AGE = 1440n;

/** A block number (int or bigint ≥ 0) as bigint. */
export function blockArg(name: string, value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n) return value;
  throw argumentError(name, 'a block number (integer ≥ 0)', typeof value === 'number' ? String(value) : describe(value));
}

/** An integer argument that must equal `expected` (e.g. the verifying chain id). */
function expectInt(name: string, value: unknown, expected: bigint): void {
  const v = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof v !== 'bigint') throw argumentError(name, 'an integer', describe(value));
  if (v !== expected) throw argumentError(name, `${expected} (this maker's)`, String(v));
}

/** A byte argument that must equal `expected`. */
export function expectSame(name: string, value: Uint8Array, expected: Uint8Array, what: string): void {
  if (!sameBytes(value, expected)) throw argumentError(name, `${what} 0x${toHex(expected)}`, `0x${toHex(value)}`);
}

/** The maker's verifying contract as 20 bytes. */
export function verifyingContractBytes(ctx: MakerContext): Address {
  return Buffer.from(ctx.verifyingContract.slice(2), 'hex') as unknown as Address;
}

/** The maker's own address as 20 bytes. */
export function makerAddressBytes(ctx: MakerContext): Address {
  return Buffer.from(ctx.address.slice(2), 'hex') as unknown as Address;
}

/**
 * Checks the chain binding of a signed message against the maker's (`market_oid` only where the message
 * names one), so a mismatch is a clear argument error instead of a signature that recovers to a stranger.
 */
export function checkBinding(ctx: MakerContext, a: { chainId: unknown; contract: Uint8Array; market?: Uuid }): void {
  if (a.market !== undefined) expectSame('market_oid', a.market, ctx.marketId, "this maker's market");
  expectInt('verifying_chain_id', a.chainId, ctx.verifyingChainId);
  expectSame('verifying_contract_adr', a.contract, verifyingContractBytes(ctx), 'the verifying contract');
}

/**
 * A pre-signed block number the contracts accept: not after the current block and at most
 * {@link PRESIGNED_MAX_AGE} blocks old.
 */
export function checkPresignedBlock(name: string, block: bigint, current: bigint): void {
  if (block > current) throw argumentError(name, `a block not after the current block ${current}`, String(block));
  if (current - block > PRESIGNED_MAX_AGE) throw argumentError(name, `a block at most ${PRESIGNED_MAX_AGE} blocks before the current block ${current}`, String(block));
}

/** `0x` + lowercase hex. */
export function hex0x(b: Uint8Array): string {
  return `0x${toHex(b)}`;
}
