/**
 * The WAMP procedures of a market maker, one file each, named after the procedure (`buy_key` → `buy-key.ts`,
 * `xbr.marketmaker.authenticator.logout` → `logout.ts`). Each file exports `<name>Procedure(ctx, …)`: the
 * handler of one maker, holding the per-maker state it needs (locks, the cached chain head). A procedure's own
 * helpers sit beside it with its name as prefix (`buy-key-args.ts`, `buy-key-replay.ts`, …); helpers shared by
 * several procedures have descriptive names (`member-checks.ts`, `seller-call.ts`, `signed-args.ts`, …). The
 * parts (worker/market/parts) group them and register nothing themselves.
 */
export { auditProcedure } from './audit.js';
export { authenticateProcedure } from './authenticate.js';
export { buyKeyProcedure, type BuyKeyOptions } from './buy-key.js';
export { closeChannelProcedure } from './close-channel.js';
export { closePayingChannelProcedure } from './close-paying-channel.js';
export { findCatalogsProcedure } from './find-catalogs.js';
export { findConsentsProcedure } from './find-consents.js';
export { getActivePayingChannelProcedure } from './get-active-paying-channel.js';
export { getActivePaymentChannelProcedure } from './get-active-payment-channel.js';
export { getApiProcedure } from './get-api.js';
export { getCatalogProcedure } from './get-catalog.js';
export { getCatalogsByOwnerProcedure } from './get-catalogs-by-owner.js';
export { getChannelsByActorProcedure } from './get-channels-by-actor.js';
export { getChannelsByDelegateProcedure } from './get-channels-by-delegate.js';
export { getConfigProcedure } from './get-config.js';
export { getConsentProcedure } from './get-consent.js';
export { getGasPriceProcedure } from './get-gas-price.js';
export { getIpfsStatusProcedure } from './get-ipfs-status.js';
export { getOfferProcedure } from './get-offer.js';
export { getPayingChannelBalanceProcedure } from './get-paying-channel-balance.js';
export { getPayingChannelProcedure } from './get-paying-channel.js';
export { getPaymentChannelBalanceProcedure } from './get-payment-channel-balance.js';
export { getPaymentChannelProcedure } from './get-payment-channel.js';
export { getQuoteProcedure, type GetQuoteOptions } from './get-quote.js';
export { getStatusProcedure } from './get-status.js';
export { getTransactionReceiptProcedure } from './get-transaction-receipt.js';
export { listChannelsProcedure } from './list-channels.js';
export { listTransactionsProcedure } from './list-transactions.js';
export { logoutProcedure } from './logout.js';
export { openChannelProcedure } from './open-channel.js';
export { placeOfferProcedure } from './place-offer.js';
export { queryOffersProcedure } from './query-offers.js';
export { rescanProcedure } from './rescan.js';
export { retryIpfsDownloadProcedure } from './retry-ipfs-download.js';
export { revokeOfferProcedure } from './revoke-offer.js';
export { setConsentProcedure } from './set-consent.js';
export { statusProcedure } from './status.js';
export { SessionKeys } from './session-keys.js';
