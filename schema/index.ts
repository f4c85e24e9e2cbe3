/**
 * The base of every layer: the error type, structured logging, the XBR procedure/topic/error URIs, the chain
 * head cache, the set of XBR contract addresses, the offer limits and owner-only file modes. The codecs, EIP712, crypto, databases and WAMP URI rules are the
 * folders beside this file, each with its own index (importing them here would load LMDB and secp256k1
 * into every process that only wants an error type).
 */
export { WampError, isError, remoteErrorUri, toWampError } from './errors.js';
export { CATALOG_ERROR_URIS, CrossbarErrorUri, WampErrorUri, XbrErrorUri } from './error-uris.js';
export { storageError } from './storage-errors.js';
export { createLogger, LOG_LEVELS, logLevelOf, type Logger, type LogFields, type LogLevel } from './log.js';
export * from './uris.js';
export { BlockHead, DEFAULT_HEAD_TTL_MS } from './block-head.js';
export { XBR_CONTRACT_NAMES, type XbrContractAddresses } from './contract-addresses.js';
export * from './offer-limits.js';
export * from './tighten-owner-only.js';
