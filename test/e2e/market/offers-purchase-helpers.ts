/**
 * Fixtures of the offers/purchase e2e tests: the shipped config with static ticket principals for the
 * members (so a test logs in as any hardhat account's member), plain wampy sellers and buyers, and channels
 * opened on the dev chain directly with ethers.
 */
import { isMakerProcedure, readMakerResult } from '../../../schema/api/index.js';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { Contract, getBytes, hexlify, Wallet, type Signer } from 'ethers';
import type { Wampy } from 'wampy';
import { devchainAccountKey, xbrChannelAbi } from '../../../contracts/index.js';
import { parseAddress } from '../../../schema/codec/address.js';
import { packUint256, unpackUint256 } from '../../../schema/codec/uint256.js';
import type { Address, Amount, Uuid } from '../../../schema/codec/types.js';
import { SealedBoxKeyPair, ed25519PublicKeyToX25519, ed25519SecretKeyToX25519, sealBox } from '../../../schema/crypto/index.js';
import { hashChannelClose, recoverChannelClose, recoverDigestSigner, signChannelClose, signChannelOpen, signDigest } from '../../../schema/eip712/index.js';
import { offerMessage, signOffer } from '../../../schema/eip712/offer.js';
import type { EdgeConfig, MarketEdge } from '../harness/market-edge.js';
import { channelCloseMessage, type MarketBinding } from '../../../schema/eip712/index.js';

export const XBR = 10n ** 18n;
export const uuid = (): Uuid => new Uint8Array(randomBytes(16)) as Uuid;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// A client keeps its keys as bytes rather than re-parsing the hex per purchase (the market bench's
// lanes sign with them on every purchase). Wallets and signers never change address or key.
const addresses = new WeakMap<object, Address>();
const privateKeys = new WeakMap<Wallet, Uint8Array>();
export const addr = (w: { address: string }): Address => {
  let a = addresses.get(w);
  if (a === undefined) {
    a = parseAddress(w.address);
    addresses.set(w, a);
  }
  return a;
};
export const bytesOf = (w: Wallet): Uint8Array => {
  let k = privateKeys.get(w);
  if (k === undefined) {
    k = getBytes(w.privateKey);
    privateKeys.set(w, k);
  }
  return k;
};

/** The ticket of every test member (static principals of {@link e2eConfig}). */
export const MEMBER_TICKET = 'e2e-member-ticket';
/** How many hardhat default accounts get a member principal. */
const MEMBER_ACCOUNTS = 20;

/** `member-0x<lowercase hex>` of the hardhat default account `index` (the authid the maker trusts as that member). */
export function memberAuthidOf(index: number): string {
  return `member-0x${new Wallet('0x' + Buffer.from(devchainAccountKey(index)).toString('hex')).address.slice(2).toLowerCase()}`;
}

/**
 * The shipped config, plus static ticket principals on the TCP WebSocket transport: `member-0x<address>` of
 * each hardhat default account, role `user` — what the maker's authenticator would give those members after a
 * cryptosign login, declared by the router admin instead, so a test logs in as any member with one round trip
 * and several sellers can each have their own authid. Anonymous and cryptosign logins stay as shipped.
 */
export function e2eConfig(config: EdgeConfig): void {
  const router = config.workers.find((w) => w['type'] === 'router')!;
  const principals: Record<string, { ticket: string; role: string }> = {};
  for (let i = 0; i < MEMBER_ACCOUNTS; i++) principals[memberAuthidOf(i)] = { ticket: MEMBER_TICKET, role: 'user' };
  for (const t of router['transports'] as { id: string; auth?: Record<string, unknown> }[]) {
    if (t.id === 'ws') t.auth = { ...t.auth, ticket: { type: 'static', principals } };
  }
}

/** A client logged in as member `index` (a hardhat default account) through {@link e2eConfig}'s ticket principals. */
export async function connectMember(edge: MarketEdge, index: number, serializer: 'cbor' | 'msgpack' = 'cbor', wampy: Record<string, unknown> = {}): Promise<Wampy> {
  return edge.connect({
    serializer,
    wampy: { authid: memberAuthidOf(index), authmethods: ['ticket'], onChallenge: () => MEMBER_TICKET, uriValidation: 'loose', ...wampy },
  });
}

/**
 * A client in the market maker's seat: the shipped config's Unix socket transport `ws-local`
 * (`<cbdir>/.xbr-edge/router.sock`, role `marketmaker`), the only role that may call sellers'
 * `xbr.provider.<authid>.*` procedures. Tests that check how a seller answers calls only the maker can make
 * (bad `sell` / `close_channel` arguments) make them from here. The caller disconnects it (or `edge.stop()`
 * ends its session).
 */
export async function connectMakerSeat(edge: MarketEdge): Promise<Wampy> {
  return edge.connectUnixSocket('.xbr-edge/router.sock', { serializer: 'cbor', wampy: { uriValidation: 'loose' } });
}

/** A WampError as a wampy client sees it. */
export interface CallError {
  errorUri: string;
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
}

/** The maker's answers, as the maker API (schema/api) reads them. */
import type { BuyKeyResult, OfferResult } from '../../../schema/api/index.js';
export type { BalanceResult, BuyKeyResult, ChannelResult, OfferResult, QuoteResult, StatusResult } from '../../../schema/api/index.js';

/**
 * Calls and returns the first positional result, as the shape `T` the caller expects. A maker procedure's
 * answer is first read by the maker API's reader for it, so every answer a test gets is checked against the
 * API the delegates rely on (an answer the API does not allow fails the test, naming the field).
 */
export async function call<T = unknown>(w: Wampy, uri: string, args: unknown[] = [], kwargs?: Record<string, unknown>): Promise<T> {
  let raw: unknown;
  try {
    const r = await w.call(uri, { argsList: args, ...(kwargs === undefined ? {} : { argsDict: kwargs }) });
    raw = r.argsList?.[0];
  } catch (err) {
    const e = err as CallError;
    if (typeof e.errorUri !== 'string') throw err;
    // wampy's CallError says only "Wamp error": name the URI and message in the test output
    throw Object.assign(new Error(`${uri}: ${e.errorUri} ${String(e.argsList?.[0])}`, { cause: err }), { errorUri: e.errorUri, argsList: e.argsList, argsDict: e.argsDict });
  }
  return (isMakerProcedure(uri) ? readMakerResult(uri, raw) : raw) as T;
}

/** The error of a call that must fail. */
export async function callError(w: Wampy, uri: string, args: unknown[] = [], kwargs?: Record<string, unknown>): Promise<CallError> {
  try {
    await call(w, uri, args, kwargs);
  } catch (err) {
    const e = err as CallError;
    if (typeof e.errorUri !== 'string') throw err;
    return e;
  }
  throw new Error(`${uri} succeeded but should have failed`);
}

export interface World {
  edge: MarketEdge;
  binding: MarketBinding;
  marketId: Uuid;
  apiId: Uuid;
  maker: Address;
  /** The realm of the market's maker, where its members log in. Default realm1 (the demo market's). */
  realm?: string;
}

/** Another market of the edge than the demo one: its id (hex), its maker's address and the realm its maker serves. */
export interface OtherMarket {
  readonly marketId: string;
  readonly maker: string;
  readonly realm: string;
}

/** The demo market as seen by `probe` (a client of realm1), or the market `other` (then `probe` is a client of its realm). */
export async function world(edge: MarketEdge, probe: Wampy, other?: OtherMarket): Promise<World> {
  const config = await call<{ verifying_chain_id: number | bigint; verifying_contract_adr: string }>(probe, 'xbr.marketmaker.get_config');
  const marketId = getBytes(other?.marketId ?? edge.devchain.demo.marketId) as Uuid;
  return {
    edge,
    marketId,
    apiId: getBytes(edge.devchain.demo.apiId) as Uuid,
    maker: parseAddress(other?.maker ?? edge.makerAddress),
    binding: { chainId: BigInt(config.verifying_chain_id), verifyingContract: parseAddress(config.verifying_contract_adr), marketId },
    ...(other === undefined ? {} : { realm: other.realm }),
  };
}

/** wampy options that join the realm of `w`'s market (none for the demo market's realm1). */
export const realmOf = (w: World): Record<string, unknown> => (w.realm === undefined ? {} : { realm: w.realm });

/** Opens a channel on chain: PAYMENT by the buyer #3 (delegate #6), PAYING by the owner #1 for seller #2 (delegate `delegate`); `actorIndex` names another actor. */
export async function openChannelOnChain(w: World, ctype: 1 | 2, amount: bigint, delegate: Address, actorIndex: number = ctype === 1 ? 3 : 2): Promise<Uuid> {
  const edge = w.edge;
  const channelId = uuid();
  const actor = edge.account(actorIndex);
  const sender = edge.account(ctype === 1 ? 3 : 1);
  const recipient = ctype === 1 ? edge.account(1).address : actor.address;
  const openedAt = BigInt(await edge.provider().getBlockNumber());
  const msg = {
    chainId: w.binding.chainId, verifyingContract: w.binding.verifyingContract, ctype, openedAt, marketId: w.marketId, channelId,
    actor: addr(actor), delegate, marketmaker: w.maker, recipient: parseAddress(recipient), amount,
  };
  const sig = hexlify(signChannelOpen(msg, bytesOf(actor)));
  const channel = new Contract(edge.devchain.contracts.channel, xbrChannelAbi, sender as Signer);
  const tx = await channel.getFunction('openChannel')(ctype, openedAt, hexlify(w.marketId), hexlify(channelId), actor.address, hexlify(delegate), hexlify(w.maker), recipient, amount, sig);
  await tx.wait();
  return channelId;
}

export type SellerMode = 'ok' | 'throw' | 'hang' | 'badsig' | 'junk';

/** A seller delegate session: registers `xbr.provider.<authid>.sell` / `.get_quote`, seals keys to the buyer. */
const SEEN_MAX = 100;

export class TestSeller {
  readonly keys = new Map<string, Uint8Array>();
  mode: SellerMode = 'ok';
  dynamicPrice: Amount = 7n * XBR;
  quoteMode: 'ok' | 'junk' = 'ok';
  sells = 0;
  /** Calls of `sell` so far (also those refused). */
  calls = 0;
  /** Arguments of the latest `sell` calls, oldest first (the last {@link SEEN_MAX}: a bench makes thousands). */
  readonly seen: unknown[][] = [];

  constructor(
    readonly w: World,
    readonly session: Wampy,
    readonly authid: string,
    readonly delegate: Wallet,
  ) {}

  /** A seller logged in as member `member` (its authid names the sell procedure), selling with `delegate`. */
  static async start(w: World, member: number, delegate: Wallet): Promise<TestSeller> {
    const session = await connectMember(w.edge, member, 'cbor', realmOf(w));
    const authid = memberAuthidOf(member);
    const s = new TestSeller(w, session, authid, delegate);
    await session.register(`xbr.provider.${authid}.sell`, (async (inv: { argsList: unknown[]; argsDict?: Record<string, unknown> }) => s.sell(inv.argsList, inv.argsDict ?? {})) as never);
    await session.register(`xbr.provider.${authid}.get_quote`, (async () => ({ argsList: [s.quoteMode === 'ok' ? { price: packUint256(s.dynamicPrice) } : { price: 'free' }] })) as never);
    return s;
  }

  private async sell(args: unknown[], kwargs: Record<string, unknown>): Promise<{ argsList: unknown[] }> {
    this.calls++;
    this.seen.push(args);
    if (this.seen.length > SEEN_MAX) this.seen.shift();
    const [mm, buyerPubkey, keyId, channel, seq, amount, balance, mmSig] = args as [Uint8Array, Uint8Array, Uint8Array, Uint8Array | null, number, Uint8Array, Uint8Array, Uint8Array | null];
    if (!Buffer.from(mm).equals(this.w.maker)) throw { error: 'xbr.error.unexpected_marketmaker_adr', argsList: ['wrong maker'] };
    const key = this.keys.get(Buffer.from(keyId).toString('hex'));
    if (key === undefined) throw { error: 'crossbar.error.no_such_object', argsList: ['unknown key'] };
    if (this.mode === 'throw') throw { error: 'com.example.seller_broken', argsList: ['seller refuses'] };
    if (this.mode === 'hang') await sleep(4000);
    let signature: Uint8Array | null = null;
    if (channel !== null) {
      const closeAt = BigInt(kwargs['close_at'] as bigint | number);
      const msg = channelCloseMessage(this.w.binding, closeAt, channel as Uuid, Number(seq), unpackUint256(balance), false);
      // One digest for both the check of the maker's signature and the seller's own (as a real seller would).
      const digest = hashChannelClose(msg);
      if (!Buffer.from(recoverDigestSigner(digest, mmSig!)).equals(this.w.maker)) throw { error: 'xbr.error.invalid_signature', argsList: ['maker signature'] };
      signature = this.mode === 'badsig' ? signChannelClose({ ...msg, channelSeq: Number(seq) + 1 }, bytesOf(this.delegate)) : signDigest(digest, bytesOf(this.delegate));
    }
    this.sells++;
    const sealed = this.mode === 'junk' ? new Uint8Array(10) : sealBox(key, ed25519PublicKeyToX25519(buyerPubkey));
    void amount;
    return { argsList: [{ sealed_key: sealed, signature, key_id: keyId }] };
  }

  /** Places an offer of a fresh key from this seller's session (its authid names the sell procedure); `validFrom` (ns) 0 = from now, the default. */
  async offer(opts: { price?: Amount | null; copies?: number; expires?: bigint; uri?: string; apiId?: Uuid; validFrom?: bigint } = {}): Promise<{ keyId: Uuid; key: Uint8Array; offer: OfferResult }> {
    const keyId = uuid();
    const key = new Uint8Array(randomBytes(32));
    this.keys.set(Buffer.from(keyId).toString('hex'), key);
    const price = opts.price === undefined ? 5n * XBR : opts.price;
    const uri = opts.uri ?? 'xbr.demo.data';
    const apiId = opts.apiId ?? this.w.apiId;
    const sig = signOffer(
      offerMessage({ ...this.w.binding, keyId, apiId, uri, validFrom: opts.validFrom ?? 0n, delegate: addr(this.delegate), price, expires: opts.expires, copies: opts.copies }),
      bytesOf(this.delegate),
    );
    const kwargs: Record<string, unknown> = {};
    if (price !== null) kwargs['price'] = packUint256(price);
    if (opts.copies !== undefined) kwargs['copies'] = opts.copies;
    if (opts.expires !== undefined) kwargs['expires'] = opts.expires;
    const offer = await call<OfferResult>(this.session, 'xbr.marketmaker.place_offer', [keyId, apiId, uri, opts.validFrom ?? 0, addr(this.delegate), sig], kwargs);
    return { keyId, key, offer };
  }
}

/** A buyer delegate (#6) with its Ed25519 receive key and its local view of the payment channel. */
export class TestBuyer {
  readonly edPublic: Uint8Array;
  private readonly box: SealedBoxKeyPair;
  seq = 1;
  remaining: bigint;

  constructor(
    readonly w: World,
    readonly session: Wampy,
    readonly delegate: Wallet,
    readonly channelId: Uuid,
    amount: bigint,
  ) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.edPublic = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'));
    this.box = SealedBoxKeyPair.fromSecretKey(ed25519SecretKeyToX25519(privateKey as KeyObject));
    this.remaining = amount;
  }

  /** The signed `buy_key` arguments for (seq, balance) at the current block. */
  async buyArgs(keyId: Uuid, price: bigint, over: { seq?: number; balance?: bigint; signer?: Wallet; amount?: bigint; closeAt?: bigint } = {}): Promise<{ args: unknown[]; kwargs: Record<string, unknown> }> {
    const seq = over.seq ?? this.seq + 1;
    const balance = over.balance ?? this.remaining - price;
    const closeAt = over.closeAt ?? BigInt(await this.w.edge.provider().getBlockNumber());
    const sig = signChannelClose(channelCloseMessage(this.w.binding, closeAt, this.channelId, seq, balance, false), bytesOf(over.signer ?? this.delegate));
    return {
      args: [addr(this.delegate), this.edPublic, keyId, this.channelId, seq, packUint256(over.amount ?? price), packUint256(balance), sig],
      kwargs: { close_at: closeAt },
    };
  }

  /** Buys `keyId` at `price` and checks the receipt against the local state; returns the data key and the receipt. */
  async buy(keyId: Uuid, price: bigint): Promise<{ key: Uint8Array; receipt: BuyKeyResult }> {
    const { args, kwargs } = await this.buyArgs(keyId, price);
    const receipt = await call<BuyKeyResult>(this.session, 'xbr.marketmaker.buy_key', args, kwargs);
    this.seq += 1;
    this.remaining -= price;
    return { key: this.open(receipt.sealed_key), receipt };
  }

  open(sealed: Uint8Array): Uint8Array {
    return this.box.open(sealed);
  }

  /** The maker's signer over (seq, remaining) at `closeAt` of this channel. */
  signerOf(seq: number, remaining: bigint, closeAt: bigint, signature: Uint8Array): Address {
    return recoverChannelClose(channelCloseMessage(this.w.binding, closeAt, this.channelId, seq, remaining, false), signature);
  }
}

/** Retries `fn` while it fails with `crossbar.error.no_such_object` (the monitor has not replicated a channel yet). */
export async function untilKnown<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const e = err as CallError;
      if (e.errorUri !== 'crossbar.error.no_such_object' || Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

export { Wallet };

/** A fresh random key as a plain Wallet. */
export const randomWallet = (): Wallet => new Wallet(Wallet.createRandom().privateKey);
