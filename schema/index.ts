export { WampError, WampErrorUri, toWampError } from './errors.js';
export { createLogger, type Logger, type LogFields, type LogLevel } from './log.js';
export * from './codec/index.js';
export * from './uris.js';
export * from './eip712/index.js';
export * from './crypto/index.js';
export * from './db/index.js';
export { BlockHead, DEFAULT_HEAD_TTL_MS } from './block-head.js';
