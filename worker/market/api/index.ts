/**
 * What a market maker and its host (worker/host) agree on: the maker's {@link MakerContext} (identity, market,
 * chain, databases, session, IPFS fetcher), its parts ({@link MakerPartFactory}: procedures plus start / stop
 * steps), the call shape of a procedure, who may call which procedure (`access.ts`), argument access and the
 * maker status values. The host builds the context and registers the procedures; the procedures
 * (worker/market/procedures) use it. Nothing here imports either of them.
 */
export { ANONYMOUS_ROLE, authorizeCaller, callerMember, MEMBER_ROLE, PROCEDURE_ACCESS, type ProcedureAccess } from './access.js';
export type { ChainRescan, IpfsControl, MakerContext, MakerSession } from './context.js';
export { MakerStatus, makerStatusName, type MakerStatusValue } from './maker-status.js';
export { namedArgs, onlyArg } from './named-args.js';
export { partProcedures, type MakerPart, type MakerPartFactory } from './part.js';
export type { CallerDetails, MakerHandler, ProcedureCall, ProcedureHandler, ProcedureTable } from './procedure.js';
