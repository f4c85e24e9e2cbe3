/**
 * Bounds of offer fields and the time rules of `place_offer` (docs/protocol.md#place-offer-rules): the maker
 * enforces them, the seller delegate checks its offers against the same rules before placing them.
 */

/** `uri`: lowercase components, the last may be empty (a prefix); the empty string matches (docs/protocol.md#place-offer-rules). */
export const OFFER_URI_RE = /^([\da-z_]+\.)*([\da-z_]*)$/;
/** Longest accepted `uri`. */
export const MAX_OFFER_URI_LENGTH = 512;
/** Most `categories` entries, and the longest key and value. */
export const MAX_CATEGORIES = 32;
export const MAX_CATEGORY_KEY_LENGTH = 64;
export const MAX_CATEGORY_VALUE_LENGTH = 256;
/** Largest `copies` (the original stores a uint32). */
export const MAX_COPIES = 0xffffffff;
/** Longest `provider_id` (a secp256k1 public key in hex is 130 characters). */
export const MAX_PROVIDER_ID_LENGTH = 256;

const MINUTE_NS = 60n * 1_000_000_000n;
/** `valid_from` may lie at most this far in the past (the original's disabled rule). */
export const VALID_FROM_PAST_NS = 5n * MINUTE_NS;
/** `valid_from` and `expires` may lie at most this far in the future. */
export const MAX_FUTURE_NS = 24n * 60n * MINUTE_NS;
/** An offer with an expiry must be valid at least this long. */
export const MIN_LIFETIME_NS = 5n * MINUTE_NS;

/** `query_offers` `limit`: default and maximum (docs/protocol.md#query-offers). */
export const QUERY_LIMIT_DEFAULT = 10;
export const QUERY_LIMIT_MAX = 1000;
