/** Checks the WAMP arguments of `place_offer` (docs/protocol.md#place-offer table; docs/protocol.md#differences: each bad argument named). */
import { argumentError, describe } from '../../../schema/codec/index.js';
import {
  addressArg,
  dictArg,
  intArg,
  nsTimeArg,
  optional,
  signatureArg,
  stringArg,
  uint256Arg,
  uuidArg,
} from '../../../schema/codec/index.js';
import {
  MAX_CATEGORIES,
  MAX_CATEGORY_KEY_LENGTH,
  MAX_CATEGORY_VALUE_LENGTH,
  MAX_COPIES,
  MAX_PROVIDER_ID_LENGTH,
  MAX_OFFER_URI_LENGTH,
  OFFER_URI_RE,
} from '../../../schema/index.js';
import type { PlaceOfferInput } from './types.js';

const KWARGS = new Set(['privkey', 'price', 'categories', 'expires', 'copies', 'provider_id']);

/** `categories`: a dict of at most {@link MAX_CATEGORIES} non-empty string keys → string values. */
export function categoriesArg(name: string, value: unknown): Record<string, string> {
  const out = dictArg(name, value, (n, v) => stringArg(n, v, { maxLength: MAX_CATEGORY_VALUE_LENGTH }), { maxLength: MAX_CATEGORIES });
  for (const k of Object.keys(out)) {
    if (k.length === 0 || k.length > MAX_CATEGORY_KEY_LENGTH) {
      throw argumentError(`${name}`, `keys of 1 to ${MAX_CATEGORY_KEY_LENGTH} characters`, `a key of ${k.length}`);
    }
  }
  return out;
}

/**
 * `place_offer(key_id, api_id, uri, valid_from, delegate_adr, delegate_signature, *, privkey, price,
 * categories, expires, copies, provider_id)` → typed input. Time rules that need the clock are checked by
 * `placeOffer`. `privkey` must be absent or None: a private key is never accepted over the wire (the
 * original accepted and ignored it). Unknown keyword arguments are refused so a misspelt one is not lost.
 * @throws WampError `wamp.error.invalid_argument` naming the argument.
 */
export function parsePlaceOfferArgs(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>> = {}): PlaceOfferInput {
  if (args.length > 6) throw argumentError('args', 'at most 6 positional arguments', String(args.length));
  for (const k of Object.keys(kwargs)) {
    if (!KWARGS.has(k)) throw argumentError(k, 'no such keyword argument of place_offer', describe(kwargs[k]));
  }
  const keyId = uuidArg('key_id', args[0]);
  const apiId = uuidArg('api_id', args[1]);
  const uri = stringArg('uri', args[2], { maxLength: MAX_OFFER_URI_LENGTH, pattern: OFFER_URI_RE });
  const validFrom = nsTimeArg('valid_from', args[3]);
  const delegate = addressArg('delegate_adr', args[4]);
  const signature = signatureArg('delegate_signature', args[5]);
  const privkey = kwargs['privkey'];
  if (privkey !== undefined && privkey !== null) throw argumentError('privkey', 'None (the market maker never takes private keys)', describe(privkey));
  const price = optional(uint256Arg)('price', kwargs['price']) ?? null;
  const categories = optional(categoriesArg)('categories', kwargs['categories']) ?? {};
  const expires = optional(nsTimeArg)('expires', kwargs['expires']);
  const copies = optional(intArg)('copies', kwargs['copies'], { min: 1, max: MAX_COPIES });
  const providerId = optional(stringArg)('provider_id', kwargs['provider_id'], { maxLength: MAX_PROVIDER_ID_LENGTH });
  return {
    keyId,
    apiId,
    uri,
    validFrom,
    delegate,
    signature,
    price,
    categories,
    ...(expires === undefined ? {} : { expires }),
    ...(copies === undefined ? {} : { copies }),
    ...(providerId === undefined ? {} : { providerId }),
  };
}
