/**
 * What the channel getters (docs/protocol.md#api-channels) share: they answer for the caller's own channels only (member
 * procedures, worker/market/api/access.ts), read from the ledger (worker/market/ledger) with the original's
 * error URIs.
 */
import type { Address } from '../../../schema/codec/index.js';
import { namedArgs, type ProcedureCall } from '../api/index.js';
import { requireCallerMember } from './member-checks.js';

/** The calling member, whose channels alone a getter sees. */
export function channelReader(call: ProcedureCall): Address {
  return requireCallerMember(call.details, undefined, 'reading channels');
}

/**
 * The arguments of `get_channels_by_delegate` / `get_channels_by_actor`: the address, `channel_type` and
 * `filter_open` (default true).
 */
export function channelListArgs(uri: string, adrName: string, call: ProcedureCall): { adr: unknown; type: unknown; filterOpen: unknown } {
  const a = namedArgs(uri, call, [adrName, 'channel_type', 'filter_open']);
  return { adr: a[adrName], type: a.channel_type, filterOpen: a.filter_open ?? true };
}
