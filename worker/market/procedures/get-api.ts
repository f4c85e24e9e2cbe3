/**
 * `get_api(api_oid)` (ours): one API of a catalog from the worker-DB replica, with its parsed description.
 * APIs are public on chain, so it is open to every caller the router lets through.
 */
import type { ApiResult } from '../../../schema/api/index.js';
import { uuidArg } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { WampError } from '../../../schema/index.js';
import { CrossbarErrorUri } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { marshalApi } from './marshal-catalog.js';
import type { MarketMakerCatalogProcedure } from '../../../schema/index.js';

/** `get_api(api_oid)`. */
function getApi(ctx: MakerContext, call: ProcedureCall): ApiResult {
  const a = namedArgs('get_api', call, ['api_oid']);
  const oid = uuidArg('api_oid', a.api_oid);
  const api = ctx.workerDb.apis.get(oid);
  if (api === undefined) throw new WampError(CrossbarErrorUri.noSuchObject, `no API ${formatUuid(oid)} (not published on chain, or not replicated yet)`);
  return marshalApi(api);
}

export function getApiProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerCatalogProcedure.getApi> {
  return async (call) => getApi(ctx, call);
}
