/**
 * The maker host of the xbrmm worker: config → worker DB, chain, makers joined to their realms with
 * their procedures registered (`register-procedures.ts`). The worker composes the market maker
 * (worker/market: its parts and their procedures plug in through `MakerPartFactory`); the chain monitor
 * plugs in through {@link StartChainMonitor} (`monitor-hook.ts`, run by `monitor-adapter.ts`).
 */
export { connectChain, readDeployment, type ChainAccess } from './chain.js';
export { chainIdentityPath } from './chain-identity.js';
export { loadOrCreateKey } from './key.js';
export { Maker, ZERO_MARKET, journalPath, type MakerEnv } from './maker.js';
export { chainMonitorStarter } from './monitor-adapter.js';
export type { ChainMonitorInput, RunningChainMonitor, StartChainMonitor } from './monitor-hook.js';
export {
  registerProcedures,
  toInvocationError,
  wampyCallback,
  type InvocationError,
  type ProcedureSession,
  type Registered,
} from './register-procedures.js';
export { makeSerializer, wideIntsAsBigint, type Serializer } from './serializer.js';
export { joinRealm, type JoinOptions } from './session.js';
export { startXbrmmWorker, type MakerSummary, type RunningXbrmmWorker, type WorkerStatus, type XbrmmWorkerOptions } from './worker.js';
