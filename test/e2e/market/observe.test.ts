/**
 * The node's HTTP listener on a running edge (controller, router, xbrmm worker, dev chain, IPFS): `/health`,
 * `/ready` and `/metrics` merged from the workers' reports. The metrics move by exactly what the test does
 * (keys sold, a refused purchase), the ledger totals match the channels' deposits and what was paid, and
 * `/ready` answers 503 naming the worker while the xbrmm worker is down, 200 again once it is back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Wampy } from 'wampy';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import { addr, callError, connectMember, e2eConfig, openChannelOnChain, sleep, TestBuyer, TestSeller, untilKnown, world, XBR, type World } from './offers-purchase-helpers.js';

const PRICE = 3n * XBR;
const PAYMENT = 100n * XBR;
const PAYING = 50n * XBR;

/** The value of sample `name{labels}` in Prometheus text (labels in any order); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) return Number(m[3]);
  }
  return undefined;
}

async function get(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const r = await fetch(url);
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

describe('the node HTTP listener: health, readiness and metrics', { timeout: 300_000 }, () => {
  let edge: MarketEdge;
  let base: string;
  let w: World;
  let seller: TestSeller;
  let buyer: TestBuyer;
  let client: Wampy;
  let market: string;

  before(async () => {
    edge = await startMarketEdge({ configure: e2eConfig });
    assert.ok(edge.httpUrl !== undefined, 'the shipped config has an HTTP listener');
    base = edge.httpUrl;
    client = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, client);
    market = edge.devchain.demo.marketId.toLowerCase();
    seller = await TestSeller.start(w, 2, edge.account(5));
    await openChannelOnChain(w, 2, PAYING, addr(edge.account(5)));
    const paymentId = await openChannelOnChain(w, 1, PAYMENT, addr(edge.account(6)));
    buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, PAYMENT);
  });
  after(async () => {
    await edge?.stop();
  });

  it('/health is up; /ready lists every worker ready and the maker RUNNING; other paths and methods are refused', async () => {
    const health = await get(`${base}/health`);
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.text).status, 'up');
    const ready = await get(`${base}/ready`);
    assert.equal(ready.status, 200, ready.text);
    const body = JSON.parse(ready.text) as { ready: boolean; problems: string[]; workers: { id: string; state: string; health?: { details?: { makers?: { status: string; market: string }[] } } }[] };
    assert.equal(body.ready, true);
    assert.deepEqual(body.problems, []);
    assert.deepEqual(body.workers.map((x) => [x.id, x.state]), [['devchain', 'ready'], ['ipfs', 'ready'], ['router1', 'ready'], ['xbrmm1', 'ready']]);
    const makers = body.workers.find((x) => x.id === 'xbrmm1')?.health?.details?.makers;
    assert.deepEqual(makers?.map((m) => [m.status, m.market]), [['RUNNING', market]]);
    assert.equal((await get(`${base}/nothing-here`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });

  it('metrics move by exactly the purchases made; ledger totals match deposits and payments', async () => {
    const before = (await get(`${base}/metrics`)).text;
    const sold0 = sample(before, 'xbr_purchases_total', { market, outcome: 'sold' }) ?? 0;
    const calls0 = sample(before, 'xbr_wamp_calls_total', { realm: 'realm1' }) ?? 0;

    const n = 4;
    for (let i = 0; i < n; i++) {
      const o = await seller.offer({ price: PRICE });
      await untilKnown(() => buyer.buy(o.keyId, PRICE));
    }
    // One refusal: a seq that is not the next one; nothing is reserved. (untilKnown may have been refused
    // while the channel reached the ledger, so refusals are counted from here.)
    const o = await seller.offer({ price: PRICE });
    const mid = (await get(`${base}/metrics`)).text;
    const refused0 = sample(mid, 'xbr_purchases_total', { market, outcome: 'refused' }) ?? 0;
    const bad = await buyer.buyArgs(o.keyId, PRICE, { seq: 99 });
    const err = await callError(buyer.session, 'xbr.marketmaker.buy_key', bad.args, bad.kwargs);

    const m = await get(`${base}/metrics`);
    assert.equal(m.status, 200);
    assert.match(m.type ?? '', /^text\/plain; version=0\.0\.4/);
    const text = m.text;
    assert.equal(sample(text, 'xbr_purchases_total', { market, outcome: 'sold' }), sold0 + n);
    assert.equal(sample(text, 'xbr_purchases_total', { market, outcome: 'refused' }), refused0 + 1);
    assert.equal(sample(text, 'xbr_purchase_failures_total', { market, outcome: 'refused', uri: err.errorUri }), (sample(mid, 'xbr_purchase_failures_total', { market, outcome: 'refused', uri: err.errorUri }) ?? 0) + 1);
    assert.equal(sample(text, 'xbr_purchase_duration_seconds_count', { market, outcome: 'sold' }), sold0 + n);
    // every purchase was a CALL routed in realm1, plus the offers, quotes and the test's own calls
    assert.ok((sample(text, 'xbr_wamp_calls_total', { realm: 'realm1' }) ?? 0) >= calls0 + n + 1);
    assert.ok((sample(text, 'xbr_wamp_call_duration_seconds_count', { realm: 'realm1' }) ?? 0) >= n);
    assert.ok((sample(text, 'xbr_wamp_sessions', { realm: 'realm1' }) ?? 0) >= 3, 'the maker, the seller, the buyer and the test client');
    assert.ok((sample(text, 'xbr_wamp_messages_received_total', { type: 'CALL' }) ?? 0) >= n);
    assert.ok((sample(text, 'xbr_wamp_errors_total', { uri: err.errorUri }) ?? 0) >= 1);
    // the ledger: one payment and one paying channel, open; spent = n × price on each side
    assert.equal(sample(text, 'xbr_ledger_channels', { market, type: 'payment', state: 'open' }), 1);
    assert.equal(sample(text, 'xbr_ledger_channels', { market, type: 'paying', state: 'open' }), 1);
    assert.equal(sample(text, 'xbr_ledger_spent_token_units', { market, type: 'payment' }), Number(BigInt(n) * PRICE));
    assert.equal(sample(text, 'xbr_ledger_remaining_token_units', { market, type: 'payment' }), Number(PAYMENT - BigInt(n) * PRICE));
    assert.equal(sample(text, 'xbr_ledger_inflight_token_units', { market, type: 'payment' }), 0);
    assert.equal(sample(text, 'xbr_ledger_spent_token_units', { market, type: 'paying' }), Number(BigInt(n) * PRICE));
    // the offer book: the n + 1 offers placed above, none limited, none expiring
    assert.equal(sample(text, 'xbr_offers_for_sale', { market }), n + 1);
    assert.equal(sample(text, 'xbr_offers_sweep_lag_seconds', { market }), 0);
    // the chain and the node
    const head = sample(text, 'xbr_chain_head_block');
    assert.ok(head !== undefined && head > 0);
    assert.ok((sample(text, 'xbr_chain_monitor_lag_blocks') ?? Number.NaN) >= 0);
    assert.equal(sample(text, 'xbr_chain_pending_transactions', { market }), 0);
    assert.ok((sample(text, 'xbr_ipfs_files', { state: 'downloaded' }) ?? 0) >= 1, 'the demo descriptions were downloaded');
    assert.equal(sample(text, 'xbr_worker_up', { worker: 'xbrmm1', type: 'xbrmm' }), 1);
    assert.equal(sample(text, 'xbr_node_ready'), 1);
    assert.equal(sample(text, 'xbr_worker_restarts_total', { worker: 'xbrmm1' }), undefined, 'no restart yet');
  });

  it('/ready is 503 naming the worker while the xbrmm worker is down, and 200 once the controller restarted it', async () => {
    const ready = JSON.parse((await get(`${base}/ready`)).text) as { workers: { id: string; pid?: number }[] };
    const pid = ready.workers.find((x) => x.id === 'xbrmm1')?.pid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    let down: { status: number; text: string } | undefined;
    for (let i = 0; i < 100 && down === undefined; i++) {
      const r = await get(`${base}/ready`);
      if (r.status === 503) down = r;
      else await sleep(50);
    }
    assert.ok(down !== undefined, '/ready turned 503');
    const body = JSON.parse(down.text) as { ready: boolean; problems: string[] };
    assert.equal(body.ready, false);
    assert.ok(body.problems.some((p) => /^xbrmm1: (crashed|backoff|starting|not running|no report within \d+ ms)$/.test(p)), body.problems.join('; '));
    // the controller restarts it; the maker serves again
    const deadline = Date.now() + 120_000;
    let status = 503;
    while (status !== 200 && Date.now() < deadline) {
      await sleep(250);
      status = (await get(`${base}/ready`)).status;
    }
    assert.equal(status, 200, 'ready again after the restart');
    const text = (await get(`${base}/metrics`)).text;
    assert.equal(sample(text, 'xbr_worker_restarts_total', { worker: 'xbrmm1' }), 1);
    assert.equal(sample(text, 'xbr_node_ready'), 1);
  });
});
