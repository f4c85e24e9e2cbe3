/** Seller delegate: rotating data keys (`KeySeries`), their persistent encrypted archive, and `SimpleSeller`. */
export { KeySeries, type EncryptedPayload, type KeySeriesOptions, type KeySeriesState, type OnRotate } from './key-series.js';
export { KeyArchive, type KeyArchiveOptions } from './key-archive.js';
export { MemoryKeyStore, checkRetention, type ArchivedKey, type KeyRetention, type KeyStore } from './key-store.js';
export { ARCHIVE_KEY_INFO, deriveArchiveKey } from './archive-crypto.js';
export { systemScheduler, type ScheduledTask, type Scheduler } from './scheduler.js';
export { XbrErrorUri } from '../../schema/index.js';
export { SimpleSeller, type SellReceipt, type SimpleSellerOptions, type SimpleSellerState } from './simple-seller.js';
export type { CloseResult } from '../common/index.js';
export { closingState, type LedgerBalance } from './paying-checks.js';
export { FileSellerStateStore, MemorySellerStateStore, type PayingChannelState, type SellerStateStore } from './paying-state.js';
export { PLACE_OFFER_ATTEMPTS, type AddApiOptions, type DynamicPrice, type SellerBinding } from './seller-offers.js';
export { parseCloseArgs, parseSellArgs, type CloseRequest, type SellRequest } from './sell-args.js';
export type { SellerSession } from './seller-session.js';
