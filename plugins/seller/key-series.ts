/**
 * A key series: the rotating data keys of one API (docs/protocol.md#key-series `KeySeries`, docs/protocol.md#payload-encryption).
 *
 * Each rotation draws a 16-byte key id and a 32-byte secretbox key, stores them (durably, when the store
 * is a `KeyArchive`) and then awaits `onRotate(series, keyId, key)` — the seller places the key's offer
 * there. Rotation happens at `start()` (the first key), every `interval` seconds, and/or after `count`
 * payloads (every key, the first included, encrypts exactly `count`, unless its interval ends first).
 *
 * Decision — **a key encrypts nothing before its hook has succeeded.** Data under a key without an offer
 * can never be bought, so publishing it only leaks ciphertext nobody may open (the original used such keys,
 * docs/protocol.md#chain-defect-26). Hence:
 * - a key becomes current only once `onRotate` resolved; `encrypt` calls that find no usable key wait for
 *   the rotation in progress (one at a time, so hooks run one after another in key order);
 * - when a hook fails, the fresh key is deleted from the store and every waiting `encrypt` rejects with
 *   `xbr.error.key_rotation_failed` (cause = the hook's error); the next `encrypt` tries a new key (a
 *   fresh id, because the failed offer may have half-succeeded). Retrying the offer itself is the hook's
 *   job (the seller retries `place_offer`), the series never retries on its own;
 * - on an interval tick the previous key stays current while its successor's hook runs, so publishing
 *   does not stall on a market-maker round trip; if the successor fails the previous key is retired (its
 *   time is over) and the next `encrypt` rotates on demand. A key whose count is used up is retired at
 *   once and its successor is prepared in the background.
 * `stop()` cancels the timer, waits for a hook in progress (its key is then not used) and refuses
 * further `encrypt`s; it can be started again.
 */
import { randomFillSync } from 'node:crypto';
import { argumentError, describe, expectBytes, formatUuid, nowNs, randomUuid, type Uuid } from '../../schema/codec/index.js';
import { DATA_KEY_BYTES, encodeCbor, encryptBytes, PAYLOAD_SERIALIZER } from '../../schema/crypto/index.js';
import { WampError, XbrErrorUri } from '../../schema/index.js';
import { createLogger, type Logger } from '../../schema/index.js';
import { notRunningError } from './errors.js';
import { MemoryKeyStore, type KeyStore } from './key-store.js';
import { systemScheduler, type ScheduledTask, type Scheduler } from './scheduler.js';

/** Called once per fresh key, in key order, before the key encrypts anything. `key` is a copy. */
export type OnRotate = (series: KeySeries, keyId: Uuid, key: Uint8Array) => void | Promise<void>;

export interface KeySeriesOptions {
  /** The API (16 bytes) whose data the keys encrypt. */
  apiId: Uint8Array;
  /** Price per key in base units of the market coin. */
  price: bigint;
  /** Rotate every `interval` seconds (> 0). */
  interval?: number | undefined;
  /** Rotate after `count` payloads (integer > 0). At least one of interval/count is required. */
  count?: number | undefined;
  onRotate?: OnRotate | undefined;
  /** Where keys are kept for selling; default an unbounded {@link MemoryKeyStore}. */
  store?: KeyStore | undefined;
  /** Timer for interval rotation; default {@link systemScheduler} (unref'd timers). */
  scheduler?: Scheduler | undefined;
  /** Clock for key creation times, ns; default {@link nowNs}. */
  now?: (() => bigint) | undefined;
  logger?: Logger | undefined;
}

/** What `encrypt` returns: published as `[key_id, enc_ser, ciphertext]` on the data topic. */
export interface EncryptedPayload {
  keyId: Uuid;
  serializer: typeof PAYLOAD_SERIALIZER;
  /** `nonce(24) ‖ mac(16) ‖ secretbox(cbor(payload))`. */
  ciphertext: Uint8Array;
}

export type KeySeriesState = 'stopped' | 'starting' | 'running' | 'stopping';

interface LiveKey {
  keyId: Uuid;
  key: Uint8Array;
  used: number;
}

/**
 * @example
 * const series = new KeySeries({ apiId, price: 10n ** 18n, interval: 60, store: archive,
 *   onRotate: (s, keyId) => placeOffer(keyId, s.apiId, s.price) });
 * await series.start();
 * const { keyId, serializer, ciphertext } = await series.encrypt({ temperature: 21.5 });
 */
export class KeySeries {
  readonly apiId: Uuid;
  readonly price: bigint;
  readonly interval: number | undefined;
  readonly count: number | undefined;
  readonly #onRotate: OnRotate | undefined;
  readonly #store: KeyStore;
  readonly #scheduler: Scheduler;
  readonly #now: () => bigint;
  readonly #log: Logger;
  #state: KeySeriesState = 'stopped';
  // Bumped by start and stop: a rotation or timer of an earlier run never touches a later one.
  #epoch = 0;
  #current: LiveKey | null = null;
  #pending: Promise<void> | null = null;
  #timer: ScheduledTask | null = null;
  #stopping: Promise<void> | null = null;

  /** @throws WampError `wamp.error.invalid_argument` naming the bad option */
  constructor(options: KeySeriesOptions) {
    this.apiId = new Uint8Array(expectBytes('apiId', options.apiId, 16)) as Uuid;
    if (typeof options.price !== 'bigint' || options.price < 0n) throw argumentError('price', 'a bigint ≥ 0', describe(options.price));
    const { interval, count } = options;
    if (interval !== undefined && (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0)) {
      throw argumentError('interval', 'a number of seconds > 0', typeof interval === 'number' ? String(interval) : describe(interval));
    }
    if (count !== undefined && (!Number.isSafeInteger(count) || count < 1)) {
      throw argumentError('count', 'an integer ≥ 1', typeof count === 'number' ? String(count) : describe(count));
    }
    if (interval === undefined && count === undefined) throw argumentError('interval', 'interval and/or count', 'neither');
    if (options.onRotate !== undefined && typeof options.onRotate !== 'function') throw argumentError('onRotate', 'a function', describe(options.onRotate));
    this.price = options.price;
    this.interval = interval;
    this.count = count;
    this.#onRotate = options.onRotate;
    this.#store = options.store ?? new MemoryKeyStore();
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#now = options.now ?? nowNs;
    this.#log = options.logger ?? createLogger({ component: 'key-series', api: formatUuid(this.apiId) });
  }

  get state(): KeySeriesState {
    return this.#state;
  }

  /** Id of the key `encrypt` would use now, if any. */
  get currentKeyId(): Uuid | undefined {
    return this.#current === null ? undefined : (this.#current.keyId.slice() as Uuid);
  }

  /** A key of this series by id (from the store, so also older keys), or undefined. Returns a copy. */
  getKey(keyId: Uint8Array): Uint8Array | undefined {
    const entry = this.#store.get(expectBytes('keyId', keyId, 16));
    if (entry === undefined || !Buffer.from(entry.apiId).equals(this.apiId)) return undefined;
    return entry.key;
  }

  /**
   * Generates the first key and awaits its hook. On failure the series is stopped again (and can be
   * started anew).
   * @throws WampError `xbr.error.key_series_not_running` unless stopped;
   *   `xbr.error.key_rotation_failed` when the first hook fails; `xbr.error.storage` from the store
   */
  async start(): Promise<void> {
    if (this.#state !== 'stopped') throw notRunningError(`key series ${formatUuid(this.apiId)} cannot start: it is ${this.#state}`, { state: this.#state });
    this.#state = 'starting';
    const epoch = ++this.#epoch;
    try {
      await this.#rotate();
    } catch (err) {
      if (this.#epoch === epoch) this.#halt('stopped');
      throw err;
    }
    if (this.#epoch !== epoch) throw notRunningError(`key series ${formatUuid(this.apiId)} was stopped while starting`);
    this.#state = 'running';
  }

  /** Stops rotating; resolves once no hook is running any more. Idempotent. */
  stop(): Promise<void> {
    if (this.#state === 'stopped') return Promise.resolve();
    if (this.#stopping !== null) return this.#stopping;
    this.#halt('stopping');
    const pending = this.#pending;
    this.#stopping = (async () => {
      if (pending !== null) await pending.catch(() => undefined); // its error went to its own waiters
      this.#state = 'stopped';
      this.#stopping = null;
    })();
    return this.#stopping;
  }

  /**
   * CBOR-encodes and encrypts a payload with the current key (waiting for a rotation in progress when
   * there is no usable key).
   * @throws WampError `wamp.error.invalid_argument` when the payload cannot be CBOR-encoded (no count is
   *   used up); `xbr.error.key_series_not_running` when not started or stopped meanwhile;
   *   `xbr.error.key_rotation_failed` when the hook of the key it waited for failed
   */
  async encrypt(payload: unknown): Promise<EncryptedPayload> {
    const plain = encodeCbor(payload);
    try {
      for (;;) {
        if (this.#state !== 'running' && this.#state !== 'starting') {
          throw notRunningError(`key series ${formatUuid(this.apiId)} is ${this.#state}; start it before encrypting`, { state: this.#state });
        }
        const live = this.#current;
        if (live !== null) {
          // No await between taking the key and counting the use: concurrent callers can never exceed `count`.
          live.used++;
          if (this.count !== undefined && live.used >= this.count) {
            this.#current = null;
            this.#rotateInBackground(null, 'count');
          }
          return { keyId: live.keyId.slice() as Uuid, serializer: PAYLOAD_SERIALIZER, ciphertext: encryptBytes(live.key, plain) };
        }
        await this.#rotate();
      }
    } finally {
      plain.fill(0);
    }
  }

  #halt(state: KeySeriesState): void {
    this.#epoch++;
    this.#state = state;
    this.#timer?.cancel();
    this.#timer = null;
    this.#current?.key.fill(0); // safe: encrypt never awaits while holding a key; the store keeps its own copy
    this.#current = null;
  }

  // Single flight: concurrent callers share one rotation, so hooks never overlap and run in key order.
  #rotate(): Promise<void> {
    if (this.#pending !== null) return this.#pending;
    const pending: Promise<void> = this.#generate(this.#epoch).finally(() => {
      if (this.#pending === pending) this.#pending = null;
    });
    this.#pending = pending;
    return pending;
  }

  async #generate(epoch: number): Promise<void> {
    const keyId = randomUuid();
    const key = new Uint8Array(DATA_KEY_BYTES);
    randomFillSync(key);
    // Stored before the hook: once the offer is out, the seller's `sell` may be asked for this key.
    this.#store.put({ keyId, apiId: this.apiId, key, created: this.#now() });
    try {
      await this.#onRotate?.(this, keyId.slice() as Uuid, key.slice());
    } catch (err) {
      this.#forget(keyId);
      const message = err instanceof Error ? err.message : String(err);
      throw new WampError(XbrErrorUri.keyRotationFailed, `onRotate failed for key ${formatUuid(keyId)}; the key was discarded: ${message}`, {
        cause: err,
        kwargs: { api_id: formatUuid(this.apiId), key_id: formatUuid(keyId) },
      });
    }
    if (epoch !== this.#epoch) {
      // Stopped meanwhile. The key keeps its (placed) offer and stays in the store, but encrypts nothing.
      throw notRunningError(`key series ${formatUuid(this.apiId)} was stopped during the rotation of key ${formatUuid(keyId)}`);
    }
    this.#current = { keyId, key, used: 0 };
    this.#armInterval(epoch);
    this.#log.info('data key rotated', { key_id: formatUuid(keyId) });
  }

  #forget(keyId: Uuid): void {
    try {
      this.#store.delete(keyId);
    } catch (err) {
      // Harmless leftover: the key encrypted nothing, and retention removes it eventually.
      this.#log.warn('could not delete the key of a failed rotation', { key_id: formatUuid(keyId), error: err });
    }
  }

  #armInterval(epoch: number): void {
    this.#timer?.cancel();
    this.#timer = null;
    if (this.interval === undefined) return;
    const predecessor = this.#current;
    this.#timer = this.#scheduler.schedule(this.interval * 1000, () => {
      if (epoch !== this.#epoch) return;
      this.#timer = null;
      this.#rotateInBackground(predecessor, 'interval');
    });
  }

  #rotateInBackground(predecessor: LiveKey | null, reason: 'count' | 'interval'): void {
    this.#rotate().catch((err: unknown) => {
      // Callers waiting on this rotation got the error; here only the predecessor's fate is decided.
      if (predecessor !== null && this.#current === predecessor) this.#current = null;
      if (this.#state === 'running') this.#log.warn('key rotation failed; the next encrypt retries', { reason, error: err });
    });
  }
}
