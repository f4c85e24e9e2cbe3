/**
 * The maker host of the xbrmm worker: config → worker DB, chain, makers joined to their realms with
 * their procedures registered. Market procedures plug in through {@link MakerPartFactory}
 * (`market-procedures.ts`); the chain monitor through {@link StartChainMonitor} (`monitor-hook.ts`).
 */
export { connectChain, readDeployment, type ChainAccess } from './chain.js';
export { chainIdentityPath } from './chain-identity.js';
export type { IpfsControl, MakerContext, MakerSession } from './context.js';
export { loadOrCreateKey } from './key.js';
export { Maker, ZERO_MARKET, journalPath, type MakerEnv } from './maker.js';
export { MAKER_PARTS, makerParts, partProcedures, type MakerPart, type MakerPartFactory } from './market-procedures.js';
export type { ChainMonitorInput, RunningChainMonitor, StartChainMonitor } from './monitor-hook.js';
export {
  mergeProcedureTables,
  registerProcedures,
  toInvocationError,
  wampyCallback,
  type CallerDetails,
  type InvocationError,
  type ProcedureCall,
  type ProcedureHandler,
  type ProcedureSession,
  type ProcedureTable,
  type Registered,
} from './procedures.js';
export { makeSerializer, wideIntsAsBigint, type Serializer } from './serializer.js';
export { joinRealm, type JoinOptions } from './session.js';
export { EULA_URL, simpleProcedures } from './simple-procedures.js';
export { MakerStatus, makerStatusName, type MakerStatusValue, type WorkerStatus } from './status.js';
export { startXbrmmWorker, type MakerSummary, type RunningXbrmmWorker, type XbrmmWorkerOptions } from './worker.js';
