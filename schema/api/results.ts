/**
 * The results of the market maker's procedures (docs/protocol.md#api), each written once as a reader: the
 * type the maker must return is the type the reader produces (`Read<typeof offerResult>`), and a delegate
 * or test reads what came over the wire with the same reader. Wire conventions (docs/api.md#conventions):
 * ids 16 bytes, addresses 20, amounts and block numbers 32-byte big-endian uint256, signatures 65 bytes,
 * times integer ns.
 */
import { bigInt, bool, bytes, dict, int, list, nullable, record, str, uint256Bytes, type Read } from './read.js';

const uuid = bytes(16);
const address = bytes(20);
const signature = bytes(65);
const hash32 = bytes(32);

/** An offer (docs/protocol.md#maker-records `Offer.marshal`): `place_offer`, `get_offer`, `revoke_offer`, `query_offers`, `on_offer_*`. */
export const offerResult = dict({
  timestamp: bigInt,
  offer: uuid,
  /** The seller delegate's address. */
  seller: address,
  seller_session_id: nullable(int),
  /** The authid whose `xbr.provider.<authid>.sell` sells the key. */
  seller_authid: str,
  key: uuid,
  api: uuid,
  uri: str,
  valid_from: bigInt,
  signature,
  /** uint256; null: priced by the seller at each purchase (`xbr.provider.<authid>.get_quote`). */
  price: nullable(uint256Bytes),
  categories: nullable(record(str)),
  expires: nullable(bigInt),
  copies: nullable(int),
  remaining: nullable(int),
  /** When the offer was revoked (ns); null while it is not. */
  revoked: nullable(bigInt),
  /** The seller is not connected (its `sell` is not registered): the offer is not sold until it is back. */
  suspended: bool,
});
export type OfferResult = Read<typeof offerResult>;

/** `get_quote` (docs/protocol.md#get-quote); `expires` is 0 for an offer that never expires. */
export const quoteResult = dict({ timestamp: bigInt, key: uuid, price: uint256Bytes, expires: bigInt });
export type QuoteResult = Read<typeof quoteResult>;

/** The `buy_key` receipt (docs/protocol.md#buy-key), with `close_at`, the block the signed state carries. */
export const buyKeyResult = dict({
  key_id: uuid,
  delegate: address,
  buyer_pubkey: bytes(32),
  /** The data key sealed to `buyer_pubkey` (converted to X25519): an 80-byte sealed box. */
  sealed_key: bytes(),
  offer_id: uuid,
  free_rated: bool,
  /** The price offered, uint256. */
  amount: uint256Bytes,
  /** What this purchase took from the channel, uint256. */
  amount_paid: uint256Bytes,
  channel_seq: int,
  payment_channel: uuid,
  remaining: uint256Bytes,
  inflight: uint256Bytes,
  /** The maker's EIP712ChannelClose signature over (payment_channel, channel_seq, remaining, isFinal = false) at `close_at`. */
  signature,
  close_at: bigInt,
});
export type BuyKeyResult = Read<typeof buyKeyResult>;

const channelShape = {
  market_oid: uuid,
  member_oid: nullable(address),
  channel_oid: uuid,
  timestamp: bigInt,
  open_at: nullable(uint256Bytes),
  seq: int,
  /** 1 PAYMENT, 2 PAYING. */
  channel_type: int,
  marketmaker: address,
  actor: address,
  delegate: address,
  recipient: address,
  amount: uint256Bytes,
  timeout: int,
  /** 1 OPEN, 2 CLOSING, 3 CLOSED. */
  state: int,
  closing_at: nullable(uint256Bytes),
  closed_at: nullable(uint256Bytes),
  close_mm_sig: nullable(signature),
  close_del_sig: nullable(signature),
  close_channel_seq: int,
  close_balance: uint256Bytes,
  close_is_final: bool,
  closed_tx: nullable(hash32),
};

/** A channel (docs/protocol.md#maker-records `Channel.marshal()`): the channel getters. */
export const channelResult = dict(channelShape);
export type ChannelResult = Read<typeof channelResult>;

/**
 * What a seller has earned on its paying channel (docs/protocol.md#seller-earnings), from the maker's ledger.
 * The close state is the channel's own (`state`, `closing_at`, `close_balance`, `closed_at`, `closed_tx`).
 */
export const earningsResult = dict({
  /** Paid to the seller by its sales so far (uint256): the ledger's `spent` of the channel. */
  earned: uint256Bytes,
  /** Earned but not yet paid out on chain (uint256): all of `earned` until the channel is CLOSED, then 0. */
  unclaimed: uint256Bytes,
  /** Still available to pay for sales (uint256). */
  remaining: uint256Bytes,
  /** Reserved by purchases being sold right now (uint256). */
  inflight: uint256Bytes,
  /** Purchases sold on the channel. */
  sales: int,
  /** Purchases reserved on the channel and refunded (the seller call failed; nothing was paid). */
  refunds: int,
  /** The channel's current off-chain sequence number. */
  seq: int,
});
export type EarningsResult = Read<typeof earningsResult>;

/** `get_paying_channel`: the channel, plus the seller's earnings on it (ours). */
export const payingChannelResult = dict({ ...channelShape, earnings: earningsResult });
export type PayingChannelResult = Read<typeof payingChannelResult>;

/** A channel's off-chain balance (`ChannelBalance.marshal()`): `get_payment_channel_balance`, `get_paying_channel_balance`. */
export const balanceResult = dict({ remaining: uint256Bytes, inflight: uint256Bytes, seq: int });
export type BalanceResult = Read<typeof balanceResult>;

/** `open_channel`: the opening transaction and the ids. */
export const openChannelResult = dict({ transaction: hash32, channel_oid: uuid, market_oid: uuid });
export type OpenChannelResult = Read<typeof openChannelResult>;

/** `close_channel` and `on_*_channel_closing`: the closing state the maker submitted (state 2, CLOSING). */
export const closeChannelResult = dict({ transaction: hash32, market_oid: uuid, channel_oid: uuid, state: int, balance: uint256Bytes, seq: int, is_final: bool });
export type CloseChannelResult = Read<typeof closeChannelResult>;

/** A consent (docs/protocol.md#maker-records): `set_consent`, `get_consent`, `find_consents`. */
export const consentResult = dict({
  market_oid: uuid,
  member: address,
  delegate: address,
  delegate_type: nullable(int),
  catalog_oid: uuid,
  timestamp: bigInt,
  /** Block of the update, uint256. */
  updated: nullable(uint256Bytes),
  consent: bool,
  service_prefix: str,
  tid: nullable(hash32),
  signature: nullable(signature),
  /** Whether the consent is on chain (the replica saw it), not only submitted. */
  synced: bool,
});
export type ConsentResult = Read<typeof consentResult>;

/** What the maker parsed from a catalog's or API's `meta` file (RDF/Turtle from IPFS). */
export const descriptionResult = dict({
  /** IPFS hash the description was read from. */
  hash: str,
  title: nullable(str),
  description: nullable(str),
  tags: list(str),
  schema_refs: list(str),
  /** When parsed, ns. */
  parsed_at: bigInt,
});
export type DescriptionResult = Read<typeof descriptionResult>;

const catalogShape = {
  oid: uuid,
  timestamp: bigInt,
  seq: int,
  owner: address,
  terms: str,
  meta: str,
  tid: nullable(hash32),
  signature: nullable(signature),
  /** The parsed `meta` description (null until the file is downloaded and parsed). */
  description: nullable(descriptionResult),
};

/** A catalog: `find_catalogs`. */
export const catalogResult = dict(catalogShape);
export type CatalogResult = Read<typeof catalogResult>;

const catalogWithMetaShape = {
  ...catalogShape,
  /** Text of the `meta` file once downloaded and verified, else `""`. */
  meta_data: str,
};

/** A catalog with its meta file's text: `get_catalogs_by_owner`. */
export const catalogWithMetaResult = dict(catalogWithMetaShape);
export type CatalogWithMetaResult = Read<typeof catalogWithMetaResult>;

/** An API of a catalog: `get_api`, `get_catalog`. */
export const apiResult = dict({
  oid: uuid,
  catalog_oid: uuid,
  timestamp: bigInt,
  /** Block of publication, uint256. */
  published: uint256Bytes,
  schema: str,
  meta: str,
  tid: nullable(hash32),
  signature: nullable(signature),
  /** Parsed `meta`; null until available. */
  description: nullable(descriptionResult),
});
export type ApiResult = Read<typeof apiResult>;

/** `get_catalog`: the catalog with its meta text and its APIs, oldest first. */
export const catalogDetailResult = dict({ ...catalogWithMetaShape, apis: list(apiResult) });
export type CatalogDetailResult = Read<typeof catalogDetailResult>;

/** `status` (docs/protocol.md#status): the maker status name, the block, the maker's wei balance (uint256) by address. */
export const statusResult = dict({ status: str, current_block_no: int, accounts: record(uint256Bytes) });
export type StatusResult = Read<typeof statusResult>;

/** `get_status` (docs/protocol.md#get-status); `status` is the number of `MakerStatus`. */
export const getStatusResult = dict({
  now: bigInt,
  chain: int,
  block: dict({ number: int, hash: hash32, gas_limit: bigInt }),
  status: int,
});
export type GetStatusResult = Read<typeof getStatusResult>;

/** `get_config` (docs/protocol.md#get-config): what a delegate binds its signatures to. Addresses as `0x…` strings. */
export const configResult = dict({
  now: bigInt,
  chain: int,
  verifying_chain_id: int,
  verifying_contract_adr: str,
  contracts: dict({ xbrtoken: str, xbrnetwork: str, xbrcatalog: str, xbrmarket: str, xbrchannel: str }),
  eula: dict({ url: str, hash: str, text: nullable(str) }),
  /** The market's coin (an ERC20 address). */
  coin: nullable(str),
  owner: str,
  /** The market id, as a UUID string. */
  market: str,
  marketmaker: str,
});
export type ConfigResult = Read<typeof configResult>;

/** `get_transaction_receipt`: the chain node's receipt, the fields web3 clients use. */
export const transactionReceiptResult = dict({
  transactionHash: hash32,
  transactionIndex: int,
  blockNumber: int,
  from: str,
  to: nullable(str),
  gasUsed: bigInt,
  cumulativeGasUsed: bigInt,
  contractAddress: nullable(str),
  status: nullable(int),
});
export type TransactionReceiptResult = Read<typeof transactionReceiptResult>;

/** `get_ipfs_status` (operators): download counts by state, and the next retries. */
export const ipfsStatusResult = dict({
  counts: record(int),
  active: int,
  waiting: int,
  next_retries: list(dict({ file_hash: str, next_retry_at: bigInt, retries: int, last_error: nullable(str) })),
});
export type IpfsStatusResult = Read<typeof ipfsStatusResult>;

/** `authenticator.authenticate`: the router's dynamic-authenticator answer (role `user` for actors, else anonymous). */
export const authenticateResult = dict({ pubkey: str, realm: str, authid: str, role: str, cache: bool, extra: dict({ actor_type: int }) });
export type AuthenticateResult = Read<typeof authenticateResult>;

/** `authenticator.logout`: when, from which session, for which key. */
export const logoutResult = dict({ logged_out: bigInt, from_session: bigInt, pubkey: bytes(32) });
export type LogoutResult = Read<typeof logoutResult>;
