/**
 * Type strings and type hashes (`encodeType` / `typeHash` of EIP712), precomputed once for every type.
 * XBR types reference no other struct, so a type string is just `Name(type1 name1,type2 name2,...)`.
 */
import { keccakUtf8 } from './keccak.js';
import { ALL_TYPES, type Eip712Field, type PrimaryType } from './types.js';

/**
 * `encodeType` of a struct without referenced structs.
 * @example encodeType('EIP712MarketMemberLogin', XBR_TYPES.EIP712MarketMemberLogin)
 * // 'EIP712MarketMemberLogin(address member,bytes32 client_pubkey)'
 */
export function encodeType(name: string, fields: readonly Eip712Field[]): string {
  return `${name}(${fields.map((x) => `${x.type} ${x.name}`).join(',')})`;
}

const hashes = {} as Record<PrimaryType, Uint8Array>;
for (const [name, fields] of Object.entries(ALL_TYPES)) hashes[name as PrimaryType] = keccakUtf8(encodeType(name, fields));

/**
 * keccak256 of the type string of `primaryType` (docs/protocol.md#eip712-typehashes; a fresh copy).
 * @example typeHash('EIP712ChannelClose') // 0x6a7865c9…761a
 */
export function typeHash(primaryType: PrimaryType): Uint8Array {
  return hashes[primaryType].slice();
}

/** The shared precomputed type hash (do not modify). */
export function typeHashRef(primaryType: PrimaryType): Uint8Array {
  return hashes[primaryType];
}
