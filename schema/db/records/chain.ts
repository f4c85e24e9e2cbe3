/**
 * Blockchain replica records of the worker DB (docs/protocol.md#replica-records, namespace `xbr`): what the chain monitor
 * stores from XBR contract events. Block numbers and uint256 values are bigint, times ns.
 */
import type { Address, Amount, Hash32, NsTime, Signature65, Uuid } from '../../codec/types.js';
import type { RdfDescription } from './description.js';

/** Member level (`MemberLevel`, uint8). */
export const MemberLevel = { NONE: 0, ACTIVE: 1, VERIFIED: 2, RETIRED: 3, PENALTY: 4, BLOCKED: 5 } as const;
export type MemberLevel = (typeof MemberLevel)[keyof typeof MemberLevel];

/** Actor type in a market (`ActorType`, uint8). */
export const ActorType = { NONE: 0, PROVIDER: 1, CONSUMER: 2, PROVIDER_CONSUMER: 3 } as const;
export type ActorType = (typeof ActorType)[keyof typeof ActorType];

/** A processed block (key: block number). */
export interface Block {
  /** When processed, ns. */
  timestamp: NsTime;
  block_number: bigint;
  /** Block hash (the original never stored it; needed to detect reorgs). */
  block_hash: Hash32;
  /** Number of XBR events processed in the block. */
  cnt_events: number;
}

/** An XBRToken `Transfer` event (key: tx hash ‖ log index, so several per transaction are kept). */
export interface TokenTransfer {
  tx_hash: Hash32;
  log_index: number;
  block_hash: Hash32;
  block_number: bigint;
  from_address: Address;
  to_address: Address;
  value: Amount;
}

/** An XBRToken `Approval` event (key: tx hash ‖ log index). */
export interface TokenApproval {
  tx_hash: Hash32;
  log_index: number;
  block_hash: Hash32;
  block_number: bigint;
  owner_address: Address;
  spender_address: Address;
  value: Amount;
}

/** A registered XBR member (key: address). */
export interface Member {
  address: Address;
  account_oid?: Uuid;
  timestamp: NsTime;
  /** Block of registration. */
  registered: bigint;
  /** IPFS hash of the EULA. */
  eula: string;
  /** IPFS hash of the profile. */
  profile: string;
  /** Parsed profile (IPFS, Turtle), once downloaded. */
  description?: RdfDescription;
  level: MemberLevel;
  /** Transaction hash of the registration. */
  tid?: Hash32;
  signature?: Signature65;
}

/** A member's participation in a market (key: market ‖ actor ‖ actor_type). */
export interface Actor {
  market: Uuid;
  actor: Address;
  actor_type: ActorType;
  timestamp: NsTime;
  /** Block of joining. */
  joined: bigint;
  /** Security deposit (uint256). */
  security: Amount;
  meta: string;
  tid?: Hash32;
  signature?: Signature65;
  /** Block of leaving (`ActorLeft`), when left. */
  left?: bigint;
}

/** An XBR market (key: market id). */
export interface Market {
  market: Uuid;
  timestamp: NsTime;
  /** Block of creation. */
  created: bigint;
  seq: number;
  owner: Address;
  /** Token contract the market trades in. */
  coin: Address;
  terms: string;
  meta: string;
  /** Parsed `meta` (IPFS, Turtle), once downloaded. */
  description?: RdfDescription;
  maker: Address;
  provider_security: Amount;
  consumer_security: Amount;
  market_fee: Amount;
  tid?: Hash32;
  signature?: Signature65;
  /** Block of `MarketClosed`, when closed. */
  closed?: bigint;
}

/** An API published in a catalog (key: api id). */
export interface Api {
  oid: Uuid;
  catalog_oid: Uuid;
  timestamp: NsTime;
  /** Block of publication. */
  published: bigint;
  /** IPFS hash of the API schema. */
  schema: string;
  meta: string;
  /** Parsed `meta` and `schema` (IPFS, Turtle), once downloaded; `schema_refs` from the schema file. */
  description?: RdfDescription;
  tid?: Hash32;
  signature?: Signature65;
}

/** An API catalog (key: catalog id). */
export interface Catalog {
  oid: Uuid;
  timestamp: NsTime;
  /** Block of creation. */
  created: bigint;
  seq: number;
  owner: Address;
  terms: string;
  /** IPFS hash of the catalog's RDF description. */
  meta: string;
  /** Parsed `meta` (IPFS, Turtle), once downloaded. */
  description?: RdfDescription;
  tid?: Hash32;
  signature?: Signature65;
}
