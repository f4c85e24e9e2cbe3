/**
 * The seller's offers: what `add()` accepts per API, the market binding read from `get_config`, and
 * `place_offer` / `revoke_offer` calls with an EIP712Offer signature by the delegate (docs/protocol.md#eip712-offer sent 65
 * random bytes; docs/protocol.md#differences makes the maker verify it).
 *
 * Decisions:
 * - `valid_from` is sent as 0 ("from when the maker stores it"), so a seller clock ahead of the maker's
 *   cannot make its offers not-yet-valid; the signature covers the 0 that was sent.
 * - `expires` in `add()` is a lifetime in seconds per offer (keys rotate, so an absolute time cannot fit
 *   every key); the absolute ns time is computed at placement.
 * - `place_offer` is retried (up to {@link PLACE_OFFER_ATTEMPTS}, 1 s apart) only while the maker is not
 *   reachable (`wamp.error.no_such_procedure`, `wamp.error.canceled`, errors without a WAMP URI); any
 *   other refusal is final and makes the key's rotation fail (the key then encrypts nothing).
 */
import { sleep } from '../../process/index.js';
import { argumentError, describe } from '../../schema/codec/index.js';
import { parseAddress } from '../../schema/codec/index.js';
import { secondsToNs, nowNs } from '../../schema/codec/index.js';
import { packUint256 } from '../../schema/codec/index.js';
import { parseUuid } from '../../schema/codec/index.js';
import type { Address, Amount, Uuid } from '../../schema/codec/index.js';
import { offerMessage, signOffer, type MarketBinding } from '../../schema/eip712/index.js';
import { WampError, WampErrorUri } from '../../schema/index.js';
import { MarketMakerProcedure } from '../../schema/index.js';
import { MAX_COPIES, MAX_FUTURE_NS, MIN_LIFETIME_NS, OFFER_URI_RE } from '../../schema/index.js';
import { makerCalls, type SellerSession } from './seller-session.js';
import { callMaker, fromMaker } from '../common/index.js';
import type { MakerKwargs, OfferResult } from '../../schema/api/index.js';

/**
 * Attempts of one `place_offer` while the maker is unreachable, 1 s apart: long enough for the router to be
 * restarted and the maker and this seller to rejoin (the crash and chaos proofs see 2–10 s), after which the
 * rotation fails and the key is discarded.
 */
export const PLACE_OFFER_ATTEMPTS = 60;
const RETRY_DELAY_MS = 1000;
// The lifetime the maker accepts for an offer placed now (valid_from 0): at least MIN_LIFETIME_NS, at
// most MAX_FUTURE_NS. The seller's URI prefixes are shorter than the maker's limit (255 characters).
const MIN_LIFETIME_S = Number(MIN_LIFETIME_NS / 1_000_000_000n);
const MAX_LIFETIME_S = Number(MAX_FUTURE_NS / 1_000_000_000n);

/** A price function for dynamically priced APIs, asked on every `get_quote` of one of their keys. */
export type DynamicPrice = (keyId: Uuid, apiId: Uuid) => Amount | Promise<Amount>;

/** Options of `SimpleSeller.add`. */
export interface AddApiOptions {
  /** Rotate every `interval` seconds. At least one of interval/count. */
  interval?: number | undefined;
  /** Rotate after `count` payloads. */
  count?: number | undefined;
  /** Descriptive categories of the offers (not signed). */
  categories?: Record<string, string> | undefined;
  /** Lifetime of each key's offer in seconds (300 to 86400); default: no expiry. */
  expires?: number | undefined;
  /** Copies of each key that may be sold; default unlimited. */
  copies?: number | undefined;
}

/** One API's offer terms, checked. */
export interface OfferTemplate {
  readonly apiId: Uuid;
  readonly prefix: string;
  /** `null`: dynamic (quoted by the seller's `get_quote`). */
  readonly price: Amount | null;
  readonly categories: Record<string, string> | undefined;
  readonly lifetimeNs: bigint | undefined;
  readonly copies: number | undefined;
}

/** What every offer and channel signature of the market is bound to (from `get_config`). */
export interface SellerBinding extends MarketBinding {
  /** The maker's own address as it reports it. */
  readonly marketmaker: Address;
}

/** @throws WampError `wamp.error.invalid_argument` naming the bad option */
export function offerTemplate(apiId: Uuid, prefix: unknown, price: Amount | null, options: AddApiOptions): OfferTemplate {
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 255 || !OFFER_URI_RE.test(prefix)) {
    throw argumentError('prefix', 'a WAMP URI or URI prefix ending with "." (lower case, digits, _)', describe(prefix));
  }
  const { categories, expires, copies } = options;
  if (categories !== undefined) {
    if (categories === null || typeof categories !== 'object' || Array.isArray(categories)) throw argumentError('categories', 'a dict of strings', describe(categories));
    for (const [k, v] of Object.entries(categories)) if (typeof v !== 'string' || k.length === 0) throw argumentError('categories', 'non-empty string keys → string values', `${k}: ${describe(v)}`);
  }
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isInteger(expires) || expires < MIN_LIFETIME_S || expires > MAX_LIFETIME_S)) {
    throw argumentError('expires', `a lifetime of ${MIN_LIFETIME_S} to ${MAX_LIFETIME_S} seconds`, describe(expires));
  }
  if (copies !== undefined && (!Number.isSafeInteger(copies) || copies < 1 || copies > MAX_COPIES)) throw argumentError('copies', 'an integer ≥ 1', describe(copies));
  return { apiId, prefix, price, categories, lifetimeNs: expires === undefined ? undefined : secondsToNs(expires), copies };
}

/**
 * The binding from `xbr.marketmaker.get_config`.
 * @throws WampError `xbr.error.invalid_transaction` when the maker's config is not what the maker API says
 */
export async function readBinding(session: SellerSession): Promise<SellerBinding> {
  const c = await callMaker(makerCalls(session), MarketMakerProcedure.getConfig, []);
  return fromMaker('get_config', () => {
    if (c.verifying_chain_id <= 0) throw argumentError('verifying_chain_id', 'an integer > 0', String(c.verifying_chain_id));
    return {
      chainId: BigInt(c.verifying_chain_id),
      verifyingContract: parseAddress(c.verifying_contract_adr, 'verifying_contract_adr'),
      marketId: parseUuid(c.market, 'market'),
      marketmaker: parseAddress(c.marketmaker, 'marketmaker'),
    };
  });
}

function retryable(err: unknown): boolean {
  if (!(err instanceof WampError)) return true;
  if (err.uri === WampErrorUri.noSuchProcedure || err.uri === WampErrorUri.canceled) return true;
  // callProcedure reports a failure without a WAMP error URI (transport lost) as runtime_error with the cause.
  return err.uri === WampErrorUri.runtimeError && err.cause !== undefined && typeof (err.cause as { errorUri?: unknown }).errorUri !== 'string';
}

/**
 * Signs and places the offer of `keyId`; returns the maker's offer dict.
 * @throws WampError the maker's refusal, or the last error after {@link PLACE_OFFER_ATTEMPTS} attempts
 */
export async function placeOffer(
  session: SellerSession,
  binding: SellerBinding,
  t: OfferTemplate,
  keyId: Uuid,
  delegate: Address,
  delegateKey: Uint8Array,
  providerId: string,
): Promise<OfferResult> {
  const expires = t.lifetimeNs === undefined ? undefined : nowNs() + t.lifetimeNs;
  const message = offerMessage({ ...binding, keyId, apiId: t.apiId, uri: t.prefix, validFrom: 0n, delegate, price: t.price, expires, copies: t.copies });
  const kwargs: MakerKwargs<typeof MarketMakerProcedure.placeOffer> = {
    provider_id: providerId,
    ...(t.price === null ? {} : { price: packUint256(t.price) }),
    ...(t.categories === undefined ? {} : { categories: t.categories }),
    ...(expires === undefined ? {} : { expires }),
    ...(t.copies === undefined ? {} : { copies: t.copies }),
  };
  const args = [keyId, t.apiId, t.prefix, 0, delegate, signOffer(message, delegateKey)] as const;
  for (let attempt = 1; ; attempt++) {
    try {
      return await callMaker(makerCalls(session), MarketMakerProcedure.placeOffer, args, kwargs);
    } catch (err) {
      if (attempt >= PLACE_OFFER_ATTEMPTS || !retryable(err)) throw err;
      await sleep(RETRY_DELAY_MS);
    }
  }
}

/** Revokes the offer of `keyId`. */
export async function revokeOffer(session: SellerSession, keyId: Uuid): Promise<void> {
  await callMaker(makerCalls(session), MarketMakerProcedure.revokeOffer, [keyId]);
}
