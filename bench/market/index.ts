/**
 * The `market` bench part: key purchases (`buy_key`) per second and their latency end to end — the real
 * controller, router, xbrmm worker and dev chain on the shipped config, N buyer and M seller delegates as
 * plain WAMP clients in this process — beside the pure crypto-and-storage cost of one purchase measured in
 * the same run (bound.ts: every party's signatures, recoveries, the sealed box and its opening, the maker's
 * two durable ledger commits; no network, no WAMP).
 *
 * Figures:
 * - `market.bound_cpu_us_per_purchase`: CPU time of one purchase in the in-process run (all parties);
 * - `market.bound_purchases_per_s`: cores × 1e6 / that cost, i.e. what this machine could do if it did
 *   nothing but the purchases' crypto and storage;
 * - `market.purchases_per_s`, `market.latency_p50_ms`, `market.latency_p99_ms`: end to end, every buyer
 *   signing its payment, verifying the maker's receipt and opening the sealed key as a real buyer does;
 * - ratios: end to end vs the bound, and vs the goal of 1,000 purchases/s.
 * Buyers: each its own payment channel (buyer #3 consents each delegate) and its own session of member #3
 * (only a payment channel's actor may buy with it); sellers: each its own delegate and paying channel
 * (seller #2 consents each; the market owner opens them, the maker funds them) and its own member session
 * (members #10, #11, …: one `xbr.provider.<authid>.sell` per authid). Members log in with the test config's
 * ticket principals (offers-purchase-helpers `e2eConfig`).
 */
import os from 'node:os';
import { hexlify } from 'ethers';
import { startMarketEdge, type MarketEdge } from '../../test/e2e/harness/market-edge.js';
import { MAX_SELLERS, setupLanes, type Lane } from '../../test/e2e/market/lanes.js';
import { e2eConfig, world, XBR } from '../../test/e2e/market/offers-purchase-helpers.js';
import { describe, figure, percentile, positiveIntFromEnv, ratio, type BenchContext } from '../util.js';
import { purchaseBound } from './bound.js';
import { startMarketProfile } from './profile.js';

const GOAL_PER_S = 1000;
const PRICE = XBR / 1000n;
const PAYMENT_DEPOSIT = 100n * XBR;
const PAYING_DEPOSIT = 1000n * XBR;
const OFFERS_PER_SELLER = 16;

/** CPU µs per purchase of the in-process run (all parties, one process). */
async function boundCost(ms: number, buyers: number, sellers: number): Promise<{ cpuUs: number; perSecond: number }> {
  const r = await purchaseBound(ms, buyers, sellers);
  return { cpuUs: r.cpuUs, perSecond: r.perSecond };
}

/** Every lane buys back to back for `ms`; returns purchases/s and sorted latencies (ms). */
async function run(edge: MarketEdge, lanes: Lane[], ms: number): Promise<{ perSecond: number; latencies: Float64Array }> {
  let closeAt = BigInt(await edge.provider().getBlockNumber());
  const blockTimer = setInterval(() => {
    edge.provider().getBlockNumber().then((b) => (closeAt = BigInt(b)), () => undefined);
  }, 1000);
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + ms;
  try {
    await Promise.all(
      lanes.map(async (lane, i) => {
        let n = i;
        while (performance.now() < end) {
          const offer = lane.offers[n++ % lane.offers.length]!;
          const t0 = performance.now();
          const { args, kwargs } = await lane.buyer.buyArgs(offer.keyId, PRICE, { closeAt });
          const r = await lane.buyer.session.call('xbr.marketmaker.buy_key', { argsList: args, argsDict: kwargs });
          const receipt = r.argsList?.[0] as Record<string, Uint8Array | number | bigint>;
          const seq = Number(receipt['channel_seq']);
          const remaining = lane.buyer.remaining - PRICE;
          const signer = lane.buyer.signerOf(seq, remaining, closeAt, receipt['signature'] as Uint8Array);
          if (hexlify(signer).toLowerCase() !== edge.makerAddress.toLowerCase()) throw new Error('receipt not signed by the maker');
          if (!offer.isKey(lane.buyer.open(receipt['sealed_key'] as Uint8Array))) throw new Error('sealed key does not open to the offered key');
          lane.buyer.seq = seq;
          lane.buyer.remaining = remaining;
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    clearInterval(blockTimer);
  }
  return { perSecond: (latencies.length * 1000) / (performance.now() - start), latencies: Float64Array.from(latencies).sort() };
}

export async function runMarketBench(ctx: BenchContext): Promise<boolean> {
  const buyers = positiveIntFromEnv('BENCH_MARKET_BUYERS', 16);
  const sellers = positiveIntFromEnv('BENCH_MARKET_SELLERS', 8);
  if (sellers > MAX_SELLERS) {
    ctx.out(`# ERROR market: BENCH_MARKET_SELLERS=${sellers}: at most ${MAX_SELLERS} sellers`);
    return false;
  }
  const ms = ctx.quick ? 3000 : 15_000;
  const cores = os.cpus().length;
  ctx.out(`# market: ${buyers} buyers, ${sellers} sellers, price ${PRICE} wei, ${ms / 1000} s per run; bound in-process with the same lanes`);

  ctx.log('market: in-process bound');
  const bound = await boundCost(ctx.quick ? 2000 : 5000, buyers, sellers);
  const boundPerS = (cores * 1e6) / bound.cpuUs;
  figure(ctx, 'market.bound_cpu_us_per_purchase', bound.cpuUs, 'us');
  figure(ctx, 'market.bound_purchases_per_s', boundPerS, `purchases/s (${cores} cores × 1e6 / cpu us)`);
  figure(ctx, 'market.bound_one_process_purchases_per_s', bound.perSecond, 'purchases/s (measured, one process)');

  ctx.log('market: starting the edge (controller, dev chain, router, xbrmm worker)');
  let edge: MarketEdge | undefined;
  try {
    edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_LOG_LEVEL: 'warn' } });
    const probe = await edge.connect();
    const w = await world(edge, probe);
    ctx.log('market: channels, consents, offers');
    const lanes = await setupLanes(edge, w, { buyers, sellers, price: PRICE, paymentDeposit: PAYMENT_DEPOSIT, payingDeposit: PAYING_DEPOSIT, offersPerSeller: OFFERS_PER_SELLER });
    ctx.log('market: warm-up');
    await run(edge, lanes, ctx.quick ? 1000 : 3000);
    ctx.log('market: measuring');
    const profile = await startMarketProfile();
    const r = await run(edge, lanes, ms);
    await profile?.stop(r.latencies.length, ctx.out);
    figure(ctx, 'market.purchases_per_s', r.perSecond, 'purchases/s');
    figure(ctx, 'market.latency_p50_ms', percentile(r.latencies, 0.5), 'ms', 2);
    figure(ctx, 'market.latency_p99_ms', percentile(r.latencies, 0.99), 'ms', 2);
    figure(ctx, 'market.e2e_vs_bound', ratio(r.perSecond, boundPerS), 'x', 2);
    figure(ctx, 'market.e2e_vs_goal_1000', ratio(r.perSecond, GOAL_PER_S), 'x', 2);
    return true;
  } catch (err) {
    ctx.out(`# ERROR market: ${describe(err)}`);
    if (edge !== undefined) ctx.out(`# controller output (tail):\n${edge.output().slice(-2000).replace(/^/gm, '# ')}`);
    return false;
  } finally {
    await edge?.stop().catch((err: unknown) => ctx.out(`# ERROR market: stopping the edge: ${describe(err)}`));
  }
}

/** Upper bound for the watchdog: edge start, chain setup of the lanes, bound, warm-up and the run. */
export function marketBudgetMs(quick: boolean): number {
  return quick ? 240_000 : 480_000;
}
