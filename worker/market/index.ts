/**
 * The market maker, as the worker that hosts it (worker/host) sees it: the contract between the two
 * (`api/`: the maker context, parts, procedure call shape, access rules, status values), the parts every maker
 * runs (`parts/`, {@link MAKER_PARTS}; their procedures in `procedures/`, one file per WAMP procedure), and what
 * the chain monitor applies to a maker's ledger. The offer book (`offers/`) and the ledger (`ledger/`) are pure
 * logic over the maker DB. Nothing here imports worker/host: the worker composes the maker, not the reverse.
 */
export * from './api/index.js';
export { MAKER_PARTS, makerParts, recoverPurchases, rescanPart } from './parts/index.js';
export { applyChannelEvent } from './ledger/index.js';
export { isSellable, SellerPresence } from './offers/index.js';
