/**
 * `xbr.marketmaker.authenticator.logout()` (docs/protocol.md#logout, fixed per docs/protocol.md#maker-defect-30): deletes the caller's key and
 * then kills every session of the caller's authid (as the original: the member is logged out everywhere). The
 * key of a session is remembered from `authenticate` (bounded map, `session-keys.ts`); after a maker restart
 * it is read from the router's session meta API (`authextra.pubkey`).
 *
 * Trust (docs/protocol.md#trust-model): `logout` is for members, and takes the session and authid from the invocation details
 * the router fills in.
 */
import type { LogoutResult } from '../../../schema/api/index.js';
import { toHex } from '../../../schema/codec/index.js';
import type { Ed25519PublicKey } from '../../../schema/codec/index.js';
import { nowNs } from '../../../schema/codec/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { killByAuthidProcedure } from '../../../schema/index.js';
import type { MakerContext, ProcedureCall, MakerHandler } from '../api/index.js';
import { bytesOf, type SessionKeys } from './session-keys.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

/** Delay before the member's sessions are killed, so the logout result reaches the caller first. */
const KILL_DELAY_MS = 50;

async function logout(ctx: MakerContext, call: ProcedureCall, keys: SessionKeys): Promise<LogoutResult> {
  const caller = call.details.caller;
  if (caller === undefined) throw new WampError(WampErrorUri.notAuthorized, 'logout: the caller is not disclosed (the realm must disclose callers to the market maker)');
  let pubkeyHex = keys.get(caller);
  if (pubkeyHex === undefined) {
    const info = (await ctx.session.call('wamp.session.get', [caller]).catch(() => undefined))?.args[0] as { authextra?: { pubkey?: unknown } } | undefined;
    const p = bytesOf(info?.authextra?.pubkey);
    if (p !== undefined && p.length === 32) pubkeyHex = toHex(p);
  }
  if (pubkeyHex === undefined) throw new WampError(WampErrorUri.notAuthorized, `logout: session ${String(caller)} did not log in with a cryptosign key`);
  keys.forget(caller);
  const pubkey = new Uint8Array(Buffer.from(pubkeyHex, 'hex'));
  ctx.workerDb.env.writeSync(() => ctx.workerDb.userKeys.delete(pubkey as Ed25519PublicKey));
  const authid = call.details.caller_authid;
  if (authid !== undefined) {
    // After the result went out (same session, so the router sees the YIELD first).
    setTimeout(() => {
      ctx.session
        .call(killByAuthidProcedure, [authid], { reason: WampErrorUri.logout, message: 'logged out' })
        .then((r) => ctx.log.info('member logged out', { authid, killed: r.args[0] }))
        .catch((err: unknown) => ctx.log.warn('could not kill the sessions of a logged-out member', { authid, error: err as Error }));
    }, KILL_DELAY_MS);
  }
  return { logged_out: nowNs(), from_session: BigInt(caller), pubkey };
}

export function logoutProcedure(ctx: MakerContext, keys: SessionKeys): MakerHandler<typeof MarketMakerProcedure.logout> {
  return async (call) => logout(ctx, call, keys);
}
