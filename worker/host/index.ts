/**
 * The maker host of the xbrmm worker: config → worker DB, chain, makers joined to their realms with
 * their procedures registered (`register-procedures.ts`). The worker composes the market maker
 * (worker/market: its parts and their procedures plug in through `MakerPartFactory`); the chain monitor
 * plugs in through `StartChainMonitor` (`monitor-hook.ts`, run by `monitor-adapter.ts`).
 */
export { chainIdentityPath } from './chain-identity.js';
export { loadOrCreateKey } from './key.js';
export { journalPath } from './maker.js';
export { chainMonitorStarter } from './monitor-adapter.js';
export { registerProcedures, wampyCallback } from './register-procedures.js';
export { makeSerializer, wideIntsAsBigint } from './serializer.js';
export { startXbrmmWorker, type RunningXbrmmWorker } from './worker.js';
