/**
 * The chain monitor of the xbrmm worker: follows the XBR contracts' events into the worker DB replica
 * (members, markets, actors, catalogs, APIs, consents) and delivers channel events (Opened / Closing /
 * Closed) to the sink of their market's maker. Progress (last block + hash per chain) is committed with
 * the replica writes; restarts resume from it.
 */
export { startChainMonitor } from './monitor.js';
export { ChannelSinkRegistry } from './sinks.js';
export type { ChannelChainEvent } from './channel-events.js';
export type { ChainMonitor, ChainMonitorOptions, MonitorProvider, ReplicaWrite, RescanReport, RetryNotice } from './types.js';
