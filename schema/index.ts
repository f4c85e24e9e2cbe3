export { WampError, WampErrorUri, toWampError } from './errors.js';
export { createLogger, type Logger, type LogFields, type LogLevel } from './log.js';
export * from './codec/index.js';
export * from './uris.js';
