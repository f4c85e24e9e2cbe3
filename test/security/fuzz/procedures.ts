/**
 * What the fuzzer knows of each maker procedure, written down here rather than read from the maker
 * (`worker/market/api/access.ts`, the parsers): who may call it (docs/protocol.md#trust-model) and its parameters in order, each with
 * the kind of value a well-formed call passes. The access column is the claim the fuzzer checks, so it must
 * not be taken from the code it checks. {@link assertCoversEveryProcedure} keeps the table in step with
 * `schema/uris.ts`.
 */
import { MarketMakerAdminProcedure, MarketMakerCatalogProcedure, MarketMakerProcedure } from '../../../schema/uris.js';

/** Who may call a procedure (docs/protocol.md#trust-model). */
export type Access = 'public' | 'member' | 'operator' | 'router';

/**
 * The kind of a parameter, so the generator can mix real-looking values (a real offer key id, the real
 * channel id, a demo account's address) into hostile calls and get past the first checks.
 */
export type Slot =
  | 'uuid' | 'address' | 'bytes32' | 'uint256' | 'signature' | 'pubkey'
  | 'int' | 'seq' | 'ctype' | 'actorType' | 'limit' | 'chainId' | 'block' | 'ns'
  | 'bool' | 'string' | 'offerUri' | 'cid' | 'realm' | 'authid'
  | 'categories' | 'attributes' | 'authDetails'
  | 'addressList' | 'uuidList' | 'stringList'
  | 'nothing';

/** One parameter: its keyword name and kind. */
export type Param = readonly [name: string, slot: Slot];

export interface ProcedureSpec {
  readonly uri: string;
  readonly access: Access;
  /** Parameters that may be passed by position (in this order) or by keyword. */
  readonly params: readonly Param[];
  /** Parameters that are keyword-only. */
  readonly keywordOnly: readonly Param[];
  /** The maker calls a seller for this procedure, so `wamp.error.no_such_procedure` is a possible answer. */
  readonly callsSeller?: boolean;
}

const P = MarketMakerProcedure;
const C = MarketMakerCatalogProcedure;
const A = MarketMakerAdminProcedure;

const spec = (uri: string, access: Access, params: readonly Param[] = [], keywordOnly: readonly Param[] = [], callsSeller = false): ProcedureSpec =>
  ({ uri, access, params, keywordOnly, ...(callsSeller ? { callsSeller } : {}) });

/** Every procedure the maker registers, the router's authenticator included. */
export const PROCEDURES: readonly ProcedureSpec[] = [
  spec(P.status, 'public'),
  spec(P.getStatus, 'public'),
  spec(P.getConfig, 'public', [['include_eula_text', 'bool']]),
  spec(P.getTransactionReceipt, 'public', [['transaction', 'bytes32']]),
  spec(P.getGasPrice, 'public'),
  spec(P.placeOffer, 'member', [
    ['key_id', 'uuid'], ['api_id', 'uuid'], ['uri', 'offerUri'], ['valid_from', 'ns'], ['delegate_adr', 'address'], ['delegate_signature', 'signature'],
  ], [['privkey', 'nothing'], ['price', 'uint256'], ['categories', 'categories'], ['expires', 'ns'], ['copies', 'int'], ['provider_id', 'string']]),
  spec(P.getOffer, 'public', [['offer_id', 'uuid']]),
  spec(P.queryOffers, 'public', [
    ['api_id', 'uuid'], ['from_ts', 'ns'], ['until_ts', 'ns'], ['uri', 'offerUri'], ['categories', 'categories'], ['seller_id', 'address'], ['limit', 'limit'],
  ]),
  spec(P.revokeOffer, 'member', [['key_id', 'uuid']]),
  spec(P.getQuote, 'public', [['key_id', 'uuid']], [], true),
  spec(P.buyKey, 'member', [
    ['delegate_adr', 'address'], ['buyer_pubkey', 'pubkey'], ['key_id', 'uuid'], ['channel_oid', 'uuid'], ['channel_seq', 'seq'],
    ['amount', 'uint256'], ['balance', 'uint256'], ['signature', 'signature'],
  ], [['close_at', 'block']], true),
  spec(P.openChannel, 'member', [
    ['member_adr', 'address'], ['market_oid', 'uuid'], ['channel_oid', 'uuid'], ['verifying_chain_id', 'chainId'], ['current_block_number', 'block'],
    ['verifying_contract_adr', 'address'], ['channel_type', 'ctype'], ['delegate', 'address'], ['marketmaker', 'address'], ['recipient', 'address'],
    ['amount', 'uint256'], ['signature', 'signature'], ['attributes', 'attributes'],
  ]),
  spec(P.closeChannel, 'member', [
    ['channel_oid', 'uuid'], ['verifying_chain_id', 'chainId'], ['current_block_number', 'block'], ['verifying_contract_adr', 'address'],
    ['closing_balance', 'uint256'], ['closing_seq', 'seq'], ['closing_is_final', 'bool'], ['delegate_signature', 'signature'],
  ]),
  spec(P.getPaymentChannel, 'member', [['channel_oid', 'uuid']]),
  spec(P.getPaymentChannelBalance, 'member', [['channel_oid', 'uuid']]),
  spec(P.getPayingChannel, 'member', [['channel_oid', 'uuid']]),
  spec(P.getPayingChannelBalance, 'member', [['channel_oid', 'uuid']]),
  spec(P.getActivePaymentChannel, 'member', [['delegate_adr', 'address']]),
  spec(P.getActivePayingChannel, 'member', [['delegate_adr', 'address']]),
  spec(P.getChannelsByDelegate, 'member', [['delegate_adr', 'address'], ['channel_type', 'ctype'], ['filter_open', 'bool']]),
  spec(P.getChannelsByActor, 'member', [['member_adr', 'address'], ['channel_type', 'ctype'], ['filter_open', 'bool']]),
  spec(P.setConsent, 'member', [
    ['member_adr', 'address'], ['market_oid', 'uuid'], ['verifying_chain_id', 'chainId'], ['current_block_number', 'block'], ['verifying_contract_adr', 'address'],
    ['delegate', 'address'], ['delegate_type', 'actorType'], ['catalog_oid', 'uuid'], ['consent', 'bool'], ['service_prefix', 'string'], ['signature', 'signature'],
    ['attributes', 'attributes'],
  ]),
  spec(P.getConsent, 'member', [
    ['market_oid', 'uuid'], ['member', 'address'], ['delegate', 'address'], ['delegate_type', 'actorType'], ['catalog_oid', 'uuid'], ['include_attributes', 'bool'],
  ]),
  spec(P.findConsents, 'member', [
    ['created_from', 'ns'], ['limit', 'limit'], ['include_owners', 'addressList'], ['include_delegates', 'addressList'], ['include_markets', 'uuidList'],
    ['include_apis', 'uuidList'], ['include_titles', 'stringList'], ['include_descriptions', 'stringList'], ['include_tags', 'stringList'],
  ]),
  spec(P.getCatalogsByOwner, 'member', [['owner_adr', 'address']]),
  spec(P.authenticate, 'router', [['realm', 'realm'], ['authid', 'authid'], ['details', 'authDetails']]),
  spec(P.logout, 'member'),
  spec(C.findCatalogs, 'public', [['owner', 'address'], ['tags', 'stringList'], ['text', 'string'], ['limit', 'limit']]),
  spec(C.getCatalog, 'public', [['catalog_oid', 'uuid']]),
  spec(C.getApi, 'public', [['api_oid', 'uuid']]),
  spec(C.getIpfsStatus, 'operator', [['limit', 'limit']]),
  spec(C.retryIpfsDownload, 'operator', [['file_hash', 'cid']]),
  spec(A.listChannels, 'operator', [['channel_type', 'ctype'], ['member', 'address'], ['delegate', 'address'], ['state', 'int'], ['limit', 'limit'], ['cursor', 'uuid']]),
  spec(A.listTransactions, 'operator', [['channel_oid', 'uuid'], ['limit', 'limit'], ['cursor', 'uuid']]),
  spec(A.rescan, 'operator', [['from_block', 'block']]),
  spec(A.audit, 'operator', [['limit', 'limit'], ['chain', 'bool']]),
];

const BY_URI = new Map(PROCEDURES.map((p) => [p.uri, p]));

/** The spec of `uri`; throws for a URI the table does not know. */
export function procedureSpec(uri: string): ProcedureSpec {
  const s = BY_URI.get(uri);
  if (s === undefined) throw new Error(`the fuzzer has no spec for ${uri}`);
  return s;
}

/** Throws unless the table has exactly the procedures of `schema/uris.ts`: a new procedure is fuzzed from day one. */
export function assertCoversEveryProcedure(): void {
  const expected = new Set<string>([...Object.values(MarketMakerProcedure), ...Object.values(MarketMakerCatalogProcedure), ...Object.values(MarketMakerAdminProcedure)]);
  const missing = [...expected].filter((u) => !BY_URI.has(u));
  const unknown = PROCEDURES.map((p) => p.uri).filter((u) => !expected.has(u));
  if (missing.length > 0 || unknown.length > 0 || BY_URI.size !== PROCEDURES.length) {
    throw new Error(`test/security/fuzz/procedures.ts is out of step with schema/uris.ts: missing ${missing.join(', ') || 'none'}; unknown ${unknown.join(', ') || 'none'}`);
  }
}
