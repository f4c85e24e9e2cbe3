/**
 * Chaos: the disk of the maker DB fills up during purchases, then space comes back (issue "Step 5": fail closed,
 * clear error, recover when space returns). A real edge (controller, router, dev chain, xbrmm worker) whose
 * maker DB (and its journal) lives on a small tmpfs — and the worker DB too, as both share `.xbr-edge/` when
 * shipped; B buyers buy back to back from S sellers; then a file fills the tmpfs until ENOSPC while they go on,
 * a block without XBR events is mined (the chain monitor cannot store its progress in the worker DB) and a
 * channel is opened on chain (it cannot put it into the maker DB); after a while the file is deleted. Checked:
 * - a purchase the DB could not commit fails with `xbr.error.storage` saying "no space left on device" and the
 *   DB's path; from then on the maker serves nothing (every call refused with that cause) and `/ready` says why;
 *   its status is FAILED; the worker stays up (no exit, no restart, the controller does not give up), and LMDB
 *   itself never meets the full disk (no "Write error" of lmdb-js in the output);
 * - the chain monitor stops on the worker DB and starts again in the worker once space is back;
 * - once the file is deleted the maker serves again by itself, within a bound; a buyer asks its unanswered call
 *   again unchanged (the idempotent `buy_key`): it gets its receipt, or the refund of a purchase the failure
 *   left in flight, and goes on from there; the channel opened meanwhile is known;
 * - then, as in the crash proof: every receipt a buyer holds is a SUCCESS purchase of the ledger, exactly once,
 *   and every SUCCESS on its channel is a receipt it holds; nothing INFLIGHT; the maker's balance of each
 *   payment channel is its buyer's last signed state; no seller's paying channel was charged for more than the
 *   buyers were (the paying channels' spent equals the payment channels' spent equals the SUCCESS purchases);
 *   `xbr-edge admin audit` finds nothing.
 *
 * Root only (the tmpfs): elsewhere the result says why it was skipped. Used by `disk-full.test.ts` in CI.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexlify } from 'ethers';
import { readMakerResult, type BuyKeyResult } from '../../../schema/api/index.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import { MarketMakerProcedure } from '../../../schema/uris.js';
import { logLines, startMarketEdge, waitForLog, workerPid, type MarketEdge } from '../../e2e/harness/market-edge.js';
import { consent, setupLanes, type Lane } from '../../e2e/market/lanes.js';
import { addr, e2eConfig, openChannelOnChain, randomWallet, sleep, world, XBR, type World } from '../../e2e/market/offers-purchase-helpers.js';
import { mountTmpfs } from '../../helpers/tmpfs.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';
import type { ScenarioResult } from './scenario.js';

export interface DiskFullOptions {
  readonly buyers?: number;
  readonly sellers?: number;
  /** How long the disk stays full once the maker refused a write (ms). Default 4 s. */
  readonly fullForMs?: number;
  /** The bound on serving again after the space came back (ms). Default 60 s. */
  readonly recoverWithinMs?: number;
  /** Where to write the node's output (controller and workers) at the end, to read what happened. */
  readonly outputFile?: string;
  /** The worker DB on the tmpfs too (both DBs on one disk, as shipped). Default true. */
  readonly workerDbToo?: boolean;
}

const NAME = 'disk full for the maker DB';
const WORKER = 'xbrmm1';
const PRICE = XBR / 1000n;
/** Larger than the free space the DBs keep in reserve (16 MiB), so the maker serves until the tmpfs is filled. */
const TMPFS_MIB = 48;
/** Errors that mean "the maker did not answer", after which the identical call is asked again. */
const NO_ANSWER = new Set(['wamp.error.canceled', 'wamp.error.no_such_procedure', 'wamp.error.timeout', 'wamp.error.unavailable']);
/** The error of a refused write or of the fenced maker: the buyer asks the identical call again later. */
const STORAGE = 'xbr.error.storage';
/** What a buyer's call asked again may get after the recovery: the refund of a purchase the failure left in flight. */
const REFUNDED = 'xbr.error.transaction_failed';
const MONITOR_STOPPED = 'chain monitor stopped: the worker database cannot be written; it starts again once it can';
const MONITOR_BACK = 'the worker database can be written again: the chain monitor starts again';
/** What every refusal must say, besides the DB's path. */
const NO_SPACE = 'no space left on device';
/** How long a lane asks an unanswered call again before it reports it as never answered. */
const ANSWER_WITHIN_MS = 180_000;

type Phase = 'before' | 'full' | 'after';

interface Counts {
  purchases: Record<Phase, number>;
  storageErrors: number;
  /** Calls answered with a receipt once asked again unchanged (after a refusal or no answer). */
  answeredAgain: number;
  refunded: number;
  /** The first message of a refused commit and of a refusal of the fenced maker. */
  commitError?: string;
  fencedError?: string;
  other: string[];
}

/** A WAMP error's URI and message, or undefined for anything else. */
function wampErrorOf(err: unknown): { uri: string; message: string } | undefined {
  const e = err as { errorUri?: unknown; argsList?: unknown[] } | null;
  if (typeof e?.errorUri !== 'string') return undefined;
  return { uri: e.errorUri, message: String(e.argsList?.[0] ?? '') };
}

async function callRaw(lane: Lane, uri: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<unknown> {
  const r = await lane.buyer.session.call(uri, { argsList: args, ...(kwargs === undefined ? {} : { argsDict: kwargs }) });
  return r.argsList?.[0];
}

async function readyOf(edge: MarketEdge): Promise<{ status: number; ready: boolean; problems: string[] }> {
  const r = await fetch(`${edge.httpUrl}/ready`);
  const body = (await r.json()) as { ready: boolean; problems: string[] };
  return { status: r.status, ready: body.ready, problems: body.problems };
}

async function adminJson<T>(edge: MarketEdge, ...args: string[]): Promise<T> {
  const r = await runXbrEdge('admin', ...args, '--cbdir', edge.cbdir, '--json');
  if (r.status !== 0 && !(args[0] === 'audit' && r.status === 4)) throw new Error(`xbr-edge admin ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

async function allPages<T>(edge: MarketEdge, what: 'channels' | 'transactions', key: 'channels' | 'transactions'): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const [page] = await adminJson<Record<string, unknown>[]>(edge, what, '--limit', '1000', ...(cursor === null ? [] : ['--cursor', cursor]));
    out.push(...(page![key] as T[]));
    cursor = page!['next_cursor'] as string | null;
  } while (cursor !== null);
  return out;
}

/** Reads the lane's channel state from the maker, once nothing is in flight on it (asked again while it does not serve). */
async function resync(lane: Lane): Promise<void> {
  const deadline = Date.now() + ANSWER_WITHIN_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const b = readMakerResult(MarketMakerProcedure.getPaymentChannelBalance, await callRaw(lane, MarketMakerProcedure.getPaymentChannelBalance, [lane.buyer.channelId]));
      if (unpackUint256(b.inflight) === 0n) {
        lane.buyer.seq = b.seq;
        lane.buyer.remaining = unpackUint256(b.remaining);
        return;
      }
      last = `${unpackUint256(b.inflight)} in flight at seq ${b.seq}`;
    } catch (err) {
      const e = wampErrorOf(err);
      if (e === undefined) throw err;
      last = `${e.uri}: ${e.message}`;
    }
    await sleep(200);
  }
  throw new Error(`channel ${formatUuid(lane.buyer.channelId)}: no state without a purchase in flight within ${ANSWER_WITHIN_MS} ms (last: ${last})`);
}

/**
 * One lane buying until `running()` is false. A call the maker refused for its storage (or did not answer) is
 * asked again unchanged until it is answered: a receipt, or the refund of a purchase the failure left in flight.
 */
async function laneLoop(
  edge: MarketEdge,
  lane: Lane,
  held: number[],
  running: () => boolean,
  phase: () => Phase,
  closeAt: () => bigint,
  counts: Counts,
  problems: string[],
): Promise<void> {
  const id = formatUuid(lane.buyer.channelId);
  let n = lane.buyer.seq;
  while (running()) {
    const offer = lane.offers[n++ % lane.offers.length]!;
    const at = closeAt();
    const { args, kwargs } = await lane.buyer.buyArgs(offer.keyId, PRICE, { closeAt: at });
    const seq = lane.buyer.seq + 1;
    const remaining = lane.buyer.remaining - PRICE;
    let receipt: BuyKeyResult | undefined;
    let askedAgain = false;
    const deadline = Date.now() + ANSWER_WITHIN_MS;
    while (receipt === undefined) {
      try {
        receipt = readMakerResult(MarketMakerProcedure.buyKey, await callRaw(lane, MarketMakerProcedure.buyKey, args, kwargs));
        if (askedAgain) counts.answeredAgain++;
      } catch (err) {
        const e = wampErrorOf(err);
        if (e === undefined) throw err;
        if (e.uri === STORAGE) {
          counts.storageErrors++;
          if (e.message.includes('is not serving')) counts.fencedError ??= e.message;
          else counts.commitError ??= e.message;
        } else if (!NO_ANSWER.has(e.uri)) {
          if (e.uri === REFUNDED && askedAgain) counts.refunded++;
          else counts.other.push(`channel ${id} seq ${seq}: ${e.uri}: ${e.message}`);
          await resync(lane);
          break;
        }
        if (Date.now() > deadline) {
          problems.push(`channel ${id} seq ${seq}: no answer but ${e.uri} within ${ANSWER_WITHIN_MS} ms`);
          return;
        }
        askedAgain = true;
        await sleep(200);
      }
    }
    if (receipt === undefined) continue;
    if (receipt.channel_seq !== seq || unpackUint256(receipt.remaining) !== remaining) problems.push(`channel ${id}: receipt for seq ${receipt.channel_seq} / ${unpackUint256(receipt.remaining)}, asked seq ${seq} / ${remaining}`);
    if (hexlify(lane.buyer.signerOf(seq, remaining, at, receipt.signature)).toLowerCase() !== edge.makerAddress.toLowerCase()) problems.push(`channel ${id} seq ${seq}: receipt not signed by the maker`);
    if (!offer.isKey(lane.buyer.open(receipt.sealed_key))) problems.push(`channel ${id} seq ${seq}: the sealed key does not open to the offered key`);
    lane.buyer.seq = seq;
    lane.buyer.remaining = remaining;
    held.push(seq);
    counts.purchases[phase()]++;
  }
}

interface TxJson {
  state: string;
  amount: string;
  payment_channel: string;
  payment_seq: number;
  paying_channel: string | null;
}

interface ChannelJson {
  channel_oid: string;
  channel_type: 'payment' | 'paying';
  inflight: string;
  spent: string;
}

/** The ledger against what the buyers hold, with every lane stopped (the crash proof's checks, and the sellers' side). */
async function verify(edge: MarketEdge, lanes: Lane[], receipts: Map<string, number[]>): Promise<string[]> {
  const problems: string[] = [];
  const txs = await allPages<TxJson>(edge, 'transactions', 'transactions');
  const channels = await allPages<ChannelJson>(edge, 'channels', 'channels');
  const inflight = txs.filter((t) => t.state === 'INFLIGHT');
  if (inflight.length > 0) problems.push(`${inflight.length} purchases still INFLIGHT`);
  for (const lane of lanes) {
    const id = formatUuid(lane.buyer.channelId);
    const sold = txs.filter((t) => t.payment_channel === id && t.state === 'SUCCESS').map((t) => t.payment_seq).sort((a, b) => a - b);
    const held = [...receipts.get(id)!].sort((a, b) => a - b);
    const doubled = held.filter((s, i) => held[i - 1] === s);
    if (doubled.length > 0) problems.push(`channel ${id}: receipts held twice for seqs ${doubled.join(', ')}`);
    const lost = sold.filter((s) => !held.includes(s));
    if (lost.length > 0) problems.push(`channel ${id}: the ledger charged seqs ${lost.join(', ')} whose receipt the buyer does not hold`);
    const unknown = held.filter((s) => !sold.includes(s));
    if (unknown.length > 0) problems.push(`channel ${id}: the buyer holds receipts for seqs ${unknown.join(', ')} the ledger has not sold`);
    const b = readMakerResult(MarketMakerProcedure.getPaymentChannelBalance, await callRaw(lane, MarketMakerProcedure.getPaymentChannelBalance, [lane.buyer.channelId]));
    const maker = { seq: b.seq, remaining: unpackUint256(b.remaining), inflight: unpackUint256(b.inflight) };
    if (maker.seq !== lane.buyer.seq || maker.remaining !== lane.buyer.remaining || maker.inflight !== 0n) {
      problems.push(`channel ${id}: the maker has seq ${maker.seq} / ${maker.remaining} (${maker.inflight} in flight), the buyer's last signed state is seq ${lane.buyer.seq} / ${lane.buyer.remaining}`);
    }
  }
  const successTotal = txs.filter((t) => t.state === 'SUCCESS').reduce((s, t) => s + BigInt(t.amount), 0n);
  const spentOf = (type: 'payment' | 'paying'): bigint => channels.filter((c) => c.channel_type === type).reduce((s, c) => s + BigInt(c.spent), 0n);
  const [payment, paying] = [spentOf('payment'), spentOf('paying')];
  if (payment !== successTotal || paying !== successTotal) problems.push(`spent: payment channels ${payment}, paying channels ${paying}, SUCCESS purchases ${successTotal} (must be equal)`);
  for (const c of channels.filter((ch) => ch.channel_type === 'paying')) {
    const sold = txs.filter((t) => t.paying_channel === c.channel_oid && t.state === 'SUCCESS').reduce((s, t) => s + BigInt(t.amount), 0n);
    if (BigInt(c.spent) !== sold || c.inflight !== '0') problems.push(`paying channel ${c.channel_oid}: spent ${c.spent} (${c.inflight} in flight), its SUCCESS sales ${sold}`);
  }
  const [audit] = await adminJson<{ ok: boolean; mismatches_total: number; mismatches: { message: string }[] }[]>(edge, 'audit');
  if (audit?.ok !== true) problems.push(`the audit found ${audit?.mismatches_total} mismatches: ${audit?.mismatches.map((m) => m.message).join('; ')}`);
  return problems;
}

async function until<T>(what: string, withinMs: number, probe: () => Promise<T | undefined>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return { value: v, ms: Date.now() - t0 };
    if (Date.now() - t0 > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(100);
  }
}

/**
 * The scenario (see the module comment): resolves with what it found; throws only when the edge cannot be
 * set up at all.
 */
export async function diskFull(options: DiskFullOptions = {}): Promise<ScenarioResult> {
  const buyers = options.buyers ?? 3;
  const sellers = options.sellers ?? 2;
  const fullForMs = options.fullForMs ?? 4000;
  const recoverWithinMs = options.recoverWithinMs ?? 60_000;
  const workerDbToo = options.workerDbToo ?? true;
  const fs = mountTmpfs(TMPFS_MIB, 'xbr-edge-disk-full-');
  if ('skipped' in fs) return { name: NAME, ok: false, problems: [], facts: [], skipped: fs.skipped };
  const problems: string[] = [];
  const facts: string[] = [];
  const dbPath = join(fs.dir, 'maker1.db');
  let edge: MarketEdge | undefined;
  try {
    edge = await startMarketEdge({
      configure: (config) => {
        e2eConfig(config);
        const xbrmm = config.workers.find((w) => w['type'] === 'xbrmm')!;
        xbrmm.makers[0]!.database = { path: dbPath };
        if (workerDbToo) xbrmm.options.extra['database'] = { path: join(fs.dir, 'xbrmm1-worker.db') };
      },
      env: { XBR_LOG_LEVEL: 'info' },
    });
    const e = edge;
    const w: World = await world(e, await e.connect());
    const lanes = await setupLanes(e, w, { buyers, sellers, price: PRICE, paymentDeposit: 1000n * XBR, payingDeposit: 10_000n * XBR, offersPerSeller: 8 });
    const receipts = new Map(lanes.map((l) => [formatUuid(l.buyer.channelId), [2]]));
    const pid = workerPid(e, WORKER);
    const startLines = logLines(e).length;

    let closeAt = BigInt(await e.provider().getBlockNumber());
    const blocks = setInterval(() => {
      e.provider().getBlockNumber().then((b) => (closeAt = BigInt(b)), () => undefined);
    }, 1000);
    let running = true;
    let phase: Phase = 'before';
    const counts: Counts = { purchases: { before: 0, full: 0, after: 0 }, storageErrors: 0, answeredAgain: 0, refunded: 0, other: [] };
    const loops = lanes.map((lane) => laneLoop(e, lane, receipts.get(formatUuid(lane.buyer.channelId))!, () => running, () => phase, () => closeAt, counts, problems));
    // Collected below; until then a lane that fails must not be an unhandled rejection ending the whole process.
    for (const l of loops) l.catch(() => undefined);
    let extraChannel: Uint8Array | undefined;
    let freedAt = 0;
    try {
      const extraDelegate = randomWallet();
      await consent(e, 3, extraDelegate.address, 2);
      await sleep(1500);
      phase = 'full';
      const filled = fs.fill();
      facts.push(`tmpfs ${TMPFS_MIB} MiB (maker DB${workerDbToo ? ', worker DB' : ''}): ${(filled / 2 ** 20).toFixed(1)} MiB of filler written until ENOSPC`);
      // A block the chain monitor has nothing to deliver from: it only stores its progress (in the worker DB),
      // which is refused before the channel below is opened (in one range, the sink would be refused first).
      const minedAt = logLines(e).length;
      await (await e.account(7).sendTransaction({ to: e.account(8).address, value: 1n })).wait();
      if (workerDbToo) {
        await waitForLog(e, (l) => l.msg === MONITOR_STOPPED, { timeoutMs: 30_000, after: minedAt, what: 'the chain monitor stopping on the worker DB' }).catch((err: unknown) =>
          problems.push(err instanceof Error ? err.message.split('\n')[0]! : String(err)),
        );
      }
      // The chain monitor must put this channel into the maker DB: it cannot while the disk is full.
      extraChannel = await openChannelOnChain(w, 1, 10n * XBR, addr(extraDelegate));
      const fenced = await until('the maker refusing to serve (/ready 503)', 60_000, async () => {
        const r = await readyOf(e);
        return r.status === 503 && r.problems.some((p) => p.includes('FAILED')) ? r : undefined;
      });
      facts.push(`/ready while full: ${fenced.value.status} ${JSON.stringify(fenced.value.problems)}`);
      const problem = fenced.value.problems.join(' ');
      if (!problem.includes(NO_SPACE) || !problem.includes(dbPath)) problems.push(`/ready does not say "${NO_SPACE}" and the DB path ${dbPath}: ${problem}`);
      const st = (await e.callWhenRegistered(await e.connect(), MarketMakerProcedure.status)) as { status?: string };
      if (st.status !== 'FAILED') problems.push(`status while the disk is full: ${String(st.status)}, expected FAILED`);
      await sleep(fullForMs);
      // Still closed after a few checks: the disk is still full.
      const still = await readyOf(e);
      if (still.status !== 503) problems.push(`/ready ${still.status} after ${fullForMs} ms of full disk, expected 503`);
      fs.free();
      freedAt = Date.now();
      const back = await until('the maker serving again (/ready 200)', recoverWithinMs, async () => ((await readyOf(e)).status === 200 ? true : undefined));
      phase = 'after';
      facts.push(`served again ${back.ms} ms after the filler was deleted`);
      await sleep(2000);
    } finally {
      // Also when a step above failed: the lanes' calls then end instead of waiting for space that never comes.
      fs.free();
      running = false;
      clearInterval(blocks);
      await Promise.allSettled(loops).then((rs) => {
        for (const r of rs) if (r.status === 'rejected') problems.push(`a lane failed: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
      });
    }

    facts.push(`purchases: ${counts.purchases.before} before, ${counts.purchases.full} while full, ${counts.purchases.after} after; ${counts.storageErrors} calls refused with ${STORAGE}, ${counts.answeredAgain} calls answered with their receipt once asked again, ${counts.refunded} refunded once asked again`);
    if (counts.commitError !== undefined) facts.push(`refused commit: ${counts.commitError}`);
    if (counts.fencedError !== undefined) facts.push(`refused while full: ${counts.fencedError}`);
    if (counts.storageErrors === 0) problems.push(`no buyer saw ${STORAGE}`);
    for (const m of [counts.commitError, counts.fencedError]) {
      if (m !== undefined && (!m.includes(NO_SPACE) || !m.includes(dbPath))) problems.push(`a ${STORAGE} that does not say "${NO_SPACE}" and the DB path ${dbPath}: ${m}`);
    }
    problems.push(...counts.other.map((o) => `unexpected error: ${o}`));
    if (counts.purchases.after === 0) problems.push('no purchase after the space came back');

    const recovered = await waitForLog(e, (l) => l.msg === 'the database can be written again: serving again', { timeoutMs: 5000, after: startLines, what: 'the recovery line' }).catch(() => undefined);
    if (recovered === undefined) problems.push('the maker did not log its recovery');
    else facts.push(`recovery: ${recovered.line['attempts']} checks, down ${recovered.line['down_ms']} ms, ${recovered.line['purchases_refunded']} purchases left in flight refunded (their sellers had been called)`);
    if (extraChannel !== undefined) {
      // The monitor delivers it again after its own backoff (up to 30 s), not at once when the maker serves.
      const id = extraChannel;
      const known = await until('the channel opened while the disk was full in the ledger', 90_000, async () => {
        await callRaw(lanes[0]!, MarketMakerProcedure.getPaymentChannel, [id]);
        return true;
      }).catch((err: unknown) => problems.push(err instanceof Error ? err.message : String(err)));
      const sinkRetries = logLines(e).slice(startLines).filter((l) => l.msg === 'chain monitor: channel sink failed; the range stays uncommitted and is delivered again').length;
      if (typeof known === 'object') facts.push(`the channel opened on chain while full: delivered ${sinkRetries} times in vain, in the ledger ${Date.now() - freedAt} ms after the space came back`);
    }

    const lines = logLines(e).slice(startLines);
    const exits = lines.filter((l) => l['component'] === 'controller' && (l.msg === 'worker exited unexpectedly' || l.msg === 'worker cannot be kept alive; stopping the node'));
    if (exits.length > 0 || workerPid(e, WORKER) !== pid) problems.push(`the worker did not stay up: ${exits.map((l) => `${l.msg} ${JSON.stringify(l)}`).join('; ') || 'another pid'}`);
    if (e.spawned.exitCode !== null) problems.push(`the controller exited with ${e.spawned.exitCode}`);
    // lmdb-js' own failure paths on a full disk print these (and are not safe to take): the reserve must keep LMDB from them.
    const lmdbOut = e.output().split('\n').filter((l) => l.includes('Write error:') || l.includes('mdb_page_spill'));
    if (lmdbOut.length > 0) problems.push(`LMDB itself ran out of space: ${lmdbOut.slice(0, 3).join(' | ')}`);
    const monitorStopped = lines.filter((l) => l.msg === MONITOR_STOPPED).length;
    const monitorBack = lines.filter((l) => l.msg === MONITOR_BACK).length;
    if (workerDbToo) facts.push(`chain monitor: stopped ${monitorStopped} times on the worker DB, started again ${monitorBack} times`);
    if (monitorStopped !== monitorBack) problems.push(`the chain monitor stopped ${monitorStopped} times on the worker DB but started again ${monitorBack} times`);
    problems.push(...(await verify(e, lanes, receipts)));
  } catch (err) {
    problems.push(`the scenario failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (options.outputFile !== undefined && edge !== undefined) writeFileSync(options.outputFile, edge.output());
    await edge?.stop().catch((err: unknown) => problems.push(`stopping the edge: ${err instanceof Error ? err.message : String(err)}`));
    try {
      fs.unmount();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { name: NAME, ok: problems.length === 0, problems, facts };
}
