/**
 * The crash proof (issue "Step 5"): a real edge (controller, router, dev chain, xbrmm worker), N buyers × M
 * sellers buying back to back, and per seed one SIGKILL of the xbrmm worker at an instant the seed draws.
 * A buyer whose call was lost asks the identical signed call again until the restarted maker answers it (the
 * idempotent `buy_key`); one whose purchase was refunded at the restart reads its channel's state and goes on.
 * After each seed, with every lane stopped:
 * - every receipt a buyer holds is a SUCCESS purchase of the ledger, exactly once, and every SUCCESS purchase
 *   of the ledger on a lane's channel is a receipt its buyer holds (nothing charged is lost, nothing doubled);
 * - nothing is INFLIGHT;
 * - the maker's balance of each payment channel is the buyer's last signed state (seq, remaining, 0 in flight);
 * - the operator's audit (`admin.audit`: every signature, every balance, the chain) finds nothing.
 *
 * Used by `crash.test.ts` (3 seeds in CI) and `npm run proof -- crash --seeds N`.
 */
import { hexlify } from 'ethers';
import { readMakerResult, type BuyKeyResult } from '../../schema/api/index.js';
import { formatUuid } from '../../schema/codec/uuid.js';
import { unpackUint256 } from '../../schema/codec/uint256.js';
import { MarketMakerProcedure } from '../../schema/uris.js';
import { startMarketEdge, waitForLog, logLines, workerPid, type MarketEdge } from '../e2e/harness/market-edge.js';
import { setupLanes, type Lane } from '../e2e/market/lanes.js';
import { e2eConfig, sleep, world, XBR } from '../e2e/market/offers-purchase-helpers.js';
import { prng } from '../helpers/prng.js';
import { runXbrEdge } from '../helpers/xbr-edge-cli.js';

const PRICE = XBR / 1000n;
const WORKER = 'xbrmm1';
/** Errors that mean "the maker did not answer", after which the identical call is asked again. */
const NO_ANSWER = new Set(['wamp.error.canceled', 'wamp.error.no_such_procedure', 'wamp.error.timeout', 'wamp.error.unavailable']);

export interface CrashOptions {
  readonly buyers: number;
  readonly sellers: number;
}

export interface CrashEdge {
  readonly edge: MarketEdge;
  readonly lanes: Lane[];
  /** Receipts held per payment channel (hex): the seqs the maker signed to the buyer. */
  readonly receipts: Map<string, number[]>;
  stop(): Promise<void>;
}

export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly killAfterMs: number;
  readonly purchases: number;
  /** Calls asked again after the kill and answered with the receipt (sales the crash would have cost a buyer). */
  readonly recovered: number;
  readonly refunded: number;
  readonly problems: string[];
}

/** A WAMP error's URI, or undefined for anything else. */
function uriOf(err: unknown): string | undefined {
  const u = (err as { errorUri?: unknown } | null)?.errorUri;
  return typeof u === 'string' ? u : undefined;
}

async function callRaw(lane: Lane, uri: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<unknown> {
  const r = await lane.buyer.session.call(uri, { argsList: args, ...(kwargs === undefined ? {} : { argsDict: kwargs }) });
  return r.argsList?.[0];
}

/** Starts the edge and the lanes. */
export async function startCrashEdge(o: CrashOptions): Promise<CrashEdge> {
  const edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_LOG_LEVEL: 'info' } });
  try {
    const w = await world(edge, await edge.connect());
    const lanes = await setupLanes(edge, w, { buyers: o.buyers, sellers: o.sellers, price: PRICE, paymentDeposit: 1000n * XBR, payingDeposit: 10_000n * XBR, offersPerSeller: 8 });
    const receipts = new Map(lanes.map((l) => [formatUuid(l.buyer.channelId), [2]]));
    return { edge, lanes, receipts, stop: () => edge.stop().then(() => undefined) };
  } catch (err) {
    await edge.stop().catch(() => undefined);
    throw err;
  }
}

interface LaneCounts {
  purchases: number;
  recovered: number;
  refunded: number;
}

/** Reads the lane's channel state from the maker (asked again while the maker is away). */
async function resync(lane: Lane): Promise<void> {
  for (;;) {
    try {
      const b = readMakerResult(MarketMakerProcedure.getPaymentChannelBalance, await callRaw(lane, MarketMakerProcedure.getPaymentChannelBalance, [lane.buyer.channelId]));
      if (unpackUint256(b.inflight) === 0n) {
        lane.buyer.seq = b.seq;
        lane.buyer.remaining = unpackUint256(b.remaining);
        return;
      }
    } catch (err) {
      if (uriOf(err) === undefined) throw err;
    }
    await sleep(100);
  }
}

/** One lane buying until `running()` is false; each receipt checked as a buyer does and recorded. */
async function laneLoop(c: CrashEdge, lane: Lane, running: () => boolean, closeAt: () => bigint, counts: LaneCounts, problems: string[]): Promise<void> {
  const held = c.receipts.get(formatUuid(lane.buyer.channelId))!;
  let n = lane.buyer.seq;
  while (running()) {
    const offer = lane.offers[n++ % lane.offers.length]!;
    const at = closeAt();
    const { args, kwargs } = await lane.buyer.buyArgs(offer.keyId, PRICE, { closeAt: at });
    const seq = lane.buyer.seq + 1;
    const remaining = lane.buyer.remaining - PRICE;
    let receipt: BuyKeyResult | undefined;
    for (let attempt = 0; receipt === undefined; attempt++) {
      try {
        receipt = readMakerResult(MarketMakerProcedure.buyKey, await callRaw(lane, MarketMakerProcedure.buyKey, args, kwargs));
        if (attempt > 0) counts.recovered++;
      } catch (err) {
        const uri = uriOf(err);
        if (uri === undefined) throw err;
        if (NO_ANSWER.has(uri) && attempt < 600) {
          await sleep(100);
          continue;
        }
        // Refunded (the purchase was in flight at the crash and the restart failed it): the channel state says where we are.
        counts.refunded++;
        await resync(lane);
        break;
      }
    }
    if (receipt === undefined) continue;
    if (receipt.channel_seq !== seq || unpackUint256(receipt.remaining) !== remaining) problems.push(`channel ${formatUuid(lane.buyer.channelId)}: receipt for seq ${receipt.channel_seq} / ${unpackUint256(receipt.remaining)}, asked seq ${seq} / ${remaining}`);
    if (hexlify(lane.buyer.signerOf(seq, remaining, at, receipt.signature)).toLowerCase() !== c.edge.makerAddress.toLowerCase()) problems.push(`channel ${formatUuid(lane.buyer.channelId)} seq ${seq}: receipt not signed by the maker`);
    if (!Buffer.from(lane.buyer.open(receipt.sealed_key)).equals(offer.key)) problems.push(`channel ${formatUuid(lane.buyer.channelId)} seq ${seq}: the sealed key does not open to the offered key`);
    lane.buyer.seq = seq;
    lane.buyer.remaining = remaining;
    held.push(seq);
    counts.purchases++;
  }
}

interface TxJson {
  state: string;
  payment_channel: string;
  payment_seq: number;
}

async function adminJson<T>(edge: MarketEdge, ...args: string[]): Promise<T> {
  const r = await runXbrEdge('admin', ...args, '--cbdir', edge.cbdir, '--json');
  if (r.status !== 0 && !(args[0] === 'audit' && r.status === 4)) throw new Error(`xbr-edge admin ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Every check of a seed, with the lanes stopped. */
async function verify(c: CrashEdge): Promise<string[]> {
  const problems: string[] = [];
  for (const lane of c.lanes) {
    const id = formatUuid(lane.buyer.channelId);
    const txs: TxJson[] = [];
    let cursor: string | null = null;
    do {
      const [page]: { transactions: TxJson[]; next_cursor: string | null }[] = await adminJson(c.edge, 'transactions', '--channel', id, '--limit', '1000', ...(cursor === null ? [] : ['--cursor', cursor]));
      txs.push(...page!.transactions);
      cursor = page!.next_cursor;
    } while (cursor !== null);
    const inflight = txs.filter((t) => t.state === 'INFLIGHT');
    if (inflight.length > 0) problems.push(`channel ${id}: ${inflight.length} purchases still INFLIGHT`);
    const sold = txs.filter((t) => t.state === 'SUCCESS').map((t) => t.payment_seq).sort((a, b) => a - b);
    const held = [...c.receipts.get(id)!].sort((a, b) => a - b);
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
  const [audit] = await adminJson<{ ok: boolean; mismatches_total: number; mismatches: { message: string }[] }[]>(c.edge, 'audit');
  if (audit?.ok !== true) problems.push(`the audit found ${audit?.mismatches_total} mismatches: ${audit?.mismatches.map((m) => m.message).join('; ')}`);
  return problems;
}

/**
 * One seed: the lanes buy; at an instant the seed draws (0.3–2 s) the xbrmm worker is SIGKILLed; the lanes go on
 * through the restart and 1 s after it; then everything is checked.
 */
export async function runCrashSeed(c: CrashEdge, seed: number): Promise<SeedResult> {
  const rand = prng(seed);
  const killAfterMs = Math.round(300 + rand() * 1700);
  let closeAt = BigInt(await c.edge.provider().getBlockNumber());
  const blocks = setInterval(() => {
    c.edge.provider().getBlockNumber().then((b) => (closeAt = BigInt(b)), () => undefined);
  }, 1000);
  let running = true;
  const counts: LaneCounts = { purchases: 0, recovered: 0, refunded: 0 };
  const problems: string[] = [];
  const loops = c.lanes.map((lane) => laneLoop(c, lane, () => running, () => closeAt, counts, problems));
  try {
    await sleep(killAfterMs);
    const pid = workerPid(c.edge, WORKER);
    if (pid === undefined) throw new Error(`no pid of ${WORKER} in the controller's log`);
    const at = logLines(c.edge).length;
    process.kill(pid, 'SIGKILL');
    await waitForLog(c.edge, (l) => l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === WORKER, { timeoutMs: 90_000, after: at, what: `${WORKER} ready after the kill` });
    await sleep(1000);
  } finally {
    running = false;
    clearInterval(blocks);
    await Promise.allSettled(loops).then((rs) => {
      for (const r of rs) if (r.status === 'rejected') problems.push(`a lane failed: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    });
  }
  problems.push(...(await verify(c)));
  return { seed, ok: problems.length === 0, killAfterMs, ...counts, problems };
}

export function formatSeed(r: SeedResult): string {
  const head = `seed ${r.seed}: xbrmm killed at +${r.killAfterMs} ms; ${r.purchases} purchases, ${r.recovered} answered again after the kill, ${r.refunded} refunded`;
  return r.ok ? `${head}: ok` : `${head}: FAILED\n  ${r.problems.join('\n  ')}`;
}
