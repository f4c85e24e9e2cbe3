/**
 * The base of every layer: the error type, structured logging, the XBR procedure/topic/error URIs, the chain
 * head cache and owner-only file modes. The codecs, EIP712, crypto, databases and WAMP URI rules are the
 * folders beside this file, each with its own index (importing them here would load LMDB and secp256k1
 * into every process that only wants an error type).
 */
export { WampError, WampErrorUri, toWampError } from './errors.js';
export { DbErrorUri, storageError } from './storage-errors.js';
export { createLogger, type Logger, type LogFields, type LogLevel } from './log.js';
export * from './uris.js';
export { BlockHead, DEFAULT_HEAD_TTL_MS } from './block-head.js';
export * from './tighten-owner-only.js';
