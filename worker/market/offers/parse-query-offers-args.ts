/** Checks the arguments of `query_offers(api_id, from_ts, until_ts, uri, categories, seller_id, limit)` (docs/protocol.md#query-offers). */
import { argumentError, describe } from '../../../schema/codec/index.js';
import { addressArg, intArg, nsTimeArg, optional, stringArg, uuidArg } from '../../../schema/codec/index.js';
import { categoriesArg } from './parse-place-offer-args.js';
import { MAX_OFFER_URI_LENGTH, OFFER_URI_RE, QUERY_LIMIT_DEFAULT, QUERY_LIMIT_MAX } from '../../../schema/index.js';
import type { QueryOffersFilter } from './types.js';

const NAMES = ['api_id', 'from_ts', 'until_ts', 'uri', 'categories', 'seller_id', 'limit'] as const;

/**
 * Arguments may be positional (in the order of the signature) or keyword. `api_id` may be None only when
 * `seller_id` is given and neither `categories` nor `uri` is (those are indexed per API); `limit` is 1..1000, default 10.
 * @throws WampError `wamp.error.invalid_argument` naming the argument.
 */
export function parseQueryOffersArgs(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>> = {}): QueryOffersFilter {
  if (args.length > NAMES.length) throw argumentError('args', `at most ${NAMES.length} positional arguments`, String(args.length));
  const v: Record<string, unknown> = {};
  args.forEach((a, i) => {
    v[NAMES[i] as string] = a;
  });
  for (const [k, a] of Object.entries(kwargs)) {
    if (!(NAMES as readonly string[]).includes(k)) throw argumentError(k, 'no such keyword argument of query_offers', describe(a));
    if (v[k] !== undefined) throw argumentError(k, 'one value (given both positionally and as keyword)', 'two');
    v[k] = a;
  }
  const apiId = optional(uuidArg)('api_id', v['api_id']);
  const fromTs = nsTimeArg('from_ts', v['from_ts']);
  const untilTs = optional(nsTimeArg)('until_ts', v['until_ts']);
  const uri = optional(stringArg)('uri', v['uri'], { maxLength: MAX_OFFER_URI_LENGTH, pattern: OFFER_URI_RE });
  const categories = optional(categoriesArg)('categories', v['categories']);
  const sellerId = optional(addressArg)('seller_id', v['seller_id']);
  const limit = optional(intArg)('limit', v['limit'], { min: 1, max: QUERY_LIMIT_MAX }) ?? QUERY_LIMIT_DEFAULT;
  if (apiId === undefined && sellerId === undefined) throw argumentError('api_id', '16 bytes (or a seller_id)', 'None without seller_id');
  // The offer book indexes categories and URIs per API: without one, such a filter would be checked on every offer
  // the seller ever placed, and query_offers is open to anyone.
  if (apiId === undefined && categories !== undefined) throw argumentError('api_id', '16 bytes when categories are given', 'None');
  if (apiId === undefined && uri !== undefined && uri !== '') throw argumentError('api_id', '16 bytes when a uri is given', 'None');
  if (untilTs !== undefined && untilTs <= fromTs) throw argumentError('until_ts', `a time after from_ts (${fromTs})`, String(untilTs));
  return {
    fromTs,
    limit,
    ...(apiId === undefined ? {} : { apiId }),
    ...(untilTs === undefined ? {} : { untilTs }),
    ...(uri === undefined ? {} : { uri }),
    ...(categories === undefined ? {} : { categories }),
    ...(sellerId === undefined ? {} : { sellerId }),
  };
}
