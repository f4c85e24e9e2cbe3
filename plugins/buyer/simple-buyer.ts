/**
 * The buyer delegate (docs/protocol.md#buyer, docs/protocol.md#differences): pays for data keys over its payment channel and decrypts what
 * a seller published under them.
 *
 * - `start(session)` binds to the realm's maker (`get_config`), finds the delegate's active payment channel
 *   and loads its (seq, remaining) from the maker — or, with `openChannel` options, opens one first.
 * - `unwrap(key_id, serializer, ciphertext)` decrypts with a cached key, else buys the key: quote → price
 *   and balance checks → sign EIP712ChannelClose(seq + 1, remaining − price, isFinal = false, closeAt =
 *   current block) → `buy_key` (keyword `close_at`) → verify the maker's receipt signature and state →
 *   unseal the key with the X25519 form of the buyer's Ed25519 key → cache → decrypt.
 *
 * Decisions:
 * - **One purchase per key, one purchase at a time.** Concurrent unwraps of a key share one purchase;
 *   purchases of different keys are queued, because each is signed over the state the previous one left.
 *   A failed purchase is not cached: the next unwrap of that key tries again.
 * - **Refunds are adopted only when the maker signed them.** A `buy_key` failure after the maker's
 *   reservation carries the maker-signed refund state (seq advanced, price back): the buyer verifies the
 *   signature and builds the next purchase on it. Any other answer (no signed state, a receipt that does
 *   not check out) leaves the state unknown to the buyer, so it re-reads (seq, remaining) from the maker
 *   before its next purchase instead of guessing.
 * - **A lost answer is asked again, identically.** When `buy_key` gets no answer (the connection or session
 *   is lost, the call is canceled or times out, the maker dies before answering) the buyer may have paid:
 *   re-reading the maker's advanced seq and signing the next state would pay for the key twice. So the
 *   buyer keeps the call as sent and, before it signs anything new (the next `unwrap`, `closeChannel`, a
 *   new `start`), sends exactly that call again; the maker answers an identical call with the purchase it
 *   made (same receipt and sealed key, or the same signed refund) or, if it never arrived, runs it. The
 *   state still moves only by a verified receipt or a maker-signed refund. Kept in memory only: a new
 *   instance cannot ask again (it resumes from the maker's state).
 * - **No automatic close** when the balance runs short (the original closed the channel with `closeAt = 1`):
 *   the caller gets `xbr.error.insufficient_balance` and decides; `closeChannel()` closes cooperatively.
 * - The buyer keeps nothing on disk: the maker's ledger is the source of (seq, remaining) at start, and
 *   bought keys are cached for the life of the instance (as the original).
 */
import { sleep } from '../../process/index.js';
import { hexlify, computeAddress, type Provider } from 'ethers';
import { ed25519 } from '@noble/curves/ed25519.js';
import { parseAddress } from '../../schema/codec/index.js';
import { argumentError, describe, expectBytes } from '../../schema/codec/index.js';
import { addressArg, unpackUint256, uuidArg } from '../../schema/codec/index.js';
import type { Address, Ed25519PublicKey, Uuid } from '../../schema/codec/index.js';
import { formatUuid } from '../../schema/codec/index.js';
import { SealedBoxKeyPair } from '../../schema/crypto/index.js';
import { decryptPayload, PAYLOAD_SERIALIZER } from '../../schema/crypto/index.js';
import { signChannelClose } from '../../schema/eip712/index.js';
import { WampError, WampErrorUri, isError } from '../../schema/index.js';
import { createLogger, type Logger } from '../../schema/index.js';
import { MarketMakerProcedure, XbrErrorUri, CrossbarErrorUri } from '../../schema/index.js';
import { BlockHead } from '../../schema/index.js';
import { refundState, verifyReceipt, type ChannelState, type VerifiedReceipt } from './channel-state.js';
import { loadBuyerConfig, type BuyerConfig } from './config.js';
import { channelCloseMessage } from '../../schema/eip712/index.js';
import { ensureAllowance, openPaymentChannel, providerOf, type OpenChannelOptions } from './open-channel.js';
import { callMaker, closeCooperatively, fromMaker, makerBlockNumber, SerialQueue, type CloseResult } from '../common/index.js';
import { readMakerResult, type ChannelResult, type QuoteResult } from '../../schema/api/index.js';
import { outcomeUnknown, purchaseCall, unsealKey, type PurchaseCall } from './purchase-call.js';
import { toBuyerSession, type BuyerSession, type WampyLike } from './session.js';
import { hex, sameBytes } from './wire.js';

export interface SimpleBuyerOptions {
  /** Highest price (base units) the buyer pays for one key; a dearer key is `xbr.error.max_price_exceeded`. */
  readonly maxPrice?: bigint;
  /** Open a payment channel at `start` when the delegate has no active one. */
  readonly openChannel?: OpenChannelOptions;
  /** Chain access for `closeAt` (and the `approve` of `openChannel`); default: the maker's `get_status`. */
  readonly provider?: Provider | string;
  readonly logger?: Logger;
}

/** The maker's view of the payment channel (`get_payment_channel_balance`). */
export interface BuyerBalance {
  readonly channelId: Uuid;
  readonly seq: number;
  readonly remaining: bigint;
  readonly inflight: bigint;
}

/** What `closeChannel` returns (`remaining` is refunded to the buyer member). */
export type { CloseResult };

/** How long `start` waits for a channel it just opened to show up in the maker's ledger (ms). */
const OPENED_WAIT_MS = 15_000;

export class SimpleBuyer {
  /** The delegate's address (20 bytes): signs the purchases, owns the payment channel. */
  readonly delegate: Address;
  /** `buyer_pubkey`: the Ed25519 public key the seller seals keys to. */
  readonly buyerPubkey: Ed25519PublicKey;
  readonly maker: Address;
  readonly #delegateKey: Uint8Array;
  readonly #box: SealedBoxKeyPair;
  readonly #keys = new Map<string, Uint8Array>();
  readonly #buying = new Map<string, Promise<Uint8Array>>();
  readonly #queue = new SerialQueue();
  readonly #options: SimpleBuyerOptions;
  #log: Logger;
  #session: BuyerSession | undefined;
  #config: BuyerConfig | undefined;
  #state: ChannelState | undefined;
  #head: BlockHead | undefined;
  #provider: { provider: Provider; owned: boolean } | undefined;
  /** The last purchase's answer left the state unknown: re-read it from the maker before the next one. */
  #stale = false;
  /** A purchase whose answer was lost: sent again, identically, before anything new is signed. */
  #pending: PurchaseCall | undefined;
  #closed = false;
  /** Purchases sent to the maker (a measure for tests and logs). */
  purchases = 0;
  /** Purchases sent again, identically, after their answer was lost. */
  resent = 0;

  /**
   * @param marketMakerAdr - the maker's address (20 bytes or `0x…`): the only signer of receipts accepted
   * @param delegatePrivateKey - the buyer delegate's 32-byte Ethereum key
   * @param ed25519Secret - 32-byte Ed25519 seed; its public key is `buyer_pubkey`
   * @throws WampError `wamp.error.invalid_argument` naming the bad argument
   * @example
   * const buyer = new SimpleBuyer(makerAdr, delegateKey, edSeed, { maxPrice: 10n ** 18n });
   * await buyer.start(wampyClient);
   * session.subscribe('xbr.demo.data', async ([keyId, ser, ct]) => console.log(await buyer.unwrap(keyId, ser, ct)));
   */
  constructor(marketMakerAdr: Uint8Array | string, delegatePrivateKey: Uint8Array, ed25519Secret: Uint8Array, options: SimpleBuyerOptions = {}) {
    this.maker = typeof marketMakerAdr === 'string' ? parseAddress(marketMakerAdr, 'market_maker_adr') : (new Uint8Array(addressArg('market_maker_adr', marketMakerAdr)) as Address);
    this.#delegateKey = new Uint8Array(expectBytes('delegate_private_key', delegatePrivateKey, 32));
    const seed = expectBytes('ed25519_secret', ed25519Secret, 32);
    this.delegate = parseAddress(computeAddress(hexlify(this.#delegateKey)), 'delegate_private_key');
    this.buyerPubkey = ed25519.getPublicKey(seed) as Ed25519PublicKey;
    this.#box = SealedBoxKeyPair.fromEd25519Secret(seed);
    if (options.maxPrice !== undefined && (typeof options.maxPrice !== 'bigint' || options.maxPrice < 0n)) throw argumentError('max_price', 'a bigint ≥ 0', describe(options.maxPrice));
    const open = options.openChannel;
    if (open !== undefined) {
      if (typeof open.amount !== 'bigint' || open.amount <= 0n) throw argumentError('openChannel.amount', 'a bigint > 0', describe(open.amount));
      if (open.memberKey !== undefined) expectBytes('openChannel.memberKey', open.memberKey, 32);
    }
    this.#options = options;
    this.#log = (options.logger ?? createLogger()).child({ plugin: 'buyer', delegate: `0x${hex(this.delegate)}` });
  }

  /**
   * Binds to the maker of `session`'s realm and loads the payment channel (opening one with the
   * `openChannel` options when there is none). Returns the channel's remaining balance.
   * @throws WampError `xbr.error.unexpected_marketmaker_adr` (the realm's maker is another), `crossbar.error.no_such_object`
   *   (no active payment channel and no `openChannel` options), the maker's `open_channel` errors
   */
  async start(session: BuyerSession | WampyLike): Promise<bigint> {
    this.#session = toBuyerSession(session);
    const call = this.#session.call.bind(this.#session);
    this.#config = await loadBuyerConfig(call, this.maker);
    this.#log = this.#log.child({ market: formatUuid(this.#config.binding.marketId) });
    const chain = this.#options.provider ?? this.#options.openChannel?.provider;
    this.#provider ??= chain === undefined ? undefined : providerOf(chain);
    const provider = this.#provider?.provider;
    this.#head = new BlockHead(provider !== undefined ? async () => BigInt(await provider.getBlockNumber()) : () => makerBlockNumber(call));

    const active = await callMaker(call, MarketMakerProcedure.getActivePaymentChannel, [this.delegate]);
    let channelId: Uuid;
    if (active === null) {
      if (this.#options.openChannel === undefined) {
        throw new WampError(CrossbarErrorUri.noSuchObject, `no active payment channel of delegate 0x${hex(this.delegate)} in this market (open one, or give the openChannel option)`, {
          kwargs: { delegate: this.delegate },
        });
      }
      channelId = await this.#open(this.#options.openChannel);
    } else {
      channelId = this.#checkChannel(active);
    }
    this.#state = await this.#readState(channelId);
    this.#stale = false;
    this.#closed = false;
    this.#log.info('buyer started', { channel: formatUuid(channelId), seq: this.#state.seq, remaining: this.#state.remaining });
    // A purchase whose answer the old session lost: ask again now (if still unanswered, before the next one).
    await this.#queue.run(() => this.#settlePending()).catch(() => undefined);
    return this.#running().state.remaining;
  }

  /** Stops using the session (bought keys stay cached); releases a chain provider the buyer created. */
  async stop(): Promise<void> {
    await this.#queue.run(async () => undefined);
    this.#session = undefined;
    if (this.#provider?.owned === true) this.#provider.provider.destroy();
    this.#provider = undefined;
  }

  /** The buyer's local (seq, remaining) of its payment channel; undefined before `start` or after a close. */
  get channel(): ChannelState | undefined {
    return this.#state;
  }

  /** Keys bought so far. */
  get keyCount(): number {
    return this.#keys.size;
  }

  /**
   * Decrypts a payload published under `keyId`, buying the key first if this buyer does not hold it.
   * @throws WampError `xbr.error.max_price_exceeded`, `xbr.error.insufficient_balance`, `xbr.error.channel_closed`,
   *   the maker's refusals (`xbr.error.offer_expired`, `xbr.error.offer_revoked`, … with its URI),
   *   `xbr.error.invalid_signature` / `xbr.error.invalid_transaction` (receipt), `xbr.error.decryption_failed`,
   *   `xbr.error.deserialization_failed`, `wamp.error.invalid_argument`
   */
  async unwrap(keyId: Uint8Array, serializer: string, ciphertext: Uint8Array): Promise<unknown> {
    const id = uuidArg('key_id', keyId);
    if (serializer !== PAYLOAD_SERIALIZER) throw new WampError(XbrErrorUri.deserializationFailed, `unsupported payload serializer ${describe(serializer)} (only "${PAYLOAD_SERIALIZER}")`);
    if (!(ciphertext instanceof Uint8Array)) throw argumentError('ciphertext', 'bytes', describe(ciphertext));
    const key = this.#keys.get(hex(id)) ?? (await this.#keyFor(id));
    return decryptPayload(key, ciphertext, serializer);
  }

  /** The maker's view of the payment channel. */
  async balance(): Promise<BuyerBalance> {
    const state = this.#running().state;
    return this.#readBalance(state.channelId);
  }

  /**
   * Closes the payment channel cooperatively: signs a final close over the local (seq, remaining) and the
   * maker co-signs and submits it (after waiting for any purchase in progress). The member is refunded
   * `remaining` on chain; further purchases need a new `start`.
   * @throws the maker's refusal (`xbr.error.unexpected_channel_seq`, …, with its URI)
   */
  async closeChannel(): Promise<CloseResult> {
    return this.#queue.run(async () => {
      const { session, config } = this.#running();
      await this.#settlePending();
      if (this.#stale) await this.#resync();
      const state = this.#running().state;
      const closeAt = await this.#head!.current();
      const { result } = await closeCooperatively(session.call.bind(session), config.binding, this.#delegateKey, { channelId: state.channelId, seq: state.seq, balance: state.remaining }, closeAt);
      this.#closed = true;
      this.#state = undefined;
      this.#log.info('payment channel closed', { channel: formatUuid(state.channelId), seq: state.seq, remaining: state.remaining, tx: `0x${hex(result.transaction)}` });
      return result;
    });
  }

  /** One purchase per key: concurrent callers share it; a failure is not remembered. */
  #keyFor(keyId: Uuid): Promise<Uint8Array> {
    const id = hex(keyId);
    let pending = this.#buying.get(id);
    if (pending === undefined) {
      pending = this.#queue.run(() => this.#buy(keyId)).finally(() => this.#buying.delete(id));
      this.#buying.set(id, pending);
    }
    return pending;
  }

  async #buy(keyId: Uuid): Promise<Uint8Array> {
    const cached = this.#keys.get(hex(keyId));
    if (cached !== undefined) return cached;
    const { session, config } = this.#running();
    await this.#settlePending();
    const settled = this.#keys.get(hex(keyId));
    if (settled !== undefined) return settled;
    if (this.#stale) await this.#resync();
    const state = this.#running().state;
    const kid = formatUuid(keyId);

    let quote: QuoteResult;
    try {
      quote = await callMaker(session.call.bind(session), MarketMakerProcedure.getQuote, [keyId]);
    } catch (err) {
      throw relabel(err, `key ${kid} cannot be bought`);
    }
    const price = unpackUint256(quote.price);
    const maxPrice = this.#options.maxPrice;
    if (maxPrice !== undefined && price > maxPrice) {
      throw new WampError(XbrErrorUri.maxPriceExceeded, `key ${kid} costs ${price}, more than the maximum price ${maxPrice}`, { kwargs: { key_id: keyId, price, max_price: maxPrice } });
    }
    if (price > state.remaining) {
      throw new WampError(XbrErrorUri.insufficientBalance, `key ${kid} costs ${price}, but the payment channel ${formatUuid(state.channelId)} has only ${state.remaining} left`, {
        kwargs: { key_id: keyId, price, remaining: state.remaining, channel_oid: state.channelId },
      });
    }

    const closeAt = await this.#head!.current();
    const expected: ChannelState = { channelId: state.channelId, seq: state.seq + 1, remaining: state.remaining - price };
    const signature = signChannelClose(channelCloseMessage(config.binding, closeAt, expected.channelId, expected.seq, expected.remaining, false), this.#delegateKey);
    this.purchases++;
    return this.#send(purchaseCall({ delegate: this.delegate, buyerPubkey: this.buyerPubkey, keyId, price, closeAt, before: state, expected }, signature), false);
  }

  /** Sends the purchase whose answer was lost again, identically; throws while it still gets none. */
  async #settlePending(): Promise<void> {
    const p = this.#pending;
    if (p === undefined) return;
    this.resent++;
    try {
      await this.#send(p, true);
    } catch (err) {
      if (this.#pending !== undefined) throw err;
      // Answered with a failure: a signed refund was adopted or the state is re-read; the caller goes on.
    }
  }

  /**
   * Sends `p` (`again`: a purchase whose answer was lost) and adopts the answer: a verified receipt moves the
   * state and caches the key; a maker-signed refund moves the state; no answer keeps `p` to be sent again.
   */
  async #send(p: PurchaseCall, again: boolean): Promise<Uint8Array> {
    const { session, config } = this.#running();
    const kid = formatUuid(p.keyId);
    const log = this.#log.child({ channel: formatUuid(p.expected.channelId), key: kid });
    if (again) log.info('sending the purchase whose answer was lost again, identically', { seq: p.expected.seq, price: p.price });
    let raw: unknown;
    try {
      raw = await session.call(MarketMakerProcedure.buyKey, [...p.args], { ...p.kwargs });
    } catch (err) {
      throw this.#failed(err, p, again, log);
    }
    this.#pending = undefined;
    let receipt: VerifiedReceipt;
    try {
      const read = fromMaker(`${MarketMakerProcedure.buyKey} result`, () => readMakerResult(MarketMakerProcedure.buyKey, raw));
      receipt = verifyReceipt(read, { binding: config.binding, maker: config.maker, keyId: p.keyId, closeAt: p.closeAt, expected: p.expected });
    } catch (err) {
      this.#stale = true;
      log.warn('receipt refused', { error: err as Error });
      throw err;
    }
    if (this.#onChannelOf(p)) this.#state = receipt.state;
    log.debug('key bought', { price: p.price, seq: receipt.state.seq, remaining: receipt.state.remaining, again });

    const key = unsealKey(this.#box, receipt.sealedKey, p);
    this.#keys.set(hex(p.keyId), key);
    return key;
  }

  /** Whether the buyer is still on the channel `p` paid from (a new `start` may have moved it to another). */
  #onChannelOf(p: PurchaseCall): boolean {
    return this.#state !== undefined && sameBytes(this.#state.channelId, p.expected.channelId);
  }

  /** The error `buy_key` raised for `p`: a maker-signed refund adopted, no answer kept for sending again, else the state re-read later. */
  #failed(err: unknown, p: PurchaseCall, again: boolean, log: Logger): WampError {
    const { config } = this.#running();
    const kid = formatUuid(p.keyId);
    if (err instanceof WampError) {
      const refunded = refundState(err, { binding: config.binding, maker: config.maker, current: p.before });
      if (refunded !== undefined) {
        this.#pending = undefined;
        if (this.#onChannelOf(p)) this.#state = refunded;
        log.warn('purchase failed, refunded by the market maker', { error_uri: err.uri, seq: refunded.seq, remaining: refunded.remaining });
        return new WampError(err.uri, `purchase of key ${kid} failed: ${err.message} (refunded: the channel has ${refunded.remaining} left at seq ${refunded.seq})`, {
          args: err.args, kwargs: err.kwargs, cause: err,
        });
      }
    }
    if (outcomeUnknown(err, again)) {
      this.#pending = p;
      log.warn('purchase got no answer: it is sent again, identically, before anything new is signed', { error: err as Error, price: p.price, seq: p.expected.seq });
      return relabel(err, `purchase of key ${kid} got no answer (it may have been paid for; the same signed call is sent again before the next purchase)`);
    }
    this.#pending = undefined;
    this.#stale = true;
    log.warn('purchase failed', { error: err as Error, price: p.price });
    return relabel(err, `purchase of key ${kid} failed`);
  }

  async #resync(): Promise<void> {
    const state = this.#running().state;
    this.#state = await this.#readState(state.channelId);
    this.#stale = false;
    this.#log.info('payment channel state re-read from the market maker', { channel: formatUuid(state.channelId), seq: this.#state.seq, remaining: this.#state.remaining });
  }

  async #open(o: OpenChannelOptions): Promise<Uuid> {
    const { session, config } = this.#bound();
    const memberKey = o.memberKey ?? this.#delegateKey;
    const member = parseAddress(computeAddress(hexlify(memberKey)), 'openChannel.memberKey');
    const provider = this.#provider?.provider;
    if (provider !== undefined && (await ensureAllowance(provider, memberKey, config, o.amount))) {
      this.#log.info('approved XBRChannel for the payment channel', { member: `0x${hex(member)}`, amount: o.amount });
    }
    const block = await this.#head!.fresh();
    const channelId = await openPaymentChannel(session, config, { member, memberKey, delegate: this.delegate, amount: o.amount, block });
    this.#log.info('payment channel opened', { channel: formatUuid(channelId), member: `0x${hex(member)}`, amount: o.amount });
    return channelId;
  }

  /** The channel id of a `get_active_payment_channel` answer, after checking it is this buyer's in this market. */
  #checkChannel(ch: ChannelResult): Uuid {
    const { config } = this.#bound();
    const id = ch.channel_oid as Uuid;
    if (ch.channel_type !== 1 || !sameBytes(ch.market_oid, config.binding.marketId) || !sameBytes(ch.delegate, this.delegate) || !sameBytes(ch.marketmaker, config.maker)) {
      throw new WampError(XbrErrorUri.invalidTransaction, `the market maker named channel ${formatUuid(id)} as this buyer's payment channel, but it is not (type, market, delegate or maker differ)`);
    }
    return id;
  }

  async #readBalance(channelId: Uuid): Promise<BuyerBalance> {
    const { session } = this.#bound();
    const b = await callMaker(session.call.bind(session), MarketMakerProcedure.getPaymentChannelBalance, [channelId]);
    return { channelId, seq: b.seq, remaining: unpackUint256(b.remaining), inflight: unpackUint256(b.inflight) };
  }

  /** (seq, remaining) from the maker; a channel just opened may take the chain monitor a moment to reach the ledger. */
  async #readState(channelId: Uuid): Promise<ChannelState> {
    const deadline = Date.now() + OPENED_WAIT_MS;
    for (;;) {
      try {
        const b = await this.#readBalance(channelId);
        return { channelId, seq: b.seq, remaining: b.remaining };
      } catch (err) {
        if (!isError(err, CrossbarErrorUri.noSuchObject) || Date.now() > deadline) throw err;
        await sleep(250);
      }
    }
  }

  #bound(): { session: BuyerSession; config: BuyerConfig } {
    if (this.#session === undefined || this.#config === undefined) throw new WampError(WampErrorUri.runtimeError, 'the buyer is not started');
    return { session: this.#session, config: this.#config };
  }

  #running(): { session: BuyerSession; config: BuyerConfig; state: ChannelState } {
    const bound = this.#bound();
    if (this.#state === undefined) {
      if (this.#closed) throw new WampError(XbrErrorUri.channelClosed, 'the payment channel was closed; start the buyer again to open or find another');
      throw new WampError(WampErrorUri.runtimeError, 'the buyer has no payment channel (start it first)');
    }
    return { ...bound, state: this.#state };
  }
}

/** `err` with `context` in front of its message, keeping its URI and kwargs. */
function relabel(err: unknown, context: string): WampError {
  if (err instanceof WampError) return new WampError(err.uri, `${context}: ${err.message}`, { args: err.args, kwargs: err.kwargs, cause: err });
  return new WampError(WampErrorUri.runtimeError, `${context}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
