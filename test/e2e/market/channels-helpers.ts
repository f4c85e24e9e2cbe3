/**
 * Helpers of the channel / consent / auth end-to-end tests on the shipped config (anonymous and the maker's
 * WAMP-cryptosign authenticator on the TCP WebSocket): member logins, signing as demo accounts, error and
 * polling assertions.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Wampy } from 'wampy';
import { sign as cryptosignSign } from 'wampy/cryptosign.js';
import { devchainAccountKey } from '../../../contracts/index.js';
import type { Address } from '../../../schema/codec/types.js';
import { sign } from '../../../schema/eip712/sign.js';
import type { MarketEdge, Welcome } from '../harness/market-edge.js';

/** 20-byte address of a hex string. */
export const adr = (hex: string): Address => new Uint8Array(Buffer.from(hex.slice(2), 'hex')) as Address;
/** 16-byte id of a `0x…` hex string. */
export const id16 = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
/** The private key of demo account `i`. */
export const keyOf = (i: number): Uint8Array => devchainAccountKey(i);

export interface Ed25519Keys {
  pubHex: string;
  seedHex: string;
}

export function ed25519Keys(): Ed25519Keys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { pubHex: spki.subarray(spki.length - 32).toString('hex'), seedHex: pkcs8.subarray(pkcs8.length - 32).toString('hex') };
}

export interface LoginOptions {
  /** Demo account whose wallet signs a new-key login; none: a known-key login. */
  wallet?: number;
  /** Signs the login with this account instead of `wallet` (a wrong signature). */
  signer?: number;
  keys?: Ed25519Keys;
  serializer?: 'msgpack' | 'cbor';
}

/** Connects with WAMP-cryptosign through the maker's authenticator; returns the client and its WELCOME details. */
export async function login(edge: MarketEdge, o: LoginOptions = {}): Promise<{ client: Wampy; welcome: Welcome; keys: Ed25519Keys }> {
  const keys = o.keys ?? ed25519Keys();
  const authextra: Record<string, unknown> = { pubkey: keys.pubHex };
  if (o.wallet !== undefined) {
    const wallet = edge.account(o.wallet).address;
    const signature = sign('EIP712MarketMemberLogin', { member: adr(wallet), client_pubkey: Buffer.from(keys.pubHex, 'hex') }, keyOf(o.signer ?? o.wallet));
    authextra['wallet_address'] = wallet;
    authextra['signature'] = '0x' + Buffer.from(signature).toString('hex');
  }
  const client = await edge.connect({
    ...(o.serializer === undefined ? {} : { serializer: o.serializer }),
    wampy: {
      authid: 'member',
      authmethods: ['cryptosign'],
      // authids such as `member-0x…` name URIs (xbr.provider.<authid>.sell): wampy's strict check refuses "-"
      uriValidation: 'loose',
      authextra,
      onChallenge: (method: string, extra: unknown) => cryptosignSign(keys.seedHex)(method, extra as { challenge: string }),
    },
  });
  // The session's identity as the router fixed it in WELCOME (members may not use the meta API).
  return { client, welcome: edge.welcome(client), keys };
}

/** The first positional result of `uri` (callee errors keep `errorUri`, `argsList`, `argsDict`). */
export { call } from './offers-purchase-helpers.js';

/** Asserts that `p` fails with `uri` (and, if given, a message matching `message`); returns the error. */
export async function rejectsWith(p: Promise<unknown>, uri: string, message?: RegExp): Promise<{ errorUri?: string; argsList?: unknown[]; argsDict?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const e = err as { errorUri?: string; argsList?: unknown[] };
    assert.equal(e.errorUri, uri, `error ${String(e.errorUri)}: ${String(e.argsList?.[0])}`);
    if (message !== undefined) assert.match(String(e.argsList?.[0]), message);
    return e;
  }
  assert.fail(`expected ${uri}, but the call succeeded`);
}

/** Polls `fn` until it returns a value other than undefined (no timing assertion; a generous bound against hangs). */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, boundMs = 60_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
