/**
 * The market's WAMP-cryptosign dynamic authenticator (docs/protocol.md#member-login, fixed per docs/protocol.md#maker-defect-30):
 * `xbr.marketmaker.authenticator.authenticate(realm, authid, details)`.
 *
 * - **New key** (`authextra` has `pubkey`, `wallet_address`, `signature`): the EIP712MarketMemberLogin
 *   signature must be by `wallet_address` over this pubkey. If the wallet is an actor of this market, the
 *   key is stored as a UserKey (owner = the wallet address; the original's `account_oid` was never filled, so
 *   its write always failed) and the session is role `user`, authid `member-0x<lowercase hex>`.
 * - **Known key** (only `pubkey`): a stored key of an actor → `user` as above.
 * - Otherwise (unknown key, not an actor, not a member): role `anonymous`, authid `anonymous-XXXX-…`, as the
 *   original — so the realm decides what anonymous sessions may do; a new-key login of a non-actor stores
 *   nothing.
 * - Either way the router still makes the client prove it holds the key (the cryptosign challenge); the
 *   returned `pubkey` (hex string) binds the decision to it.
 *
 * The key of each session is remembered (`session-keys.ts`) for `logout`. Trust (docs/protocol.md#trust-model): `authenticate`
 * is callable by the router alone (worker/market/api/access.ts: no caller disclosed), so the session id and
 * key it remembers come from the router, not from a client.
 */
import type { AuthenticateResult } from '../../../schema/api/index.js';
import { randomBytes } from 'node:crypto';
import { toHex } from '../../../schema/codec/index.js';
import { sameBytes } from '../../../schema/codec/index.js';
import type { Address, Ed25519PublicKey, Signature65 } from '../../../schema/codec/index.js';
import { nowNs } from '../../../schema/codec/index.js';
import { recoverSigner } from '../../../schema/eip712/index.js';
import { WampError } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import { ANONYMOUS_ROLE, MEMBER_ROLE, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { invalidSignature } from '../ledger/index.js';
import { actorTypeOf, memberAuthid } from './member-checks.js';
import { bytesOf, type SessionKeys } from './session-keys.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** `anonymous-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX` (docs/protocol.md#member-login). */
function anonymousAuthid(): string {
  const b = randomBytes(24);
  const groups: string[] = [];
  for (let g = 0; g < 6; g++) groups.push(Array.from(b.subarray(g * 4, g * 4 + 4), (x) => ALPHABET[x % ALPHABET.length]).join(''));
  return `anonymous-${groups.join('-')}`;
}

function badRequest(reason: string): WampError {
  return new WampError(XbrErrorUri.invalidAuthRequest, `invalid parameter(s) in authentication request: ${reason}`);
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && !(v instanceof Uint8Array && v.length === 0);

/** Stores the key of a new-member login; a key already authorized for another wallet now belongs to this one. */
function storeKey(ctx: MakerContext, pubkey: Ed25519PublicKey, wallet: Address, signature: Signature65): void {
  ctx.workerDb.env.writeSync(() => {
    const cur = ctx.workerDb.userKeys.get(pubkey);
    if (cur !== undefined && sameBytes(cur.owner, wallet)) return;
    ctx.workerDb.userKeys.put(pubkey, { pubkey, created: nowNs(), owner: wallet, wallet_address: wallet, signature });
  });
}

async function authenticate(ctx: MakerContext, call: ProcedureCall, keys: SessionKeys): Promise<AuthenticateResult> {
  // Only the router calls this (access.ts), always as (realm, authid, details).
  if (call.args.length !== 3 || Object.keys(call.kwargs).length > 0) throw badRequest('expected exactly (realm, authid, details)');
  const [, , details] = call.args;
  if (details === null || typeof details !== 'object') throw badRequest('details missing');
  const d = details as Record<string, unknown>;
  if (d['authmethod'] !== 'cryptosign') throw badRequest(`authmethod must be "cryptosign", got ${JSON.stringify(d['authmethod'])}`);
  const extra = d['authextra'];
  if (extra === null || typeof extra !== 'object') throw badRequest('authextra missing');
  const ax = extra as Record<string, unknown>;
  const pubkey = bytesOf(ax['pubkey']);
  if (pubkey === undefined || pubkey.length !== 32) throw badRequest('authextra.pubkey must be the 32-byte Ed25519 public key (bytes or hex)');
  const session = d['session'];
  if (typeof session !== 'number' && typeof session !== 'bigint') throw badRequest('session must be an integer');
  const pubkeyHex = toHex(pubkey);

  let wallet: Address | undefined;
  const hasWallet = present(ax['wallet_address']);
  const hasSignature = present(ax['signature']);
  if (hasWallet !== hasSignature) {
    throw badRequest('Should provide `pubkey`, `wallet_address` and `signature` in authextra to authenticate new member. To authenticate existing member, only provide `pubkey`');
  }
  if (hasWallet) {
    const w = bytesOf(ax['wallet_address']);
    const sig = bytesOf(ax['signature']);
    if (w === undefined || w.length !== 20) throw badRequest('authextra.wallet_address must be a 20-byte address');
    if (sig === undefined || sig.length !== 65) throw badRequest('authextra.signature must be a 65-byte signature');
    let signer: Address;
    try {
      signer = recoverSigner('EIP712MarketMemberLogin', { member: w as Address, client_pubkey: pubkey }, sig);
    } catch (err) {
      throw invalidSignature(`EIP712 signature recovery failed (${err instanceof Error ? err.message : String(err)})`, err);
    }
    if (!sameBytes(signer, w)) throw invalidSignature('EIP712 signature invalid: the login is not signed by wallet_address');
    wallet = w as Address;
  } else {
    wallet = ctx.workerDb.userKeys.get(pubkey as Ed25519PublicKey)?.wallet_address;
  }
  // Only actors of this market are members here (an actor is always a network member).
  const actorType = wallet === undefined ? 0 : await actorTypeOf(ctx, wallet);
  if (hasWallet && actorType !== 0) storeKey(ctx, pubkey as Ed25519PublicKey, wallet!, bytesOf(ax['signature']) as Signature65);
  keys.remember(session, pubkeyHex);
  const member = wallet !== undefined && actorType !== 0;
  const decision: AuthenticateResult = {
    pubkey: pubkeyHex,
    realm: ctx.realm,
    authid: member ? memberAuthid(wallet!) : anonymousAuthid(),
    role: member ? MEMBER_ROLE : ANONYMOUS_ROLE,
    cache: true,
    extra: { actor_type: actorType },
  };
  ctx.log.info('authenticated', { session: String(session), authid: decision.authid, role: decision.role, new_key: hasWallet });
  return decision;
}

export function authenticateProcedure(ctx: MakerContext, keys: SessionKeys): MakerHandler<typeof MarketMakerProcedure.authenticate> {
  return async (call) => authenticate(ctx, call, keys);
}
