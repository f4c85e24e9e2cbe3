/**
 * The wire dict of an offer (docs/protocol.md#maker-records `Offer.marshal`, returned by place/get/revoke and published in
 * `on_offer_placed`/`on_offer_revoked`, docs/protocol.md#maker-events). Deviations from the original, on purpose:
 * - `price` is always 32 bytes big-endian, also for a free offer (the original sent the int 0; docs/protocol.md#differences
 *   "amounts 32-byte BE"; `unpack_uint256` reads both); a dynamically priced offer has `price: None`;
 * - `categories` is None when empty (as the original when none were given);
 * - `copies`/`remaining`/`expires` are None when unlimited/never (the original's None on place);
 * - one extra key, `revoked` (ns or None), so a client can tell a revoked offer from an expired one.
 */
import type { OfferResult } from '../../../schema/api/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { Offer } from '../../../schema/db/index.js';

const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/** Marshals an offer record to its wire dict (fresh Uint8Arrays, never the stored Buffers). */
export function marshalOffer(offer: Offer, suspended = false): OfferResult {
  const categories = Object.keys(offer.categories).length === 0 ? null : { ...offer.categories };
  return {
    timestamp: offer.timestamp,
    offer: bytes(offer.offer),
    seller: bytes(offer.seller),
    seller_session_id: offer.seller_session_id === 0 ? null : offer.seller_session_id,
    seller_authid: offer.seller_authid,
    key: bytes(offer.key),
    api: bytes(offer.api),
    uri: offer.uri,
    valid_from: offer.valid_from,
    signature: bytes(offer.signature),
    price: offer.price === null ? null : new Uint8Array(packUint256(offer.price)),
    categories,
    expires: offer.expires ?? null,
    copies: offer.copies ?? null,
    remaining: offer.remaining ?? null,
    revoked: offer.revoked ?? null,
    suspended,
  };
}
