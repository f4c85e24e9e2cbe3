/**
 * The one catalog of error URIs xbr-edge raises (docs/protocol.md#error-uris): every URI is defined here
 * once, grouped by family, and {@link ErrorUri} is the union of all of them. A `WampError` carries either
 * one of these or a URI a peer sent us (`RemoteErrorUri` in `errors.ts`), so a misspelt URI in our own
 * code is a type error. Spellings are the original's, including `invalid-auth-request` with hyphens.
 */

/**
 * URIs of the WAMP specification (and autobahn's `type_check_error`) the router, the maker and the
 * delegates use, plus the `wamp.close.*` reasons of GOODBYE/ABORT.
 */
export const WampErrorUri = {
  /** A bad argument; the message names it (never `runtime_error` for this, docs/protocol.md#differences). */
  invalidArgument: 'wamp.error.invalid_argument',
  invalidUri: 'wamp.error.invalid_uri',
  /** The called procedure is not registered (e.g. a seller delegate that went away). */
  noSuchProcedure: 'wamp.error.no_such_procedure',
  procedureAlreadyExists: 'wamp.error.procedure_already_exists',
  noSuchRegistration: 'wamp.error.no_such_registration',
  noSuchSubscription: 'wamp.error.no_such_subscription',
  noSuchSession: 'wamp.error.no_such_session',
  noSuchRealm: 'wamp.error.no_such_realm',
  noSuchRole: 'wamp.error.no_such_role',
  /** The caller may not do this, e.g. revoke another seller's offer (ours, docs/protocol.md#differences). */
  notAuthorized: 'wamp.error.not_authorized',
  authorizationFailed: 'wamp.error.authorization_failed',
  authenticationFailed: 'wamp.error.authentication_failed',
  noAuthMethod: 'wamp.error.no_auth_method',
  canceled: 'wamp.error.canceled',
  timeout: 'wamp.error.timeout',
  protocolViolation: 'wamp.error.protocol_violation',
  optionNotAllowed: 'wamp.error.option_not_allowed',
  /** A result that cannot be serialized. */
  invalidPayload: 'wamp.error.invalid_payload',
  /** Any other failure inside a procedure. */
  runtimeError: 'wamp.error.runtime_error',
  /** An argument of the wrong type (autobahn `check_types=True` callees; kept from the original's `get_config`). */
  typeCheckError: 'wamp.error.type_check_error',
  systemShutdown: 'wamp.close.system_shutdown',
  closeRealm: 'wamp.close.close_realm',
  goodbyeAndOut: 'wamp.close.goodbye_and_out',
  killed: 'wamp.close.killed',
  /** Reason of the sessions the maker kills on `logout`. */
  logout: 'wamp.close.logout',
} as const;

/** `crossbar.error.*` URIs the market keeps from Crossbar.io. */
export const CrossbarErrorUri = {
  /** An offer, channel, balance or consent looked up by id does not exist (or is not usable). */
  noSuchObject: 'crossbar.error.no_such_object',
  /** Node management: `start_market_maker` for an id that is already running; `admin.rescan` while another rescan runs. */
  alreadyRunning: 'crossbar.error.already_running',
} as const;

/** The XBR protocol's error URIs: `xbr.error.*` and `xbr.marketmaker.error.*`. */
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
  /** `buy_key`: the call to the seller delegate failed or returned an unusable receipt; the chain sender: a transaction failed (`kwargs.stage`). */
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
  /** Buyer: the sealed key or the payload cannot be opened (`schema/crypto` sealed boxes and payloads). */
  decryptionFailed: 'xbr.error.decryption_failed',
  /** Buyer: the decrypted payload is not valid CBOR, or its serializer is unknown. */
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

  // --- offers (ours, docs/protocol.md#differences: revocation, valid_from and copies are enforced; not in the original) ---
  /** `revoke_offer`/`get_quote`/`buy_key`: the seller revoked the offer. */
  offerRevoked: 'xbr.error.offer_revoked',
  /** `get_quote`/`buy_key`: the offer's `valid_from` is still in the future. */
  offerNotYetValid: 'xbr.error.offer_not_yet_valid',
  /** `get_quote`/`buy_key`: every copy of the offer has been sold. */
  offerSoldOut: 'xbr.error.offer_sold_out',
  /** `get_quote`/`buy_key`: the seller is not connected (no `sell` registered): its offers wait until it is back. */
  offerSuspended: 'xbr.error.offer_suspended',

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

  // --- storage (ours): a maker that sees `xbr.error.storage*` stops serving (fail closed, docs/protocol.md#ledger-rules) ---
  /** LMDB refused a read/write, a key or record is malformed, the DB is closed; a journal or state file cannot be written. */
  storage: 'xbr.error.storage',
  /** A DB has an unknown/newer `schema_version` or the wrong `kind`. */
  storageSchema: 'xbr.error.storage_schema',
  /** A unique index already maps the key to another record. */
  storageDuplicate: 'xbr.error.storage_duplicate',
  /** A balance write breaks `amount == remaining + inflight + spent` or seq order; the maker must stop. */
  ledgerInvariant: 'xbr.error.ledger_invariant',

  // --- chain monitor (ours) ---
  /** The chain is not the one the worker DB was built from (deep reorg, restarted dev chain, wrong chain id). */
  chainMismatch: 'xbr.error.chain_mismatch',
  /** The chain node could not be asked (down, restarting, resetting connections); nothing was done: ask again. */
  chainUnavailable: 'xbr.error.chain_unavailable',

  // --- IPFS (ours, issue 7); all but `ipfsNotConfigured` are recorded per file, never sent to a peer ---
  /** `get_ipfs_status` / `retry_ipfs_download`: the worker has no `options.extra.ipfs`, so nothing is fetched. */
  ipfsNotConfigured: 'xbr.error.ipfs_not_configured',
  /** The chain's hash string is not a CID we accept (never fetched). */
  ipfsInvalidHash: 'xbr.error.ipfs_invalid_hash',
  /** A block did not arrive within `timeout` (retried). */
  ipfsTimeout: 'xbr.error.ipfs_timeout',
  /** The IPFS RPC API refused or failed the request (retried). */
  ipfsUnavailable: 'xbr.error.ipfs_unavailable',
  /** A block's sha2-256 digest is not the one its CID names (retried). */
  ipfsContentMismatch: 'xbr.error.ipfs_content_mismatch',
  /** Verified content that is not a UnixFS file, or not Turtle where a description is expected. */
  ipfsMalformed: 'xbr.error.ipfs_malformed',
  /** The file is larger than `max_size`. */
  ipfsTooLarge: 'xbr.error.ipfs_too_large',
  /** The fetcher stopped while the download ran (retried on next start). */
  ipfsAborted: 'xbr.error.ipfs_aborted',

  // --- seller key handling (ours; local to the seller delegate, never sent to the maker) ---
  /** `encrypt`/`start`/`stop` called in a state that does not allow it (e.g. encrypt after stop). */
  keySeriesNotRunning: 'xbr.error.key_series_not_running',
  /** The `onRotate` hook of a fresh key failed; the key was discarded and encrypted nothing. */
  keyRotationFailed: 'xbr.error.key_rotation_failed',
  /** The key archive was written under another delegate key, so none of its keys can be read. */
  keyArchiveWrongSecret: 'xbr.error.key_archive_wrong_secret',

  // --- controller (ours) ---
  /** A second controller start (or a backup/restore) on a node directory whose lock is held. */
  nodeRunning: 'xbr.error.node_running',
} as const;

/** Every error URI xbr-edge itself raises. */
export type ErrorUri =
  | (typeof WampErrorUri)[keyof typeof WampErrorUri]
  | (typeof CrossbarErrorUri)[keyof typeof CrossbarErrorUri]
  | (typeof XbrErrorUri)[keyof typeof XbrErrorUri];

/** Every URI of the catalog, to tell our URIs from a peer's (metrics label a peer's URI `other`). */
export const CATALOG_ERROR_URIS: ReadonlySet<string> = new Set<string>([...Object.values(WampErrorUri), ...Object.values(CrossbarErrorUri), ...Object.values(XbrErrorUri)]);

/**
 * The failures of the node itself — storage, chain, IPFS downloads, the seller's keys, the node lock — as
 * opposed to refusals of what a caller sent. No input of a caller may cause one of these (the fuzzer holds
 * the maker to that), and none of them is the original protocol's.
 */
export const INTERNAL_FAILURE_URIS: ReadonlySet<ErrorUri> = new Set<ErrorUri>([
  XbrErrorUri.storage,
  XbrErrorUri.storageSchema,
  XbrErrorUri.storageDuplicate,
  XbrErrorUri.ledgerInvariant,
  XbrErrorUri.chainMismatch,
  XbrErrorUri.chainUnavailable,
  XbrErrorUri.ipfsInvalidHash,
  XbrErrorUri.ipfsTimeout,
  XbrErrorUri.ipfsUnavailable,
  XbrErrorUri.ipfsContentMismatch,
  XbrErrorUri.ipfsMalformed,
  XbrErrorUri.ipfsTooLarge,
  XbrErrorUri.ipfsAborted,
  XbrErrorUri.keySeriesNotRunning,
  XbrErrorUri.keyRotationFailed,
  XbrErrorUri.keyArchiveWrongSecret,
  XbrErrorUri.nodeRunning,
]);
