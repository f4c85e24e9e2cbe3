/** Fixtures of the offer-book tests: a real maker DB in a temp dir, a market context and signed offers. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type { Address, Uuid } from '../../../../schema/codec/types.js';
import { WampError } from '../../../../schema/errors.js';
import { openMakerDb, type MakerDb } from '../../../../schema/db/maker-db.js';
import { offerMessage, signOffer } from '../../../../schema/eip712/index.js';
import type { OfferContext } from '../../../../worker/market/offers/index.js';

export const MIN = 60n * 1_000_000_000n;
export const NOW = 1_760_000_000_000_000_000n;
export const XBR = 10n ** 18n;

export const uuid = (): Uuid => new Uint8Array(randomBytes(16)) as Uuid;

/** A seller delegate: private key, address and the WAMP identity it calls with. */
export interface Seller {
  key: Uint8Array;
  address: Address;
  authid: string;
  sessionId: number;
}

export function seller(n = 1): Seller {
  const w = Wallet.createRandom();
  return {
    key: Buffer.from(w.privateKey.slice(2), 'hex'),
    address: new Uint8Array(Buffer.from(w.address.slice(2), 'hex')) as Address,
    authid: `member-${w.address.slice(2).toLowerCase()}`,
    sessionId: 1000 + n,
  };
}

export const MARKET = uuid();
export const NETWORK = new Uint8Array(randomBytes(20)) as Address;
export const CHAIN_ID = 31337n;

export function ctxFor(s: Pick<Seller, 'authid' | 'sessionId'> | undefined, now: bigint = NOW): OfferContext {
  return {
    now,
    caller: s === undefined ? {} : { authid: s.authid, sessionId: s.sessionId, authrole: 'user' },
    chainId: CHAIN_ID,
    verifyingContract: NETWORK,
    marketId: MARKET,
  };
}

/** Terms of an offer, as WAMP args/kwargs would carry them. */
export interface Terms {
  keyId: Uuid;
  apiId: Uuid;
  uri: string;
  validFrom: bigint;
  price: bigint | null;
  expires?: bigint;
  copies?: number;
  categories?: Record<string, string>;
}

export function terms(over: Partial<Terms> = {}): Terms {
  return { keyId: uuid(), apiId: uuid(), uri: 'com.example.weather.', validFrom: NOW, price: 35n * XBR, ...over };
}

/** The `place_offer` args and kwargs of `t`, signed by `signer` (default: the seller itself). */
export function placeArgs(s: Seller, t: Terms, signer: Uint8Array = s.key): { args: unknown[]; kwargs: Record<string, unknown> } {
  const sig = signOffer(
    offerMessage({ chainId: CHAIN_ID, verifyingContract: NETWORK, marketId: MARKET, keyId: t.keyId, apiId: t.apiId, uri: t.uri, validFrom: t.validFrom, delegate: s.address, price: t.price, expires: t.expires, copies: t.copies }),
    signer,
  );
  const kwargs: Record<string, unknown> = { privkey: null, provider_id: s.authid };
  if (t.price !== null) kwargs['price'] = Buffer.from(t.price.toString(16).padStart(64, '0'), 'hex');
  if (t.expires !== undefined) kwargs['expires'] = t.expires;
  if (t.copies !== undefined) kwargs['copies'] = t.copies;
  if (t.categories !== undefined) kwargs['categories'] = t.categories;
  return { args: [t.keyId, t.apiId, t.uri, t.validFrom, s.address, sig], kwargs };
}

/** A maker DB in a fresh temp dir; `reopen` closes and opens the same path; `done` closes and removes it. */
export async function tempMakerDb(): Promise<{ db: MakerDb; reopen: () => Promise<MakerDb>; done: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-offers-'));
  const path = join(dir, 'maker');
  const h = {
    db: await openMakerDb({ path }),
    reopen: async () => {
      await h.db.close();
      h.db = await openMakerDb({ path });
      return h.db;
    },
    done: async () => {
      await h.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** An assert.throws matcher: a WampError with `uri` whose message contains `text`. */
export function wampErr(uri: string, text?: string | RegExp): (e: unknown) => boolean {
  return (e) => {
    if (!(e instanceof WampError)) throw new Error(`expected a WampError, got ${String(e)}`);
    if (e.uri !== uri) throw new Error(`expected ${uri}, got ${e.uri}: ${e.message}`);
    if (typeof text === 'string' && !e.message.includes(text)) throw new Error(`expected message with ${JSON.stringify(text)}, got ${JSON.stringify(e.message)}`);
    if (text instanceof RegExp && !text.test(e.message)) throw new Error(`expected message matching ${String(text)}, got ${JSON.stringify(e.message)}`);
    return true;
  };
}
