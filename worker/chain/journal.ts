/**
 * The durable broadcast journal: every transaction the sender signs is recorded as *open* (with its
 * hash and raw signed bytes) before it is broadcast, and *closed* with its outcome afterwards. After a
 * crash, the open entries are exactly the transactions whose fate is unknown (see `recover.ts`).
 *
 * It is its own small LMDB environment (not a maker/worker DB): `schema/db`'s `openDbEnv` only opens
 * the kinds `maker` and `worker`, and schema/ is not ours to extend, so this file opens lmdb directly
 * with the same durability settings — `overlappingSync: false`, never `noSync`, and every write awaited
 * until its batch is committed and fsynced. Its `meta` table says `kind: 'chain-journal'`,
 * `schema_version: 1`; any other content is refused (`xbr.error.storage_schema`).
 *
 * Sub-databases (binary keys): `broadcasts` (id 16 B → {@link JournalEntry}, msgpack with bigints) and
 * `open` (id → empty; the ids of open entries).
 */
import { open, type Database, type DatabaseOptions, type RootDatabase } from 'lmdb';
import { WampError, XbrErrorUri } from '../../schema/index.js';
import { storageError } from '../../schema/db/index.js';

const JOURNAL_KIND = 'chain-journal';
const JOURNAL_SCHEMA_VERSION = 1;

/** How a closed entry ended. */
export type JournalOutcome =
  /** mined with status 1 */
  | 'mined'
  /** mined with status 0 (reverted) */
  | 'failed'
  /** never mined; another transaction of the sender used its nonce */
  | 'replaced'
  /** the node refused it and does not know it; its nonce was not used */
  | 'rejected'
  /** found on neither chain nor node at recovery and not rebroadcast; its nonce was not used */
  | 'dropped';

/** One broadcast. Field names are snake_case like the other records. */
export interface JournalEntry {
  /** 16 bytes. */
  id: Uint8Array;
  state: 'open' | 'closed';
  chain_id: bigint;
  from: string;
  to: string | null;
  data: string;
  value: bigint;
  nonce: number;
  gas_limit: bigint;
  /** EIP-1559 fees, or `gas_price` for a legacy transaction. */
  max_fee_per_gas?: bigint;
  max_priority_fee_per_gas?: bigint;
  gas_price?: bigint;
  /** Hash of the signed transaction, known before broadcast. */
  tx_hash: string;
  /** The signed transaction (hex), so recovery can rebroadcast it. */
  raw: string;
  /** Caller's label for logs (e.g. `closeChannel`). */
  label?: string;
  /** Opened, ns since the epoch. */
  created: bigint;
  outcome?: JournalOutcome;
  /** Receipt status (1 success, 0 reverted) when mined. */
  status?: number;
  block_number?: number;
  block_hash?: string;
  gas_used?: bigint;
  /** Error text for `rejected`, or what replaced it. */
  error?: string;
  /** Closed, ns since the epoch. */
  closed?: bigint;
}

/** What a close adds to an entry. */
export type JournalClose = Pick<JournalEntry, 'outcome'> & Partial<Pick<JournalEntry, 'status' | 'block_number' | 'block_hash' | 'gas_used' | 'error'>>;

/** Now in ns since the epoch. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function idKey(id: Uint8Array): Buffer {
  if (id.length !== 16) throw storageError(`journal id must be 16 bytes, got ${id.length}`);
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength);
}

function wrap(err: unknown, what: string): WampError {
  if (err instanceof WampError) return err;
  return storageError(`broadcast journal: ${what}: ${err instanceof Error ? err.message : String(err)}`, {}, err);
}

/**
 * An open broadcast journal.
 * @example
 * const journal = await BroadcastJournal.open('./mm1-journal');
 * await journal.recordOpen(entry);            // durable before broadcast
 * await journal.recordClose(entry.id, { outcome: 'mined', status: 1, block_number: 7, gas_used: 21000n });
 */
export class BroadcastJournal {
  readonly path: string;
  private readonly root: RootDatabase;
  private readonly entries: Database<JournalEntry, Buffer>;
  private readonly openIds: Database<Buffer, Buffer>;
  private closedEnv = false;

  private constructor(path: string, root: RootDatabase, entries: Database<JournalEntry, Buffer>, openIds: Database<Buffer, Buffer>) {
    this.path = path;
    this.root = root;
    this.entries = entries;
    this.openIds = openIds;
  }

  /** Opens (or creates) the journal at `path`. Throws `xbr.error.storage_schema` for a foreign DB. */
  static async open(path: string, options: { mapSize?: number } = {}): Promise<BroadcastJournal> {
    let root: RootDatabase;
    try {
      root = open({ path, mapSize: options.mapSize ?? 64 * 2 ** 20, maxDbs: 4, overlappingSync: false });
    } catch (err) {
      throw wrap(err, `cannot open ${path}`);
    }
    try {
      const meta = root.openDB<unknown, string>('meta', {});
      const kind = meta.get('kind');
      const version = meta.get('schema_version');
      if (kind === undefined && version === undefined) {
        root.transactionSync(() => {
          meta.putSync('kind', JOURNAL_KIND);
          meta.putSync('schema_version', JOURNAL_SCHEMA_VERSION);
        });
      } else if (kind !== JOURNAL_KIND || version !== JOURNAL_SCHEMA_VERSION) {
        throw new WampError(XbrErrorUri.storageSchema, `database ${path} is not a broadcast journal of schema_version ${JOURNAL_SCHEMA_VERSION}`, {
          kwargs: { path, kind, schema_version: version },
        });
      }
      const entries = root.openDB('broadcasts', { keyEncoding: 'binary', encoding: 'msgpack', useBigIntExtension: true } as DatabaseOptions) as unknown as Database<
        JournalEntry,
        Buffer
      >;
      const openIds = root.openDB('open', { keyEncoding: 'binary', encoding: 'binary' }) as unknown as Database<Buffer, Buffer>;
      return new BroadcastJournal(path, root, entries, openIds);
    } catch (err) {
      await root.close().catch(() => undefined);
      throw wrap(err, `cannot open ${path}`);
    }
  }

  /** Records `entry` as open; resolves once that is durable. Refuses an id already present. */
  async recordOpen(entry: JournalEntry): Promise<void> {
    const key = idKey(entry.id);
    const record: JournalEntry = { ...entry, state: 'open' };
    await this.write(() => {
      if (this.entries.get(key) !== undefined) throw new WampError(XbrErrorUri.storageDuplicate, 'broadcast journal: entry id already used', { kwargs: {} });
      this.entries.putSync(key, record);
      this.openIds.putSync(key, Buffer.alloc(0));
    }, 'open');
  }

  /** Closes the open entry `id` with `result`; resolves once durable. Returns the closed entry. */
  async recordClose(id: Uint8Array, result: JournalClose): Promise<JournalEntry> {
    const key = idKey(id);
    return this.write(() => {
      const current = this.entries.get(key);
      if (current === undefined) throw storageError('broadcast journal: no entry to close');
      const closed: JournalEntry = { ...current, ...result, state: 'closed', closed: nowNs() };
      this.entries.putSync(key, closed);
      this.openIds.removeSync(key);
      return closed;
    }, 'close');
  }

  /** The entry `id`, or undefined. */
  get(id: Uint8Array): JournalEntry | undefined {
    try {
      return this.entries.get(idKey(id));
    } catch (err) {
      throw wrap(err, 'read failed');
    }
  }

  /** The open entries, lowest nonce first. */
  openEntries(): JournalEntry[] {
    try {
      const out: JournalEntry[] = [];
      for (const key of this.openIds.getKeys({})) {
        const e = this.entries.get(Buffer.from(key));
        if (e === undefined) throw storageError('broadcast journal: open index points to a missing entry');
        out.push(e);
      }
      return out.sort((a, b) => a.nonce - b.nonce);
    } catch (err) {
      throw wrap(err, 'read failed');
    }
  }

  /** Every entry (tests, audits). */
  all(): JournalEntry[] {
    try {
      return [...this.entries.getRange({})].map(({ value }) => value);
    } catch (err) {
      throw wrap(err, 'read failed');
    }
  }

  /** Closes the environment (pending writes are committed first). */
  async close(): Promise<void> {
    if (this.closedEnv) return;
    this.closedEnv = true;
    await this.root.close();
  }

  private async write<T>(fn: () => T, what: string): Promise<T> {
    if (this.closedEnv) throw storageError('broadcast journal is closed');
    try {
      // childTransaction: runs in the next batched write transaction; resolves when that batch is
      // committed, which (overlappingSync off) means fsynced.
      return (await this.root.childTransaction(fn)) as T;
    } catch (err) {
      throw wrap(err, `${what} failed`);
    }
  }
}
