/**
 * The XBR EIP712 types as data (docs/protocol.md#eip712-types, field order significant) and the TypeScript shape of each
 * message. Domain `{name: 'XBR', version: '1'}` only: `chainId` and `verifyingContract` (the XBRNetwork
 * address) are the first two fields of every message except `EIP712MarketMemberLogin` (docs/protocol.md#differences).
 * The two certificate types of docs/protocol.md#eip712-certificates use the domain `{name: 'WMP', version: '1'}`.
 */
import type { Address, Uuid } from '../codec/types.js';

/** Field types used by the XBR and WMP types (`bytes` is supported by the encoder but unused). */
export type Eip712FieldType =
  | 'uint256'
  | 'uint64'
  | 'uint32'
  | 'uint8'
  | 'address'
  | 'bytes16'
  | 'bytes32'
  | 'bytes'
  | 'bool'
  | 'string';

/** One field of an EIP712 struct type. */
export interface Eip712Field {
  readonly name: string;
  readonly type: Eip712FieldType;
}

/** An EIP712 domain with only `name` and `version` (type `EIP712Domain(string name,string version)`). */
export interface Eip712Domain {
  readonly name: string;
  readonly version: string;
}

/** The domain of every XBR message type. */
export const XBR_DOMAIN: Eip712Domain = Object.freeze({ name: 'XBR', version: '1' });
/** The domain of the WAMP certificate types (docs/protocol.md#eip712-certificates). */
export const WMP_DOMAIN: Eip712Domain = Object.freeze({ name: 'WMP', version: '1' });

const f = (name: string, type: Eip712FieldType): Eip712Field => Object.freeze({ name, type });
const CHAIN = [f('chainId', 'uint256'), f('verifyingContract', 'address')] as const;

/** Every XBR type of docs/protocol.md#eip712-types (client definitions), name → fields in order. */
export const XBR_TYPES = Object.freeze({
  EIP712MemberRegister: [...CHAIN, f('member', 'address'), f('registered', 'uint256'), f('eula', 'string'), f('profile', 'string')],
  EIP712MemberUnregister: [...CHAIN, f('member', 'address'), f('retired', 'uint256')],
  EIP712DomainCreate: [
    ...CHAIN, f('member', 'address'), f('created', 'uint256'), f('domainId', 'bytes16'), f('domainKey', 'bytes32'),
    f('license', 'string'), f('terms', 'string'), f('meta', 'string'),
  ],
  EIP712NodePair: [
    ...CHAIN, f('member', 'address'), f('paired', 'uint256'), f('nodeId', 'bytes16'), f('domainId', 'bytes16'),
    f('nodeType', 'uint8'), f('nodeKey', 'bytes32'), f('amount', 'uint256'), f('config', 'string'),
  ],
  EIP712CatalogCreate: [
    ...CHAIN, f('member', 'address'), f('created', 'uint256'), f('catalogId', 'bytes16'), f('terms', 'string'), f('meta', 'string'),
  ],
  EIP712ApiPublish: [
    ...CHAIN, f('member', 'address'), f('published', 'uint256'), f('catalogId', 'bytes16'), f('apiId', 'bytes16'),
    f('schema', 'string'), f('meta', 'string'),
  ],
  EIP712MarketCreate: [
    ...CHAIN, f('member', 'address'), f('created', 'uint256'), f('marketId', 'bytes16'), f('coin', 'address'),
    f('terms', 'string'), f('meta', 'string'), f('maker', 'address'), f('marketFee', 'uint256'),
  ],
  EIP712MarketJoin: [
    ...CHAIN, f('member', 'address'), f('joined', 'uint256'), f('marketId', 'bytes16'), f('actorType', 'uint8'), f('meta', 'string'),
  ],
  EIP712MarketLeave: [...CHAIN, f('member', 'address'), f('left', 'uint256'), f('marketId', 'bytes16'), f('actorType', 'uint8')],
  EIP712Consent: [
    ...CHAIN, f('member', 'address'), f('updated', 'uint256'), f('marketId', 'bytes16'), f('delegate', 'address'),
    f('delegateType', 'uint8'), f('apiCatalog', 'bytes16'), f('consent', 'bool'), f('servicePrefix', 'string'),
  ],
  EIP712ChannelOpen: [
    ...CHAIN, f('ctype', 'uint8'), f('openedAt', 'uint256'), f('marketId', 'bytes16'), f('channelId', 'bytes16'),
    f('actor', 'address'), f('delegate', 'address'), f('marketmaker', 'address'), f('recipient', 'address'), f('amount', 'uint256'),
  ],
  EIP712ChannelClose: [
    ...CHAIN, f('closeAt', 'uint256'), f('marketId', 'bytes16'), f('channelId', 'bytes16'), f('channelSeq', 'uint32'),
    f('balance', 'uint256'), f('isFinal', 'bool'),
  ],
  EIP712MemberLogin: [
    ...CHAIN, f('member', 'address'), f('loggedIn', 'uint256'), f('timestamp', 'uint64'), f('member_email', 'string'),
    f('client_pubkey', 'bytes32'),
  ],
  EIP712MarketMemberLogin: [f('member', 'address'), f('client_pubkey', 'bytes32')],
} satisfies Record<string, readonly Eip712Field[]>);

/** The WAMP certificate types of docs/protocol.md#eip712-certificates (domain WMP). */
export const WMP_TYPES = Object.freeze({
  EIP712DelegateCertificate: [
    ...CHAIN, f('validFrom', 'uint256'), f('delegate', 'address'), f('csPubKey', 'bytes32'), f('bootedAt', 'uint64'), f('meta', 'string'),
  ],
  EIP712AuthorityCertificate: [
    ...CHAIN, f('validFrom', 'uint256'), f('issuer', 'address'), f('subject', 'address'), f('realm', 'address'),
    f('capabilities', 'uint64'), f('meta', 'string'),
  ],
} satisfies Record<string, readonly Eip712Field[]>);

/** Name of an XBR message type. */
export type XbrPrimaryType = keyof typeof XBR_TYPES;
/** Name of a WMP certificate type. */
export type WmpPrimaryType = keyof typeof WMP_TYPES;
/** Every primary type this module can hash, sign and recover. */
export type PrimaryType = XbrPrimaryType | WmpPrimaryType;

/** All types with their fields, XBR and WMP. */
export const ALL_TYPES: Readonly<Record<PrimaryType, readonly Eip712Field[]>> = Object.freeze({ ...XBR_TYPES, ...WMP_TYPES });

/** The domain each primary type is signed under. */
export function domainOf(primaryType: PrimaryType): Eip712Domain {
  return Object.hasOwn(WMP_TYPES, primaryType) ? WMP_DOMAIN : XBR_DOMAIN;
}

/** A 32-byte value of an EIP712 `bytes32` field (keys, public keys). */
export type Bytes32 = Uint8Array;
/** A `uint8`/`uint32` field value (safe integer) — bigint is accepted as well. */
export type SmallUint = number | bigint;

/** `chainId` and `verifyingContract`, the chain binding carried inside every XBR message. */
export interface ChainBinding {
  /** `XBRNetwork.verifyingChain()`. */
  readonly chainId: bigint;
  /** `XBRNetwork.verifyingContract()`: the XBRNetwork address. */
  readonly verifyingContract: Address;
}

export interface MemberRegisterMessage extends ChainBinding {
  readonly member: Address; readonly registered: bigint; readonly eula: string; readonly profile: string;
}
export interface MemberUnregisterMessage extends ChainBinding {
  readonly member: Address; readonly retired: bigint;
}
export interface DomainCreateMessage extends ChainBinding {
  readonly member: Address; readonly created: bigint; readonly domainId: Uuid; readonly domainKey: Bytes32;
  readonly license: string; readonly terms: string; readonly meta: string;
}
export interface NodePairMessage extends ChainBinding {
  readonly member: Address; readonly paired: bigint; readonly nodeId: Uuid; readonly domainId: Uuid;
  readonly nodeType: SmallUint; readonly nodeKey: Bytes32; readonly amount: bigint; readonly config: string;
}
export interface CatalogCreateMessage extends ChainBinding {
  readonly member: Address; readonly created: bigint; readonly catalogId: Uuid; readonly terms: string; readonly meta: string;
}
export interface ApiPublishMessage extends ChainBinding {
  readonly member: Address; readonly published: bigint; readonly catalogId: Uuid; readonly apiId: Uuid;
  readonly schema: string; readonly meta: string;
}
export interface MarketCreateMessage extends ChainBinding {
  readonly member: Address; readonly created: bigint; readonly marketId: Uuid; readonly coin: Address;
  readonly terms: string; readonly meta: string; readonly maker: Address; readonly marketFee: bigint;
}
export interface MarketJoinMessage extends ChainBinding {
  readonly member: Address; readonly joined: bigint; readonly marketId: Uuid; readonly actorType: SmallUint; readonly meta: string;
}
export interface MarketLeaveMessage extends ChainBinding {
  readonly member: Address; readonly left: bigint; readonly marketId: Uuid; readonly actorType: SmallUint;
}
export interface ConsentMessage extends ChainBinding {
  readonly member: Address; readonly updated: bigint; readonly marketId: Uuid; readonly delegate: Address;
  readonly delegateType: SmallUint; readonly apiCatalog: Uuid; readonly consent: boolean; readonly servicePrefix: string;
}
export interface ChannelOpenMessage extends ChainBinding {
  /** 1 PAYMENT, 2 PAYING. */
  readonly ctype: SmallUint;
  readonly openedAt: bigint; readonly marketId: Uuid; readonly channelId: Uuid;
  readonly actor: Address; readonly delegate: Address; readonly marketmaker: Address; readonly recipient: Address;
  readonly amount: bigint;
}
export interface ChannelCloseMessage extends ChainBinding {
  /** Block number (docs/protocol.md#differences: the current block, not 1). */
  readonly closeAt: bigint;
  readonly marketId: Uuid; readonly channelId: Uuid;
  /** uint32. */
  readonly channelSeq: SmallUint;
  /** Amount remaining in the channel. */
  readonly balance: bigint;
  readonly isFinal: boolean;
}
export interface MemberLoginMessage extends ChainBinding {
  readonly member: Address; readonly loggedIn: bigint; readonly timestamp: bigint;
  readonly member_email: string; readonly client_pubkey: Bytes32;
}
export interface MarketMemberLoginMessage {
  readonly member: Address; readonly client_pubkey: Bytes32;
}
export interface DelegateCertificateMessage extends ChainBinding {
  readonly validFrom: bigint; readonly delegate: Address; readonly csPubKey: Bytes32; readonly bootedAt: bigint; readonly meta: string;
}
export interface AuthorityCertificateMessage extends ChainBinding {
  readonly validFrom: bigint; readonly issuer: Address; readonly subject: Address; readonly realm: Address;
  readonly capabilities: bigint; readonly meta: string;
}

/** Primary type → message interface. */
export interface MessageMap {
  EIP712MemberRegister: MemberRegisterMessage;
  EIP712MemberUnregister: MemberUnregisterMessage;
  EIP712DomainCreate: DomainCreateMessage;
  EIP712NodePair: NodePairMessage;
  EIP712CatalogCreate: CatalogCreateMessage;
  EIP712ApiPublish: ApiPublishMessage;
  EIP712MarketCreate: MarketCreateMessage;
  EIP712MarketJoin: MarketJoinMessage;
  EIP712MarketLeave: MarketLeaveMessage;
  EIP712Consent: ConsentMessage;
  EIP712ChannelOpen: ChannelOpenMessage;
  EIP712ChannelClose: ChannelCloseMessage;
  EIP712MemberLogin: MemberLoginMessage;
  EIP712MarketMemberLogin: MarketMemberLoginMessage;
  EIP712DelegateCertificate: DelegateCertificateMessage;
  EIP712AuthorityCertificate: AuthorityCertificateMessage;
}
