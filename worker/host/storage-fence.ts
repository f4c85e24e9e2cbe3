/**
 * Fail closed, and recover by itself, when a maker's DB refuses a write (disk full, I/O error;
 * docs/protocol.md#ledger-rules). From the first refused commit on, the maker serves nothing but `status` and
 * `get_status`: every other call is refused with `xbr.error.storage` naming the DB and the cause, before it
 * reads or writes anything, and the maker's status is FAILED with that error (so `/ready` says why). A purchase
 * whose reserve committed but whose resolve did not is left INFLIGHT by the failed commit; it is refunded here,
 * as at a start, before anything is served again.
 *
 * Why the worker does not exit instead: the controller would restart it into the same full disk, each start
 * failing on the refund of that INFLIGHT purchase, until `max_restarts` makes the whole node give up — and a
 * node that gave up does not notice that space came back. Here the worker stays up and checks, with a backoff,
 * whether the DB takes a write again (`DbEnv.probeWrite`: its free-space reserve, then a real commit); once it
 * does and the interrupted purchases are refunded, the maker is RUNNING again.
 */
import type { DbEnv } from '../../schema/db/index.js';
import { MarketMakerProcedure, storageError, toWampError, XbrErrorUri, type Logger, type WampError } from '../../schema/index.js';
import { backoffDelay, sleep } from '../../process/index.js';

/** Answered while the DB cannot be written: they read no ledger, and say that the maker is FAILED. */
const SERVED_WHILE_FENCED: ReadonlySet<string> = new Set([MarketMakerProcedure.status, MarketMakerProcedure.getStatus]);
/**
 * Calls whose end the refund waits for: only a purchase leaves a reservation INFLIGHT while it runs (others may
 * wait on the chain for minutes, and nothing of theirs is refunded).
 */
const DRAINED: ReadonlySet<string> = new Set([MarketMakerProcedure.buyKey]);

/** The probe's scratch write: a few group commits' worth of pages (the free-space reserve is checked first). */
const DEFAULT_PROBE_BYTES = 64 * 1024;
/** Checks of the DB: first after 0.5 s, then doubling up to every 5 s. */
const DEFAULT_RETRY = { initialMs: 500, maxMs: 5000 } as const;

export interface StorageFenceOptions {
  /** Who is fenced, for messages (`market maker maker1`). */
  readonly what: string;
  readonly env: Pick<DbEnv, 'path' | 'probeWrite'>;
  /**
   * Settles what refused writes left half done (refunds INFLIGHT purchases) once no purchase is running; resolves
   * with how many it settled, throws while the DB still cannot be written.
   */
  readonly recover: () => Promise<number>;
  /** Called with the failure when the fence closes, with undefined when it opens again. */
  readonly onChange: (failure: WampError | undefined) => void;
  readonly log: Logger;
  /** Ends the checks (the maker stops). */
  readonly signal: AbortSignal;
  readonly probeBytes?: number;
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
}

export class StorageFence {
  private failure: WampError | undefined;
  private since = 0;
  /** Purchases admitted and not finished: their resolves must be over before interrupted purchases are refunded. */
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private checks: Promise<void> = Promise.resolve();

  constructor(private readonly o: StorageFenceOptions) {}

  /** Why the maker does not serve, or undefined while it does. */
  get failed(): WampError | undefined {
    return this.failure;
  }

  /** The DB refused a write: from now on only {@link SERVED_WHILE_FENCED} is served, until a check succeeds. */
  trip(err: WampError): void {
    if (this.failure !== undefined || this.o.signal.aborted) return;
    this.failure = err;
    this.since = Date.now();
    this.o.log.error('the database cannot be written: serving nothing until it can again (fail closed)', { path: this.o.env.path, error_uri: err.uri, error: err.message });
    this.o.onChange(err);
    this.checks = this.checkUntilWritable();
  }

  /**
   * Admits a call of `uri`, or throws the refusal (`xbr.error.storage`) while the DB cannot be written. The
   * returned function must be called when the call has finished.
   */
  admit(uri: string): () => void {
    if (SERVED_WHILE_FENCED.has(uri)) return () => undefined;
    const failure = this.failure;
    if (failure !== undefined) {
      throw storageError(`${this.o.what} is not serving until its database can be written again; this call changed nothing, ask again later: ${failure.message}`, { ...failure.kwargs, path: this.o.env.path });
    }
    if (!DRAINED.has(uri)) return () => undefined;
    this.running++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.running > 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    };
  }

  /** Resolves once the checks started by the last trip ended (the DB is writable again, or the signal aborted). */
  settled(): Promise<void> {
    return this.checks;
  }

  private idle(): Promise<void> {
    if (this.running === 0 || this.o.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.o.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  private async checkUntilWritable(): Promise<void> {
    const { initialMs, maxMs } = this.o.retry ?? DEFAULT_RETRY;
    const signal = this.o.signal;
    for (let attempt = 1; ; attempt++) {
      await sleep(backoffDelay(initialMs, maxMs, attempt), signal);
      // Purchases admitted before the failure end within their own deadlines (a seller call's, at most).
      await this.idle();
      if (signal.aborted) return;
      let settled: number;
      try {
        this.o.env.probeWrite(this.o.probeBytes ?? DEFAULT_PROBE_BYTES);
        settled = await this.o.recover();
      } catch (err) {
        const e = toWampError(err, XbrErrorUri.storage);
        // One line per minute or so at the longest delay: enough to see that it still tries, and why not yet.
        if (attempt <= 3 || attempt % 12 === 0) this.o.log.warn('the database still cannot be written', { path: this.o.env.path, attempt, error_uri: e.uri, error: e.message });
        continue;
      }
      const downMs = Date.now() - this.since;
      this.failure = undefined;
      this.o.log.info('the database can be written again: serving again', { path: this.o.env.path, attempts: attempt, down_ms: downMs, purchases_refunded: settled });
      this.o.onChange(undefined);
      return;
    }
  }
}
