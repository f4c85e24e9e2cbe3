/**
 * Typed bindings of the XBR contracts (ethers v6) for the market maker: read methods with explicit types,
 * `{to, data}` encoders for the maker's writes (for {@link TransactionSender.send}), and typed decoders of the
 * events the chain monitor follows.
 *
 * Conventions: `uint256` → `bigint`; `uint8` / `uint32` → `number`; `bytes16` ids → lowercase `0x…` hex
 * ({@link Hex16}; inputs may also be 16-byte `Uint8Array`s such as schema/codec `Uuid`); addresses →
 * checksummed `0x…` strings (inputs may also be 20-byte `Uint8Array`s such as schema/codec `Address`);
 * `bytes` → `0x…` hex.
 *
 * @example
 * const xbr = connectXbr(provider, deployment.addresses);
 * const marketId = await xbr.market.marketsByMaker(maker);
 * await sender.send({ ...xbr.channel.encodeSettleChannel(channelId), label: 'settleChannel' });
 */
import { Contract, Interface, getAddress, getBytes, hexlify, type ContractRunner, type Log, type LogDescription } from 'ethers';
import type { XbrContractAddresses } from '../../schema/index.js';
import { xbrCatalogAbi, xbrChannelAbi, xbrMarketAbi, xbrNetworkAbi, xbrTokenAbi } from '../../contracts/build/index.js';

/** A bytes16 id as lowercase 0x-prefixed hex (34 characters). */
export type Hex16 = `0x${string}`;
/** Any 0x hex (bytes). */
export type Hex = `0x${string}`;
/** A bytes16 id: 0x hex or 16 bytes (e.g. a schema/codec `Uuid`). */
export type Bytes16Like = string | Uint8Array;
/** An address: 0x hex (any case) or 20 bytes (e.g. a schema/codec `Address`). */
export type AddressLike = string | Uint8Array;
/** Bytes: 0x hex or raw bytes. */
export type BytesInput = string | Uint8Array;

/** A call for the {@link TransactionSender}: `sender.send({ ...call, label })`. */
export interface EncodedCall {
  readonly to: string;
  readonly data: Hex;
}

// The XBR enums (member level, actor type, channel type and state) are defined once, with the records that
// store them: `MemberLevel`, `ActorType`, `ChannelType`, `ChannelState` of schema/db. Bindings give them as
// plain numbers.

export const xbrInterfaces = {
  token: new Interface(xbrTokenAbi),
  network: new Interface(xbrNetworkAbi),
  catalog: new Interface(xbrCatalogAbi),
  market: new Interface(xbrMarketAbi),
  channel: new Interface(xbrChannelAbi),
} as const;

// ---------------------------------------------------------------- conversions

/** Normalizes a bytes16 id to lowercase 0x hex; throws unless exactly 16 bytes. */
export function toHex16(id: Bytes16Like): Hex16 {
  const b = getBytes(id);
  if (b.length !== 16) throw new TypeError(`bytes16 expected, got ${b.length} bytes`);
  return hexlify(b).toLowerCase() as Hex16;
}

/** Normalizes an address to its checksummed 0x form. */
function toAddress(a: AddressLike): string {
  if (typeof a === 'string') return getAddress(a);
  if (a.length !== 20) throw new TypeError(`address expected (20 bytes), got ${a.length} bytes`);
  return getAddress(hexlify(a));
}

const hex = (b: BytesInput): Hex => hexlify(b) as Hex;
const big = (v: unknown): bigint => v as bigint;
const num = (v: unknown): number => Number(v as bigint);
const str = (v: unknown): string => v as string;
const addr = (v: unknown): string => getAddress(v as string);
const id16 = (v: unknown): Hex16 => (v as string).toLowerCase() as Hex16;

// ---------------------------------------------------------------- result types

export interface MemberRecord {
  /** Block of registration; 0 when not a member. */
  readonly registered: bigint;
  readonly eula: string;
  readonly profile: string;
  readonly level: number;
}
export interface MarketRecord {
  readonly created: bigint;
  readonly seq: number;
  readonly owner: string;
  readonly coin: string;
  readonly terms: string;
  readonly meta: string;
  readonly maker: string;
  readonly providerSecurity: bigint;
  readonly consumerSecurity: bigint;
  readonly marketFee: bigint;
}
export interface ConsentRecord {
  readonly updated: bigint;
  readonly consent: boolean;
  readonly servicePrefix: string;
}
export interface CatalogRecord {
  readonly created: bigint;
  readonly seq: number;
  readonly owner: string;
  readonly terms: string;
  readonly meta: string;
}
export interface ApiRecord {
  readonly published: bigint;
  readonly schema: string;
  readonly meta: string;
}
export interface ChannelRecord {
  /** openedAt (block). 0 for unknown ids. */
  readonly created: bigint;
  readonly seq: number;
  readonly ctype: number;
  readonly marketId: Hex16;
  readonly channelId: Hex16;
  readonly actor: string;
  readonly delegate: string;
  readonly marketmaker: string;
  readonly recipient: string;
  readonly amount: bigint;
}
export interface ChannelClosingState {
  /** schema/db `ChannelState` (on chain: NONE, OPEN, CLOSING or CLOSED). */
  readonly state: number;
  readonly closingAt: bigint;
  readonly closingSeq: number;
  readonly closingBalance: bigint;
  readonly closedAt: bigint;
  readonly closedSeq: number;
  readonly closedBalance: bigint;
}

// ---------------------------------------------------------------- write arguments

export interface OpenChannelArgs {
  /** schema/db `ChannelType`. */
  readonly ctype: number;
  readonly openedAt: bigint;
  readonly marketId: Bytes16Like;
  readonly channelId: Bytes16Like;
  readonly actor: AddressLike;
  readonly delegate: AddressLike;
  readonly marketmaker: AddressLike;
  readonly recipient: AddressLike;
  readonly amount: bigint;
  /** The actor's EIP712ChannelOpen signature (65 bytes). */
  readonly signature: BytesInput;
}
export interface CloseChannelArgs {
  readonly channelId: Bytes16Like;
  readonly closeAt: bigint;
  readonly closingChannelSeq: number;
  readonly balance: bigint;
  readonly isFinal: boolean;
  readonly delegateSignature: BytesInput;
  readonly marketmakerSignature: BytesInput;
}

// ---------------------------------------------------------------- bindings

export interface XbrTokenBinding {
  readonly address: string;
  readonly contract: Contract;
  balanceOf(owner: AddressLike): Promise<bigint>;
  allowance(owner: AddressLike, spender: AddressLike): Promise<bigint>;
  totalSupply(): Promise<bigint>;
  encodeApprove(spender: AddressLike, amount: bigint): EncodedCall;
}
export interface XbrNetworkBinding {
  readonly address: string;
  readonly contract: Contract;
  verifyingChain(): Promise<bigint>;
  verifyingContract(): Promise<string>;
  memberLevel(member: AddressLike): Promise<number>;
  members(member: AddressLike): Promise<MemberRecord>;
}
export interface XbrCatalogBinding {
  readonly address: string;
  readonly contract: Contract;
  catalogs(catalogId: Bytes16Like): Promise<CatalogRecord>;
  apis(catalogId: Bytes16Like, apiId: Bytes16Like): Promise<ApiRecord>;
}
export interface XbrMarketBinding {
  readonly address: string;
  readonly contract: Contract;
  /** The maker's market id; `0x000…0` when none. */
  marketsByMaker(maker: AddressLike): Promise<Hex16>;
  getMarketOwner(marketId: Bytes16Like): Promise<string>;
  getMarketCoin(marketId: Bytes16Like): Promise<string>;
  getMarketFee(marketId: Bytes16Like): Promise<bigint>;
  getMarketMaker(marketId: Bytes16Like): Promise<string>;
  isActor(marketId: Bytes16Like, actor: AddressLike, actorType: number): Promise<boolean>;
  getConsent(marketId: Bytes16Like, member: AddressLike, delegate: AddressLike, delegateType: number, apiCatalog: Bytes16Like): Promise<ConsentRecord>;
  /** True iff `member` consents to `delegate` acting as `role` (1 provider, 2 consumer) for some catalog (openChannel requires it). */
  hasDelegateConsent(marketId: Bytes16Like, member: AddressLike, delegate: AddressLike, role: number): Promise<boolean>;
  markets(marketId: Bytes16Like): Promise<MarketRecord>;
}
export interface XbrChannelBinding {
  readonly address: string;
  readonly contract: Contract;
  channels(channelId: Bytes16Like): Promise<ChannelRecord>;
  channelClosingStates(channelId: Bytes16Like): Promise<ChannelClosingState>;
  encodeOpenChannel(args: OpenChannelArgs): EncodedCall;
  encodeCloseChannel(args: CloseChannelArgs): EncodedCall;
  encodeSettleChannel(channelId: Bytes16Like): EncodedCall;
  /** Unilateral close by a channel party (actor, delegate or maker): starts the timeout with the open state. */
  encodeRequestChannelClose(channelId: Bytes16Like): EncodedCall;
}
export interface XbrBindings {
  readonly addresses: XbrContractAddresses;
  readonly token: XbrTokenBinding;
  readonly network: XbrNetworkBinding;
  readonly catalog: XbrCatalogBinding;
  readonly market: XbrMarketBinding;
  readonly channel: XbrChannelBinding;
}

/** Calls a view function and returns its raw ethers result. */
async function call(c: Contract, fn: string, ...args: unknown[]): Promise<unknown[]> {
  const r = (await c.getFunction(fn).staticCallResult(...args)) as unknown as unknown[];
  return Array.from(r);
}
async function call1(c: Contract, fn: string, ...args: unknown[]): Promise<unknown> {
  return (await call(c, fn, ...args))[0];
}

/** Encodes `fn(args)` of `iface` as a call to `to`. */
export function encodeCall(iface: Interface, to: string, fn: string, args: readonly unknown[]): EncodedCall {
  return { to, data: iface.encodeFunctionData(fn, args) as Hex };
}

/**
 * Typed bindings of the five contracts at `addresses`; `runner` is a provider (reads) or signer.
 * @example const xbr = connectXbr(provider, addresses); await xbr.token.balanceOf(maker)
 */
export function connectXbr(runner: ContractRunner, addresses: XbrContractAddresses): XbrBindings {
  const a: XbrContractAddresses = {
    token: getAddress(addresses.token),
    network: getAddress(addresses.network),
    catalog: getAddress(addresses.catalog),
    market: getAddress(addresses.market),
    channel: getAddress(addresses.channel),
  };
  const I = xbrInterfaces;
  const token = new Contract(a.token, I.token, runner);
  const network = new Contract(a.network, I.network, runner);
  const catalog = new Contract(a.catalog, I.catalog, runner);
  const market = new Contract(a.market, I.market, runner);
  const channel = new Contract(a.channel, I.channel, runner);

  return {
    addresses: a,
    token: {
      address: a.token,
      contract: token,
      balanceOf: async (owner) => big(await call1(token, 'balanceOf', toAddress(owner))),
      allowance: async (owner, spender) => big(await call1(token, 'allowance', toAddress(owner), toAddress(spender))),
      totalSupply: async () => big(await call1(token, 'totalSupply')),
      encodeApprove: (spender, amount) => encodeCall(I.token, a.token, 'approve', [toAddress(spender), amount]),
    },
    network: {
      address: a.network,
      contract: network,
      verifyingChain: async () => big(await call1(network, 'verifyingChain')),
      verifyingContract: async () => addr(await call1(network, 'verifyingContract')),
      memberLevel: async (m) => num(await call1(network, 'memberLevel', toAddress(m))),
      members: async (m) => {
        const [registered, eula, profile, level] = await call(network, 'members', toAddress(m));
        return { registered: big(registered), eula: str(eula), profile: str(profile), level: num(level) };
      },
    },
    catalog: {
      address: a.catalog,
      contract: catalog,
      catalogs: async (id) => {
        const [created, seq, owner, terms, meta] = await call(catalog, 'catalogs', toHex16(id));
        return { created: big(created), seq: num(seq), owner: addr(owner), terms: str(terms), meta: str(meta) };
      },
      apis: async (catalogId, apiId) => {
        const [published, schema, meta] = await call(catalog, 'apis', toHex16(catalogId), toHex16(apiId));
        return { published: big(published), schema: str(schema), meta: str(meta) };
      },
    },
    market: {
      address: a.market,
      contract: market,
      marketsByMaker: async (m) => id16(await call1(market, 'marketsByMaker', toAddress(m))),
      getMarketOwner: async (id) => addr(await call1(market, 'getMarketOwner', toHex16(id))),
      getMarketCoin: async (id) => addr(await call1(market, 'getMarketCoin', toHex16(id))),
      getMarketFee: async (id) => big(await call1(market, 'getMarketFee', toHex16(id))),
      getMarketMaker: async (id) => addr(await call1(market, 'getMarketMaker', toHex16(id))),
      isActor: async (id, actor, type) => (await call1(market, 'isActor', toHex16(id), toAddress(actor), type)) as boolean,
      getConsent: async (id, member, delegate, delegateType, apiCatalog) => {
        const [updated, consent, servicePrefix] = await call(
          market, 'getConsent', toHex16(id), toAddress(member), toAddress(delegate), delegateType, toHex16(apiCatalog),
        );
        return { updated: big(updated), consent: consent as boolean, servicePrefix: str(servicePrefix) };
      },
      hasDelegateConsent: async (id, member, delegate, role) =>
        (await call1(market, 'hasDelegateConsent', toHex16(id), toAddress(member), toAddress(delegate), role)) as boolean,
      markets: async (id) => {
        const [created, seq, owner, coin, terms, meta, maker, providerSecurity, consumerSecurity, marketFee] = await call(market, 'markets', toHex16(id));
        return {
          created: big(created), seq: num(seq), owner: addr(owner), coin: addr(coin), terms: str(terms), meta: str(meta),
          maker: addr(maker), providerSecurity: big(providerSecurity), consumerSecurity: big(consumerSecurity), marketFee: big(marketFee),
        };
      },
    },
    channel: {
      address: a.channel,
      contract: channel,
      channels: async (id) => {
        const [created, seq, ctype, marketId, channelId, actor, delegate, marketmaker, recipient, amount] = await call(channel, 'channels', toHex16(id));
        return {
          created: big(created), seq: num(seq), ctype: num(ctype), marketId: id16(marketId), channelId: id16(channelId), actor: addr(actor),
          delegate: addr(delegate), marketmaker: addr(marketmaker), recipient: addr(recipient), amount: big(amount),
        };
      },
      channelClosingStates: async (id) => {
        const [state, closingAt, closingSeq, closingBalance, closedAt, closedSeq, closedBalance] = await call(channel, 'channelClosingStates', toHex16(id));
        return {
          state: num(state), closingAt: big(closingAt), closingSeq: num(closingSeq), closingBalance: big(closingBalance),
          closedAt: big(closedAt), closedSeq: num(closedSeq), closedBalance: big(closedBalance),
        };
      },
      encodeOpenChannel: (o) => encodeCall(I.channel, a.channel, 'openChannel', [
        o.ctype, o.openedAt, toHex16(o.marketId), toHex16(o.channelId), toAddress(o.actor), toAddress(o.delegate),
        toAddress(o.marketmaker), toAddress(o.recipient), o.amount, hex(o.signature),
      ]),
      encodeCloseChannel: (c) => encodeCall(I.channel, a.channel, 'closeChannel', [
        toHex16(c.channelId), c.closeAt, c.closingChannelSeq, c.balance, c.isFinal, hex(c.delegateSignature), hex(c.marketmakerSignature),
      ]),
      encodeSettleChannel: (id) => encodeCall(I.channel, a.channel, 'settleChannel', [toHex16(id)]),
      encodeRequestChannelClose: (id) => encodeCall(I.channel, a.channel, 'requestChannelClose', [toHex16(id)]),
    },
  };
}

// ---------------------------------------------------------------- events

/** Where a decoded event came from. */
export interface EventOrigin {
  readonly address: string;
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly transactionHash: string;
  readonly logIndex: number;
}

export interface MemberRegisteredEvent { readonly name: 'MemberRegistered'; readonly member: string; readonly registered: bigint; readonly eula: string; readonly profile: string; readonly level: number }
export interface CatalogCreatedEvent { readonly name: 'CatalogCreated'; readonly catalogId: Hex16; readonly created: bigint; readonly catalogSeq: number; readonly owner: string; readonly terms: string; readonly meta: string }
export interface ApiPublishedEvent { readonly name: 'ApiPublished'; readonly catalogId: Hex16; readonly apiId: Hex16; readonly published: bigint; readonly schema: string; readonly meta: string }
export interface MarketCreatedEvent {
  readonly name: 'MarketCreated'; readonly marketId: Hex16; readonly created: bigint; readonly marketSeq: number; readonly owner: string; readonly coin: string;
  readonly terms: string; readonly meta: string; readonly maker: string; readonly providerSecurity: bigint; readonly consumerSecurity: bigint; readonly marketFee: bigint;
}
export interface ActorJoinedEvent { readonly name: 'ActorJoined'; readonly marketId: Hex16; readonly actor: string; readonly actorType: number; readonly joined: bigint; readonly security: bigint; readonly meta: string }
export interface ActorLeftEvent { readonly name: 'ActorLeft'; readonly marketId: Hex16; readonly actor: string; readonly actorType: number; readonly left: bigint; readonly securitiesToBeRefunded: bigint }
export interface ConsentSetEvent {
  readonly name: 'ConsentSet'; readonly member: string; readonly updated: bigint; readonly marketId: Hex16; readonly delegate: string; readonly delegateType: number;
  readonly apiCatalog: Hex16; readonly consent: boolean; readonly servicePrefix: string;
}
export interface OpenedEvent {
  readonly name: 'Opened'; readonly ctype: number; readonly marketId: Hex16; readonly channelId: Hex16; readonly actor: string; readonly delegate: string;
  readonly marketmaker: string; readonly recipient: string; readonly amount: bigint; readonly signature: Hex;
}
export interface ClosingEvent { readonly name: 'Closing'; readonly ctype: number; readonly marketId: Hex16; readonly channelId: Hex16; readonly payout: bigint; readonly fee: bigint; readonly refund: bigint; readonly timeoutAt: bigint }
export interface ClosedEvent { readonly name: 'Closed'; readonly ctype: number; readonly marketId: Hex16; readonly channelId: Hex16; readonly payout: bigint; readonly fee: bigint; readonly refund: bigint; readonly closedAt: bigint }

export type XbrEvent =
  | MemberRegisteredEvent | CatalogCreatedEvent | ApiPublishedEvent | MarketCreatedEvent | ActorJoinedEvent | ActorLeftEvent | ConsentSetEvent
  | OpenedEvent | ClosingEvent | ClosedEvent;
export type XbrEventName = XbrEvent['name'];
/** A decoded event with its origin. */
export type DecodedXbrEvent<E extends XbrEvent = XbrEvent> = E & { readonly origin: EventOrigin };

type Contract5 = keyof XbrContractAddresses;
/** Which contract emits each followed event. */
const XBR_EVENT_SOURCES: { readonly [N in XbrEventName]: Contract5 } = {
  MemberRegistered: 'network',
  CatalogCreated: 'catalog',
  ApiPublished: 'catalog',
  MarketCreated: 'market',
  ActorJoined: 'market',
  ActorLeft: 'market',
  ConsentSet: 'market',
  Opened: 'channel',
  Closing: 'channel',
  Closed: 'channel',
};

const EVENT_NAMES = Object.keys(XBR_EVENT_SOURCES) as XbrEventName[];

/** topic0 of each followed event. */
export const XBR_EVENT_TOPICS: { readonly [N in XbrEventName]: Hex } = Object.fromEntries(
  EVENT_NAMES.map((n) => {
    const ev = xbrInterfaces[XBR_EVENT_SOURCES[n]].getEvent(n);
    if (ev === null) throw new Error(`event ${n} missing from the ABI`);
    return [n, ev.topicHash as Hex];
  }),
) as { [N in XbrEventName]: Hex };

function convert(d: LogDescription): XbrEvent | undefined {
  const g = (k: string): unknown => d.args.getValue(k);
  switch (d.name as XbrEventName) {
    case 'MemberRegistered':
      return { name: 'MemberRegistered', member: addr(g('member')), registered: big(g('registered')), eula: str(g('eula')), profile: str(g('profile')), level: num(g('level')) };
    case 'CatalogCreated':
      return { name: 'CatalogCreated', catalogId: id16(g('catalogId')), created: big(g('created')), catalogSeq: num(g('catalogSeq')), owner: addr(g('owner')), terms: str(g('terms')), meta: str(g('meta')) };
    case 'ApiPublished':
      return { name: 'ApiPublished', catalogId: id16(g('catalogId')), apiId: id16(g('apiId')), published: big(g('published')), schema: str(g('schema')), meta: str(g('meta')) };
    case 'MarketCreated':
      return {
        name: 'MarketCreated', marketId: id16(g('marketId')), created: big(g('created')), marketSeq: num(g('marketSeq')), owner: addr(g('owner')), coin: addr(g('coin')),
        terms: str(g('terms')), meta: str(g('meta')), maker: addr(g('maker')), providerSecurity: big(g('providerSecurity')), consumerSecurity: big(g('consumerSecurity')),
        marketFee: big(g('marketFee')),
      };
    case 'ActorJoined':
      return { name: 'ActorJoined', marketId: id16(g('marketId')), actor: addr(g('actor')), actorType: num(g('actorType')), joined: big(g('joined')), security: big(g('security')), meta: str(g('meta')) };
    case 'ActorLeft':
      return { name: 'ActorLeft', marketId: id16(g('marketId')), actor: addr(g('actor')), actorType: num(g('actorType')), left: big(g('left')), securitiesToBeRefunded: big(g('securitiesToBeRefunded')) };
    case 'ConsentSet':
      return {
        name: 'ConsentSet', member: addr(g('member')), updated: big(g('updated')), marketId: id16(g('marketId')), delegate: addr(g('delegate')), delegateType: num(g('delegateType')),
        apiCatalog: id16(g('apiCatalog')), consent: g('consent') as boolean, servicePrefix: str(g('servicePrefix')),
      };
    case 'Opened':
      return {
        name: 'Opened', ctype: num(g('ctype')), marketId: id16(g('marketId')), channelId: id16(g('channelId')), actor: addr(g('actor')), delegate: addr(g('delegate')),
        marketmaker: addr(g('marketmaker')), recipient: addr(g('recipient')), amount: big(g('amount')), signature: str(g('signature')) as Hex,
      };
    case 'Closing':
      return { name: 'Closing', ctype: num(g('ctype')), marketId: id16(g('marketId')), channelId: id16(g('channelId')), payout: big(g('payout')), fee: big(g('fee')), refund: big(g('refund')), timeoutAt: big(g('timeoutAt')) };
    case 'Closed':
      return { name: 'Closed', ctype: num(g('ctype')), marketId: id16(g('marketId')), channelId: id16(g('channelId')), payout: big(g('payout')), fee: big(g('fee')), refund: big(g('refund')), closedAt: big(g('closedAt')) };
    default:
      return undefined;
  }
}

/** Minimal log shape (ethers `Log` or a raw JSON-RPC log with numeric fields). */
export type LogLike = Pick<Log, 'address' | 'topics' | 'data' | 'blockNumber' | 'blockHash' | 'transactionHash'> & { readonly index?: number; readonly logIndex?: number };

/**
 * Decodes `log` if it is one of the followed events **emitted by the matching contract of `addresses`**;
 * otherwise (other contract, other event, undecodable) `undefined`.
 */
export function decodeXbrEvent(addresses: XbrContractAddresses, log: LogLike): DecodedXbrEvent | undefined {
  const topic0 = log.topics[0];
  if (topic0 === undefined) return undefined;
  const name = EVENT_NAMES.find((n) => XBR_EVENT_TOPICS[n] === topic0.toLowerCase());
  if (name === undefined) return undefined;
  const source = XBR_EVENT_SOURCES[name];
  if (getAddress(log.address) !== getAddress(addresses[source])) return undefined;
  let d: LogDescription | null;
  try {
    d = xbrInterfaces[source].parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return undefined;
  }
  if (d === null) return undefined;
  const ev = convert(d);
  if (ev === undefined) return undefined;
  return {
    ...ev,
    origin: {
      address: getAddress(log.address),
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      transactionHash: log.transactionHash,
      logIndex: log.index ?? log.logIndex ?? -1,
    },
  };
}

/** Decodes all followed events of `logs` (e.g. `receipt.logs`), in order; other logs are skipped. */
export function decodeXbrEvents(addresses: XbrContractAddresses, logs: readonly LogLike[]): DecodedXbrEvent[] {
  const out: DecodedXbrEvent[] = [];
  for (const l of logs) {
    const e = decodeXbrEvent(addresses, l);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** The decoded events named `name` among `logs`. */
export function findXbrEvents<N extends XbrEventName>(addresses: XbrContractAddresses, logs: readonly LogLike[], name: N): DecodedXbrEvent<Extract<XbrEvent, { name: N }>>[] {
  return decodeXbrEvents(addresses, logs).filter((e): e is DecodedXbrEvent<Extract<XbrEvent, { name: N }>> => e.name === name);
}

/**
 * `eth_getLogs` filter for the followed events (all of them, or `names`) of the five contracts —
 * `{address: [...], topics: [[topic0, …]]}`, usable with `provider.getLogs({ ...xbrLogFilter(a), fromBlock, toBlock })`.
 */
export function xbrLogFilter(addresses: XbrContractAddresses, names: readonly XbrEventName[] = EVENT_NAMES): { address: string[]; topics: [string[]] } {
  const contracts = [...new Set(names.map((n) => getAddress(addresses[XBR_EVENT_SOURCES[n]])))];
  return { address: contracts, topics: [names.map((n) => XBR_EVENT_TOPICS[n])] };
}
