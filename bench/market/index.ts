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
 * - ratios: end to end vs the bound, and vs the goal of 1,000 purchases/s;
 * - `market.half_load_*`: the same lanes open loop at half the peak just measured (`runFixedRate`): the rate
 *   offered and achieved, p50/p99 latency from each purchase's scheduled start, and how many purchases found
 *   their lane still busy (sent late; the wait is in their latency, nothing is skipped); a `#` line splits
 *   the latency into the wait until the call was sent and the `buy_key` round trip, and another says how many
 *   purchases were slow as the clients, the router and the maker each saw them (node-latency.ts).
 * Buyers: each its own payment channel (buyer #3 consents each delegate) and its own session of member #3
 * (only a payment channel's actor may buy with it); sellers: each its own delegate and paying channel
 * (seller #2 consents each; the market owner opens them, the maker funds them) and its own member session
 * (members #10, #11, …: one `xbr.provider.<authid>.sell` per authid). Members log in with the test config's
 * ticket principals (offers-purchase-helpers `e2eConfig`).
 */
import os from 'node:os';
import { startMarketEdge, type MarketEdge } from '../../test/e2e/harness/market-edge.js';
import { MAX_SELLERS, setupLanes } from '../../test/e2e/market/lanes.js';
import { e2eConfig, world, XBR } from '../../test/e2e/market/offers-purchase-helpers.js';
import { describe, figure, percentile, positiveIntFromEnv, ratio, type BenchContext } from '../util.js';
import { purchaseBound } from './bound.js';
import { addWorkerProbe, startMarketProfile } from './profile.js';
import { countAbove, countOver, nodeLatency } from './node-latency.js';
import { PRICE, run, runFixedRate } from './purchases.js';

const GOAL_PER_S = 1000;
const PAYMENT_DEPOSIT = 100n * XBR;
const PAYING_DEPOSIT = 1000n * XBR;
const OFFERS_PER_SELLER = 16;

/** CPU µs per purchase of the in-process run (all parties, one process). */
async function boundCost(ms: number, buyers: number, sellers: number): Promise<{ cpuUs: number; perSecond: number }> {
  const r = await purchaseBound(ms, buyers, sellers);
  return { cpuUs: r.cpuUs, perSecond: r.perSecond };
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
    edge = await startMarketEdge({
      configure: (config) => {
        e2eConfig(config);
        addWorkerProbe(config);
      },
      env: { XBR_LOG_LEVEL: 'warn' },
    });
    const probe = await edge.connect();
    const w = await world(edge, probe);
    ctx.log('market: channels, consents, offers');
    const lanes = await setupLanes(edge, w, { buyers, sellers, price: PRICE, paymentDeposit: PAYMENT_DEPOSIT, payingDeposit: PAYING_DEPOSIT, offersPerSeller: OFFERS_PER_SELLER });
    ctx.log('market: warm-up');
    await run(edge, lanes, ctx.quick ? 1000 : 3000);
    ctx.log('market: measuring');
    const profile = await startMarketProfile('saturation');
    const r = await run(edge, lanes, ms);
    await profile?.stop(r.latencies.length, ctx.out);
    figure(ctx, 'market.purchases_per_s', r.perSecond, 'purchases/s');
    figure(ctx, 'market.latency_p50_ms', percentile(r.latencies, 0.5), 'ms', 2);
    figure(ctx, 'market.latency_p99_ms', percentile(r.latencies, 0.99), 'ms', 2);
    figure(ctx, 'market.e2e_vs_bound', ratio(r.perSecond, boundPerS), 'x', 2);
    figure(ctx, 'market.e2e_vs_goal_1000', ratio(r.perSecond, GOAL_PER_S), 'x', 2);
    const halfRate = r.perSecond / 2;
    ctx.log(`market: open loop at half the peak, ${halfRate.toFixed(0)} purchases/s`);
    const halfProfile = await startMarketProfile('half load');
    const nodeBefore = edge.httpUrl === undefined ? undefined : await nodeLatency(edge.httpUrl, 'realm1');
    const h = await runFixedRate(edge, lanes, halfRate, ms);
    const nodeAfter = edge.httpUrl === undefined ? undefined : await nodeLatency(edge.httpUrl, 'realm1');
    await halfProfile?.stop(h.latencies.length, ctx.out);
    figure(ctx, 'market.half_load_rate_per_s', halfRate, 'purchases/s offered');
    figure(ctx, 'market.half_load_achieved_per_s', h.achievedPerS, 'purchases/s');
    figure(ctx, 'market.half_load_p50_ms', percentile(h.latencies, 0.5), 'ms (from the scheduled start)', 2);
    figure(ctx, 'market.half_load_p99_ms', percentile(h.latencies, 0.99), 'ms (from the scheduled start)', 2);
    const split = (label: string, xs: Float64Array): string => `${label} p50 ${percentile(xs, 0.5).toFixed(1)} p99 ${percentile(xs, 0.99).toFixed(1)} ms`;
    ctx.out(`# half load: ${split('scheduled start to call sent', h.toSend)}; ${split('buy_key round trip', h.call)}`);
    if (nodeBefore !== undefined && nodeAfter !== undefined) {
      // Where the slow purchases were slow, as shares of the purchases (the node's histograms have bounds at 10, 25, 50 ms).
      const pct = (n: number): string => `${((n / h.latencies.length) * 100).toFixed(2)} %`;
      const over = [10, 25, 50].map((limit) => {
        const maker = countOver(nodeBefore.maker, nodeAfter.maker, limit / 1000);
        const router = countOver(nodeBefore.router, nodeAfter.router, limit / 1000);
        return `${limit} ms: round trip ${pct(countAbove(h.call, limit))}, router ${pct(router)}, maker ${pct(maker)}`;
      });
      ctx.out(`# half load, purchases over ${over.join('; over ')} (router: buy_key and sell calls over the bound, per purchase; maker: its answer time)`);
    }
    figure(ctx, 'market.half_load_late_starts', h.late, `purchases whose lane was still busy at their scheduled start (waited up to ${h.maxLateMs.toFixed(1)} ms, counted in their latency)`);
    return true;
  } catch (err) {
    ctx.out(`# ERROR market: ${describe(err)}`);
    if (edge !== undefined) ctx.out(`# controller output (tail):\n${edge.output().slice(-2000).replace(/^/gm, '# ')}`);
    return false;
  } finally {
    await edge?.stop().catch((err: unknown) => ctx.out(`# ERROR market: stopping the edge: ${describe(err)}`));
  }
}

/** Upper bound for the watchdog: edge start, chain setup of the lanes, bound, warm-up and the two runs. */
export function marketBudgetMs(quick: boolean): number {
  return quick ? 250_000 : 500_000;
}
