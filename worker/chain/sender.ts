/**
 * Sends transactions signed locally with one private key, journaling each one durably before it
 * leaves the process (docs/protocol.md#ledger-rules). Per transaction:
 *
 * 1. estimate gas (unless given) × (1 + margin) and look up fees — concurrently, no nonce held;
 * 2. with the next nonce held ({@link NonceAllocator}): sign, compute the hash, record the entry as
 *    *open* in the {@link BroadcastJournal} (fsynced), broadcast;
 * 3. wait for the receipt and `confirmations` blocks, record the entry *closed* with the outcome.
 *
 * A failure in 1 or 2 before the node accepted the transaction releases the nonce (no gap). A crash at
 * any point leaves at most open entries whose hash and raw bytes are known; {@link TransactionSender.recover}
 * (run automatically before the first send) settles them.
 */
import { Transaction, Wallet, type Provider, type TransactionReceipt } from 'ethers';
import { randomBytes } from 'node:crypto';
import { WampError, WampErrorUri, XbrErrorUri, isError } from '../../schema/index.js';
import { createLogger, type Logger } from '../../schema/index.js';
import { errorText, transactionFailed } from './errors.js';
import { nowNs, type BroadcastJournal, type JournalClose, type JournalEntry } from './journal.js';
import { NonceAllocator } from './nonce.js';
import { estimateGasLimit, lookupFees } from './gas.js';
import { probeTransaction, type Probe } from './probe.js';
import type { FeeOverride, RecoveryReport, SendRequest, SendResult, SenderHooks, Submitted, TransactionSenderOptions } from './types.js';
import { storageError } from '../../schema/db/index.js';
import { sleep } from '../../process/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * @example
 * const journal = await BroadcastJournal.open(dir);
 * const sender = new TransactionSender({ provider, privateKey, journal, confirmations: 2 });
 * await sender.recover();
 * const { receipt } = await sender.send({ to: channel, data: iface.encodeFunctionData('closeChannel', args), label: 'closeChannel' });
 */
export class TransactionSender {
  readonly address: string;
  private readonly wallet: Wallet;
  private readonly provider: Provider;
  private readonly journal: BroadcastJournal;
  private readonly nonces: NonceAllocator;
  private readonly log: Logger;
  private readonly opts: Required<Pick<TransactionSenderOptions, 'gasMarginPercent' | 'confirmations' | 'timeoutMs' | 'pollIntervalMs' | 'rebroadcastOnRecover'>> &
    { fees: FeeOverride | undefined; hooks: SenderHooks | undefined };
  private chainId: Promise<bigint> | undefined;
  private recovery: Promise<RecoveryReport> | undefined;
  private broken: WampError | undefined;
  private readonly abort = new AbortController();

  constructor(options: TransactionSenderOptions) {
    const margin = options.gasMarginPercent ?? 20;
    if (!Number.isInteger(margin) || margin < 0) throw new WampError(WampErrorUri.invalidArgument, `gasMarginPercent must be an integer >= 0, got ${margin}`);
    const confirmations = options.confirmations ?? 1;
    if (!Number.isInteger(confirmations) || confirmations < 1) throw new WampError(WampErrorUri.invalidArgument, `confirmations must be an integer >= 1, got ${confirmations}`);
    this.wallet = new Wallet(options.privateKey);
    this.address = this.wallet.address;
    this.provider = options.provider;
    this.journal = options.journal;
    this.log = (options.logger ?? createLogger()).child({ component: 'chain-sender', from: this.address });
    this.opts = {
      gasMarginPercent: margin,
      confirmations,
      timeoutMs: options.timeoutMs ?? 120_000,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      rebroadcastOnRecover: options.rebroadcastOnRecover ?? true,
      fees: options.fees,
      hooks: options.hooks,
    };
    if (options.chainId !== undefined) this.chainId = Promise.resolve(options.chainId);
    this.nonces = new NonceAllocator(() => this.provider.getTransactionCount(this.address, 'pending'));
  }

  /** Broadcasts `req` and waits until it is mined with status 1 and confirmed. */
  async send(req: SendRequest): Promise<SendResult> {
    return (await this.submit(req)).wait();
  }

  /** Broadcasts `req` (journaled first); returns once the node accepted it. */
  async submit(req: SendRequest): Promise<Submitted> {
    this.usable();
    await this.recover().catch((err: unknown) => {
      throw err instanceof WampError ? err : transactionFailed(`the chain node cannot be asked about earlier transactions: ${errorText(err)}`, { stage: 'broadcast' }, err);
    });
    this.usable();
    if (req.id !== undefined && (req.id.length !== 16 || this.storageRead(() => this.journal.get(req.id as Uint8Array)) !== undefined)) {
      throw new WampError(WampErrorUri.invalidArgument, 'id must be 16 bytes not used by an earlier journal entry', { kwargs: { argument: 'id' } });
    }
    const data = req.data ?? '0x';
    const value = req.value ?? 0n;
    const [chainId, gasLimit, fees] = await Promise.all([this.getChainId(), this.gasLimit(req, data, value), this.fees()]);
    const entry = await this.withNonce(async (nonce) => {
      this.usable();
      const tx = Transaction.from({ chainId, nonce, to: req.to, data, value, gasLimit, ...('gasPrice' in fees ? { type: 0 } : { type: 2 }), ...fees });
      tx.signature = this.wallet.signingKey.sign(tx.unsignedHash);
      const e: JournalEntry = {
        id: req.id ?? randomBytes(16),
        state: 'open',
        chain_id: chainId,
        from: this.address,
        to: tx.to,
        data,
        value,
        nonce,
        gas_limit: gasLimit,
        ...('gasPrice' in fees ? { gas_price: fees.gasPrice } : { max_fee_per_gas: fees.maxFeePerGas, max_priority_fee_per_gas: fees.maxPriorityFeePerGas }),
        tx_hash: tx.hash as string,
        raw: tx.serialized,
        ...(req.label === undefined ? {} : { label: req.label }),
        created: nowNs(),
      };
      await this.storage(() => this.journal.recordOpen(e));
      await this.opts.hooks?.afterJournal?.(e);
      await this.broadcast(e);
      return e;
    });
    this.log.info('transaction broadcast', { id: hex(entry.id), tx_hash: entry.tx_hash, nonce: entry.nonce, label: entry.label });
    await this.opts.hooks?.afterBroadcast?.(entry);
    return this.handle(entry);
  }

  /**
   * Settles the journal's open entries (once per sender; `submit` runs it first): mined → closed with
   * its receipt; nonce used by another transaction → closed `replaced`; known to the node → left open
   * and returned in `pending`; never seen and nonce free → rebroadcast (or closed `dropped` when
   * `rebroadcastOnRecover` is false).
   */
  recover(): Promise<RecoveryReport> {
    if (this.recovery === undefined) {
      const p = this.doRecover();
      this.recovery = p;
      // A failed recovery (node unreachable) is retried by the next call; a storage failure has broken the sender anyway.
      p.catch(() => {
        if (this.recovery === p) this.recovery = undefined;
      });
    }
    return this.recovery;
  }

  /** The journal entry `id`, if any. */
  entry(id: Uint8Array): JournalEntry | undefined {
    return this.journal.get(id);
  }

  /** Stops waiting (pending `wait()`s reject with a timeout); the journal stays the caller's to close. */
  close(): void {
    this.abort.abort();
  }

  private async doRecover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { closed: [], pending: [] };
    for (const e of this.storageRead(() => this.journal.openEntries())) {
      if (e.from.toLowerCase() !== this.address.toLowerCase()) continue;
      const p = await probeTransaction(this.provider, e);
      if (p.kind === 'mined' && (await this.confirmed(p.receipt))) {
        report.closed.push(await this.closeMined(e, p.receipt));
      } else if (p.kind === 'replaced') {
        report.closed.push(await this.storage(() => this.journal.recordClose(e.id, { outcome: 'replaced', error: 'nonce used by another transaction' })));
      } else if (p.kind === 'unknown' && !this.opts.rebroadcastOnRecover) {
        report.closed.push(await this.storage(() => this.journal.recordClose(e.id, { outcome: 'dropped', error: 'not known to the node at recovery' })));
      } else {
        if (p.kind === 'unknown') {
          try {
            await this.broadcast(e);
          } catch (err) {
            report.closed.push(this.storageRead(() => this.journal.get(e.id)) ?? e);
            this.log.warn('recovery: rebroadcast refused', { id: hex(e.id), tx_hash: e.tx_hash, error: errorText(err) });
            continue;
          }
        }
        report.pending.push(this.handle(e));
      }
    }
    if (report.closed.length + report.pending.length > 0) {
      this.log.info('recovery', { closed: report.closed.length, pending: report.pending.length });
    }
    return report;
  }

  /**
   * Broadcasts `e.raw`. On an error, asks the node whether it has the transaction anyway (lost
   * response, "already known"): if it has — or the node cannot even be asked, so the fate is unknown —
   * the nonce counts as used and the entry stays open (`wait()`/`recover()` rebroadcast it if the node
   * never saw it). Only a refusal the node confirms closes `e` as rejected, releases the nonce
   * (resync from the chain) and throws.
   */
  private async broadcast(e: JournalEntry): Promise<void> {
    try {
      await this.provider.broadcastTransaction(e.raw);
      return;
    } catch (err) {
      let known: boolean;
      try {
        known = (await this.provider.getTransaction(e.tx_hash)) !== null;
      } catch (probeErr) {
        this.log.warn('broadcast outcome unknown; entry left open', { id: hex(e.id), tx_hash: e.tx_hash, error: errorText(err), probe_error: errorText(probeErr) });
        return;
      }
      if (known) return;
      this.nonces.resync();
      const error = errorText(err);
      await this.storage(() => this.journal.recordClose(e.id, { outcome: 'rejected', error }));
      this.log.warn('transaction refused by the node', { id: hex(e.id), tx_hash: e.tx_hash, nonce: e.nonce, error });
      throw transactionFailed(`transaction refused by the node: ${error}`, { stage: 'broadcast', tx_hash: e.tx_hash, nonce: e.nonce }, err);
    }
  }

  private handle(entry: JournalEntry): Submitted {
    let waiting: Promise<SendResult> | undefined;
    const wait = (): Promise<SendResult> => {
      if (waiting === undefined) {
        const p = this.settle(entry);
        waiting = p;
        // After a timeout the entry is still open: a later wait() polls again.
        p.catch((err: unknown) => {
          if (isError(err, WampErrorUri.timeout) && waiting === p) waiting = undefined;
        });
      }
      return waiting;
    };
    return { entry, wait };
  }

  /**
   * Waits for `e` to be mined and confirmed (or replaced), closes it and returns the result. A node that
   * cannot be asked (down, restarting, resetting connections) is asked again until the deadline: the
   * transaction may well be mined meanwhile, and the journal entry stays open either way.
   */
  private async settle(e: JournalEntry): Promise<SendResult> {
    const deadline = Date.now() + this.opts.timeoutMs;
    let unreachable: string | undefined;
    for (;;) {
      let p: Probe;
      let confirmed = false;
      try {
        p = await probeTransaction(this.provider, e);
        confirmed = p.kind === 'mined' && (await this.confirmed(p.receipt));
        if (unreachable !== undefined) this.log.info('chain node reachable again', { tx_hash: e.tx_hash });
        unreachable = undefined;
      } catch (err) {
        if (err instanceof WampError) throw err;
        if (unreachable === undefined) this.log.warn('chain node not reachable while waiting for a receipt; asking again', { tx_hash: e.tx_hash, error: errorText(err) });
        unreachable = errorText(err);
        if (Date.now() >= deadline || this.abort.signal.aborted) {
          throw new WampError(WampErrorUri.timeout, `transaction ${e.tx_hash} not confirmed within ${this.opts.timeoutMs} ms: the chain node is not reachable (${unreachable}); journal entry left open`, {
            kwargs: { tx_hash: e.tx_hash, nonce: e.nonce, mined: false },
          });
        }
        await sleep(Math.min(this.opts.pollIntervalMs, Math.max(1, deadline - Date.now())), this.abort.signal);
        continue;
      }
      if (p.kind === 'mined' && confirmed) {
        const closed = await this.closeMined(e, p.receipt);
        if (p.receipt.status !== 1) {
          throw transactionFailed(`transaction ${e.tx_hash} reverted in block ${p.receipt.blockNumber}`, {
            stage: 'receipt',
            tx_hash: e.tx_hash,
            block_number: p.receipt.blockNumber,
            gas_used: p.receipt.gasUsed,
            ...(e.label === undefined ? {} : { label: e.label }),
          });
        }
        return { entry: closed, receipt: p.receipt };
      }
      if (p.kind === 'replaced') {
        await this.storage(() => this.journal.recordClose(e.id, { outcome: 'replaced', error: 'nonce used by another transaction' }));
        throw transactionFailed(`transaction ${e.tx_hash} was replaced (nonce ${e.nonce} used by another transaction)`, { stage: 'receipt', tx_hash: e.tx_hash, nonce: e.nonce });
      }
      if (p.kind === 'unknown') {
        // Never reached the node, or dropped from its pool: the nonce is still free, send it again.
        await this.provider.broadcastTransaction(e.raw).catch((err: unknown) => this.log.warn('rebroadcast failed', { tx_hash: e.tx_hash, error: errorText(err) }));
      }
      if (Date.now() >= deadline || this.abort.signal.aborted) {
        throw new WampError(WampErrorUri.timeout, `transaction ${e.tx_hash} not mined and confirmed within ${this.opts.timeoutMs} ms; journal entry left open`, {
          kwargs: { tx_hash: e.tx_hash, nonce: e.nonce, mined: p.kind === 'mined' },
        });
      }
      await sleep(Math.min(this.opts.pollIntervalMs, Math.max(1, deadline - Date.now())), this.abort.signal);
    }
  }

  private async confirmed(receipt: TransactionReceipt): Promise<boolean> {
    if (this.opts.confirmations <= 1) return true;
    const head = await this.provider.getBlockNumber();
    return head - receipt.blockNumber + 1 >= this.opts.confirmations;
  }

  private async closeMined(e: JournalEntry, r: TransactionReceipt): Promise<JournalEntry> {
    const result: JournalClose = {
      outcome: r.status === 1 ? 'mined' : 'failed',
      status: r.status ?? 0,
      block_number: r.blockNumber,
      block_hash: r.blockHash,
      gas_used: r.gasUsed,
    };
    const closed = await this.storage(() => this.journal.recordClose(e.id, result));
    this.log.info('transaction settled', { id: hex(e.id), tx_hash: e.tx_hash, outcome: result.outcome, block_number: r.blockNumber, gas_used: r.gasUsed });
    return closed;
  }

  private async gasLimit(req: SendRequest, data: string, value: bigint): Promise<bigint> {
    return req.gasLimit ?? estimateGasLimit(this.provider, { from: this.address, to: req.to, data, value }, this.opts.gasMarginPercent);
  }

  private fees(): Promise<FeeOverride> {
    return this.opts.fees !== undefined ? Promise.resolve(this.opts.fees) : lookupFees(this.provider);
  }

  private getChainId(): Promise<bigint> {
    if (this.chainId === undefined) {
      const p = this.provider.getNetwork().then(
        (n) => n.chainId,
        (err: unknown) => {
          // Asked again by the next send: the node may be back by then.
          if (this.chainId === p) this.chainId = undefined;
          throw transactionFailed(`chain id lookup failed: ${errorText(err)}`, { stage: 'sign' }, err);
        },
      );
      this.chainId = p;
    }
    return this.chainId;
  }

  /** The nonce allocator's `withNonce`; a node that cannot tell the account's nonce fails the send before anything is signed. */
  private async withNonce<T>(fn: (nonce: number) => Promise<T>): Promise<T> {
    let started = false;
    try {
      return await this.nonces.withNonce((nonce) => {
        started = true;
        return fn(nonce);
      });
    } catch (err) {
      throw started || err instanceof WampError ? err : transactionFailed(`nonce lookup failed: ${errorText(err)}`, { stage: 'sign' }, err);
    }
  }

  private usable(): void {
    if (this.broken !== undefined) throw this.broken;
  }

  /** Runs a journal write; a storage failure breaks the sender for good (fail closed). */
  private async storage<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.fail(err);
    }
  }

  private storageRead<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.fail(err);
    }
  }

  private fail(err: unknown): WampError {
    const e = err instanceof WampError ? err : storageError(`broadcast journal: ${errorText(err)}`, {}, err);
    if (e.uri === XbrErrorUri.storageDuplicate) return e; // two concurrent sends with one caller id: that send fails, the journal is fine
    this.broken ??= e;
    this.log.error('broadcast journal failed; sender stopped', { error: e });
    return e;
  }
}
