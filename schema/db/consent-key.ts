/**
 * Primary key of consents (docs/protocol.md#key-layouts): `catalog[16] ‖ member[20] ‖ delegate[20] ‖ u8(delegate_type) ‖
 * market[16]`, 73 bytes; shared by the maker and worker DBs.
 */
import type { Address, Uuid } from '../codec/types.js';
import { address, key, u8, uuid } from './keys.js';
import type { ActorType } from './records/chain.js';

/** The fields of a consent that make up its key. */
export interface ConsentKey {
  catalog_oid: Uuid;
  member: Address;
  delegate: Address;
  delegate_type: ActorType;
  market_oid: Uuid;
}

/** Encodes a consent key (73 bytes). */
export function consentKey(k: ConsentKey): Buffer {
  return key(uuid(k.catalog_oid), address(k.member), address(k.delegate), u8(k.delegate_type), uuid(k.market_oid));
}
