export { startRouter, type RunningRouter } from './core/start.js';
export { Router } from './core/router.js';
export type { Connection, ConnectionHandler, TransportDetails } from './core/connection.js';
export * from '../config/index.js';
