/**
 * The `scaleout` bench part: two markets on one edge, each with its own maker (one maker per realm), served
 * either by one xbrmm worker hosting both makers or by two xbrmm workers with one maker each — the same lanes
 * buying back to back in both markets at once, so the only difference between the runs is how many processes
 * (and so how many cores) the makers can use. Beside each run: every process's CPU per purchase and share of a
 * core, to show where the second core goes.
 *
 * The dev chain has one demo market. The part first starts the edge as shipped, creates the second market on
 * chain (owner: the demo market owner #1; maker: a fresh key in the node directory, funded like the demo maker;
 * seller #2 and buyer #3 join it), and stops; then for each layout it starts the edge again on the same node
 * directory (the chain replays its journal), with `realm2` (the roles of realm1) and the second maker added.
 *
 * Figures: `scaleout.one_worker_per_s`, `scaleout.two_workers_per_s` (purchases/s of both markets together),
 * their p50/p99 latency, `scaleout.two_workers_vs_one`, and the share of a core of the xbrmm processes in each
 * layout (`scaleout.<layout>.xbrmm_core_pct`, summed over the xbrmm processes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, hexlify, randomBytes, Wallet, type Signer } from 'ethers';
import { DEMO_CIDS, xbrMarketAbi, xbrTokenAbi } from '../../contracts/index.js';
import { startMarketEdge, type EdgeConfig, type EdgeXbrmm, type MarketEdge } from '../../test/e2e/harness/market-edge.js';
import { MAX_SELLERS, setupLanes, type Lane } from '../../test/e2e/market/lanes.js';
import { e2eConfig, world, XBR, type OtherMarket } from '../../test/e2e/market/offers-purchase-helpers.js';
import { loadOrCreateKey } from '../../worker/host/key.js';
import { describe, figure, percentile, positiveIntFromEnv, ratio, type BenchContext } from '../util.js';
import { addWorkerProbe, startMarketProfile, type ProcessCpu } from './profile.js';
import { PRICE, run } from './purchases.js';

/** Small deposits: a run spends a few XBR per lane, and the chain's members fund every layout's channels. */
const PAYMENT_DEPOSIT = 20n * XBR;
const PAYING_DEPOSIT = 200n * XBR;
const MAKER_FUNDING = 100_000n * XBR;
const OFFERS_PER_SELLER = 16;
const SECOND_REALM = 'realm2';
const SECOND_MAKER_KEY = '.xbr-edge/maker2.key';

type Layout = 'one_worker' | 'two_workers';

const clone = <T>(x: T): T => structuredClone(x);

/** Waits for a transaction and fails on a revert. */
async function mined(tx: Promise<{ wait: () => Promise<{ status: number | null } | null> }>): Promise<void> {
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error('scaleout: a setup transaction failed');
}

/**
 * Creates the second market on the edge's chain with `maker` as its maker, funded and approved as the demo
 * maker is (it pays the PAYING deposits), and joins seller #2 and buyer #3 to it. Returns its id (hex).
 */
async function createSecondMarket(edge: MarketEdge, maker: Wallet): Promise<string> {
  const { contracts } = edge.devchain;
  const marketId = hexlify(randomBytes(16));
  const deployer = edge.account(0);
  const makerSigner = maker.connect(edge.provider());
  await mined(deployer.sendTransaction({ to: maker.address, value: 10n * 10n ** 18n }));
  await mined(new Contract(contracts.token, xbrTokenAbi, deployer as Signer).getFunction('transfer')(maker.address, MAKER_FUNDING));
  await mined(new Contract(contracts.token, xbrTokenAbi, makerSigner as Signer).getFunction('approve')(contracts.channel, MAKER_FUNDING));
  const market = (member: number): Contract => new Contract(contracts.market, xbrMarketAbi, edge.account(member) as Signer);
  await mined(market(1).getFunction('createMarket')(marketId, contracts.token, DEMO_CIDS.marketTerms, DEMO_CIDS.marketMeta, maker.address, 0n, 0n, 0n));
  await mined(market(2).getFunction('joinMarket')(marketId, 1, ''));
  await mined(market(3).getFunction('joinMarket')(marketId, 2, ''));
  return marketId;
}

/**
 * The shipped config with the e2e member logins, `realm2` (realm1's roles) and the second maker in it: beside
 * the first maker in its worker (`one_worker`), or in a second xbrmm worker of its own with its own worker DB
 * and IPFS directory (`two_workers`).
 */
function configure(config: EdgeConfig, layout: Layout): void {
  e2eConfig(config);
  const router = config.workers.find((w) => w['type'] === 'router');
  const realms = (router?.['realms'] ?? []) as Record<string, unknown>[];
  const realm1 = realms.find((r) => r['name'] === 'realm1');
  if (realm1 === undefined) throw new Error('scaleout: the shipped config has no realm1');
  realms.push({ ...clone(realm1), name: SECOND_REALM });
  const first = config.workers.find((w): w is EdgeXbrmm => w['type'] === 'xbrmm');
  const maker1 = first?.makers[0];
  if (first === undefined || maker1 === undefined) throw new Error('scaleout: the shipped config has no xbrmm worker with a maker');
  const maker2 = { ...clone(maker1), id: 'maker2', key: SECOND_MAKER_KEY, database: { path: '.xbr-edge/maker2.db' }, connection: { ...clone(maker1.connection), realm: SECOND_REALM } };
  if (layout === 'one_worker') {
    first.makers.push(maker2);
  } else {
    const second = clone(first);
    second['id'] = 'xbrmm2';
    second.options.extra['database'] = { path: '.xbr-edge/xbrmm2-worker.db' };
    if (second.options.extra.ipfs !== undefined) second.options.extra.ipfs['directory'] = '.xbr-edge/ipfs-files-2';
    second.makers = [maker2];
    config.workers.splice(config.workers.indexOf(first) + 1, 0, second);
  }
  addWorkerProbe(config);
}

interface LayoutResult {
  perSecond: number;
  p50: number;
  p99: number;
  /** Purchases per second in each market (demo market first). */
  perMarket: [number, number];
  cpu: ProcessCpu[];
}

/** Starts the edge on `cbdir` in `layout`, sets up the lanes of both markets, warms up and measures. */
async function runLayout(ctx: BenchContext, cbdir: string, layout: Layout, second: OtherMarket, o: { buyers: number; sellers: number; ms: number }): Promise<LayoutResult> {
  let edge: MarketEdge | undefined;
  try {
    edge = await startMarketEdge({ cbdir, keepCbdir: true, configure: (c) => configure(c, layout), env: { XBR_LOG_LEVEL: 'warn' } });
    const probe1 = await edge.connect();
    const probe2 = await edge.connect({ wampy: { realm: SECOND_REALM } });
    await edge.callWhenRegistered(probe2, 'xbr.marketmaker.status');
    const worlds = [await world(edge, probe1), await world(edge, probe2, second)];
    ctx.log(`scaleout ${layout}: channels, consents, offers of both markets`);
    const laneSets: Lane[][] = [];
    for (const w of worlds) {
      laneSets.push(await setupLanes(edge, w, { buyers: o.buyers, sellers: o.sellers, price: PRICE, paymentDeposit: PAYMENT_DEPOSIT, payingDeposit: PAYING_DEPOSIT, offersPerSeller: OFFERS_PER_SELLER }));
    }
    const lanes = laneSets.flat();
    ctx.log(`scaleout ${layout}: warm-up`);
    await run(edge, lanes, ctx.quick ? 1000 : 3000);
    ctx.log(`scaleout ${layout}: measuring`);
    const profile = await startMarketProfile(`scaleout ${layout}`, { always: true });
    const r = await run(edge, lanes, o.ms);
    const cpu = (await profile?.stop(r.latencies.length, ctx.out)) ?? [];
    const seconds = r.latencies.length / r.perSecond;
    const inMarket = (m: number): number => r.perLane.slice(m * o.buyers, (m + 1) * o.buyers).reduce((a, b) => a + b, 0) / seconds;
    return { perSecond: r.perSecond, p50: percentile(r.latencies, 0.5), p99: percentile(r.latencies, 0.99), perMarket: [inMarket(0), inMarket(1)], cpu };
  } catch (err) {
    if (edge !== undefined) ctx.out(`# controller output (tail):\n${edge.output().slice(-2000).replace(/^/gm, '# ')}`);
    throw err;
  } finally {
    await edge?.stop().catch((err: unknown) => ctx.out(`# ERROR scaleout: stopping the edge: ${describe(err)}`));
  }
}

function report(ctx: BenchContext, layout: Layout, r: LayoutResult): void {
  figure(ctx, `scaleout.${layout}_per_s`, r.perSecond, 'purchases/s (both markets)');
  figure(ctx, `scaleout.${layout}_p50_ms`, r.p50, 'ms', 2);
  figure(ctx, `scaleout.${layout}_p99_ms`, r.p99, 'ms', 2);
  ctx.out(`# scaleout ${layout}: demo market ${r.perMarket[0].toFixed(0)}/s, second market ${r.perMarket[1].toFixed(0)}/s`);
  const share = (label: string): number => r.cpu.filter((p) => p.label === label).reduce((a, p) => a + p.corePct, 0);
  figure(ctx, `scaleout.${layout}.xbrmm_core_pct`, share('xbrmm'), `% of a core (${r.cpu.filter((p) => p.label === 'xbrmm').length} xbrmm processes)`, 0);
  figure(ctx, `scaleout.${layout}.router_core_pct`, share('router'), '% of a core', 0);
  figure(ctx, `scaleout.${layout}.clients_core_pct`, share('bench'), '% of a core (the buyer and seller clients, this process)', 0);
  figure(ctx, `scaleout.${layout}.total_core_pct`, share('total'), `% of a core (of ${os.cpus().length} cores)`, 0);
}

export async function runScaleoutBench(ctx: BenchContext): Promise<boolean> {
  // Per market: half the market part's default lanes, so both layouts carry the load the one-market run does.
  const buyers = positiveIntFromEnv('BENCH_SCALEOUT_BUYERS', 8);
  const sellers = positiveIntFromEnv('BENCH_SCALEOUT_SELLERS', 4);
  if (sellers > MAX_SELLERS) {
    ctx.out(`# ERROR scaleout: BENCH_SCALEOUT_SELLERS=${sellers}: at most ${MAX_SELLERS} sellers`);
    return false;
  }
  const ms = ctx.quick ? 3000 : 15_000;
  ctx.out(`# scaleout: 2 markets × (${buyers} buyers, ${sellers} sellers), ${ms / 1000} s per layout, ${os.cpus().length} cores; layouts: one xbrmm worker with both makers, two xbrmm workers`);
  const cbdir = mkdtempSync(join(tmpdir(), 'xbr-bench-scaleout-'));
  try {
    ctx.log('scaleout: creating the second market on the dev chain');
    const makerKey = loadOrCreateKey(join(cbdir, SECOND_MAKER_KEY));
    const maker = new Wallet(hexlify(makerKey));
    const setup = await startMarketEdge({ cbdir, keepCbdir: true, configure: e2eConfig, env: { XBR_LOG_LEVEL: 'warn' } });
    let marketId: string;
    try {
      marketId = await createSecondMarket(setup, maker);
    } finally {
      await setup.stop();
    }
    const second: OtherMarket = { marketId, maker: maker.address, realm: SECOND_REALM };
    const results = {} as Record<Layout, LayoutResult>;
    for (const layout of ['one_worker', 'two_workers'] as const) {
      ctx.log(`scaleout: ${layout}`);
      results[layout] = await runLayout(ctx, cbdir, layout, second, { buyers, sellers, ms });
      report(ctx, layout, results[layout]);
    }
    figure(ctx, 'scaleout.two_workers_vs_one', ratio(results.two_workers.perSecond, results.one_worker.perSecond), 'x', 2);
    return true;
  } catch (err) {
    ctx.out(`# ERROR scaleout: ${describe(err)}`);
    return false;
  } finally {
    rmSync(cbdir, { recursive: true, force: true });
  }
}

/** Upper bound for the watchdog: three edge starts, the second market, two lane set-ups, warm-ups and runs. */
export function scaleoutBudgetMs(quick: boolean): number {
  return quick ? 400_000 : 900_000;
}
