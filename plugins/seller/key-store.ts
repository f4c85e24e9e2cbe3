/**
 * Where a key series keeps every key it generated, so a key can still be sold after the series moved on.
 * {@link MemoryKeyStore} is the volatile one (keys die with the process); `KeyArchive` is the persistent
 * one. Both bound their size with a {@link KeyRetention}, applied per API (one API's fast rotation must
 * never evict another API's current key).
 */
import { argumentError, describe, expectBytes, toHex } from '../../schema/codec/index.js';
import { secondsToNs } from '../../schema/codec/index.js';
import type { Uuid } from '../../schema/codec/index.js';
import { DATA_KEY_BYTES } from '../../schema/crypto/index.js';

/** One archived data key. */
export interface ArchivedKey {
  keyId: Uuid;
  apiId: Uuid;
  /** The 32-byte secretbox key. */
  key: Uint8Array;
  /** When the key was generated, ns since the epoch. */
  created: bigint;
}

/** How many keys to keep per API: the newest `maxKeys`, and/or those younger than `maxAgeSeconds`. */
export interface KeyRetention {
  maxKeys?: number | undefined;
  maxAgeSeconds?: number | undefined;
}

/** What a key series needs from a key store. `put` must be durable for a persistent store. */
export interface KeyStore {
  /** Stores a fresh key (and applies the retention of its API). */
  put(entry: ArchivedKey): void;
  /** The key with this id, or undefined when unknown or pruned. */
  get(keyId: Uint8Array): ArchivedKey | undefined;
  /** Forgets a key; true when it was there. */
  delete(keyId: Uint8Array): boolean;
}

/**
 * Checks a retention setting: `maxKeys` an integer ≥ 1, `maxAgeSeconds` a finite number > 0.
 * @throws WampError `wamp.error.invalid_argument` naming the field
 */
export function checkRetention(retention: KeyRetention | undefined): KeyRetention {
  if (retention === undefined) return {};
  if (typeof retention !== 'object' || retention === null) throw argumentError('retention', 'an object', describe(retention));
  const { maxKeys, maxAgeSeconds } = retention;
  if (maxKeys !== undefined && (!Number.isSafeInteger(maxKeys) || maxKeys < 1)) {
    throw argumentError('retention.maxKeys', 'an integer ≥ 1', typeof maxKeys === 'number' ? String(maxKeys) : describe(maxKeys));
  }
  if (maxAgeSeconds !== undefined && (typeof maxAgeSeconds !== 'number' || !Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0)) {
    throw argumentError('retention.maxAgeSeconds', 'a number > 0', typeof maxAgeSeconds === 'number' ? String(maxAgeSeconds) : describe(maxAgeSeconds));
  }
  return { maxKeys, maxAgeSeconds };
}

/**
 * Which of one API's keys (oldest first) the retention drops at time `now`: the oldest beyond `maxKeys`,
 * and any older than `maxAgeSeconds`.
 */
export function keysToPrune<T extends { created: bigint }>(oldestFirst: readonly T[], retention: KeyRetention, now: bigint): T[] {
  const excess = retention.maxKeys === undefined ? 0 : oldestFirst.length - retention.maxKeys;
  const cutoff = retention.maxAgeSeconds === undefined ? undefined : now - secondsToNs(retention.maxAgeSeconds);
  return oldestFirst.filter((e, i) => i < excess || (cutoff !== undefined && e.created < cutoff));
}

/** Checks the fields of an entry to store. */
export function checkEntry(entry: ArchivedKey): void {
  expectBytes('keyId', entry.keyId, 16);
  expectBytes('apiId', entry.apiId, 16);
  expectBytes('key', entry.key, DATA_KEY_BYTES);
  if (typeof entry.created !== 'bigint' || entry.created < 0n) throw argumentError('created', 'a bigint ≥ 0 (ns)', describe(entry.created));
}

const copy = (e: ArchivedKey): ArchivedKey => ({ keyId: e.keyId.slice() as Uuid, apiId: e.apiId.slice() as Uuid, key: e.key.slice(), created: e.created });

/**
 * Keys in memory only: after a restart the keys of data already published can no longer be sold.
 * @example const store = new MemoryKeyStore({ maxKeys: 100 });
 */
export class MemoryKeyStore implements KeyStore {
  readonly #retention: KeyRetention;
  readonly #now: () => bigint;
  readonly #byId = new Map<string, ArchivedKey>();
  // Insertion order per API = generation order, which is what "oldest" means for pruning by count.
  readonly #byApi = new Map<string, ArchivedKey[]>();

  constructor(retention?: KeyRetention, now: () => bigint = () => BigInt(Date.now()) * 1_000_000n) {
    this.#retention = checkRetention(retention);
    this.#now = now;
  }

  put(entry: ArchivedKey): void {
    checkEntry(entry);
    const id = toHex(entry.keyId);
    if (this.#byId.has(id)) throw argumentError('keyId', 'a key id not yet stored', 'a duplicate');
    const stored = copy(entry);
    this.#byId.set(id, stored);
    const api = toHex(entry.apiId);
    const list = this.#byApi.get(api) ?? [];
    list.push(stored);
    this.#byApi.set(api, list);
    for (const old of keysToPrune(list, this.#retention, this.#now())) this.delete(old.keyId);
  }

  get(keyId: Uint8Array): ArchivedKey | undefined {
    const e = this.#byId.get(toHex(keyId));
    return e === undefined ? undefined : copy(e);
  }

  delete(keyId: Uint8Array): boolean {
    const id = toHex(keyId);
    const e = this.#byId.get(id);
    if (e === undefined) return false;
    this.#byId.delete(id);
    const api = toHex(e.apiId);
    const list = (this.#byApi.get(api) ?? []).filter((x) => x !== e);
    if (list.length === 0) this.#byApi.delete(api);
    else this.#byApi.set(api, list);
    e.key.fill(0);
    return true;
  }

  /** Number of keys held. */
  get size(): number {
    return this.#byId.size;
  }
}
