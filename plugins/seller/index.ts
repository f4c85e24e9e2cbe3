/** Seller delegate: rotating data keys (`KeySeries`) and their persistent, encrypted archive. */
export { KeySeries, type EncryptedPayload, type KeySeriesOptions, type KeySeriesState, type OnRotate } from './key-series.js';
export { KeyArchive, type KeyArchiveOptions } from './key-archive.js';
export { MemoryKeyStore, checkRetention, type ArchivedKey, type KeyRetention, type KeyStore } from './key-store.js';
export { ARCHIVE_KEY_INFO, deriveArchiveKey } from './archive-crypto.js';
export { systemScheduler, type ScheduledTask, type Scheduler } from './scheduler.js';
export { SellerKeyErrorUri } from './errors.js';
