/** Inputs and context shared by the offer-book operations (pure logic over the maker DB, no WAMP session). */
import type { Logger } from '../../../schema/index.js';
import type { Address, Amount, NsTime, Signature65, Uuid } from '../../../schema/codec/index.js';

/** Who is calling, from the WAMP call details (the router discloses the caller to the maker). */
export interface CallerIdentity {
  readonly sessionId?: number;
  readonly authid?: string;
  readonly authrole?: string;
}

/** Everything an offer operation needs besides the DB: the clock, the caller and the market's EIP712 binding. */
export interface OfferContext {
  /** Current time, ns (passed in so tests drive the clock). */
  readonly now: NsTime;
  readonly caller: CallerIdentity;
  /** `XBRNetwork.verifyingChain()` (`get_config().verifying_chain_id`). */
  readonly chainId: bigint;
  /** The XBRNetwork address (`get_config().verifying_contract_adr`). */
  readonly verifyingContract: Address;
  /** The market this maker serves (bound into the offer signature). */
  readonly marketId: Uuid;
  /** The maker's logger (its lines carry worker, maker and market); default a bare `offers` logger. */
  readonly log?: Logger;
}

/** The checked arguments of `place_offer` (docs/protocol.md#place-offer). */
export interface PlaceOfferInput {
  readonly keyId: Uuid;
  readonly apiId: Uuid;
  /** Exact URI or prefix (last component empty). */
  readonly uri: string;
  /** As sent: 0 means "from now" (autobahn-js sends 0). */
  readonly validFrom: NsTime;
  readonly delegate: Address;
  readonly signature: Signature65;
  /** `null`: dynamic pricing (the seller quotes each sale). */
  readonly price: Amount | null;
  readonly categories: Readonly<Record<string, string>>;
  readonly expires?: NsTime;
  readonly copies?: number;
  /** Informational only; when given it must equal the caller's authid. */
  readonly providerId?: string;
}

/** The checked filter of `query_offers` (docs/protocol.md#query-offers). */
export interface QueryOffersFilter {
  /** Offers of this API; may be omitted only when `sellerId` is given. */
  readonly apiId?: Uuid;
  /** Lower bound (inclusive) on `valid_from`, ns. */
  readonly fromTs: NsTime;
  /** Upper bound (exclusive) on `valid_from`, ns; offers not yet valid are never returned. */
  readonly untilTs?: NsTime;
  /** The offer's uri must start with this string. */
  readonly uri?: string;
  /** Every pair must be among the offer's categories. */
  readonly categories?: Readonly<Record<string, string>>;
  /** Seller delegate address. */
  readonly sellerId?: Address;
  /** 1..1000, default 10. */
  readonly limit: number;
}
