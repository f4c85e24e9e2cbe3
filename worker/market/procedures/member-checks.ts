/**
 * Who a member is in the market realm, and whether an address is an actor of this maker's market.
 *
 * Members authenticated by the maker's authenticator (`authenticate.ts`) join with role {@link MEMBER_ROLE} and authid
 * `member-0x<40 lowercase hex digits>` (docs/protocol.md#member-login; the original's `extract_member_adr` also accepts the
 * digits without `0x`, so we do too when reading). Actor checks read the worker-DB replica first (no chain
 * round trip) and ask the chain only when the replica does not know the actor yet (e.g. joined in the last
 * block, not yet replicated).
 */
import { toHex } from '../../../schema/codec/index.js';
import type { Address } from '../../../schema/codec/index.js';
import { ActorType } from '../../../schema/db/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { sameBytes } from '../../../schema/codec/index.js';
import { callerMember, MEMBER_ROLE, type CallerDetails, type MakerContext } from '../api/index.js';

/** `member-0x<lowercase hex>` of `address`. */
export function memberAuthid(address: Uint8Array): string {
  return `member-0x${toHex(address)}`;
}

/**
 * The caller must be the authenticated member `expected` (or any member when left out); otherwise
 * `wamp.error.not_authorized`. Returns the caller's address.
 */
export function requireCallerMember(details: CallerDetails, expected?: Uint8Array, what = 'this'): Address {
  const member = callerMember(details);
  if (member === undefined) {
    throw new WampError(WampErrorUri.notAuthorized, `only an authenticated member (role "${MEMBER_ROLE}", authid "member-0x…") may do ${what}; caller is ${details.caller_authid ?? 'undisclosed'} (${details.caller_authrole ?? 'no role'})`);
  }
  if (expected !== undefined && !sameBytes(member, expected)) {
    throw new WampError(WampErrorUri.notAuthorized, `${what}: the caller 0x${toHex(member)} is not the member 0x${toHex(expected)}`);
  }
  return member;
}

/** Whether `address` holds actor type `type` (1 provider, 2 consumer, 3 both) in the replica and has not left. */
function replicaActor(ctx: MakerContext, address: Address, type: number): boolean {
  const a = ctx.workerDb.actors.get({ market: ctx.marketId, actor: address, actor_type: type as ActorType });
  return a !== undefined && a.left === undefined;
}

/**
 * Whether `address` may act in `role` (1 provider, 2 consumer) in this market: joined as that role or as
 * PROVIDER_CONSUMER, by the replica or — when the replica says no — by the chain (`isActor`).
 */
export async function isActorInRole(ctx: MakerContext, address: Address, role: 1 | 2): Promise<boolean> {
  if (replicaActor(ctx, address, role) || replicaActor(ctx, address, ActorType.PROVIDER_CONSUMER)) return true;
  return ctx.xbr.market.isActor(ctx.marketId, address, role);
}

/**
 * The actor type of `address` in this market (the first of 1, 2, 3 it holds, as the original tries them),
 * or 0 when it is no actor.
 */
export async function actorTypeOf(ctx: MakerContext, address: Address): Promise<number> {
  for (const t of [ActorType.PROVIDER, ActorType.CONSUMER, ActorType.PROVIDER_CONSUMER]) {
    if (replicaActor(ctx, address, t)) return t;
  }
  for (const t of [ActorType.PROVIDER, ActorType.CONSUMER]) {
    if (await ctx.xbr.market.isActor(ctx.marketId, address, t)) return t;
  }
  return 0;
}
