/**
 * The WAMP URIs of the XBR market (docs/protocol.md#api): the procedures the maker registers
 * (docs/protocol.md#registration), the procedures it calls (docs/protocol.md#provider-procedures) and the topics it publishes (docs/protocol.md#events). Spellings are the original's.
 * The error URIs are in `error-uris.ts`.
 */
import { WampError } from './errors.js';
import { WampErrorUri } from './error-uris.js';

/** Procedures the market maker registers in the market realm (docs/protocol.md#registration). */
export const MarketMakerProcedure = {
  /** Maker status, block number and node accounts. */
  status: 'xbr.marketmaker.status',
  /** Time, chain, latest block, status integer. */
  getStatus: 'xbr.marketmaker.get_status',
  /** Chain, contracts, EULA, market and maker addresses. */
  getConfig: 'xbr.marketmaker.get_config',
  /** Receipt of an on-chain transaction. */
  getTransactionReceipt: 'xbr.marketmaker.get_transaction_receipt',
  /** Gas price the maker uses. */
  getGasPrice: 'xbr.marketmaker.get_gas_price',
  /** Seller delegate offers a data key. */
  placeOffer: 'xbr.marketmaker.place_offer',
  /** One offer by offer id. */
  getOffer: 'xbr.marketmaker.get_offer',
  /** Offers matching filters. */
  queryOffers: 'xbr.marketmaker.query_offers',
  /** Seller revokes the offer of a key. */
  revokeOffer: 'xbr.marketmaker.revoke_offer',
  /** Price quote for a key. */
  getQuote: 'xbr.marketmaker.get_quote',
  /** Buyer delegate buys a data key (off-chain payment). */
  buyKey: 'xbr.marketmaker.buy_key',
  /** Opens a payment or paying channel on chain for a member. */
  openChannel: 'xbr.marketmaker.open_channel',
  /** Closes a channel with a delegate-signed closing state. */
  closeChannel: 'xbr.marketmaker.close_channel',
  /** Payment channel by id. */
  getPaymentChannel: 'xbr.marketmaker.get_payment_channel',
  /** Off-chain balance of a payment channel. */
  getPaymentChannelBalance: 'xbr.marketmaker.get_payment_channel_balance',
  /** Paying channel by id. */
  getPayingChannel: 'xbr.marketmaker.get_paying_channel',
  /** Off-chain balance of a paying channel. */
  getPayingChannelBalance: 'xbr.marketmaker.get_paying_channel_balance',
  /** The buyer delegate's active payment channel. */
  getActivePaymentChannel: 'xbr.marketmaker.get_active_payment_channel',
  /** The seller delegate's active paying channel. */
  getActivePayingChannel: 'xbr.marketmaker.get_active_paying_channel',
  /** Channel ids of a delegate. */
  getChannelsByDelegate: 'xbr.marketmaker.get_channels_by_delegate',
  /** Channel ids of a member (actor). */
  getChannelsByActor: 'xbr.marketmaker.get_channels_by_actor',
  /** Member sets a data consent. */
  setConsent: 'xbr.marketmaker.set_consent',
  /** One consent by key. */
  getConsent: 'xbr.marketmaker.get_consent',
  /** Consents matching filters. */
  findConsents: 'xbr.marketmaker.find_consents',
  /** Catalogs of the calling owner. */
  getCatalogsByOwner: 'xbr.marketmaker.get_catalogs_by_owner',
  /** WAMP-cryptosign dynamic authenticator of the market realm. */
  authenticate: 'xbr.marketmaker.authenticator.authenticate',
  /** Forgets the caller's key and kills the member's sessions. */
  logout: 'xbr.marketmaker.authenticator.logout',
} as const;

/**
 * Procedures of the market maker that the original does not have (ours, issue 7): catalog search over the
 * descriptions the IPFS fetcher parsed, and the fetcher's status for operators.
 */
export const MarketMakerCatalogProcedure = {
  /** Catalogs by owner, tags (all must match) and text (in title or description). */
  findCatalogs: 'xbr.marketmaker.find_catalogs',
  /** One catalog by id, with its APIs. */
  getCatalog: 'xbr.marketmaker.get_catalog',
  /** One API by id. */
  getApi: 'xbr.marketmaker.get_api',
  /** IPFS downloads by status, running ones and the next retries. */
  getIpfsStatus: 'xbr.marketmaker.get_ipfs_status',
  /** Tries one (or every pending) IPFS download now instead of at its backoff time. */
  retryIpfsDownload: 'xbr.marketmaker.retry_ipfs_download',
} as const;

/**
 * Operator procedures of the market maker (ours, role `operator`, docs/api.md#admin): the ledger as the
 * operator sees it, a chain rescan and a full audit. Under `xbr.marketmaker.admin.`, so a router role can be
 * given or denied them with one prefix.
 */
export const MarketMakerAdminProcedure = {
  /** Payment and paying channels with their ledger balances, filtered and paged. */
  listChannels: 'xbr.marketmaker.admin.list_channels',
  /** Purchases (transactions), newest first, optionally of one channel, paged. */
  listTransactions: 'xbr.marketmaker.admin.list_transactions',
  /** Makes the chain monitor read the chain's events again from a block (applied idempotently). */
  rescan: 'xbr.marketmaker.admin.rescan',
  /** Replays every stored purchase: signatures, recomputed balances, and the chain's view of each channel. */
  audit: 'xbr.marketmaker.admin.audit',
} as const;

/** Channel procedures of the market maker that the original does not have (ours). */
export const MarketMakerChannelProcedure = {
  /** A seller member asks the maker to close its paying channel; the seller delegate co-signs (docs/protocol.md#seller-earnings). */
  closePayingChannel: 'xbr.marketmaker.close_paying_channel',
} as const;

/** Topics the market maker publishes in the market realm (docs/protocol.md#maker-events), except the per-seller one. */
export const MarketMakerTopic = {
  /** Maker status change: `(market_id | maker_id, status)`. */
  onStatus: 'xbr.marketmaker.on_status',
  /** `(offer dict)` after `place_offer` stored it. */
  onOfferPlaced: 'xbr.marketmaker.on_offer_placed',
  /** `(offer dict)` after `revoke_offer`. */
  onOfferRevoked: 'xbr.marketmaker.on_offer_revoked',
  /** `(payment_channel_oid)` when a payment channel has nothing left. */
  onPaymentChannelEmpty: 'xbr.marketmaker.on_payment_channel_empty',
  /** `(paying_channel_oid)` when a paying channel has nothing left. */
  onPayingChannelEmpty: 'xbr.marketmaker.on_paying_channel_empty',
  /** `(closing dict)` after `close_channel` of a payment channel. */
  onPaymentChannelClosing: 'xbr.marketmaker.on_payment_channel_closing',
  /** `(closing dict)` after `close_channel` of a paying channel. */
  onPayingChannelClosing: 'xbr.marketmaker.on_paying_channel_closing',
} as const;

/**
 * CALL.Options custom attribute (a WAMP `_` extension our router implements): route the call only to an
 * exact registration held by a session with this authid, else `wamp.error.no_such_procedure`. The maker
 * calls sellers (`xbr.provider.<authid>.sell`, `.get_quote`) this way, so no other session can answer for
 * a seller, whatever the realm's permissions let it register. Routers without it ignore it.
 */
export const CALLEE_AUTHID_OPTION = '_callee_authid';

/** WAMP meta procedure the maker calls on logout (kills every session of an authid). */
export const killByAuthidProcedure = 'wamp.session.kill_by_authid';

/** The meta procedure the maker asks whether a seller's `sell` is registered (answers the registration id or null). */
export const registrationLookupProcedure = 'wamp.registration.lookup';

/** The meta event the maker hears a session leave by: `[session_id, authid, authrole]`. */
export const sessionOnLeaveTopic = 'wamp.session.on_leave';

// A URI component: no empty string, no '.', '#' or whitespace (WAMP loose URI rules).
const COMPONENT_RE = /^[^\s.#]+$/;

function component(name: string, value: string): string {
  if (typeof value !== 'string' || !COMPONENT_RE.test(value)) {
    throw new WampError(WampErrorUri.invalidUri, `${name}: expected a URI component (no '.', '#' or whitespace), got ${JSON.stringify(String(value)).slice(0, 80)}`);
  }
  return value;
}

/**
 * `xbr.provider.<sellerAuthid>.sell`, the seller delegate's procedure the maker calls in `buy_key`.
 *
 * @throws WampError `wamp.error.invalid_uri` if `sellerAuthid` is empty or has '.', '#' or whitespace.
 * @example
 * providerSellUri('0x04ab…'); // 'xbr.provider.0x04ab….sell'
 */
export function providerSellUri(sellerAuthid: string): string {
  return `xbr.provider.${component('seller_authid', sellerAuthid)}.sell`;
}

/**
 * `xbr.provider.<sellerAuthid>.close_channel`, called by the maker to close a paying channel.
 *
 * @throws WampError `wamp.error.invalid_uri` as {@link providerSellUri}.
 */
export function providerCloseChannelUri(sellerAuthid: string): string {
  return `xbr.provider.${component('seller_authid', sellerAuthid)}.close_channel`;
}

/**
 * `xbr.provider.<sellerAuthid>.on_channel_closed`, published after a paying channel was closed.
 *
 * @throws WampError `wamp.error.invalid_uri` as {@link providerSellUri}.
 */
export function providerOnChannelClosedTopic(sellerAuthid: string): string {
  return `xbr.provider.${component('seller_authid', sellerAuthid)}.on_channel_closed`;
}

/** Procedures of the worker controller in the node management realm (docs/protocol.md#node-management), per worker. */
export type WorkerProcedureName = 'start_market_maker' | 'stop_market_maker';
/** Topics of the worker controller in the node management realm (docs/protocol.md#node-management), per worker. */
export type WorkerTopicName = 'on_worker_ready' | 'on_maker_started' | 'on_maker_stopped';

/**
 * `crossbar.worker.<workerId>.<name>` for the worker controller's procedures and topics.
 *
 * @throws WampError `wamp.error.invalid_uri` if `workerId` is not a URI component.
 * @example
 * workerUri('xbrmm1', 'start_market_maker'); // 'crossbar.worker.xbrmm1.start_market_maker'
 */
export function workerUri(workerId: string, name: WorkerProcedureName | WorkerTopicName): string {
  return `crossbar.worker.${component('worker_id', workerId)}.${name}`;
}

/**
 * `xbr.provider.<sellerAuthid>.get_quote`, the seller delegate's procedure the maker calls to quote a
 * dynamically priced offer (ours: the original had no dynamic pricing; named like `…sell`).
 *
 * @throws WampError `wamp.error.invalid_uri` as {@link providerSellUri}.
 */
export function providerGetQuoteUri(sellerAuthid: string): string {
  return `xbr.provider.${component('seller_authid', sellerAuthid)}.get_quote`;
}
