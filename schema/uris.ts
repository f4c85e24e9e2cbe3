/**
 * The WAMP URIs of the XBR market: the error URIs the market maker and the delegates raise (spec
 * docs/protocol.md#api, docs/protocol.md#error-uris), the procedures the maker registers
 * (docs/protocol.md#registration), the procedures it calls (docs/protocol.md#provider-procedures) and the topics it publishes (docs/protocol.md#events). Spellings are the original's,
 * including `invalid-auth-request` with hyphens.
 */
import { WampError, WampErrorUri } from './errors.js';

/** Error URIs of the XBR market, one table for the WAMP boundary. */
export const XbrErrorUri = {
  // --- xbr.error.*, raised by the market maker ---
  /** An EIP712 signature cannot be recovered or is not by the expected signer. */
  invalidSignature: 'xbr.error.invalid_signature',
  /** `close_channel`: the channel is unknown (in both payment and paying tables). */
  invalidChannel: 'xbr.error.invalid_channel',
  /** `close_channel`: the channel exists but is not OPEN. */
  channelNotOpen: 'xbr.error.channel_not_open',
  /** `get_quote`/`buy_key`: the offer's `expires` has passed. */
  offerExpired: 'xbr.error.offer_expired',
  /** `buy_key`: `amount` is below the offer price. */
  insufficientAmount: 'xbr.error.insufficient_amount',
  /** `buy_key`: the buyer's payment channel has less remaining than the price. */
  insufficientPaymentBalance: 'xbr.error.insufficient_payment_balance',
  /** `buy_key`: the seller has no open paying channel with enough remaining. */
  insufficientPayingBalance: 'xbr.error.insufficient_paying_balance',
  /** `buy_key`: the call to the seller delegate failed or returned an unusable receipt. */
  transactionFailed: 'xbr.error.transaction_failed',

  // --- xbr.error.*, raised by seller delegates (passed through `buy_key`) ---
  /** Seller `sell`/`close_channel`: the market maker address is not the configured one. */
  unexpectedMarketmakerAdr: 'xbr.error.unexpected_marketmaker_adr',
  /** Seller `close_channel`: the delegate/market maker address does not match (original's intended check). */
  unexpectedDelegateAdr: 'xbr.error.unexpected_delegate_adr',
  /** Seller: the paying channel id is not the seller's active channel. */
  unexpectedChannelOid: 'xbr.error.unexpected_channel_oid',
  /** Seller: `channel_seq` is not the expected sequence number. */
  unexpectedChannelSeq: 'xbr.error.unexpected_channel_seq',
  /** Seller: `balance` is not the expected remaining balance. */
  unexpectedChannelBalance: 'xbr.error.unexpected_channel_balance',

  // --- xbr.error.*, raised by buyer delegates (to their own callers) ---
  /** Buyer: the quoted price exceeds the buyer's `max_price`. */
  maxPriceExceeded: 'xbr.error.max_price_exceeded',
  /** Buyer: the payment channel was closed for lack of balance. */
  channelClosed: 'xbr.error.channel_closed',
  /** Buyer: the payment channel balance is too low for the price. */
  insufficientBalance: 'xbr.error.insufficient_balance',
  /** Buyer: the maker's receipt has an unexpected seq/remaining. */
  invalidTransaction: 'xbr.error.invalid_transaction',
  /** Buyer: the sealed key or the payload cannot be opened. */
  decryptionFailed: 'xbr.error.decryption_failed',
  /** Buyer: the decrypted payload is not valid CBOR. */
  deserializationFailed: 'xbr.error.deserialization_failed',

  // --- xbr.marketmaker.error.* ---
  /** Dynamic authenticator: a malformed cryptosign request (hyphens, not underscores). */
  invalidAuthRequest: 'xbr.marketmaker.error.invalid-auth-request',
  /** `get_channels_by_*`: `channel_type` is not 1 (payment) or 2 (paying). */
  invalidChannelType: 'xbr.marketmaker.error.invalid_channel_type',
  /** `get_channels_by_delegate`: `delegate_adr` is not 20 bytes. */
  invalidDelegateAdr: 'xbr.marketmaker.error.invalid_delegate_adr',
  /** `get_channels_by_actor`: `member_adr` is not 20 bytes. */
  invalidMemberAdr: 'xbr.marketmaker.error.invalid_member_adr',
  /** `set_consent`: the on-chain `setConsent` transaction failed. */
  consentSetFail: 'xbr.marketmaker.error.consent_set_fail',

  // --- crossbar.error.* ---
  /** An offer, channel, balance or consent looked up by id does not exist (or is not usable). */
  noSuchObject: 'crossbar.error.no_such_object',
  /** Node management: `start_market_maker` for an id that is already running. */
  alreadyRunning: 'crossbar.error.already_running',

  // --- wamp.error.* used by the market (the WAMP-defined ones are also in WampErrorUri) ---
  /** A bad argument; the message names it (never `runtime_error` for this, docs/protocol.md#differences). */
  invalidArgument: WampErrorUri.invalidArgument,
  /** An argument of the wrong type (autobahn `check_types=True` callees). */
  typeCheckError: 'wamp.error.type_check_error',
  /** Any other failure inside a procedure. */
  runtimeError: WampErrorUri.runtimeError,
  /** A result that cannot be serialized. */
  invalidPayload: WampErrorUri.invalidPayload,
  /** The called procedure is not registered (e.g. a seller delegate that went away). */
  noSuchProcedure: WampErrorUri.noSuchProcedure,
  /** The caller may not do this, e.g. revoke another seller's offer (ours, docs/protocol.md#differences; not in the original). */
  notAuthorized: WampErrorUri.notAuthorized,

  // --- offers (ours, docs/protocol.md#differences: revocation, valid_from and copies are enforced; not in the original) ---
  /** `revoke_offer`/`get_quote`/`buy_key`: the seller revoked the offer. */
  offerRevoked: 'xbr.error.offer_revoked',
  /** `get_quote`/`buy_key`: the offer's `valid_from` is still in the future. */
  offerNotYetValid: 'xbr.error.offer_not_yet_valid',
  /** `get_quote`/`buy_key`: every copy of the offer has been sold. */
  offerSoldOut: 'xbr.error.offer_sold_out',

  // --- ledger (ours, docs/protocol.md#differences: no co-signed close while purchases are in flight) ---
  /** `close_channel`: purchases on the channel are still in flight; retry once they are resolved. */
  purchaseInFlight: 'xbr.error.purchase_in_flight',

  // --- channels (ours: open_channel refuses what the contract would revert, with a clear error) ---
  /** `open_channel`: the channel id is already used (in this maker's ledger or on chain). */
  channelAlreadyExists: 'xbr.error.channel_already_exists',
  /** `open_channel`: the member is not an actor of the market in the channel's role. */
  memberNotActor: 'xbr.error.member_not_actor',
  /** `open_channel`: the member has not consented to the delegate in the channel's role. */
  delegateNotConsented: 'xbr.error.delegate_not_consented',
  /** `open_channel`: the payer's token allowance to XBRChannel is below the amount. */
  insufficientAllowance: 'xbr.error.insufficient_allowance',
  /** `open_channel`: the payer's token balance is below the amount. */
  insufficientTokenBalance: 'xbr.error.insufficient_token_balance',

  // --- IPFS (ours, issue 7) ---
  /** `get_ipfs_status` / `retry_ipfs_download`: the worker has no `options.extra.ipfs`, so nothing is fetched. */
  ipfsNotConfigured: 'xbr.error.ipfs_not_configured',
} as const;

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
