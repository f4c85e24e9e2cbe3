/**
 * The seller delegate (docs/protocol.md#seller `SimpleSeller`, docs/protocol.md#differences): encrypts a provider's data with rotating keys,
 * offers every key on the market (EIP712-signed `place_offer`) and sells it when the market maker calls
 * `xbr.provider.<provider_id>.sell`, co-signing the paying-channel state the maker signed.
 *
 * Decisions (beyond the spec; see also `paying-checks.ts`, `paying-state.ts`, `seller-offers.ts`):
 * - `start` reads `get_config` first (spec weak spot 26), refuses a maker whose reported address is not
 *   the configured one, registers the procedures, and only then starts the series (placing offers).
 * - No active paying channel at start is not an error: free keys sell without one, and a channel opened
 *   later is adopted at its first sale once the maker's ledger confirms it.
 * - `sell` never leaves the session on a wrong channel (spec weak spot 25); it refuses with the URI. It
 *   checks the amount against a static price (`xbr.error.insufficient_amount`), seals, signs, and
 *   persists the new state durably before it answers. Sales are serialised, so checks and the write of
 *   one sale never interleave with another's.
 * - The receipt's `amount`/`balance` are 32-byte uint256 (docs/protocol.md#differences wire rule; the original sent ints).
 * - `closeChannel()` is the seller's own cooperative close of its paying channel (the maker-initiated one
 *   is `xbr.provider.<id>.close_channel`); it runs in the same queue as the sales and is recorded as a
 *   close in the state file, so no sale follows on that channel.
 * - `stop()` revokes the offers this instance placed (unless `{ revokeOffers: false }`, for a planned
 *   restart whose data must stay sellable), then unregisters and closes what it opened.
 */
import { sleep } from '../../process/index.js';
import { computeAddress, hexlify } from 'ethers';
import { argumentError, describe, expectBytes } from '../../schema/codec/index.js';
import { parseAddress } from '../../schema/codec/index.js';
import { uuidArg } from '../../schema/codec/index.js';
import { packUint256, unpackUint256 } from '../../schema/codec/index.js';
import { formatUuid } from '../../schema/codec/index.js';
import type { Address, Amount, Uuid } from '../../schema/codec/index.js';
import { ed25519PublicKeyToX25519, sealBox } from '../../schema/crypto/index.js';
import { channelCloseMessage, recoverChannelClose, signChannelClose } from '../../schema/eip712/index.js';
import type { ChannelCloseMessage } from '../../schema/eip712/index.js';
import { WampError, WampErrorUri, isError } from '../../schema/index.js';
import { createLogger, type Logger } from '../../schema/index.js';
import { MarketMakerProcedure, XbrErrorUri, CrossbarErrorUri, providerCloseChannelUri, providerGetQuoteUri, providerSellUri } from '../../schema/index.js';
import { KeyArchive } from './key-archive.js';
import { KeySeries, type EncryptedPayload } from './key-series.js';
import { MemoryKeyStore, type ArchivedKey, type KeyRetention, type KeyStore } from './key-store.js';
import { channelError, closingState, judgeState, ledgerConfirms, type LedgerBalance } from './paying-checks.js';
import { FileSellerStateStore, MemorySellerStateStore, type PayingChannelState, type SellerStateStore } from './paying-state.js';
import { parseCloseArgs, parseSellArgs, type SellRequest } from './sell-args.js';
import { offerTemplate, placeOffer, readBinding, revokeOffer, type AddApiOptions, type DynamicPrice, type OfferTemplate, type SellerBinding } from './seller-offers.js';
import { callMaker, closeCooperatively, makerBlockNumber, SerialQueue, type CloseResult } from '../common/index.js';
import { callProcedure, makerCalls, registerProcedure, unregisterProcedure, type SellerSession } from './seller-session.js';
import { sameBytes as same, toHex as hex } from '../../schema/codec/index.js';

export interface SimpleSellerOptions {
  /** `<provider_id>` of `xbr.provider.<provider_id>.*`; must be the session's authid. Default: the authid the session asked for. */
  providerId?: string | undefined;
  /** Directory of a persistent {@link KeyArchive} (opened by `start`, closed by `stop`). */
  archivePath?: string | undefined;
  /** Retention of the archive opened from `archivePath`. */
  retention?: KeyRetention | undefined;
  /** A key store owned by the caller (instead of `archivePath`); default: in memory. */
  keyStore?: KeyStore | undefined;
  /** File of the paying-channel state (see {@link FileSellerStateStore}). */
  statePath?: string | undefined;
  /** A state store owned by the caller (instead of `statePath`); default: in memory. */
  stateStore?: SellerStateStore | undefined;
  logger?: Logger | undefined;
}

export type SimpleSellerState = 'stopped' | 'starting' | 'running' | 'stopping';

/** What `sell` returns to the market maker (XBRSIG 5/8). */
export interface SellReceipt {
  key_id: Uint8Array;
  delegate: Uint8Array;
  buyer_pubkey: Uint8Array;
  sealed_key: Uint8Array;
  channel_seq: number;
  amount: Uint8Array;
  balance: Uint8Array;
  close_at: bigint;
  /** `null` for a free key sold without a paying channel. */
  signature: Uint8Array | null;
}

interface Api {
  readonly template: OfferTemplate;
  readonly series: KeySeries;
  readonly dynamicPrice: DynamicPrice | undefined;
}

/** Lets series be built in `add()` while the archive is opened only in `start()`. */
class StoreRef implements KeyStore {
  target: KeyStore | undefined;
  #t(): KeyStore {
    if (this.target === undefined) throw new WampError(SellerNotRunning, 'the seller is not started: its key store is not open');
    return this.target;
  }
  put(entry: ArchivedKey): void {
    this.#t().put(entry);
  }
  get(keyId: Uint8Array): ArchivedKey | undefined {
    return this.#t().get(keyId);
  }
  delete(keyId: Uint8Array): boolean {
    return this.#t().delete(keyId);
  }
}

const SellerNotRunning = WampErrorUri.noSuchProcedure;
/** How long `closeChannel` waits, by default, for a purchase the maker has in flight on the channel (ms). */
const CLOSE_IN_FLIGHT_WAIT_MS = 5_000;
/** Pause between its attempts (ms): a sale takes the maker a round trip to the seller and one ledger write. */
const CLOSE_RETRY_MS = 100;

/**
 * @example
 * const seller = new SimpleSeller(makerAdr, delegateKey, { archivePath: './keys', statePath: './paying.json' });
 * seller.add(apiId, 'xbr.demo.temperature', 10n ** 18n, { interval: 60 });
 * await seller.start(session);
 * const { keyId, serializer, ciphertext } = await seller.wrap(apiId, 'xbr.demo.temperature', { celsius: 21.5 });
 * await session.publish('xbr.demo.temperature', { argsList: [keyId, serializer, ciphertext] });
 */
export class SimpleSeller {
  readonly marketMaker: Address;
  /** The delegate's address (derived from its key). */
  readonly delegate: Address;
  readonly #delegateKey: Uint8Array;
  readonly #options: SimpleSellerOptions;
  readonly #apis = new Map<string, Api>();
  readonly #store = new StoreRef();
  readonly #offers = new Map<string, { keyId: Uuid; expires: bigint | undefined }>();
  #log: Logger;
  #state: SimpleSellerState = 'stopped';
  #session: SellerSession | undefined;
  #providerId: string | undefined;
  #binding: SellerBinding | undefined;
  #stateStore: SellerStateStore | undefined;
  #ownedArchive: KeyArchive | undefined;
  #paying: PayingChannelState | null = null;
  #registered: string[] = [];
  readonly #serial = new SerialQueue();

  /** @throws WampError `wamp.error.invalid_argument` naming the bad argument */
  constructor(marketMakerAdr: Uint8Array, delegatePrivateKey: Uint8Array, options: SimpleSellerOptions = {}) {
    this.marketMaker = new Uint8Array(expectBytes('marketMakerAdr', marketMakerAdr, 20)) as Address;
    this.#delegateKey = new Uint8Array(expectBytes('delegatePrivateKey', delegatePrivateKey, 32));
    this.delegate = parseAddress(computeAddress(hexlify(this.#delegateKey)), 'delegatePrivateKey');
    if (options.archivePath !== undefined && options.keyStore !== undefined) throw argumentError('keyStore', 'either archivePath or keyStore', 'both');
    if (options.statePath !== undefined && options.stateStore !== undefined) throw argumentError('stateStore', 'either statePath or stateStore', 'both');
    if (options.providerId !== undefined && (typeof options.providerId !== 'string' || options.providerId === '')) throw argumentError('providerId', 'a non-empty string', describe(options.providerId));
    this.#options = options;
    this.#log = options.logger ?? createLogger({ component: 'simple-seller', delegate: `0x${hex(this.delegate)}` });
  }

  get state(): SimpleSellerState {
    return this.#state;
  }

  /** The provider id in use (known once started). */
  get providerId(): string | undefined {
    return this.#providerId;
  }

  /**
   * Adds an API: one key series whose every key is offered at `price` (`bigint` ≥ 0, base units) or at a
   * price asked of `price(keyId, apiId)` on each quote (dynamic pricing). Only while stopped.
   * @throws WampError `wamp.error.invalid_argument` naming the bad argument or a duplicate `apiId`
   */
  add(apiId: Uint8Array, prefix: string, price: Amount | DynamicPrice, options: AddApiOptions): void {
    if (this.#state !== 'stopped') throw argumentError('state', 'a stopped seller (add APIs before start)', this.#state);
    const id = new Uint8Array(expectBytes('apiId', apiId, 16)) as Uuid;
    if (this.#apis.has(hex(id))) throw argumentError('apiId', 'an API not added yet', formatUuid(id));
    const dynamic = typeof price === 'function' ? price : undefined;
    if (dynamic === undefined && (typeof price !== 'bigint' || price < 0n)) throw argumentError('price', 'a bigint ≥ 0 or a price function', describe(price));
    const template = offerTemplate(id, prefix, dynamic === undefined ? (price as Amount) : null, options ?? {});
    const series = new KeySeries({
      apiId: id,
      price: template.price ?? 0n,
      interval: options?.interval,
      count: options?.count,
      store: this.#store,
      logger: this.#log.child({ api: formatUuid(id) }),
      onRotate: (_s, keyId) => this.#offer(template, keyId),
    });
    this.#apis.set(hex(id), { template, series, dynamicPrice: dynamic });
  }

  /**
   * Starts selling on `session` (a joined wampy session whose authid is the provider id).
   * @throws WampError from the maker (get_config, get_active_paying_channel, place_offer), the stores, or
   *   `xbr.error.unexpected_marketmaker_adr` when the maker reports another address; the seller is then stopped
   */
  async start(session: SellerSession): Promise<void> {
    if (this.#state !== 'stopped') throw argumentError('state', 'a stopped seller', this.#state);
    if (this.#apis.size === 0) throw argumentError('apis', 'at least one API (add() before start())', 'none');
    const authid = this.#options.providerId ?? session.getOptions?.().authid;
    if (typeof authid !== 'string' || authid === '') throw argumentError('providerId', 'a provider id (or a session with an authid)', describe(authid));
    providerSellUri(authid); // must be usable in a URI
    this.#state = 'starting';
    this.#session = session;
    this.#providerId = authid;
    this.#log = this.#log.child({ provider: authid });
    try {
      await this.#openStores();
      const binding = await readBinding(session);
      if (!same(binding.marketmaker, this.marketMaker)) {
        throw new WampError(XbrErrorUri.unexpectedMarketmakerAdr, `the market maker reports address 0x${hex(binding.marketmaker)}, this seller is configured for 0x${hex(this.marketMaker)}`);
      }
      this.#binding = binding;
      await this.#loadPayingState();
      await this.#register(providerSellUri(authid), (a, k) => this.#serialised(() => this.#sell(a, k)));
      await this.#register(providerCloseChannelUri(authid), (a, k) => this.#serialised(() => this.#coSignClose(a, k)));
      if ([...this.#apis.values()].some((api) => api.dynamicPrice !== undefined)) await this.#register(providerGetQuoteUri(authid), (a) => this.#quote(a));
      for (const api of this.#apis.values()) await api.series.start();
      this.#state = 'running';
      this.#log.info('seller started', { apis: this.#apis.size, paying_channel: this.#paying === null ? null : formatUuid(this.#paying.channelId) });
    } catch (err) {
      await this.#teardown(false);
      throw err;
    }
  }

  /** Stops the series, revokes this run's live offers (unless `revokeOffers: false`), unregisters. Idempotent. */
  async stop(options: { revokeOffers?: boolean } = {}): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    await this.#teardown(options.revokeOffers ?? true);
  }

  /**
   * Encrypts `payload` with the API's current key; publish `[keyId, serializer, ciphertext]` on `uri`.
   * @throws WampError `wamp.error.invalid_argument` (unknown API, `uri` not under the API's prefix), or the series' errors
   */
  async wrap(apiId: Uint8Array, uri: string, payload: unknown): Promise<EncryptedPayload> {
    const api = this.#apis.get(hex(expectBytes('apiId', apiId, 16)));
    if (api === undefined) throw argumentError('apiId', 'an API added to this seller', formatUuid(apiId));
    const prefix = api.template.prefix;
    if (typeof uri !== 'string' || !(uri === prefix || (prefix.endsWith('.') && uri.startsWith(prefix)))) {
      throw argumentError('uri', `the offered URI ${JSON.stringify(prefix)}${prefix.endsWith('.') ? ' or a URI under it' : ''}`, describe(uri));
    }
    return api.series.encrypt(payload);
  }

  /** The local state of the paying channel (null when none is known yet). */
  balance(): PayingChannelState | null {
    return this.#paying;
  }

  /**
   * Closes the paying channel cooperatively from the seller's side: signs a final EIP712ChannelClose of
   * its current state (or of the maker's newer ledger state when refunded reservations moved it on and it
   * pays the seller no less, see `closingState`), at the maker's current block, and has the maker co-sign
   * and submit it (`xbr.marketmaker.close_channel`, answered once mined). It runs in the sales' queue, so it
   * closes at the state the sale in progress leaves; while the maker still has a purchase on the channel in
   * flight (its `sell` may be on its way) it steps out of the queue, lets that sale through, and tries again
   * for up to `waitMs`. No sale follows on the closed channel (`sell` refuses it). On chain the seller's
   * member is paid what it earned (less the market fee) and the maker gets the remaining balance back.
   * @throws WampError `crossbar.error.no_such_object` (no paying channel), `xbr.error.channel_closed`
   *   (already closed), `xbr.error.purchase_in_flight` (still in flight after `waitMs`),
   *   `xbr.error.unexpected_channel_seq` / `xbr.error.unexpected_channel_balance` (the maker's ledger is
   *   behind, or would pay the seller less than it holds signed), the maker's refusals with their URI
   * @example const { transaction, remaining } = await seller.closeChannel();
   */
  async closeChannel(options: { waitMs?: number } = {}): Promise<CloseResult> {
    const waitMs = options.waitMs ?? CLOSE_IN_FLIGHT_WAIT_MS;
    if (!Number.isFinite(waitMs) || waitMs < 0) throw argumentError('waitMs', 'a number of milliseconds ≥ 0', describe(waitMs));
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await this.#serialised(() => this.#close());
      } catch (err) {
        if (!isError(err, XbrErrorUri.purchaseInFlight) || Date.now() >= deadline) throw err;
        this.#log.info('paying channel close waits for a purchase in flight', { error: err.message });
        await sleep(CLOSE_RETRY_MS);
      }
    }
  }

  async #close(): Promise<CloseResult> {
    if (this.#state !== 'running') throw new WampError(WampErrorUri.runtimeError, `the seller is ${this.#state}; start it before closing its paying channel`);
    const local = this.#paying;
    if (local === null) throw new WampError(CrossbarErrorUri.noSuchObject, `seller delegate 0x${hex(this.delegate)} has no paying channel to close`);
    const ch = formatUuid(local.channelId);
    if (local.closed === true) throw new WampError(XbrErrorUri.channelClosed, `paying channel ${ch} is already closed`, { kwargs: { channel_oid: local.channelId } });
    const target = closingState(local, await this.#ledgerBalance(local.channelId));
    if (target.adopted) {
      this.#log.warn('closing at the market maker\'s newer ledger state (refunded reservations)', {
        channel: ch, local_seq: local.seq, local_balance: local.balance.toString(), seq: target.seq, balance: target.balance.toString(),
      });
    }
    const call = (uri: string, args?: unknown[]): Promise<unknown> => callProcedure(this.#session!, uri, args);
    const closeAt = await makerBlockNumber(call);
    const { result, signature } = await closeCooperatively(call, this.#binding!, this.#delegateKey, target, closeAt);
    // The chain has the close now: no sale may follow, even if the state file cannot be written.
    const next: PayingChannelState = { channelId: local.channelId, seq: target.seq, balance: target.balance, closeAt, sellerSignature: signature, closed: true, closeIsFinal: true };
    this.#paying = next;
    this.#stateStore!.save(next);
    this.#log.info('paying channel closed', { channel: ch, seq: target.seq, balance: target.balance.toString(), tx: `0x${hex(result.transaction)}` });
    return result;
  }

  // ---------------------------------------------------------------- start / stop

  async #openStores(): Promise<void> {
    const o = this.#options;
    if (o.archivePath !== undefined) {
      this.#ownedArchive = await KeyArchive.open({ path: o.archivePath, delegateKey: this.#delegateKey, retention: o.retention });
      this.#store.target = this.#ownedArchive;
    } else {
      this.#store.target ??= o.keyStore ?? new MemoryKeyStore(o.retention);
      if (o.keyStore === undefined) this.#log.warn('keys are kept in memory only: after a restart, data already published cannot be sold');
    }
    this.#stateStore ??= o.stateStore ?? (o.statePath !== undefined ? FileSellerStateStore.open(o.statePath) : new MemorySellerStateStore());
  }

  async #loadPayingState(): Promise<void> {
    const session = this.#session!;
    const channel = await callMaker(makerCalls(session), MarketMakerProcedure.getActivePayingChannel, [this.delegate]);
    if (channel === null) {
      this.#paying = null;
      this.#log.warn('no active paying channel: only free keys can be sold until one is open');
      return;
    }
    const channelId = channel.channel_oid as Uuid;
    const stored = this.#stateStore!.load(channelId);
    const ledger = await this.#ledgerBalance(channelId);
    if (stored !== undefined) {
      if (stored.seq > ledger.seq) this.#log.error('the market maker\'s ledger is behind the state this seller holds signed', { channel: formatUuid(channelId), local_seq: stored.seq, maker_seq: ledger.seq });
      this.#paying = stored;
    } else {
      this.#paying = { channelId, seq: ledger.seq, balance: ledger.remaining };
    }
  }

  async #register(uri: string, handler: (args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>) => Promise<unknown>): Promise<void> {
    await registerProcedure(this.#session!, uri, handler, this.#log);
    this.#registered.push(uri);
  }

  async #teardown(revoke: boolean): Promise<void> {
    for (const api of this.#apis.values()) await api.series.stop();
    if (revoke) await this.#revokeAll();
    for (const uri of this.#registered.splice(0).reverse()) await unregisterProcedure(this.#session!, uri, this.#log);
    await this.#serial.idle(); // sales in progress finish before the stores close
    if (this.#ownedArchive !== undefined) {
      this.#store.target = undefined;
      await this.#ownedArchive.close();
      this.#ownedArchive = undefined;
    }
    this.#state = 'stopped';
  }

  async #revokeAll(): Promise<void> {
    const now = BigInt(Date.now()) * 1_000_000n;
    for (const [k, o] of [...this.#offers]) {
      this.#offers.delete(k);
      if (o.expires !== undefined && o.expires <= now) continue;
      try {
        await revokeOffer(this.#session!, o.keyId);
      } catch (err) {
        this.#log.warn('could not revoke offer', { key_id: formatUuid(o.keyId), error: err as Error });
      }
    }
  }

  async #offer(template: OfferTemplate, keyId: Uuid): Promise<void> {
    const offer = await placeOffer(this.#session!, this.#binding!, template, keyId, this.delegate, this.#delegateKey, this.#providerId!);
    this.#offers.set(hex(keyId), { keyId, expires: offer.expires !== null && offer.expires > 0n ? offer.expires : undefined });
    this.#log.info('offer placed', { key_id: formatUuid(keyId), api: formatUuid(template.apiId) });
  }

  // ---------------------------------------------------------------- procedures

  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    return this.#serial.run(fn);
  }

  #assertRunning(): void {
    if (this.#state !== 'running' && this.#state !== 'starting') throw new WampError(SellerNotRunning, `seller ${this.#providerId ?? ''} is ${this.#state}`);
  }

  #signedByMaker(message: ChannelCloseMessage, signature: Uint8Array): boolean {
    try {
      return same(recoverChannelClose(message, signature), this.marketMaker);
    } catch {
      return false; // an unrecoverable signature is simply not the maker's
    }
  }

  async #sell(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): Promise<SellReceipt> {
    this.#assertRunning();
    const req = parseSellArgs(args, kwargs);
    if (!same(req.marketMaker, this.marketMaker)) {
      throw new WampError(XbrErrorUri.unexpectedMarketmakerAdr, `market maker 0x${hex(req.marketMaker)} is not this seller's market maker 0x${hex(this.marketMaker)}`);
    }
    const entry = this.#store.get(req.keyId);
    const api = entry === undefined ? undefined : this.#apis.get(hex(entry.apiId));
    if (entry === undefined || api === undefined) throw new WampError(CrossbarErrorUri.noSuchObject, `no key ${formatUuid(req.keyId)} with this seller`, { kwargs: { key_id: req.keyId } });
    const price = api.template.price;
    if (price !== null && req.amount < price) {
      throw new WampError(XbrErrorUri.insufficientAmount, `amount ${req.amount} is below the price ${price} of key ${formatUuid(req.keyId)}`, { kwargs: { key_id: req.keyId } });
    }
    const buyerBox = ed25519PublicKeyToX25519(req.buyerPubkey, 'buyer_pubkey');
    const base = { key_id: req.keyId, delegate: this.delegate, buyer_pubkey: req.buyerPubkey, channel_seq: req.seq, amount: packUint256(req.amount), balance: packUint256(req.balance), close_at: req.closeAt };
    if (req.channelId === null) {
      this.#log.info('free key sold without a paying channel', { key_id: formatUuid(req.keyId) });
      return { ...base, sealed_key: sealBox(entry.key, buyerBox), signature: null };
    }
    const message = channelCloseMessage(this.#binding!, req.closeAt, req.channelId, req.seq, req.balance, false);
    await this.#checkState(req as SellRequest & { channelId: Uuid }, message);
    const sealed = sealBox(entry.key, buyerBox);
    const signature = signChannelClose(message, this.#delegateKey);
    const next: PayingChannelState = { channelId: req.channelId, seq: req.seq, balance: req.balance, closeAt: req.closeAt, makerSignature: req.makerSignature!, sellerSignature: signature };
    this.#stateStore!.save(next); // durable before the signature leaves
    this.#paying = next;
    this.#log.info('key sold', { key_id: formatUuid(req.keyId), channel: formatUuid(req.channelId), seq: req.seq, amount: req.amount.toString(), balance: req.balance.toString() });
    return { ...base, sealed_key: sealed, signature };
  }

  /** Spec order: channel, seq, balance, then the maker's signature; a maker-signed newer state may resync. */
  async #checkState(req: SellRequest & { channelId: Uuid }, message: ChannelCloseMessage): Promise<void> {
    const verdict = judgeState(req, this.#paying);
    if (verdict.kind === 'refuse') throw verdict.error;
    const signed = this.#signedByMaker(message, req.makerSignature!);
    if (verdict.kind === 'resync' && !signed) throw verdict.error;
    if (!signed) {
      throw new WampError(XbrErrorUri.invalidSignature, `the paying state (seq ${req.seq}, balance ${req.balance}) is not signed by the market maker 0x${hex(this.marketMaker)}`, {
        kwargs: { channel_oid: req.channelId },
      });
    }
    if (verdict.kind === 'next') return;
    const view = await this.#ledgerView(req.channelId);
    if (!ledgerConfirms(req, view)) throw verdict.error;
    const local = this.#paying;
    this.#log.warn('paying channel resynchronised with the market maker\'s ledger', {
      channel: formatUuid(req.channelId),
      local_seq: local?.seq,
      local_balance: local?.balance.toString(),
      seq: req.seq,
      balance: req.balance.toString(),
      forfeited: local !== null && same(local.channelId, req.channelId) ? (req.balance - (local.balance - req.amount)).toString() : undefined,
    });
  }

  async #ledgerBalance(channelId: Uuid): Promise<LedgerBalance> {
    const b = await callMaker(makerCalls(this.#session!), MarketMakerProcedure.getPayingChannelBalance, [channelId]);
    return { seq: b.seq, remaining: unpackUint256(b.remaining), inflight: unpackUint256(b.inflight) };
  }

  async #ledgerView(channelId: Uuid): Promise<{ channelIsOurs: boolean; seq: number; remaining: Amount; inflight: Amount }> {
    const ch = await callMaker(makerCalls(this.#session!), MarketMakerProcedure.getPayingChannel, [channelId]);
    const b = this.#binding!;
    const channelIsOurs = ch.state === 1 && same(ch.delegate, this.delegate) && same(ch.market_oid, b.marketId) && same(ch.marketmaker, this.marketMaker);
    return { channelIsOurs, ...(await this.#ledgerBalance(channelId)) };
  }

  /** `xbr.provider.<id>.close_channel`: the maker asks the seller to co-sign a close of the paying channel. */
  async #coSignClose(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    this.#assertRunning();
    const req = parseCloseArgs(args, kwargs);
    if (!same(req.marketMaker, this.marketMaker)) {
      throw new WampError(XbrErrorUri.unexpectedDelegateAdr, `market maker 0x${hex(req.marketMaker)} is not this seller's market maker 0x${hex(this.marketMaker)}`);
    }
    const local = this.#paying;
    if (local === null || !same(local.channelId, req.channelId)) throw channelError(req.channelId, local);
    // A newer seq at the same balance is the maker's ledger after refunded reservations (seq never goes back
    // there): closing at it pays the seller what it holds signed, and refusing would block the close for ever.
    if (req.seq < local.seq || (req.seq > local.seq && req.balance !== local.balance)) {
      throw new WampError(XbrErrorUri.unexpectedChannelSeq, `closing seq ${req.seq} is not the current seq ${local.seq}${req.seq > local.seq ? ' (a newer seq is co-signed only at the current balance)' : ''}`, { kwargs: { channel_oid: req.channelId, expected_seq: local.seq } });
    }
    if (req.balance !== local.balance) {
      throw new WampError(XbrErrorUri.unexpectedChannelBalance, `closing balance ${req.balance} is not the current balance ${local.balance}`, { kwargs: { channel_oid: req.channelId, expected_balance: local.balance.toString() } });
    }
    const message = channelCloseMessage(this.#binding!, req.closeAt, req.channelId, req.seq, req.balance, req.isFinal);
    if (!this.#signedByMaker(message, req.makerSignature)) {
      throw new WampError(XbrErrorUri.invalidSignature, `the close of paying channel ${formatUuid(req.channelId)} is not signed by the market maker`, { kwargs: { channel_oid: req.channelId } });
    }
    const signature = signChannelClose(message, this.#delegateKey);
    const next: PayingChannelState = { ...local, seq: req.seq, closeAt: req.closeAt, makerSignature: req.makerSignature, sellerSignature: signature, closed: true, closeIsFinal: req.isFinal };
    this.#stateStore!.save(next);
    this.#paying = next;
    this.#log.info('paying channel close co-signed', { channel: formatUuid(req.channelId), seq: req.seq, balance: req.balance.toString(), is_final: req.isFinal });
    return { delegate: this.delegate, seq: req.seq, balance: packUint256(req.balance), is_final: req.isFinal, close_at: req.closeAt, signature };
  }

  async #quote(args: readonly unknown[]): Promise<{ price: Uint8Array }> {
    this.#assertRunning();
    const keyId = uuidArg('key_id', args[0]);
    const entry = this.#store.get(keyId);
    const api = entry === undefined ? undefined : this.#apis.get(hex(entry.apiId));
    if (api === undefined) throw new WampError(CrossbarErrorUri.noSuchObject, `no key ${formatUuid(keyId)} with this seller`, { kwargs: { key_id: keyId } });
    const price = api.dynamicPrice === undefined ? (api.template.price ?? 0n) : await api.dynamicPrice(keyId, api.template.apiId);
    if (typeof price !== 'bigint' || price < 0n) throw new WampError(WampErrorUri.runtimeError, `the price function of API ${formatUuid(api.template.apiId)} returned ${describe(price)}`);
    return { price: packUint256(price) };
  }
}
