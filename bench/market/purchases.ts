/**
 * The purchase loops of the market bench parts: every lane buying back to back (closed loop), or open loop at a
 * fixed rate — each purchase checked as a real buyer checks it (the receipt's signer is its market's maker, the
 * sealed key opens to the offered key).
 */
import { hexlify } from 'ethers';
import type { MarketEdge } from '../../test/e2e/harness/market-edge.js';
import type { Lane } from '../../test/e2e/market/lanes.js';
import { XBR } from '../../test/e2e/market/offers-purchase-helpers.js';

/** What every lane pays per key. */
export const PRICE = XBR / 1000n;

/** The chain head the buyers sign `close_at` with, polled once a second while a run lasts. */
async function followHead(edge: MarketEdge): Promise<{ at: () => bigint; stop: () => void }> {
  let closeAt = BigInt(await edge.provider().getBlockNumber());
  const timer = setInterval(() => {
    edge.provider().getBlockNumber().then((b) => (closeAt = BigInt(b)), () => undefined);
  }, 1000);
  return { at: () => closeAt, stop: () => clearInterval(timer) };
}

/** When a purchase's `buy_key` call was sent and answered (performance.now() ms). */
interface CallTimes {
  sent: number;
  answered: number;
}

/**
 * One purchase by `lane` of its `n`-th offer (round robin), checked as a real buyer does: the receipt's signer
 * and the sealed key. Returns when its call was sent and answered.
 */
async function buyOnce(lane: Lane, n: number, closeAt: bigint): Promise<CallTimes> {
  const offer = lane.offers[n % lane.offers.length]!;
  const { args, kwargs } = await lane.buyer.buyArgs(offer.keyId, PRICE, { closeAt });
  const sent = performance.now();
  const r = await lane.buyer.session.call('xbr.marketmaker.buy_key', { argsList: args, argsDict: kwargs });
  const answered = performance.now();
  const receipt = r.argsList?.[0] as Record<string, Uint8Array | number | bigint>;
  const seq = Number(receipt['channel_seq']);
  const remaining = lane.buyer.remaining - PRICE;
  const signer = lane.buyer.signerOf(seq, remaining, closeAt, receipt['signature'] as Uint8Array);
  if (!Buffer.from(signer).equals(lane.buyer.w.maker)) throw new Error(`receipt not signed by the maker ${hexlify(lane.buyer.w.maker)}`);
  if (!offer.isKey(lane.buyer.open(receipt['sealed_key'] as Uint8Array))) throw new Error('sealed key does not open to the offered key');
  lane.buyer.seq = seq;
  lane.buyer.remaining = remaining;
  return { sent, answered };
}

/** Every lane buys back to back for `ms`; returns purchases/s, sorted latencies (ms) and how many purchases each lane made. */
export async function run(edge: MarketEdge, lanes: Lane[], ms: number): Promise<{ perSecond: number; latencies: Float64Array; perLane: number[] }> {
  const head = await followHead(edge);
  const latencies: number[] = [];
  const perLane = lanes.map(() => 0);
  const start = performance.now();
  const end = start + ms;
  try {
    await Promise.all(
      lanes.map(async (lane, i) => {
        let n = i;
        while (performance.now() < end) {
          const t0 = performance.now();
          await buyOnce(lane, n++, head.at());
          latencies.push(performance.now() - t0);
          perLane[i]!++;
        }
      }),
    );
  } finally {
    head.stop();
  }
  return { perSecond: (latencies.length * 1000) / (performance.now() - start), latencies: Float64Array.from(latencies).sort(), perLane };
}

/** What an open-loop run at a fixed rate saw. */
export interface FixedRate {
  /** Purchases completed per second of the run (until the last one completed). */
  achievedPerS: number;
  /** Sorted latencies (ms), each from its purchase's scheduled start, not from when it was sent. */
  latencies: Float64Array;
  /** Purchases whose lane was still busy with the previous one at their scheduled start. */
  late: number;
  /** The longest such wait for the lane (ms). */
  maxLateMs: number;
  /** Sorted, per purchase (ms): from its scheduled start until its call was sent (lane, timer and signing delay). */
  toSend: Float64Array;
  /** Sorted, per purchase (ms): the `buy_key` round trip (router, maker, seller). */
  call: Float64Array;
}

/**
 * Open loop at `perSecond` for `ms`: purchase k is scheduled at start + k / rate and falls to lane k mod L,
 * so each lane has its own schedule at rate / L. A lane's purchases are sequential (each signs the seq and
 * balance its predecessor's receipt left), so a purchase whose lane is still busy at its scheduled time is
 * sent when the lane is free — never skipped — and its latency still counts from the schedule (no
 * coordinated omission); how often that happened, and by how much, is returned beside the latencies.
 */
export async function runFixedRate(edge: MarketEdge, lanes: Lane[], perSecond: number, ms: number): Promise<FixedRate> {
  const head = await followHead(edge);
  const latencies: number[] = [];
  const toSend: number[] = [];
  const call: number[] = [];
  let late = 0;
  let maxLateMs = 0;
  const intervalMs = 1000 / perSecond;
  const count = Math.floor(ms / intervalMs);
  const start = performance.now() + 10;
  try {
    await Promise.all(
      lanes.map(async (lane, i) => {
        for (let k = i; k < count; k += lanes.length) {
          const scheduled = start + k * intervalMs;
          const wait = scheduled - performance.now();
          // Rounded up: timers run on a whole-ms clock and would otherwise send purchases up to 1 ms early.
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
          else {
            late++;
            maxLateMs = Math.max(maxLateMs, -wait);
          }
          const t = await buyOnce(lane, k, head.at());
          latencies.push(performance.now() - scheduled);
          toSend.push(t.sent - scheduled);
          call.push(t.answered - t.sent);
        }
      }),
    );
  } finally {
    head.stop();
  }
  const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort();
  return { achievedPerS: (latencies.length * 1000) / (performance.now() - start), latencies: sorted(latencies), late, maxLateMs, toSend: sorted(toSend), call: sorted(call) };
}
