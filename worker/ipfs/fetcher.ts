/**
 * The IPFS fetcher of the xbrmm worker (docs/protocol.md#ipfs, done right; issue 7): downloads the files chain records
 * name, verified against their CIDs, with every attempt logged in `ipfs_files` and failed downloads retried.
 *
 * - Learning hashes: {@link IpfsFetcher.notify} after the chain monitor wrote market / catalog / API / member
 *   records, and a catch-up scan of those tables at start (records replicated while no fetcher ran). A hash
 *   that is not an accepted CID is recorded `invalid` and never fetched.
 * - Attempts: each pending file when its `next_retry_at` comes (the schedule is the DB's, so it survives
 *   restarts), at most `concurrency` at once. Success: content stored atomically as `<directory>/<CIDv1
 *   base32>`, descriptions parsed and put on the referring records in the same write. Failure: retried with
 *   backoff (`backoff.ts`) or recorded for good (`malformed`, `too_large`).
 * - Never throws into the worker: every download, parse or storage failure is recorded and logged with the
 *   hash and its refs.
 *
 * @example
 * const fetcher = new IpfsFetcher({ db: workerDb, config: extra.ipfs, log });
 * await fetcher.start();
 * fetcher.notify([{ kind: 'catalog', id: catalogOid }]);
 * // …
 * await fetcher.stop();
 */
import { create } from 'kubo-rpc-client';
import type { IpfsConfig } from '../../config/index.js';
import { msToNs, nsToMs } from '../../schema/codec/index.js';
import type { IpfsFile, WorkerDb } from '../../schema/db/index.js';
import { WampError, WampErrorUri, isError } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import { XbrErrorUri, CrossbarErrorUri } from '../../schema/index.js';
import { retryDelayMs } from './backoff.js';
import { checkCid } from './cid.js';
import { describeTurtle, type TurtleDescription } from './describe.js';
import { applyDescriptions, loadDescriptions } from './descriptions.js';
import { downloadVerified, type BlockSource } from './download.js';
import { afterFailure, rescheduled, stored } from './file-log.js';
import { lacksDescription, learnRecord } from './learn.js';
import { allRecords, describedRecords, fileKey, readRecord, refText, sameRef, shownHash, type RecordRef } from './refs.js';
import { ipfsStatus, type IpfsStatusReport } from './status.js';
import { Scheduler } from './schedule.js';
import { ensureDirectory, isStored, readStored, removeStaleTemps, writeAtomically } from './store.js';

export interface IpfsFetcherOptions {
  db: WorkerDb;
  /** `options.extra.ipfs` (validated: absolute directory, ms timeouts, byte limit). */
  config: IpfsConfig;
  log: Logger;
  /** Where blocks come from; default kubo-rpc-client on `config.url`. Tests put a proxy here only to observe. */
  blocks?: BlockSource;
  /** Clock (epoch ms) and jitter source, injectable for tests. */
  now?: () => number;
  random?: () => number;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class IpfsFetcher {
  private readonly db: WorkerDb;
  private readonly config: IpfsConfig;
  private readonly log: Logger;
  private readonly blocks: BlockSource;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly scheduler: Scheduler;
  /** Description refreshes under way (awaited by stop). */
  private readonly background = new Set<Promise<void>>();
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: IpfsFetcherOptions) {
    this.db = options.db;
    this.config = options.config;
    this.log = options.log.child({ component: 'ipfs-fetcher' });
    this.blocks = options.blocks ?? create({ url: options.config.url }).block;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.scheduler = new Scheduler({
      concurrency: options.config.concurrency,
      now: this.now,
      run: (key, signal) => this.attempt(key, signal),
      onRunError: (key, err) => this.log.error('IPFS download attempt failed unexpectedly', { file_hash: key, error: err as Error }),
    });
  }

  /**
   * Prepares the directory, adds the hashes of records replicated while no fetcher ran, schedules every
   * pending file at its `next_retry_at`, and starts downloading. Throws only when the directory cannot be
   * created or the DB cannot be read (the worker then does not start).
   */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    await ensureDirectory(this.config.directory);
    const stale = await removeStaleTemps(this.config.directory);
    if (stale > 0) this.log.info('removed temp files of interrupted downloads', { count: stale });

    const refresh: RecordRef[] = [];
    const now = this.now();
    const added = this.db.env.writeSync(() => {
      let n = 0;
      for (const r of allRecords(this.db)) {
        n += learnRecord(this.db, r, r.rec, msToNs(now), this.log).added;
        if (lacksDescription(this.db, r, r.rec)) refresh.push({ kind: r.kind, id: r.id });
      }
      return n;
    });

    let pending = 0;
    const reschedule: string[] = [];
    for (const { value: f } of this.db.ipfsFiles.range()) {
      if (f.status === 'pending') {
        this.scheduler.schedule(f.file_hash, f.next_retry_at === undefined ? now : nsToMs(f.next_retry_at));
        pending++;
      } else if (f.status === 'too_large' && (f.size_limit ?? 0) < this.config.max_size) {
        reschedule.push(f.file_hash); // the limit grew since it was refused
      } else if (f.status === 'downloaded' && (f.path === undefined || !(await isStored(this.config.directory, f.path)))) {
        this.log.warn('IPFS file recorded as downloaded is missing from the directory; fetching it again', { file_hash: f.file_hash, path: f.path });
        reschedule.push(f.file_hash);
      }
    }
    this.scheduleNow(reschedule, now);
    this.state = 'running';
    this.scheduler.start();
    if (refresh.length > 0) this.track(this.refresh(refresh));
    this.log.info('IPFS fetcher started', {
      url: this.config.url,
      directory: this.config.directory,
      new_hashes: added,
      pending: pending + reschedule.length,
      concurrency: this.config.concurrency,
    });
  }

  /** Aborts running downloads and waits for them and for description updates; nothing runs afterwards. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    await this.scheduler.stop();
    await Promise.allSettled([...this.background]);
  }

  /**
   * The chain monitor wrote these records: learns the hashes they name (new ones are fetched now) and puts
   * descriptions whose files are already here on them. Never throws (a failure is logged).
   */
  notify(records: readonly RecordRef[]): void {
    if (this.state === 'stopped' || records.length === 0) return;
    try {
      const now = this.now();
      const refresh: RecordRef[] = [];
      const due: string[] = [];
      this.db.env.writeSync(() => {
        for (const r of records) {
          const rec = readRecord(this.db, r);
          if (rec === undefined) continue;
          due.push(...learnRecord(this.db, r, rec, msToNs(now), this.log).due);
          if (lacksDescription(this.db, r, rec)) refresh.push(r);
        }
      });
      // Scheduled once committed, so an attempt never looks for a record that is not there.
      for (const key of due) this.scheduler.schedule(key, now);
      if (refresh.length > 0) this.track(this.refresh(refresh));
    } catch (err) {
      this.log.error('IPFS fetcher could not record the hashes of replicated records', { records: records.map((r) => `${r.kind}:0x${Buffer.from(r.id).toString('hex')}`), error: err as Error });
    }
  }

  /** Counts by status, running attempts and the soonest retries (`get_ipfs_status`). */
  status(limit = 10): IpfsStatusReport {
    return ipfsStatus(this.db, { active: this.scheduler.active, waiting: this.scheduler.waiting, limit });
  }

  /** Retries so far of the files still pending (the metrics' `xbr_ipfs_retries`). */
  pendingRetries(): number {
    let n = 0;
    for (const { value: f } of this.db.ipfsFiles.range()) if (f.status === 'pending') n += f.retries;
    return n;
  }

  /**
   * Tries `fileHash` now (pending, malformed or too large, or downloaded but missing from disk), or — when
   * left out — every pending file now. Resolves with how many were scheduled.
   *
   * @throws WampError `crossbar.error.no_such_object` for a hash never seen, `wamp.error.invalid_argument`
   *   for one recorded `invalid`.
   */
  async retryNow(fileHash?: string): Promise<number> {
    if (this.state === 'stopped') return 0;
    const now = this.now();
    const keys: string[] = [];
    if (fileHash === undefined) {
      for (const { value: f } of this.db.ipfsFiles.range()) if (f.status === 'pending') keys.push(f.file_hash);
    } else {
      if (fileHash === '') throw new WampError(WampErrorUri.invalidArgument, 'file_hash: expected an IPFS hash, got an empty string');
      const key = fileKey(fileHash);
      const f = this.db.ipfsFiles.get(key);
      if (f === undefined) throw new WampError(CrossbarErrorUri.noSuchObject, `no IPFS file ${shownHash(fileHash)} is known (no replicated record names it)`);
      if (f.status === 'invalid') throw new WampError(WampErrorUri.invalidArgument, `file_hash: ${f.last_error ?? 'not an accepted CID'}; it is never fetched`);
      const lost = f.status === 'downloaded' && (f.path === undefined || !(await isStored(this.config.directory, f.path)));
      if (f.status !== 'downloaded' || lost) keys.push(key);
    }
    this.scheduleNow(keys, now);
    if (keys.length > 0) this.log.info('IPFS downloads scheduled now on request', { count: keys.length, ...(fileHash === undefined ? {} : { file_hash: shownHash(fileHash) }) });
    return keys.length;
  }

  /** The verified content of `fileHash` once downloaded (also when it did not parse as a description), else undefined. */
  async content(fileHash: string): Promise<Uint8Array | undefined> {
    if (fileHash === '') return undefined;
    const f = this.db.ipfsFiles.get(fileKey(fileHash));
    if (f === undefined || !f.downloaded || f.path === undefined) return undefined;
    return readStored(this.config.directory, f.path);
  }

  /** Marks `keys` due at `now` in the log (one write), then schedules them. */
  private scheduleNow(keys: readonly string[], now: number): void {
    if (keys.length === 0) return;
    this.db.env.writeSync(() => {
      for (const key of keys) {
        const f = this.db.ipfsFiles.get(key);
        if (f !== undefined) this.db.ipfsFiles.put(key, rescheduled(f, msToNs(now)));
      }
    });
    for (const key of keys) this.scheduler.schedule(key, now);
  }

  /** Re-reads the stored description files of `targets` and puts the descriptions on them. */
  private async refresh(targets: readonly RecordRef[]): Promise<void> {
    try {
      const parsed = await loadDescriptions(this.db, this.config.directory, targets);
      const now = msToNs(this.now());
      const changed = this.db.env.writeSync(() => applyDescriptions(this.db, targets, parsed, now));
      if (changed > 0) this.log.debug('descriptions put on replicated records', { records: changed });
    } catch (err) {
      this.log.error('IPFS fetcher could not put descriptions on records', { error: err as Error });
    }
  }

  private track(p: Promise<void>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /** One download attempt of `key` (run by the scheduler). Records the outcome; never throws. */
  private async attempt(key: string, signal: AbortSignal): Promise<void> {
    const rec = this.db.ipfsFiles.get(key);
    if (rec === undefined || rec.status !== 'pending') return;
    const check = checkCid(rec.file_hash);
    if (!check.ok) return; // recorded invalid when first seen; a pending record always holds an accepted CID
    const refs = (rec.refs ?? []).map(refText);
    const started = this.now();
    let bytes: Uint8Array;
    try {
      bytes = await downloadVerified(this.blocks, check.cid, { timeoutMs: this.config.timeout, maxSize: this.config.max_size, signal });
    } catch (err) {
      this.failed(key, err, refs);
      return;
    }
    try {
      const path = await writeAtomically(this.config.directory, check.fileName, bytes);
      const current = this.db.ipfsFiles.get(key) ?? rec;
      const targets = describedRecords(current.refs);
      let parsedHere: TurtleDescription | null = null;
      let parseError: string | undefined;
      if (targets.length > 0) {
        try {
          parsedHere = describeTurtle(bytes, `ipfs://${path}/`);
        } catch (err) {
          parseError = errorText(err);
        }
      }
      const parsed = await loadDescriptions(this.db, this.config.directory, targets, new Map([[current.file_hash, parsedHere]]));
      const now = msToNs(this.now());
      const late = this.db.env.writeSync(() => {
        const f = this.db.ipfsFiles.get(key) ?? current;
        this.db.ipfsFiles.put(key, stored(f, { size: bytes.length, path, ...(parseError === undefined ? {} : { parseError }) }, now));
        applyDescriptions(this.db, targets, parsed, now);
        // Refs added while this attempt ran get their descriptions in a refresh.
        return describedRecords((f.refs ?? []).filter((r) => !(current.refs ?? []).some((c) => sameRef(c, r))));
      });
      if (late.length > 0) this.track(this.refresh(late));
      if (parseError !== undefined) {
        this.log.warn('IPFS file is not a Turtle description; recorded as malformed', { file_hash: key, refs, path, error: parseError });
      } else {
        this.log.info('IPFS file downloaded and verified', { file_hash: key, refs, path, size: bytes.length, ms: this.now() - started });
      }
    } catch (err) {
      this.failed(key, err, refs);
    }
  }

  /** Records a failed attempt: a retry at the backoff time, or a final status. */
  private failed(key: string, err: unknown, refs: string[]): void {
    if (isError(err, XbrErrorUri.ipfsAborted)) return; // stopping: the schedule stays as it was
    const message = errorText(err);
    try {
      const nowMs = this.now();
      const policy = { initialMs: this.config.retry_initial, maxMs: this.config.retry_max };
      const next = this.db.env.writeSync((): IpfsFile | undefined => {
        const f = this.db.ipfsFiles.get(key);
        if (f === undefined) return undefined;
        const out = afterFailure(f, err, { nowMs, delayMs: retryDelayMs(policy, f.retries + 1, this.random), maxSize: this.config.max_size });
        this.db.ipfsFiles.put(key, out);
        return out;
      });
      if (next === undefined) return;
      const fields = { file_hash: key, refs, retries: next.retries, error: message, uri: err instanceof WampError ? err.uri : undefined };
      if (next.status === 'pending' && next.next_retry_at !== undefined) {
        const at = nsToMs(next.next_retry_at);
        this.scheduler.schedule(key, at);
        this.log.warn('IPFS download failed; retrying later', { ...fields, retry_in_ms: at - nowMs });
      } else {
        this.log.warn(`IPFS download failed for good (${next.status})`, fields);
      }
    } catch (dbErr) {
      this.log.error('IPFS fetcher could not record a failed download', { file_hash: key, refs, error: message, db_error: dbErr as Error });
    }
  }
}
