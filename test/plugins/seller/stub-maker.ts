/**
 * A stand-in for the market maker at unit level: a session object the seller takes for a wampy session,
 * answering the maker procedures the seller calls from a small in-memory ledger of one paying channel,
 * and letting the test call the procedures the seller registers. It is the seller's counterparty, not the
 * part under test (the end-to-end tests use the real maker); it exists so that orderings the real edge
 * cannot produce on demand (a sale held half-way, a reservation whose `sell` has not arrived) can be tested.
 *
 * Every call is answered after a macrotask, as a network round trip would be: the seller can never rely
 * on the stub's state changing within the same turn.
 */
import type { ChannelResult } from '../../../schema/api/index.js';
import { channelAnswer, configAnswer, offerAnswer, payingChannelAnswer, statusAnswer } from '../../helpers/maker-results.js';
import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import { parseAddress, toChecksumAddress } from '../../../schema/codec/address.js';
import { sameBytes } from '../../../schema/codec/index.js';
import { packUint256, unpackUint256 } from '../../../schema/codec/uint256.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import type { Address, Uuid } from '../../../schema/codec/types.js';
import { recoverChannelClose, signChannelClose } from '../../../schema/eip712/index.js';
import type { SellReceipt, SellerSession } from '../../../plugins/seller/index.js';
import { channelCloseMessage, type MarketBinding } from '../../../schema/eip712/index.js';

type Handler = (inv: { argsList: unknown[]; argsDict: Record<string, unknown> }) => Promise<{ argsList: unknown[] }>;

/** An error as a wampy client sees it. */
export interface StubCallError {
  errorUri: string;
  argsList: unknown[];
  argsDict: Record<string, unknown>;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const refuse = (errorUri: string, message: string): StubCallError => ({ errorUri, argsList: [message], argsDict: {} });

export class StubMaker {
  readonly makerKey: Uint8Array;
  readonly maker: Address;
  readonly binding: MarketBinding;
  readonly payingId = new Uint8Array(randomBytes(16)) as Uuid;
  /** The maker's ledger of the paying channel. */
  ledger: { seq: number; remaining: bigint; inflight: bigint; state: number };
  block = 1000n;
  /** Every call the seller made, in order. */
  readonly calls: { uri: string; args: unknown[] }[] = [];
  /** Procedures whose answer waits for the promise (removed once used). */
  readonly holds = new Map<string, Promise<void>>();
  readonly #procedures = new Map<string, Handler>();

  constructor(
    readonly delegate: Address,
    readonly authid: string,
    amount: bigint,
  ) {
    const w = Wallet.createRandom();
    this.makerKey = new Uint8Array(Buffer.from(w.privateKey.slice(2), 'hex'));
    this.maker = parseAddress(w.address);
    this.binding = { chainId: 31337n, verifyingContract: parseAddress(Wallet.createRandom().address), marketId: new Uint8Array(randomBytes(16)) as Uuid };
    this.ledger = { seq: 1, remaining: amount, inflight: 0n, state: 1 };
  }

  /** The session to give `SimpleSeller.start`. */
  get session(): SellerSession {
    return {
      call: (uri: string, payload?: { argsList?: unknown[] }) => this.#call(uri, payload?.argsList ?? []),
      register: async (uri: string, cb: Handler) => void this.#procedures.set(uri, cb),
      unregister: async (uri: string) => void this.#procedures.delete(uri),
      getOptions: () => ({ authid: this.authid }),
    } as unknown as SellerSession;
  }

  uris(): string[] {
    return this.calls.map((c) => c.uri);
  }

  /** Calls a procedure the seller registered; resolves with its result or rejects with its `{error, argsList, argsDict}`. */
  async invoke(uri: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<unknown> {
    const cb = this.#procedures.get(uri);
    if (cb === undefined) throw { error: 'wamp.error.no_such_procedure', argsList: [uri] };
    return (await cb({ argsList: args, argsDict: kwargs })).argsList[0];
  }

  /** Reserves a sale of `price` as the maker does (seq + 1, remaining − price, in flight) and returns its signed `sell` arguments. */
  reserve(keyId: Uint8Array, buyerPubkey: Uint8Array, price: bigint): { args: unknown[]; kwargs: Record<string, unknown>; price: bigint } {
    const l = this.ledger;
    this.ledger = { ...l, seq: l.seq + 1, remaining: l.remaining - price, inflight: l.inflight + price };
    const sig = signChannelClose(channelCloseMessage(this.binding, this.block, this.payingId, this.ledger.seq, this.ledger.remaining, false), this.makerKey);
    return { args: [this.maker, buyerPubkey, keyId, this.payingId, this.ledger.seq, packUint256(price), packUint256(this.ledger.remaining), sig], kwargs: { close_at: this.block }, price };
  }

  /** Resolves a reservation: SUCCESS keeps the payment, FAILURE refunds it (the seq stays consumed). */
  resolve(price: bigint, success: boolean): void {
    const l = this.ledger;
    this.ledger = { ...l, inflight: l.inflight - price, remaining: success ? l.remaining : l.remaining + price };
  }

  /** Reserves, calls the seller's `sell` and resolves by its outcome, as `buy_key` does. */
  async sell(keyId: Uint8Array, buyerPubkey: Uint8Array, price: bigint): Promise<SellReceipt> {
    const r = this.reserve(keyId, buyerPubkey, price);
    try {
      const receipt = (await this.invoke(`xbr.provider.${this.authid}.sell`, r.args, r.kwargs)) as SellReceipt;
      this.resolve(price, true);
      return receipt;
    } catch (err) {
      this.resolve(price, false);
      throw err;
    }
  }

  async #call(uri: string, args: unknown[]): Promise<{ argsList: unknown[] }> {
    this.calls.push({ uri, args });
    await tick();
    const hold = this.holds.get(uri);
    if (hold !== undefined) {
      this.holds.delete(uri);
      await hold;
    }
    return { argsList: [this.#answer(uri, args)] };
  }

  #answer(uri: string, args: unknown[]): unknown {
    const id = args[0];
    const ours = (): boolean => id instanceof Uint8Array && sameBytes(id, this.payingId);
    const balance = () => ({ seq: this.ledger.seq, remaining: packUint256(this.ledger.remaining), inflight: packUint256(this.ledger.inflight) });
    switch (uri.replace('xbr.marketmaker.', '')) {
      case 'get_config':
        return configAnswer({ verifying_chain_id: Number(this.binding.chainId), verifying_contract_adr: toChecksumAddress(this.binding.verifyingContract), market: formatUuid(this.binding.marketId), marketmaker: toChecksumAddress(this.maker) });
      case 'get_active_paying_channel':
        return this.ledger.state === 1 && id instanceof Uint8Array && sameBytes(id, this.delegate) ? this.#channel() : null;
      case 'get_paying_channel_balance':
        if (!ours()) throw refuse('crossbar.error.no_such_object', 'no such channel');
        return balance();
      case 'get_paying_channel':
        if (!ours()) throw refuse('crossbar.error.no_such_object', 'no such channel');
        return payingChannelAnswer(this.#channelFields(), { seq: this.ledger.seq, remaining: this.ledger.remaining, inflight: this.ledger.inflight });
      case 'place_offer':
        return offerAnswer({ key: args[0] as Uint8Array });
      case 'revoke_offer':
        return offerAnswer({ key: args[0] as Uint8Array, revoked: 1n });
      case 'get_status':
        return statusAnswer(this.block);
      case 'close_channel':
        return this.#close(args);
      default:
        throw refuse('wamp.error.no_such_procedure', `stub maker has no ${uri}`);
    }
  }

  #channelFields() {
    return { channel_oid: this.payingId, state: this.ledger.state, delegate: this.delegate, market_oid: this.binding.marketId, marketmaker: this.maker, channel_type: 2 };
  }

  #channel(): ChannelResult {
    return channelAnswer(this.#channelFields());
  }

  /** `close_channel` with the maker's checks: the channel delegate's signature over the ledger's current state. */
  #close(args: unknown[]): unknown {
    const [channelId, chainId, closeAt, contract, balance, seq, isFinal, signature] = args as [Uuid, number, number, Uint8Array, Uint8Array, number, boolean, Uint8Array];
    if (!sameBytes(channelId, this.payingId)) throw refuse('xbr.error.invalid_channel', 'no such channel');
    if (BigInt(chainId) !== this.binding.chainId || !sameBytes(contract, this.binding.verifyingContract)) throw refuse('wamp.error.invalid_argument', 'binding');
    if (BigInt(closeAt) > this.block) throw refuse('wamp.error.invalid_argument', 'current_block_number: after the current block');
    const amount = unpackUint256(balance);
    const msg = channelCloseMessage(this.binding, BigInt(closeAt), channelId, seq, amount, isFinal);
    if (!sameBytes(recoverChannelClose(msg, signature), this.delegate)) throw refuse('xbr.error.invalid_signature', 'not the delegate');
    if (this.ledger.state !== 1) throw refuse('xbr.error.channel_not_open', 'not open');
    if (this.ledger.inflight > 0n) throw refuse('xbr.error.purchase_in_flight', 'in flight');
    if (seq !== this.ledger.seq) throw refuse('xbr.error.unexpected_channel_seq', 'seq');
    if (amount !== this.ledger.remaining) throw refuse('xbr.error.unexpected_channel_balance', 'balance');
    this.ledger = { ...this.ledger, state: 2 };
    return { transaction: new Uint8Array(randomBytes(32)), market_oid: this.binding.marketId, channel_oid: channelId, state: 2, balance, seq, is_final: isFinal };
  }
}
