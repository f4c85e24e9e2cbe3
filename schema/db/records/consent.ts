/**
 * A member's consent for a delegate to provide/consume a catalog's data in a market (docs/protocol.md#replica-records
 * `Consent`). Kept in the maker DB (set_consent/get_consent) and replicated into the worker DB.
 */
import type { Address, Hash32, NsTime, Signature65, Uuid } from '../../codec/types.js';
import type { ActorType } from './chain.js';

export interface Consent {
  market_oid: Uuid;
  member: Address;
  delegate: Address;
  delegate_type: ActorType;
  catalog_oid: Uuid;
  /** When stored, ns. */
  timestamp: NsTime;
  /** Block number of the `ConsentSet` event. */
  updated?: bigint;
  consent: boolean;
  service_prefix: string;
  /** Transaction hash of `setConsent`. */
  tid?: Hash32;
  signature?: Signature65;
  /** True once the chain confirmed it. */
  synced: boolean;
}
