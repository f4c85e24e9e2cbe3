/**
 * The seller's off-chain view of its paying channels (docs/protocol.md#seller `_seq`/`_balance`): per channel the latest
 * state it co-signed — seq, remaining balance, the signed `closeAt`, both signatures — so that after a
 * restart it neither accepts a replayed state nor forgets what the market maker owes it, and so that it can
 * settle the channel on chain with the pair of signatures it holds.
 *
 * Decision — **one small JSON file, replaced atomically** (write temp, fsync, rename, fsync the directory):
 * the state is a handful of fields per channel, written once per sale, and must be durable before `sell`
 * returns; a file is inspectable, needs no second LMDB environment, and a crash leaves either the old or
 * the new file, never a mix. Writes are synchronous so that no other sale interleaves between the check
 * and the write.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Signature65, Uuid } from '../../schema/codec/index.js';
import { storageError } from '../../schema/index.js';
import { toHex as hex } from '../../schema/codec/index.js';

/** The latest state of one paying channel as the seller holds it. */
export interface PayingChannelState {
  readonly channelId: Uuid;
  /** Off-chain sequence number of the latest state. */
  readonly seq: number;
  /** Remaining balance (what the market maker has not paid out yet), base units. */
  readonly balance: bigint;
  /** `closeAt` of the latest signed state; absent for a state taken over from the maker (no sale yet). */
  readonly closeAt?: bigint | undefined;
  readonly makerSignature?: Signature65 | undefined;
  readonly sellerSignature?: Signature65 | undefined;
  /**
   * Set once the seller co-signed a close of this channel (the maker submits it, so no sale follows); the
   * `closeAt` and signatures are then those of the close, whose `isFinal` is {@link closeIsFinal}.
   */
  readonly closed?: boolean | undefined;
  readonly closeIsFinal?: boolean | undefined;
}

/** Where a seller keeps its paying-channel states. `save` is durable when it returns. */
export interface SellerStateStore {
  load(channelId: Uint8Array): PayingChannelState | undefined;
  save(state: PayingChannelState): void;
}


/** Keeps states in memory only: a restarted seller starts from the market maker's view. */
export class MemorySellerStateStore implements SellerStateStore {
  readonly #states = new Map<string, PayingChannelState>();
  load(channelId: Uint8Array): PayingChannelState | undefined {
    return this.#states.get(hex(channelId));
  }
  save(state: PayingChannelState): void {
    this.#states.set(hex(state.channelId), state);
  }
}

interface StateJson {
  seq: number;
  balance: string;
  close_at?: string;
  maker_signature?: string;
  seller_signature?: string;
  closed?: boolean;
  close_is_final?: boolean;
}

const FORMAT = 'xbr-edge/seller-paying-state';

function toJson(s: PayingChannelState): StateJson {
  return {
    seq: s.seq,
    balance: s.balance.toString(),
    ...(s.closeAt === undefined ? {} : { close_at: s.closeAt.toString() }),
    ...(s.makerSignature === undefined ? {} : { maker_signature: hex(s.makerSignature) }),
    ...(s.sellerSignature === undefined ? {} : { seller_signature: hex(s.sellerSignature) }),
    ...(s.closed === true ? { closed: true, close_is_final: s.closeIsFinal === true } : {}),
  };
}

function fromJson(channelHex: string, j: StateJson): PayingChannelState {
  const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
  return {
    channelId: bytes(channelHex) as Uuid,
    seq: j.seq,
    balance: BigInt(j.balance),
    ...(j.close_at === undefined ? {} : { closeAt: BigInt(j.close_at) }),
    ...(j.maker_signature === undefined ? {} : { makerSignature: bytes(j.maker_signature) as Signature65 }),
    ...(j.seller_signature === undefined ? {} : { sellerSignature: bytes(j.seller_signature) as Signature65 }),
    ...(j.closed === true ? { closed: true, closeIsFinal: j.close_is_final === true } : {}),
  };
}

/**
 * The states in one JSON file, rewritten atomically on every save.
 * @example const store = FileSellerStateStore.open('./seller/paying-state.json');
 */
export class FileSellerStateStore implements SellerStateStore {
  readonly path: string;
  readonly #states: Map<string, PayingChannelState>;

  private constructor(path: string, states: Map<string, PayingChannelState>) {
    this.path = path;
    this.#states = states;
  }

  /**
   * Reads the file (a missing file is an empty store).
   * @throws WampError `xbr.error.storage` when the file exists but cannot be read or parsed
   */
  static open(path: string): FileSellerStateStore {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new FileSellerStateStore(path, new Map());
      throw storageError(`cannot read seller state ${path}: ${(err as Error).message}`, { path }, err);
    }
    const states = new Map<string, PayingChannelState>();
    try {
      const doc = JSON.parse(text) as { format?: unknown; channels?: Record<string, StateJson> };
      if (doc.format !== FORMAT || doc.channels === null || typeof doc.channels !== 'object') throw new Error(`not a seller state file (format ${JSON.stringify(doc.format)})`);
      for (const [channelHex, j] of Object.entries(doc.channels)) {
        if (!/^[0-9a-f]{32}$/.test(channelHex) || !Number.isSafeInteger(j.seq) || typeof j.balance !== 'string') throw new Error(`bad record for channel ${channelHex}`);
        states.set(channelHex, fromJson(channelHex, j));
      }
    } catch (err) {
      throw storageError(`seller state ${path} is damaged: ${(err as Error).message}`, { path }, err);
    }
    return new FileSellerStateStore(path, states);
  }

  load(channelId: Uint8Array): PayingChannelState | undefined {
    return this.#states.get(hex(channelId));
  }

  /** @throws WampError `xbr.error.storage` when the file cannot be written (the in-memory state is unchanged) */
  save(state: PayingChannelState): void {
    const next = new Map(this.#states);
    next.set(hex(state.channelId), state);
    const channels: Record<string, StateJson> = {};
    for (const [k, v] of next) channels[k] = toJson(v);
    const text = JSON.stringify({ format: FORMAT, version: 1, channels }, null, 1);
    const tmp = `${this.path}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      // The rename itself is only durable once the directory entry is on disk.
      const dir = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (err) {
      throw storageError(`cannot write seller state ${this.path}: ${(err as Error).message}`, { path: this.path }, err);
    }
    this.#states.set(hex(state.channelId), state);
  }
}
