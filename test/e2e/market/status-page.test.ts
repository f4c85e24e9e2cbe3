/**
 * The status page (`GET /` of the node's HTTP listener) in a real browser: Debian's Chromium (installed by
 * scripts/ensure-system-deps.sh), driven headless by playwright-core, against a real edge (controller, router,
 * xbrmm worker, dev chain, IPFS). The demo (`xbr-edge demo`: a seller and a buyer of the demo accounts) buys
 * keys; the page shows the market with exactly that many sold, the channel balances to the last digit, the
 * purchases/s sparkline, every worker ready, the router's error reply among the recent errors, a seller's offers
 * suspended, live, and suspended again once it left; a failing
 * fetch shows the node unreachable, and the page recovers. On a phone-sized viewport nothing overflows
 * horizontally. Screenshots go to the test's temp directory, and to `$XBR_SCREENSHOT` when set (that is how
 * docs/images/status-page.png is made).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Wampy } from 'wampy';
import { demoCommand } from '../../../plugins/cli/demo-command.js';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import { call, callError, e2eConfig, TestSeller, world } from './offers-purchase-helpers.js';

/** Debian's chromium package (scripts/ensure-system-deps.sh installs it). */
const CHROMIUM = '/usr/bin/chromium';
/** Keys the demo buys: it publishes two events per key. */
const KEYS = 3;

/** Polls `probe` until it returns true (ms budget); the last value it saw is in the failure. */
async function until(what: string, probe: () => Promise<boolean | string>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: boolean | string = false;
  while (Date.now() < deadline) {
    last = await probe().catch((err: unknown) => `probe failed: ${err instanceof Error ? err.message : String(err)}`);
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms (last: ${String(last)})`);
}

/** The text of `selector` on `page` (trimmed), or undefined when absent. */
async function text(page: Page, selector: string): Promise<string | undefined> {
  const l = page.locator(selector);
  return (await l.count()) === 0 ? undefined : ((await l.first().textContent()) ?? '').trim();
}

describe('the status page in headless Chromium', { timeout: 600_000 }, () => {
  let edge: MarketEdge;
  let browser: Browser;
  let client: Wampy;
  let dir: string;
  let market: string;
  let demoOutput: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run bash scripts/ensure-system-deps.sh (npm test runs it first)`);
    dir = mkdtempSync(join(tmpdir(), 'xbr-status-page-'));
    edge = await startMarketEdge({ configure: e2eConfig });
    assert.ok(edge.httpUrl !== undefined, 'the shipped config has an HTTP listener');
    market = edge.devchain.demo.marketId.toLowerCase();
    client = await edge.connect();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root in a container there is no sandbox; no background traffic to Google's hosts (the network is closed).
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // The demo: a seller publishing 2 events per key, a buyer buying each key (0.001 XBR) from a payment
    // channel of 10 XBR, kept open so its balance stays in the ledger totals.
    demoOutput = [];
    const out = { out: (l: string) => void demoOutput.push(l), err: (l: string) => void demoOutput.push(l) };
    const devchainFile = join(edge.cbdir, '.xbr-edge', 'devchain.json');
    const code = await demoCommand(['--url', edge.wsUrl, '--devchain', devchainFile, '--count', String(2 * KEYS), '--rate', '10/s', '--keep-open'], out);
    assert.equal(code, 0, demoOutput.join('\n'));
    // One error reply from the router: a call the anonymous client may not make.
    const err = await callError(client, 'xbr.status_page.nothing_here');
    assert.equal(err.errorUri, 'wamp.error.not_authorized');
  });
  after(async () => {
    await browser?.close();
    await edge?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the market with exactly the keys sold, the balances, the rate, the workers ready and the recent error', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const res = await page.goto(`${edge.httpUrl}/`);
    assert.equal(res?.status(), 200);
    const card = `[data-market="${market}"]`;
    const field = (name: string): Promise<string | undefined> => text(page, `${card} [data-field="${name}"]`);

    await until(`the market card shows ${KEYS} keys sold`, async () => (await field('sold')) === String(KEYS) || `sold: ${await field('sold')}`);
    // the balances, exact: 10 XBR deposited by the buyer, 100 XBR for the seller, 0.001 XBR per key
    assert.equal(await field('maker-status'), 'RUNNING');
    assert.equal(await field('refunded'), '0');
    assert.equal(await field('refused'), '0');
    assert.equal(await field('payment-open'), '1');
    assert.equal(await field('payment-remaining'), '9.997 XBR');
    assert.equal(await field('payment-inflight'), '0.000 XBR');
    assert.equal(await field('payment-spent'), '0.003 XBR');
    assert.equal(await field('paying-open'), '1');
    assert.equal(await field('paying-remaining'), '99.997 XBR');
    assert.equal(await field('paying-spent'), '0.003 XBR');
    assert.equal(await field('pending-transactions'), '0');
    // the workers, all ready, and the node
    for (const w of ['devchain', 'ipfs', 'router1', 'xbrmm1']) assert.equal(await text(page, `#workers [data-worker="${w}"] [data-field="state"]`), 'ready', w);
    assert.equal(await text(page, '#pill'), 'ready');
    assert.equal(await text(page, '[data-field="workers-ready"]'), '4 / 4');
    assert.match((await text(page, '#chain [data-field="chain-head"]')) ?? '', /^[1-9][\d,]*$/);
    assert.equal(await text(page, '#ipfs [data-field="ipfs-failed"]'), '0');
    // the sampler (every 5 s) has seen the purchases and the router's error reply
    await until('the sparkline has a point with keys sold', async () => {
      const caption = (await field('rate')) ?? '';
      return ((await page.locator(`${card} svg polyline`).count()) === 1 && /peak (?!0\.00\/s)/.test(caption)) || caption;
    });
    await until('the router error is among the recent errors', async () => (await text(page, '#errors [data-error-uri="wamp.error.not_authorized"] td:nth-child(2)')) === 'router');
    // the demo's seller revoked its offers when it stopped (and left: the maker suspends its authid). The same
    // seller back with two offers: suspended until a quote makes the maker look it up again, then live.
    assert.equal(await field('offers-live'), '0');
    assert.equal(await field('offers-suspended'), '0');
    const offers = (): Promise<string> => Promise.all([field('offers-live'), field('offers-suspended')]).then(([l, s]) => `${l} live, ${s} suspended`);
    const seller = await TestSeller.start(await world(edge, client), 2, edge.account(5));
    const { keyId } = await seller.offer({ price: 10n ** 15n });
    await seller.offer({ price: 10n ** 15n });
    await until('two offers suspended', async () => (await offers()) === '0 live, 2 suspended' || offers());
    await call(client, 'xbr.marketmaker.get_quote', [keyId]);
    await until('two offers live', async () => (await offers()) === '2 live, 0 suspended' || offers());
    assert.deepEqual(problems, [], 'no script error, no CSP violation');

    const shot = join(dir, 'status-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env['XBR_SCREENSHOT']) copyFileSync(shot, resolve(process.env['XBR_SCREENSHOT']));

    await seller.session.disconnect();
    await until('the offers suspended once their seller left', async () => (await offers()) === '0 live, 2 suspended' || offers());

    // the node unreachable: every fetch of status.json fails; the page says so, keeps the last data, recovers
    await page.route('**/status.json', (route) => route.abort('connectionrefused'));
    await until('the unreachable state', async () => (await page.locator('#banner').isVisible()) && (await text(page, '#pill')) === 'unreachable');
    assert.match((await text(page, '#banner')) ?? '', /^Node unreachable: .+ Last update at \d\d:\d\d:\d\d; what is shown is from then\. Retrying every 3 s\.$/);
    assert.equal(await field('sold'), String(KEYS), 'the last data stays on the page');
    await page.screenshot({ path: join(dir, 'status-page-unreachable.png') });
    await page.unroute('**/status.json');
    await until('the page recovers', async () => !(await page.locator('#banner').isVisible()) && (await text(page, '#pill')) === 'ready');
    await page.close();
  });

  it('on a phone-sized viewport the page renders without horizontal overflow', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${edge.httpUrl}/`);
    await until('the market card', async () => (await text(page, `[data-market="${market}"] [data-field="sold"]`)) === String(KEYS));
    // (an expression string: the tests' TypeScript has no DOM types)
    const { scrollWidth, innerWidth } = (await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })')) as { scrollWidth: number; innerWidth: number };
    assert.equal(innerWidth, 390);
    assert.ok(scrollWidth <= innerWidth, `scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
    await page.screenshot({ path: join(dir, 'status-page-phone.png'), fullPage: true });
    await context.close();
  });
});
