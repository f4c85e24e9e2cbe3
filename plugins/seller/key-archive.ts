/**
 * The seller's persistent key archive: every data key a key series generated, so keys of data already
 * published can still be sold after a restart. A small LMDB environment of its own (it is neither a maker
 * nor a worker DB, so `schema/db` does not open it) with three sub-databases:
 *
 * - `meta`  — `format`, `version`, `next_seq`, and `check`: a secretbox under the archive key, used to tell
 *             "opened with another delegate key" (refused loudly) apart from a damaged record;
 * - `keys`  — keyId(16) → seq(8) ‖ created(8) ‖ apiId(16) ‖ sealed record (see `archive-crypto.ts`);
 * - `order` — apiId(16) ‖ seq(8) → keyId(16) ‖ created(8): generation order per API, for retention.
 *
 * Every write is one synchronous, fsynced transaction (`overlappingSync` off), so a key is on disk before
 * its offer can be placed. Retention is applied to the key's API on every `put`, and to all APIs on open.
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { argumentError, describe, expectBytes, formatUuid, type Uuid } from '../../schema/codec/index.js';
import { XbrErrorUri, storageError } from '../../schema/index.js';
import { WampError } from '../../schema/index.js';
import { checkOpens, deriveArchiveKey, openRecord, sealCheck, sealRecord, SEALED_RECORD_BYTES } from './archive-crypto.js';
import { checkEntry, checkRetention, keysToPrune, type ArchivedKey, type KeyRetention, type KeyStore } from './key-store.js';

const FORMAT = 'xbr-edge/seller-key-archive';
const VERSION = 1;
const DEFAULT_MAP_SIZE = 64 * 2 ** 20;
const VALUE_BYTES = 8 + 8 + 16 + SEALED_RECORD_BYTES;

export interface KeyArchiveOptions {
  /** Directory of the LMDB environment (created if missing). */
  path: string;
  /** The delegate's 32-byte private key; the archive key is derived from it. */
  delegateKey: Uint8Array;
  /** Bounds the archive per API; default: keep everything. */
  retention?: KeyRetention | undefined;
  /** Clock for retention by age, ns since the epoch (tests pass a fake one). */
  now?: (() => bigint) | undefined;
  /** LMDB map size in bytes; default 64 MiB (≈ 400k keys). */
  mapSize?: number | undefined;
}

interface Entry {
  keyId: Buffer;
  seq: bigint;
  created: bigint;
}

const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function orderKey(apiId: Uint8Array, seq: bigint): Buffer {
  const k = Buffer.alloc(24);
  k.set(apiId, 0);
  k.writeBigUInt64BE(seq, 16);
  return k;
}

/**
 * A persistent, encrypted-at-rest {@link KeyStore}.
 * @example
 * const archive = await KeyArchive.open({ path: './seller-keys', delegateKey, retention: { maxKeys: 1000 } });
 * const series = new KeySeries({ apiId, price, interval: 60, store: archive, onRotate });
 */
export class KeyArchive implements KeyStore {
  readonly path: string;
  readonly #root: RootDatabase;
  readonly #meta: Database<unknown, string>;
  readonly #keys: Database<Buffer, Buffer>;
  readonly #order: Database<Buffer, Buffer>;
  readonly #archiveKey: Uint8Array;
  readonly #retention: KeyRetention;
  readonly #now: () => bigint;
  #closed = false;

  private constructor(path: string, root: RootDatabase, archiveKey: Uint8Array, retention: KeyRetention, now: () => bigint) {
    this.path = path;
    this.#root = root;
    this.#meta = root.openDB<unknown, string>('meta', {});
    this.#keys = root.openDB<Buffer, Buffer>('keys', { keyEncoding: 'binary', encoding: 'binary' });
    this.#order = root.openDB<Buffer, Buffer>('order', { keyEncoding: 'binary', encoding: 'binary' });
    this.#archiveKey = archiveKey;
    this.#retention = retention;
    this.#now = now;
  }

  /**
   * Opens (or creates) the archive and applies the retention.
   * @throws WampError `xbr.error.key_archive_wrong_secret` when it was written under another delegate key;
   *   `xbr.error.storage_schema` when the directory holds something else or a newer format;
   *   `xbr.error.storage` when LMDB fails; `wamp.error.invalid_argument` for bad options
   */
  static async open(options: KeyArchiveOptions): Promise<KeyArchive> {
    if (typeof options.path !== 'string' || options.path === '') throw argumentError('path', 'a directory path', describe(options.path));
    const retention = checkRetention(options.retention);
    const mapSize = options.mapSize ?? DEFAULT_MAP_SIZE;
    if (!Number.isSafeInteger(mapSize) || mapSize < 2 ** 17) throw argumentError('mapSize', 'an integer ≥ 131072', String(mapSize));
    const archiveKey = deriveArchiveKey(options.delegateKey);
    let root: RootDatabase;
    try {
      root = open({ path: options.path, mapSize, maxDbs: 4, overlappingSync: false });
    } catch (err) {
      archiveKey.fill(0);
      throw storageError(`cannot open key archive ${options.path}: ${err instanceof Error ? err.message : String(err)}`, { path: options.path }, err);
    }
    try {
      // Checked before opening our sub-databases, which would create them inside someone else's DB.
      const foreign = [...root.getKeys()].map(String).filter((k) => !['meta', 'keys', 'order'].includes(k));
      if (foreign.length > 0) {
        throw new WampError(XbrErrorUri.storageSchema, `key archive ${options.path} holds other databases (${foreign.slice(0, 3).join(', ')}); not a key archive`, { kwargs: { path: options.path } });
      }
      const archive = new KeyArchive(options.path, root, archiveKey, retention, options.now ?? (() => BigInt(Date.now()) * 1_000_000n));
      archive.#checkOrInitMeta();
      archive.prune();
      return archive;
    } catch (err) {
      archiveKey.fill(0);
      await root.close().catch(() => undefined);
      if (err instanceof WampError) throw err;
      throw storageError(`cannot open key archive ${options.path}: ${err instanceof Error ? err.message : String(err)}`, { path: options.path }, err);
    }
  }

  #checkOrInitMeta(): void {
    const format = this.#meta.get('format');
    if (format === undefined) {
      if (this.#keys.getKeysCount() > 0 || this.#meta.get('schema_version') !== undefined) {
        throw this.#schemaError('holds other data and no format record; not a key archive');
      }
      this.#root.transactionSync(() => {
        this.#meta.putSync('format', FORMAT);
        this.#meta.putSync('version', VERSION);
        this.#meta.putSync('next_seq', 0);
        this.#meta.putSync('check', sealCheck(this.#archiveKey));
      });
      return;
    }
    if (format !== FORMAT) throw this.#schemaError(`is not a seller key archive (format ${JSON.stringify(format)})`);
    const version = this.#meta.get('version');
    if (version !== VERSION) throw this.#schemaError(`has version ${String(version)}, this build reads version ${VERSION}`);
    const check = this.#meta.get('check');
    if (!(check instanceof Uint8Array) || !checkOpens(this.#archiveKey, check)) {
      throw new WampError(
        XbrErrorUri.keyArchiveWrongSecret,
        `key archive ${this.path} was written under a different delegate key; refusing to open it (its keys cannot be decrypted with this one)`,
        { kwargs: { path: this.path } },
      );
    }
  }

  #schemaError(message: string): WampError {
    return new WampError(XbrErrorUri.storageSchema, `key archive ${this.path} ${message}`, { kwargs: { path: this.path } });
  }

  #assertOpen(): void {
    if (this.#closed) throw storageError(`key archive ${this.path} is closed`, { path: this.path });
  }

  #write<T>(fn: () => T): T {
    try {
      return this.#root.transactionSync(fn);
    } catch (err) {
      if (err instanceof WampError) throw err;
      throw storageError(`key archive ${this.path}: write failed: ${err instanceof Error ? err.message : String(err)}`, { path: this.path }, err);
    }
  }

  /**
   * Stores a fresh key durably (on disk when this returns), then prunes the key's API.
   * @throws WampError `wamp.error.invalid_argument` for bad fields or a key id already stored;
   *   `xbr.error.storage` when the write fails
   */
  put(entry: ArchivedKey): void {
    this.#assertOpen();
    checkEntry(entry);
    const sealed = sealRecord(this.#archiveKey, entry.keyId, entry.apiId, entry.created, entry.key);
    this.#write(() => {
      const id = buf(entry.keyId);
      if (this.#keys.get(id) !== undefined) throw argumentError('keyId', 'a key id not yet stored', `${formatUuid(entry.keyId)} (a duplicate)`);
      const seq = BigInt((this.#meta.get('next_seq') as number | undefined) ?? 0);
      const value = Buffer.alloc(VALUE_BYTES);
      value.writeBigUInt64BE(seq, 0);
      value.writeBigUInt64BE(entry.created, 8);
      value.set(entry.apiId, 16);
      value.set(sealed, 32);
      const index = Buffer.alloc(24);
      index.set(entry.keyId, 0);
      index.writeBigUInt64BE(entry.created, 16);
      this.#meta.putSync('next_seq', Number(seq + 1n));
      this.#keys.putSync(id, value);
      this.#order.putSync(orderKey(entry.apiId, seq), index);
      this.#pruneApi(buf(entry.apiId));
    });
  }

  /**
   * The key with this id, or undefined when unknown or pruned.
   * @throws WampError `xbr.error.storage` when the stored record does not verify (damaged or tampered)
   */
  get(keyId: Uint8Array): ArchivedKey | undefined {
    this.#assertOpen();
    expectBytes('keyId', keyId, 16);
    const value = this.#keys.get(buf(keyId));
    if (value === undefined) return undefined;
    const v = Buffer.from(value);
    const created = v.length === VALUE_BYTES ? v.readBigUInt64BE(8) : 0n;
    const apiId = new Uint8Array(v.subarray(16, 32)) as Uuid;
    const key = v.length === VALUE_BYTES ? openRecord(this.#archiveKey, v.subarray(32), keyId, apiId, created) : undefined;
    if (key === undefined) {
      throw storageError(`key archive ${this.path}: the record of key ${formatUuid(keyId)} does not verify (damaged or tampered)`, { path: this.path, key_id: formatUuid(keyId) });
    }
    return { keyId: new Uint8Array(keyId) as Uuid, apiId, key, created };
  }

  /** Forgets a key; true when it was there. */
  delete(keyId: Uint8Array): boolean {
    this.#assertOpen();
    expectBytes('keyId', keyId, 16);
    return this.#write(() => {
      const id = buf(keyId);
      const value = this.#keys.get(id);
      if (value === undefined) return false;
      const v = Buffer.from(value);
      this.#keys.removeSync(id);
      if (v.length >= 32) this.#order.removeSync(orderKey(v.subarray(16, 32), v.readBigUInt64BE(0)));
      return true;
    });
  }

  /** Ids of the API's stored keys, oldest first. */
  keyIds(apiId: Uint8Array): Uuid[] {
    this.#assertOpen();
    expectBytes('apiId', apiId, 16);
    return this.#entries(buf(apiId)).map((e) => new Uint8Array(e.keyId) as Uuid);
  }

  /** Number of stored keys (all APIs). */
  get size(): number {
    this.#assertOpen();
    return this.#keys.getKeysCount();
  }

  /** Applies the retention to every API (or only `apiId`); returns how many keys were removed. */
  prune(apiId?: Uint8Array): number {
    this.#assertOpen();
    if (this.#retention.maxKeys === undefined && this.#retention.maxAgeSeconds === undefined) return 0;
    return this.#write(() => {
      if (apiId !== undefined) return this.#pruneApi(buf(expectBytes('apiId', apiId, 16)));
      const apis = new Map<string, Buffer>();
      for (const key of this.#order.getKeys({})) apis.set(key.subarray(0, 16).toString('hex'), Buffer.from(key.subarray(0, 16)));
      let removed = 0;
      for (const api of apis.values()) removed += this.#pruneApi(api);
      return removed;
    });
  }

  #entries(apiId: Buffer): Entry[] {
    const out: Entry[] = [];
    for (const { key, value } of this.#order.getRange({ start: orderKey(apiId, 0n), end: orderKey(apiId, 2n ** 64n - 1n) })) {
      out.push({ seq: key.readBigUInt64BE(16), keyId: Buffer.from(value.subarray(0, 16)), created: value.readBigUInt64BE(16) });
    }
    return out;
  }

  // Runs inside a write transaction.
  #pruneApi(apiId: Buffer): number {
    if (this.#retention.maxKeys === undefined && this.#retention.maxAgeSeconds === undefined) return 0;
    const drop = keysToPrune(this.#entries(apiId), this.#retention, this.#now());
    for (const e of drop) {
      this.#keys.removeSync(e.keyId);
      this.#order.removeSync(orderKey(apiId, e.seq));
    }
    return drop.length;
  }

  /** Closes the environment and wipes the archive key from memory. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#archiveKey.fill(0);
    await this.#root.close();
  }
}
