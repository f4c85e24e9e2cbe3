/**
 * The market maker's WAMP API as one typed table (docs/protocol.md#api, docs/api.md): for each procedure
 * URI its positional arguments, its keyword arguments and its result. The maker's handlers are typed by
 * it (a handler returning another shape does not compile), delegates call through it (`callMaker` in
 * plugins/common) and read the answer with its reader, and tests do the same.
 *
 * Argument types are what a caller sends: bytes as `Uint8Array`, integers as `number` or `bigint` (the
 * maker reads both). Procedures that take their arguments by position or by keyword (most of them) list
 * the positional ones as optional tuple elements and the same names as keywords; the maker refuses an
 * argument given both ways.
 */
import { MarketMakerAdminProcedure, MarketMakerCatalogProcedure, MarketMakerChannelProcedure, MarketMakerProcedure } from '../uris.js';
import { auditResult, listChannelsResult, listTransactionsResult, rescanResult, type AuditResult, type ListChannelsResult, type ListTransactionsResult, type RescanResult } from './admin-results.js';
import { bigInt, bytes, int, list, nullable, type Reader } from './read.js';
import {
  apiResult,
  authenticateResult,
  balanceResult,
  buyKeyResult,
  catalogDetailResult,
  catalogResult,
  catalogWithMetaResult,
  channelResult,
  closeChannelResult,
  configResult,
  consentResult,
  getStatusResult,
  ipfsStatusResult,
  logoutResult,
  offerResult,
  openChannelResult,
  payingChannelResult,
  quoteResult,
  statusResult,
  transactionReceiptResult,
  type ApiResult,
  type AuthenticateResult,
  type BalanceResult,
  type BuyKeyResult,
  type CatalogDetailResult,
  type CatalogResult,
  type CatalogWithMetaResult,
  type ChannelResult,
  type CloseChannelResult,
  type ConfigResult,
  type ConsentResult,
  type GetStatusResult,
  type IpfsStatusResult,
  type LogoutResult,
  type OfferResult,
  type OpenChannelResult,
  type PayingChannelResult,
  type QuoteResult,
  type StatusResult,
  type TransactionReceiptResult,
} from './results.js';

type Bytes = Uint8Array;
/** An integer as a caller may send it. */
type Int = number | bigint;
type NoKwargs = Record<string, never>;

/** One procedure: what it takes and what it answers. */
interface Procedure<A extends readonly unknown[], K, R> {
  args: A;
  kwargs: K;
  result: R;
}

type ChannelListArgs = readonly [adr?: Bytes, channel_type?: Int, filter_open?: boolean];

/** The maker API: procedure URI → arguments, keyword arguments, result. */
export interface MakerApi {
  [MarketMakerProcedure.status]: Procedure<readonly [], NoKwargs, StatusResult>;
  [MarketMakerProcedure.getStatus]: Procedure<readonly [], NoKwargs, GetStatusResult>;
  [MarketMakerProcedure.getConfig]: Procedure<readonly [include_eula_text?: boolean], { include_eula_text?: boolean }, ConfigResult>;
  [MarketMakerProcedure.getTransactionReceipt]: Procedure<readonly [transaction?: Bytes], { transaction?: Bytes }, TransactionReceiptResult>;
  /** The chain's gas price in wei. */
  [MarketMakerProcedure.getGasPrice]: Procedure<readonly [], NoKwargs, bigint>;
  [MarketMakerProcedure.placeOffer]: Procedure<
    readonly [key_id: Bytes, api_id: Bytes, uri: string, valid_from: Int, delegate_adr: Bytes, delegate_signature: Bytes],
    { price?: Bytes | null; categories?: Record<string, string> | null; expires?: Int | null; copies?: Int | null; provider_id?: string | null; privkey?: null },
    OfferResult
  >;
  [MarketMakerProcedure.getOffer]: Procedure<readonly [offer_id?: Bytes], { offer_id?: Bytes }, OfferResult>;
  [MarketMakerProcedure.queryOffers]: Procedure<
    readonly [api_id?: Bytes, from_ts?: Int, until_ts?: Int | null, uri?: string | null, categories?: Record<string, string> | null, seller_id?: Bytes | null, limit?: Int | null],
    Partial<{ api_id: Bytes; from_ts: Int; until_ts: Int | null; uri: string | null; categories: Record<string, string> | null; seller_id: Bytes | null; limit: Int | null }>,
    OfferResult[]
  >;
  [MarketMakerProcedure.revokeOffer]: Procedure<readonly [key_id?: Bytes], { key_id?: Bytes }, OfferResult>;
  [MarketMakerProcedure.getQuote]: Procedure<readonly [key_id?: Bytes], { key_id?: Bytes }, QuoteResult>;
  [MarketMakerProcedure.buyKey]: Procedure<
    readonly [delegate_adr: Bytes, buyer_pubkey: Bytes, key_id: Bytes, channel_oid: Bytes, channel_seq: Int, amount: Bytes, balance: Bytes, signature: Bytes],
    { close_at?: Int },
    BuyKeyResult
  >;
  [MarketMakerProcedure.openChannel]: Procedure<
    readonly [
      member_adr?: Bytes, market_oid?: Bytes, channel_oid?: Bytes, verifying_chain_id?: Int, current_block_number?: Int, verifying_contract_adr?: Bytes,
      channel_type?: Int, delegate?: Bytes, marketmaker?: Bytes, recipient?: Bytes, amount?: Bytes, signature?: Bytes, attributes?: Record<string, unknown> | null,
    ],
    Partial<{
      member_adr: Bytes; market_oid: Bytes; channel_oid: Bytes; verifying_chain_id: Int; current_block_number: Int; verifying_contract_adr: Bytes;
      channel_type: Int; delegate: Bytes; marketmaker: Bytes; recipient: Bytes; amount: Bytes; signature: Bytes; attributes: Record<string, unknown> | null;
    }>,
    OpenChannelResult
  >;
  [MarketMakerProcedure.closeChannel]: Procedure<
    readonly [
      channel_oid?: Bytes, verifying_chain_id?: Int, current_block_number?: Int, verifying_contract_adr?: Bytes, closing_balance?: Bytes, closing_seq?: Int,
      closing_is_final?: boolean, delegate_signature?: Bytes,
    ],
    Partial<{
      channel_oid: Bytes; verifying_chain_id: Int; current_block_number: Int; verifying_contract_adr: Bytes; closing_balance: Bytes; closing_seq: Int;
      closing_is_final: boolean; delegate_signature: Bytes;
    }>,
    CloseChannelResult
  >;
  [MarketMakerProcedure.getPaymentChannel]: Procedure<readonly [channel_oid?: Bytes], { channel_oid?: Bytes }, ChannelResult>;
  [MarketMakerProcedure.getPaymentChannelBalance]: Procedure<readonly [channel_oid?: Bytes], { channel_oid?: Bytes }, BalanceResult>;
  [MarketMakerProcedure.getPayingChannel]: Procedure<readonly [channel_oid?: Bytes], { channel_oid?: Bytes }, PayingChannelResult>;
  [MarketMakerProcedure.getPayingChannelBalance]: Procedure<readonly [channel_oid?: Bytes], { channel_oid?: Bytes }, BalanceResult>;
  /** The delegate's open channel with the most remaining, or null. */
  [MarketMakerProcedure.getActivePaymentChannel]: Procedure<readonly [delegate_adr?: Bytes], { delegate_adr?: Bytes }, ChannelResult | null>;
  [MarketMakerProcedure.getActivePayingChannel]: Procedure<readonly [delegate_adr?: Bytes], { delegate_adr?: Bytes }, ChannelResult | null>;
  /** Channel ids. */
  [MarketMakerProcedure.getChannelsByDelegate]: Procedure<ChannelListArgs, Partial<{ delegate_adr: Bytes; channel_type: Int; filter_open: boolean }>, Bytes[]>;
  [MarketMakerProcedure.getChannelsByActor]: Procedure<ChannelListArgs, Partial<{ member_adr: Bytes; channel_type: Int; filter_open: boolean }>, Bytes[]>;
  [MarketMakerProcedure.setConsent]: Procedure<
    readonly [
      member_adr?: Bytes, market_oid?: Bytes, verifying_chain_id?: Int, current_block_number?: Int, verifying_contract_adr?: Bytes, delegate?: Bytes,
      delegate_type?: Int, catalog_oid?: Bytes, consent?: boolean, service_prefix?: string, signature?: Bytes, attributes?: Record<string, unknown> | null,
    ],
    Partial<{
      member_adr: Bytes; market_oid: Bytes; verifying_chain_id: Int; current_block_number: Int; verifying_contract_adr: Bytes; delegate: Bytes;
      delegate_type: Int; catalog_oid: Bytes; consent: boolean; service_prefix: string; signature: Bytes; attributes: Record<string, unknown> | null;
    }>,
    ConsentResult
  >;
  [MarketMakerProcedure.getConsent]: Procedure<
    readonly [market_oid?: Bytes, member?: Bytes, delegate?: Bytes, delegate_type?: Int, catalog_oid?: Bytes, include_attributes?: boolean | null],
    Partial<{ market_oid: Bytes; member: Bytes; delegate: Bytes; delegate_type: Int; catalog_oid: Bytes; include_attributes: boolean | null }>,
    ConsentResult
  >;
  [MarketMakerProcedure.findConsents]: Procedure<
    readonly [],
    Partial<{
      created_from: Int | null; limit: Int | null; include_owners: Bytes[] | null; include_delegates: Bytes[] | null; include_markets: Bytes[] | null;
      include_apis: Bytes[] | null; include_titles: string[] | null; include_descriptions: string[] | null; include_tags: string[] | null;
    }>,
    ConsentResult[]
  >;
  [MarketMakerProcedure.getCatalogsByOwner]: Procedure<readonly [owner_adr?: Bytes], { owner_adr?: Bytes }, CatalogWithMetaResult[]>;
  /** Called by the router only, as its dynamic authenticator. */
  [MarketMakerProcedure.authenticate]: Procedure<readonly [realm: string, authid: string, details: Record<string, unknown>], NoKwargs, AuthenticateResult>;
  [MarketMakerProcedure.logout]: Procedure<readonly [], NoKwargs, LogoutResult>;
  [MarketMakerCatalogProcedure.findCatalogs]: Procedure<
    readonly [owner?: Bytes | null, tags?: string[] | null, text?: string | null, limit?: Int | null],
    Partial<{ owner: Bytes | null; tags: string[] | null; text: string | null; limit: Int | null }>,
    CatalogResult[]
  >;
  [MarketMakerCatalogProcedure.getCatalog]: Procedure<readonly [catalog_oid?: Bytes], { catalog_oid?: Bytes }, CatalogDetailResult>;
  [MarketMakerCatalogProcedure.getApi]: Procedure<readonly [api_oid?: Bytes], { api_oid?: Bytes }, ApiResult>;
  [MarketMakerChannelProcedure.closePayingChannel]: Procedure<readonly [channel_oid?: Bytes], { channel_oid?: Bytes }, CloseChannelResult>;
  [MarketMakerCatalogProcedure.getIpfsStatus]: Procedure<readonly [limit?: Int | null], { limit?: Int | null }, IpfsStatusResult>;
  /** How many files were scheduled now instead of at their backoff time. */
  [MarketMakerCatalogProcedure.retryIpfsDownload]: Procedure<readonly [file_hash?: string | null], { file_hash?: string | null }, number>;
  /** Operators: channels with their balances, payment then paying, each by id; filters and paging (docs/api.md#admin). */
  [MarketMakerAdminProcedure.listChannels]: Procedure<
    readonly [channel_type?: Int | null, member?: Bytes | null, delegate?: Bytes | null, state?: Int | null, limit?: Int | null, cursor?: Bytes | null],
    Partial<{ channel_type: Int | null; member: Bytes | null; delegate: Bytes | null; state: Int | null; limit: Int | null; cursor: Bytes | null }>,
    ListChannelsResult
  >;
  /** Operators: purchases newest first, of one channel or all, paged. */
  [MarketMakerAdminProcedure.listTransactions]: Procedure<
    readonly [channel_oid?: Bytes | null, limit?: Int | null, cursor?: Bytes | null],
    Partial<{ channel_oid: Bytes | null; limit: Int | null; cursor: Bytes | null }>,
    ListTransactionsResult
  >;
  /** Operators: the chain monitor reads the chain's events again from `from_block`; answers once done. */
  [MarketMakerAdminProcedure.rescan]: Procedure<readonly [from_block?: Int], { from_block?: Int }, RescanResult>;
  /** Operators: every purchase replayed (signatures, balances) and every channel compared with the chain. */
  [MarketMakerAdminProcedure.audit]: Procedure<readonly [limit?: Int | null, chain?: boolean | null], Partial<{ limit: Int | null; chain: boolean | null }>, AuditResult>;
}

/** A procedure URI of the maker API. */
export type MakerProcedureUri = keyof MakerApi;
export type MakerArgs<P extends MakerProcedureUri> = MakerApi[P]['args'];
export type MakerKwargs<P extends MakerProcedureUri> = MakerApi[P]['kwargs'];
export type MakerResult<P extends MakerProcedureUri> = MakerApi[P]['result'];

const channelIds = list(bytes(16));

/**
 * The reader of each procedure's result: what a caller applies to the first positional result. Complete by
 * construction (a procedure added to {@link MakerApi} without a reader does not compile).
 */
const MAKER_RESULT_READERS: { readonly [P in MakerProcedureUri]: Reader<MakerResult<P>> } = {
  [MarketMakerProcedure.status]: statusResult,
  [MarketMakerProcedure.getStatus]: getStatusResult,
  [MarketMakerProcedure.getConfig]: configResult,
  [MarketMakerProcedure.getTransactionReceipt]: transactionReceiptResult,
  [MarketMakerProcedure.getGasPrice]: bigInt,
  [MarketMakerProcedure.placeOffer]: offerResult,
  [MarketMakerProcedure.getOffer]: offerResult,
  [MarketMakerProcedure.queryOffers]: list(offerResult),
  [MarketMakerProcedure.revokeOffer]: offerResult,
  [MarketMakerProcedure.getQuote]: quoteResult,
  [MarketMakerProcedure.buyKey]: buyKeyResult,
  [MarketMakerProcedure.openChannel]: openChannelResult,
  [MarketMakerProcedure.closeChannel]: closeChannelResult,
  [MarketMakerProcedure.getPaymentChannel]: channelResult,
  [MarketMakerProcedure.getPaymentChannelBalance]: balanceResult,
  [MarketMakerProcedure.getPayingChannel]: payingChannelResult,
  [MarketMakerProcedure.getPayingChannelBalance]: balanceResult,
  [MarketMakerProcedure.getActivePaymentChannel]: nullable(channelResult),
  [MarketMakerProcedure.getActivePayingChannel]: nullable(channelResult),
  [MarketMakerProcedure.getChannelsByDelegate]: channelIds,
  [MarketMakerProcedure.getChannelsByActor]: channelIds,
  [MarketMakerProcedure.setConsent]: consentResult,
  [MarketMakerProcedure.getConsent]: consentResult,
  [MarketMakerProcedure.findConsents]: list(consentResult),
  [MarketMakerProcedure.getCatalogsByOwner]: list(catalogWithMetaResult),
  [MarketMakerProcedure.authenticate]: authenticateResult,
  [MarketMakerProcedure.logout]: logoutResult,
  [MarketMakerChannelProcedure.closePayingChannel]: closeChannelResult,
  [MarketMakerCatalogProcedure.findCatalogs]: list(catalogResult),
  [MarketMakerCatalogProcedure.getCatalog]: catalogDetailResult,
  [MarketMakerCatalogProcedure.getApi]: apiResult,
  [MarketMakerCatalogProcedure.getIpfsStatus]: ipfsStatusResult,
  [MarketMakerCatalogProcedure.retryIpfsDownload]: int,
  [MarketMakerAdminProcedure.listChannels]: listChannelsResult,
  [MarketMakerAdminProcedure.listTransactions]: listTransactionsResult,
  [MarketMakerAdminProcedure.rescan]: rescanResult,
  [MarketMakerAdminProcedure.audit]: auditResult,
};

/**
 * Reads the result of `uri` (the call's first positional result) as the API says it is.
 * @throws WampError `wamp.error.invalid_argument` naming the field that is not as the API says
 */
export function readMakerResult<P extends MakerProcedureUri>(uri: P, value: unknown): MakerResult<P> {
  return (MAKER_RESULT_READERS[uri] as Reader<MakerResult<P>>)(uri.slice(uri.lastIndexOf('.') + 1), value);
}

/** Whether `uri` is a procedure of the maker API. */
export function isMakerProcedure(uri: string): uri is MakerProcedureUri {
  return Object.hasOwn(MAKER_RESULT_READERS, uri);
}
