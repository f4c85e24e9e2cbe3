/**
 * Persistence of the dev chain (hardhat 2.29 / EDR has no dump or load of its state): every state-changing
 * JSON-RPC request goes into a journal (`devchain-journal.ts`) before it is answered, and a start replays the
 * journal into a fresh chain. The chain is deterministic given the same genesis (fixed `initialDate` in
 * `hardhat.config.cjs`, same accounts, chain id and hardfork) and the same requests with the same block
 * timestamps, so the replay rebuilds the same blocks (same hashes), contract addresses and state; the head
 * hash after the replay must equal the journal's last one, or the start fails.
 *
 * {@link JournalingProvider} wraps hardhat's EIP-1193 provider:
 * - a state-changing request ({@link classify}) runs alone (a read/write lock: no other request runs while it
 *   executes and is journaled), is executed, and is journaled — also when it failed but changed the chain (a
 *   reverted transaction is mined, and hardhat answers with an error) — with the timestamp of the first block
 *   it mined and the head after it; only then is it answered. Reads never see state that is not yet durable,
 *   and subscription notifications (eth_subscribe) are held back until the entry is durable.
 * - read-only requests are passed through (never journaled: the journal grows only with state changes).
 * - `evm_increaseTime` is journaled, not replayed: its sum is the chain clock's lead over the wall clock,
 *   restored after the replay (block timestamps are replayed explicitly). `evm_setNextBlockTimestamp` is not
 *   journaled: the block it applies to is, with its timestamp.
 * - requests a journal cannot reproduce are refused: `hardhat_reset` (start with `--fresh`, or delete the state
 *   directory, instead) and interval mining (`evm_setIntervalMining`: blocks no request asked for).
 */
import { EventEmitter } from 'node:events';
import { type JournalWriter, isNote, type JournalEntry, type NoteEntry, type RpcEntry } from './devchain-journal.js';

/** An EIP-1193 provider with the event methods hardhat's JSON-RPC server uses. */
export interface HardhatProvider {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
  addListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
}

type Kind = 'read' | 'write' | 'time' | 'refuse';

/** hardhat_* / evm_* methods that change nothing the chain's state depends on. */
const READ_ONLY = new Set([
  'hardhat_getAutomine',
  'hardhat_metadata',
  'hardhat_getStackTraceFailuresCount',
  'hardhat_addCompilationResult',
  'hardhat_setLoggingEnabled',
  'hardhat_setLedgerOutputEnabled',
  // applies to the next block, which is journaled with its timestamp
  'evm_setNextBlockTimestamp',
]);

/**
 * How a request is treated: `write` (journaled, replayed), `time` (journaled, summed), `refuse`, or `read`.
 * Every hardhat_* / evm_* method not known to be read-only counts as a write, so a method this list does not
 * know of is journaled rather than lost.
 */
export function classify(method: string, params: readonly unknown[]): Kind {
  if (method === 'eth_sendTransaction' || method === 'eth_sendRawTransaction') return 'write';
  if (method === 'evm_increaseTime') return 'time';
  if (method === 'hardhat_reset') return 'refuse';
  if (method === 'evm_setIntervalMining') {
    const p = params[0];
    return p === 0 || p === false || p === '0x0' ? 'read' : 'refuse';
  }
  if (method.startsWith('hardhat_') || method.startsWith('evm_')) return READ_ONLY.has(method) ? 'read' : 'write';
  return 'read';
}

/** A read/write lock, FIFO: reads run together, a write runs alone. */
class RwLock {
  private readers = 0;
  private writing = false;
  private readonly waiting: { write: boolean; grant: () => void }[] = [];

  private pump(): void {
    while (this.waiting.length > 0 && !this.writing) {
      const next = this.waiting[0]!;
      if (next.write) {
        if (this.readers > 0) return;
        this.waiting.shift();
        this.writing = true;
        next.grant();
        return;
      }
      this.waiting.shift();
      this.readers++;
      next.grant();
    }
  }

  async run<T>(write: boolean, fn: () => Promise<T>): Promise<T> {
    if (this.writing || this.waiting.length > 0 || (write && this.readers > 0)) {
      await new Promise<void>((grant) => {
        this.waiting.push({ write, grant });
      });
    } else if (write) this.writing = true;
    else this.readers++;
    try {
      return await fn();
    } finally {
      if (write) this.writing = false;
      else this.readers--;
      this.pump();
    }
  }
}

interface Head {
  number: number;
  hash: string;
}

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The JSON-RPC error of a refused request (`-32601`-like, as hardhat answers an unknown method). */
function refused(method: string): Error {
  const msg =
    method === 'hardhat_reset'
      ? 'hardhat_reset is refused on the persistent dev chain (its journal could not reproduce it): stop it and start with --fresh, or delete its state directory'
      : 'interval mining is refused on the persistent dev chain (its journal records the blocks requests mine): use automine or evm_mine';
  return Object.assign(new Error(msg), { code: -32004 });
}

/**
 * The journaling EIP-1193 provider (see the module comment). `head` is the chain's head when it is created
 * (after a replay); only journaled requests move it.
 */
export class JournalingProvider extends EventEmitter {
  private readonly lock = new RwLock();
  private head: Head;
  private closed = false;
  private broken: string | undefined;
  /** Notifications held back while a write is being journaled. */
  private held: [string, unknown[]][] | undefined;
  /** Its listeners on the inner provider (hardhat's, which outlives it). */
  private readonly forwarders: [string, (...args: unknown[]) => void][] = [];

  constructor(
    private readonly inner: HardhatProvider,
    private readonly journal: JournalWriter,
    head: Head,
  ) {
    super();
    this.head = head;
    for (const event of ['notification', 'message']) {
      const listener = (...args: unknown[]): void => {
        if (this.held !== undefined) this.held.push([event, args]);
        else this.emit(event, ...args);
      };
      inner.addListener?.(event, listener);
      this.forwarders.push([event, listener]);
    }
  }

  async request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown> {
    // After close() reads still pass (hardhat's server unsubscribes its WebSockets as they close); writes not.
    const params = args.params === undefined ? [] : args.params;
    if (!Array.isArray(params)) return this.inner.request(args); // hardhat rejects object params itself
    const kind = classify(args.method, params);
    if (kind === 'refuse') throw refused(args.method);
    if (kind === 'read') return this.lock.run(false, () => this.inner.request({ method: args.method, params }));
    return this.lock.run(true, () => this.write(args.method, params));
  }

  /** Appends a note (durably), ordered with the requests. */
  async note(name: string, value: unknown): Promise<void> {
    await this.lock.run(true, async () => {
      this.append({ note: name, value });
    });
  }

  /** Refuses every further change (reads still pass) and closes the journal (after the requests in flight). */
  async close(): Promise<void> {
    this.closed = true;
    for (const [event, listener] of this.forwarders.splice(0)) this.inner.removeListener?.(event, listener);
    await this.lock.run(true, async () => this.journal.close());
  }

  private append(entry: JournalEntry): void {
    if (this.broken !== undefined) throw new Error(`the dev chain journal cannot be written (${this.broken}): the chain refuses changes until it is restarted`);
    try {
      this.journal.append(entry);
    } catch (err) {
      // The chain moved on and the journal did not: nothing more may be answered as done.
      this.broken = errorMessage(err);
      throw new Error(`the dev chain journal cannot be written (${this.broken}): the change is not durable; the chain refuses changes until it is restarted`, { cause: err });
    }
  }

  private async block(tag: string | number): Promise<RpcBlock> {
    const param = typeof tag === 'number' ? `0x${tag.toString(16)}` : tag;
    const b = (await this.inner.request({ method: 'eth_getBlockByNumber', params: [param, false] })) as RpcBlock | null;
    if (b === null) throw new Error(`dev chain: no block ${param}`);
    return b;
  }

  private async write(method: string, params: unknown[]): Promise<unknown> {
    if (this.closed) throw new Error('the dev chain is stopped');
    if (this.broken !== undefined) throw new Error(`the dev chain journal cannot be written (${this.broken}): the chain refuses changes until it is restarted`);
    // the params go into the journal as JSON: the same JSON the chain gets
    const p = JSON.parse(JSON.stringify(params)) as unknown[];
    const before = this.head;
    this.held = [];
    try {
      let result: unknown;
      let failure: unknown;
      let failed = false;
      try {
        result = await this.inner.request({ method, params: p });
      } catch (err) {
        failure = err;
        failed = true;
      }
      const latest = await this.block('latest');
      const head: Head = { number: Number(latest.number), hash: latest.hash };
      const changed = head.hash !== before.hash;
      if (failed && !changed) throw failure; // nothing happened: nothing to journal
      let t: number | undefined;
      if (head.number > before.number) t = Number(head.number === before.number + 1 ? latest.timestamp : (await this.block(before.number + 1)).timestamp);
      const entry: RpcEntry = {
        m: method,
        p,
        ...(t === undefined ? {} : { t }),
        n: head.number,
        h: head.hash,
        ...(failed ? { e: errorMessage(failure).slice(0, 200) } : {}),
      };
      this.append(entry);
      this.head = head;
      if (failed) throw failure;
      return result;
    } finally {
      const held = this.held;
      this.held = undefined;
      for (const [event, args] of held) this.emit(event, ...args);
    }
  }
}

/** What {@link replayJournal} rebuilt. */
export interface ReplayResult {
  /** Entries replayed (requests and notes). */
  readonly entries: number;
  /** Requests executed. */
  readonly requests: number;
  /** The notes, in order. */
  readonly notes: NoteEntry[];
  /** Sum of the journaled `evm_increaseTime` seconds: the chain clock's lead over the wall clock. */
  readonly clockLead: number;
  readonly head: Head;
  readonly ms: number;
}

/**
 * Executes the journaled requests on `chain` (a fresh genesis), each block at its journaled timestamp, and checks
 * that the head is the journal's last. Throws, naming the entry, if a request that succeeded fails now or the
 * head differs.
 */
export async function replayJournal(chain: HardhatProvider, entries: readonly JournalEntry[], journalPath: string): Promise<ReplayResult> {
  const t0 = performance.now();
  const notes: NoteEntry[] = [];
  let clockLead = 0;
  let requests = 0;
  let expected: RpcEntry | undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (isNote(e)) {
      notes.push(e);
      continue;
    }
    expected = e;
    if (e.m === 'evm_increaseTime') {
      clockLead += Number(e.p[0]);
      continue;
    }
    requests++;
    try {
      if (e.t !== undefined) await chain.request({ method: 'evm_setNextBlockTimestamp', params: [e.t] });
      await chain.request({ method: e.m, params: e.p });
    } catch (err) {
      if (e.e === undefined) {
        throw new Error(
          `${journalPath}: entry ${i + 1} (${e.m}) succeeded when it was journaled but fails on replay: ${errorMessage(err)}. ` +
            'The journal does not replay onto this chain (another hardhat/EDR version or config?): start the dev chain with --fresh to reset it',
          { cause: err },
        );
      }
    }
  }
  const latest = (await chain.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as RpcBlock;
  const head: Head = { number: Number(latest.number), hash: latest.hash };
  if (expected !== undefined && (head.number !== expected.n || head.hash !== expected.h)) {
    throw new Error(
      `${journalPath}: the replay ended at block ${head.number} ${head.hash}, the journal at block ${expected.n} ${expected.h}: ` +
        'the journal does not replay onto this chain (another hardhat/EDR version or config?), and serving a different chain would be worse than none. ' +
        'Start the dev chain with --fresh (or delete its state directory) to reset it; the maker then rebuilds its databases.',
    );
  }
  return { entries: entries.length, requests, notes, clockLead, head, ms: performance.now() - t0 };
}
