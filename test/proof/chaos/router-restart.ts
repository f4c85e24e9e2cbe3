/**
 * Chaos: the router worker SIGKILLed (and restarted by the controller) while the shipped delegates run —
 * `xbr-edge seller` publishing and selling, `xbr-edge buyer` buying and decrypting, as a user runs them, each
 * logged in through the maker's authenticator. Nobody restarts anything by hand: the maker, the seller and the
 * buyer must rejoin by themselves, the seller's procedures be registered again (its offers resume), and the buyer
 * buy and decrypt again. Afterwards, with both stopped (Ctrl-C, exit 0): everything the buyer decrypted is what
 * the seller published, every key the buyer says it bought is one SUCCESS purchase of the ledger on its channel
 * (a purchase whose answer the kill lost was asked again, not paid twice), and the audit is clean.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { logLines, startMarketEdge, waitExit, waitForLog, workerPid, type MarketEdge } from '../../e2e/harness/market-edge.js';
import { sleep } from '../../e2e/market/offers-purchase-helpers.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';
import type { ScenarioResult } from './scenario.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const NAME = 'router worker restarted under the shipped delegates';
const ROUTER = 'router1';
/** How long the delegates may take to buy again after the router is back. */
const RESUME_BOUND_MS = 120_000;

interface Delegate {
  readonly child: ChildProcess;
  out(): string;
  err(): string;
}

function startDelegate(args: string[]): Delegate {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'plugins/cli/bin.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

const decrypted = (out: string): string[] => [...out.matchAll(/^buyer: decrypted (\{.*\})$/gm)].map((m) => m[1]!);
const boughtKeys = (out: string): number => [...out.matchAll(/^buyer: bought key /gm)].length;
const published = (out: string): Set<string> => new Set([...out.matchAll(/^seller: published #\d+ key \S+ (\{.*\})$/gm)].map((m) => m[1]!));
/** Events whose publication the kill left unacknowledged (delivered or not). */
const unacknowledged = (err: string): Set<string> => new Set([...err.matchAll(/^seller: event #\d+ not acknowledged \(the connection to the router was lost\): (\{.*\})$/gm)].map((m) => m[1]!));

async function until(what: string, bound: number, ok: () => boolean, alive: Delegate[]): Promise<number> {
  const t0 = performance.now();
  while (!ok()) {
    for (const d of alive) if (d.child.exitCode !== null) throw new Error(`a delegate exited (${d.child.exitCode}) while waiting for ${what}:\n${d.out()}\n${d.err()}`);
    if (performance.now() - t0 > bound) throw new Error(`never happened within ${bound / 1000} s: ${what}`);
    await sleep(100);
  }
  return Math.round(performance.now() - t0);
}

async function killRouter(edge: MarketEdge): Promise<void> {
  const pid = workerPid(edge, ROUTER);
  if (pid === undefined) throw new Error(`no pid of ${ROUTER} in the controller's log`);
  const at = logLines(edge).length;
  process.kill(pid, 'SIGKILL');
  await waitForLog(edge, (l) => l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === ROUTER, { timeoutMs: 90_000, after: at, what: `${ROUTER} ready after the kill` });
}

interface AdminTx {
  state: string;
}

async function adminJson<T>(edge: MarketEdge, ...args: string[]): Promise<T> {
  const r = await runXbrEdge('admin', ...args, '--cbdir', edge.cbdir, '--json');
  if (r.status !== 0 && !(args[0] === 'audit' && r.status === 4)) throw new Error(`xbr-edge admin ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Runs the scenario: `kills` router kills, each once the buyer has bought and decrypted since the previous. */
export async function routerRestart(options: { kills?: number } = {}): Promise<ScenarioResult> {
  const kills = options.kills ?? 2;
  const problems: string[] = [];
  const facts: string[] = [];
  const edge = await startMarketEdge({ env: { XBR_LOG_LEVEL: 'info' } });
  const common = ['--url', edge.wsUrl, '--devchain', join(edge.cbdir, '.xbr-edge/devchain.json')];
  const delegates: Delegate[] = [];
  try {
    const buyer = startDelegate(['buyer', ...common, '--amount', '10']);
    delegates.push(buyer);
    await until('the buyer subscribed', 120_000, () => buyer.out().includes('buyer: subscribed to'), delegates);
    const seller = startDelegate(['seller', ...common, '--rate', '5/s', '--per-key', '2', '--price', '0.001']);
    delegates.push(seller);
    await until('the buyer decrypted 3 events', 120_000, () => decrypted(buyer.out()).length >= 3, delegates);
    for (let k = 1; k <= kills; k++) {
      const seen = decrypted(buyer.out()).length;
      const keys = boughtKeys(buyer.out());
      const t0 = performance.now();
      await killRouter(edge);
      const back = Math.round(performance.now() - t0);
      // A new key (the seller rotates every 2 events, so a rotation meets the outage) bought and its events decrypted: every part rejoined.
      const resumed = await until(`the buyer buying again after router kill ${k}`, RESUME_BOUND_MS, () => boughtKeys(buyer.out()) > keys && decrypted(buyer.out()).length >= seen + 3, delegates);
      facts.push(`kill ${k}: router ready again in ${back} ms; the buyer bought a new key and decrypted 3 more events ${resumed} ms later`);
    }
    for (const d of [seller, buyer]) d.child.kill('SIGINT');
    const [s, b] = await Promise.all([waitExit(seller.child, 60_000), waitExit(buyer.child, 60_000)]);
    if (s.code !== 0) problems.push(`the seller exited ${s.code ?? s.signal}:\n${seller.err()}`);
    if (b.code !== 0) problems.push(`the buyer exited ${b.code ?? b.signal}:\n${buyer.err()}`);
    const sent = published(seller.out());
    const unacked = unacknowledged(seller.err());
    const got = decrypted(buyer.out());
    const foreign = got.filter((g) => !sent.has(g) && !unacked.has(g));
    if (foreign.length > 0) problems.push(`the buyer decrypted ${foreign.length} events the seller never published: ${foreign.slice(0, 3).join(', ')}`);
    const lostPublishes = unacked.size;
    const rejoined = { seller: [...seller.err().matchAll(/seller: rejoined the realm/g)].length, buyer: [...buyer.err().matchAll(/buyer: rejoined the realm/g)].length };
    if (rejoined.seller < kills || rejoined.buyer < kills) problems.push(`rejoined ${rejoined.seller} (seller) and ${rejoined.buyer} (buyer) times for ${kills} kills`);
    // The buyer's channel: the only payment channel of this edge.
    const [realm] = await adminJson<{ channels: { channel_oid: string }[] }[]>(edge, 'channels', '--type', 'payment');
    const channels = realm?.channels ?? [];
    if (channels.length !== 1) problems.push(`expected the buyer's one payment channel, the maker has ${channels.length}`);
    else {
      const [txs] = await adminJson<{ transactions: AdminTx[] }[]>(edge, 'transactions', '--channel', channels[0]!.channel_oid, '--limit', '1000');
      const sold = (txs?.transactions ?? []).filter((t) => t.state === 'SUCCESS').length;
      const bought = boughtKeys(buyer.out());
      if (sold !== bought) problems.push(`the buyer printed ${bought} keys bought, the ledger has ${sold} SUCCESS purchases on its channel`);
      facts.push(`${sent.size} events published and acknowledged, ${lostPublishes} unacknowledged (lost with the connection), ${got.length} decrypted, ${bought} keys bought = ${sold} SUCCESS purchases of the ledger; both delegates rejoined after each kill and exited 0`);
    }
    const [audit] = await adminJson<{ ok: boolean; mismatches_total: number; mismatches: { message: string }[] }[]>(edge, 'audit');
    if (audit?.ok !== true) problems.push(`the audit found ${audit?.mismatches_total} mismatches: ${audit?.mismatches.map((m) => m.message).join('; ')}`);
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  } finally {
    for (const d of delegates) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await edge.stop();
  }
  return { name: NAME, ok: problems.length === 0, problems, facts };
}
