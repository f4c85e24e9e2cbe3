/** A seller's offer of a data-encryption key (docs/protocol.md#maker-records `Offer`), in the maker DB's `offers`. */
import type { Address, Amount, NsTime, Signature65, Uuid } from '../../codec/types.js';

export interface Offer {
  /** When the maker stored the offer, ns. */
  timestamp: NsTime;
  /** Offer id (primary key). */
  offer: Uuid;
  /** Seller delegate address that placed the offer. */
  seller: Address;
  /** WAMP session id of the seller's session. */
  seller_session_id: number;
  /** Authenticated authid of the seller session (where `…sell` is called). */
  seller_authid: string;
  /** Data-encryption key id (unique: `idx_offer_by_key`). */
  key: Uuid;
  /** API the key's data belongs to. */
  api: Uuid;
  /** URI (topic) the data is published under. */
  uri: string;
  /** Offer not valid before this time, ns. */
  valid_from: NsTime;
  /** Seller delegate's EIP712 offer signature. */
  signature: Signature65;
  /**
   * Price per key (uint256); 0 means free. `null` means dynamic pricing: the seller quotes each sale
   * itself (`xbr.provider.<seller_authid>.get_quote`), so readers must not treat it as 0.
   */
  price: Amount | null;
  /** Category key → value (the original stored two parallel vectors). */
  categories: Record<string, string>;
  /** Offer expires at this time, ns; absent means never. */
  expires?: NsTime;
  /** Number of copies for sale; absent means unlimited. */
  copies?: number;
  /** Copies left (decremented per sale when `copies` is set). */
  remaining?: number;
  /** When the seller revoked the offer, ns (`expires` is then at most this time). */
  revoked?: NsTime;
  /**
   * When the maker's sweep found the offer expired and took it out of the query indexes, ns. Bookkeeping only:
   * whether an offer can be sold is decided by `expires` itself.
   */
  lapsed?: NsTime;
}
