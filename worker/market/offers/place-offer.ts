/**
 * `place_offer` (docs/protocol.md#place-offer) with the original's gaps closed (docs/protocol.md#maker-defect-9, docs/protocol.md#differences): the
 * intended `valid_from` window is enforced, the offer signature is verified against `delegate_adr`, a
 * dynamic price is stored as such, a duplicate key is an invalid argument, and the seller's identity is
 * the caller's authenticated authid and session, never the caller-supplied `provider_id`.
 */
import { nsToIso, toHex } from '../../../schema/codec/index.js';
import { formatUuid, timeOrderedUuid } from '../../../schema/codec/index.js';
import { offerByKey, type MakerDb } from '../../../schema/db/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { WampError } from '../../../schema/index.js';
import { createLogger } from '../../../schema/index.js';
import { XbrErrorUri, WampErrorUri, providerSellUri } from '../../../schema/index.js';
import { callerMember, MEMBER_ROLE } from '../api/index.js';
import { notAuthorized } from './errors.js';
import { MAX_FUTURE_NS, MIN_LIFETIME_NS, VALID_FROM_PAST_NS } from '../../../schema/index.js';
import { offerMessage, recoverOfferSigner } from '../../../schema/eip712/index.js';
import type { CallerIdentity, OfferContext, PlaceOfferInput } from './types.js';

const defaultLog = createLogger({ component: 'offers' });

/** The caller's authid, which must be usable as `<seller_authid>` of `xbr.provider.<seller_authid>.sell`. */
function sellerAuthid(caller: CallerIdentity): string {
  const authid = caller.authid;
  if (authid === undefined || authid.length === 0) throw notAuthorized('the caller is not authenticated (no authid disclosed)');
  if (callerMember({ caller_authid: authid, ...(caller.authrole === undefined ? {} : { caller_authrole: caller.authrole }) }) === undefined) {
    throw notAuthorized(`only a market member (role "${MEMBER_ROLE}", authid "member-0x<address>") may place offers; the caller is ${JSON.stringify(authid.slice(0, 80))} (role ${caller.authrole ?? 'none'})`);
  }
  try {
    providerSellUri(authid);
  } catch {
    throw notAuthorized(`the caller's authid ${JSON.stringify(authid.slice(0, 80))} cannot name a seller procedure`);
  }
  return authid;
}

/** A duration in words, coarse enough to read at a glance: `1 d 0 h`, `2 h 5 min`, `3 min 20 s`, `1.250 s`. */
function duration(ns: bigint): string {
  const ms = Number((ns < 0n ? -ns : ns) / 1_000_000n);
  const [d, h, m, s] = [Math.floor(ms / 86_400_000), Math.floor(ms / 3_600_000) % 24, Math.floor(ms / 60_000) % 60, Math.floor(ms / 1000) % 60];
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${(ms / 1000).toFixed(3)} s`;
}

/**
 * A refused offer time. The rules are checked with the maker's clock and the times come from the seller's,
 * so the message shows both as ISO times and how far apart they are: a seller whose clock is off sees at
 * once that its clock is the cause. `kwargs`: the argument, the maker's `now` and the refused value (ns).
 */
function timeError(name: 'valid_from' | 'expires', expected: string, got: bigint, detail: string, now: bigint): WampError {
  return new WampError(WampErrorUri.invalidArgument, `${name}: expected ${expected}, got ${nsToIso(got)}: ${detail}`, { kwargs: { argument: name, now, [name]: got } });
}

/** Hint at the likely cause of a time far from the maker's: the seller's clock. */
const clockHint = (t: bigint, now: bigint): string => `; is the seller's clock ${t > now ? 'ahead of' : 'behind'} the market maker's?`;

function checkTimes(input: PlaceOfferInput, validFrom: bigint, now: bigint): void {
  const nowText = `now = ${nsToIso(now)} by the market maker's clock`;
  if (input.validFrom !== 0n && (validFrom < now - VALID_FROM_PAST_NS || validFrom > now + MAX_FUTURE_NS)) {
    const side = validFrom < now ? 'before' : 'after';
    throw timeError('valid_from', `0 (from now) or a time between now - 5 min and now + 24 h (${nowText})`, validFrom, `${duration(validFrom - now)} ${side} now${clockHint(validFrom, now)}`, now);
  }
  const expires = input.expires;
  if (expires === undefined) return;
  // Already past by the maker's clock: never sellable, whatever valid_from says (an equal time is past: the end is exclusive).
  if (expires <= now) {
    throw timeError('expires', `a time after valid_from and after now (${nowText})`, expires, `already past by ${duration(now - expires)}${clockHint(expires, now)}`, now);
  }
  const validFromText = input.validFrom === 0n ? 'valid_from (0: now)' : `valid_from (${nsToIso(validFrom)})`;
  if (expires <= validFrom) throw timeError('expires', `a time after ${validFromText}`, expires, `${duration(validFrom - expires)} before it`, now);
  if (expires > now + MAX_FUTURE_NS) {
    throw timeError('expires', `a time at most now + 24 h (${nowText})`, expires, `${duration(expires - now)} after now${clockHint(expires, now)}`, now);
  }
  if (expires - validFrom < MIN_LIFETIME_NS) throw timeError('expires', `at least 5 min after ${validFromText}`, expires, `only ${duration(expires - validFrom)} after it`, now);
}

/**
 * Checks a `place_offer` call and builds the offer it would store, without writing: the caller, the times against
 * the maker's clock and the EIP712 signature. `valid_from` 0 means "from now" (the signature still covers the 0
 * that was sent).
 * @throws WampError `wamp.error.not_authorized` (no usable caller authid, or `provider_id` is not it),
 * `wamp.error.invalid_argument` naming `valid_from`/`expires`, `xbr.error.invalid_signature` (signature
 * malformed or not by `delegate_adr`).
 */
export function checkOffer(input: PlaceOfferInput, ctx: OfferContext): Offer {
  const authid = sellerAuthid(ctx.caller);
  if (input.providerId !== undefined && input.providerId !== authid) {
    throw notAuthorized(
      `provider_id must be your authid ${authid} (your seller procedure is ${providerSellUri(authid)}), got ${JSON.stringify(input.providerId.slice(0, 80))}; leave provider_id out or send your authid`,
    );
  }
  const validFrom = input.validFrom === 0n ? ctx.now : input.validFrom;
  checkTimes(input, validFrom, ctx.now);

  const signer = recoverOfferSigner(
    offerMessage({ ...ctx, keyId: input.keyId, apiId: input.apiId, uri: input.uri, validFrom: input.validFrom, delegate: input.delegate, price: input.price, expires: input.expires, copies: input.copies }),
    input.signature,
  );
  if (!Buffer.from(signer).equals(input.delegate)) {
    throw new WampError(XbrErrorUri.invalidSignature, `EIP712 offer signature invalid or not signed by delegate 0x${toHex(input.delegate)}`, {
      kwargs: { delegate: input.delegate, signer },
    });
  }
  return {
    timestamp: ctx.now,
    // Time-ordered, so the offers table grows at its right edge: a batch of placements touches a few leaves, not one each.
    offer: timeOrderedUuid(Number(ctx.now / 1_000_000n)),
    seller: input.delegate,
    seller_session_id: ctx.caller.sessionId ?? 0,
    seller_authid: authid,
    key: input.keyId,
    api: input.apiId,
    uri: input.uri,
    valid_from: validFrom,
    signature: input.signature,
    price: input.price,
    categories: { ...input.categories },
    ...(input.expires === undefined ? {} : { expires: input.expires }),
    ...(input.copies === undefined ? {} : { copies: input.copies, remaining: input.copies }),
  };
}

/**
 * Stores checked offers (`checkOffer`) in one durable write: all of them, or none when one's key is already offered.
 * @throws WampError `wamp.error.invalid_argument` naming `key_id` for a key already offered (or offered twice in `offers`)
 */
export function storeOffers(db: MakerDb, offers: readonly Offer[]): void {
  const keys = new Set<string>();
  for (const offer of offers) {
    const id = Buffer.from(offer.key).toString('hex');
    if (keys.has(id)) throw keyOffered(offer);
    keys.add(id);
  }
  // Inside a write of the env (a group commit) this runs nested in it; alone it is a durable write of its own.
  db.env.writeSync(() => {
    try {
      // idx_offer_by_key is unique: the write itself refuses a second offer of a key, inside the transaction, so two
      // racing placements cannot both pass.
      db.offers.putMany(offers.map((offer) => [offer.offer, offer] as const));
    } catch (err) {
      // putMany wrote nothing: the offer whose key is in the book is the one refused.
      const taken = err instanceof WampError && err.uri === XbrErrorUri.storageDuplicate ? offers.find((o) => offerByKey(db, o.key) !== undefined) : undefined;
      throw taken === undefined ? err : keyOffered(taken);
    }
  });
}

function keyOffered(offer: Offer): WampError {
  return new WampError(WampErrorUri.invalidArgument, `key_id: key with ID "${formatUuid(offer.key)}" already offered`, { kwargs: { argument: 'key_id' } });
}

/**
 * Stores a new offer (one durable write) and returns it: {@link checkOffer}, then {@link storeOffers}.
 * @throws WampError as `checkOffer`, and `wamp.error.invalid_argument` naming `key_id` for a duplicate key
 */
export function placeOffer(db: MakerDb, input: PlaceOfferInput, ctx: OfferContext): Offer {
  const offer = checkOffer(input, ctx);
  storeOffers(db, [offer]);
  logPlaced(offer, ctx);
  return offer;
}

/**
 * {@link placeOffer} in the maker DB's group commit: placements that arrive in one event-loop turn share one durable
 * write (a refused one is rolled back alone). Resolves once the offer is durable.
 */
export async function placeOfferGrouped(db: MakerDb, input: PlaceOfferInput, ctx: OfferContext): Promise<Offer> {
  const offer = checkOffer(input, ctx);
  await db.env.write(() => storeOffers(db, [offer]));
  logPlaced(offer, ctx);
  return offer;
}

function logPlaced(offer: Offer, ctx: OfferContext): void {
  (ctx.log ?? defaultLog).info('offer placed', {
    market: formatUuid(ctx.marketId),
    offer: formatUuid(offer.offer),
    key: formatUuid(offer.key),
    api: formatUuid(offer.api),
    seller: `0x${toHex(offer.seller)}`,
    seller_authid: offer.seller_authid,
    price: offer.price === null ? 'dynamic' : offer.price,
  });
}
