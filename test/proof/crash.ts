/**
 * The crash proof (issue "Step 5"): a real edge (controller, router, dev chain, xbrmm worker), N buyers buying
 * back to back from M seller delegates that run in processes of their own (seller-process.ts: the project's
 * `SimpleSeller` with its durable state file and key archive), and per seed one SIGKILL of each of: the xbrmm
 * worker, the router worker, a seller process and the dev chain, in an order and at instants the seed draws.
 * After each kill the killed part comes back (the controller restarts workers; the proof restarts the seller on
 * its directory) and the proof waits until every lane has bought again: purchases resume by themselves.
 *
 * A buyer whose call was lost (no answer, the router gone) asks the identical signed call again until the maker
 * answers it (the idempotent `buy_key`); one whose purchase was refused or refunded reads its channel's state
 * and goes on. After each seed, with every lane stopped:
 * - every receipt a buyer holds is a SUCCESS purchase of the ledger, exactly once, and every SUCCESS purchase
 *   of the ledger on a lane's channel is a receipt its buyer holds (nothing charged is lost, nothing doubled);
 * - nothing is INFLIGHT;
 * - the maker's balance of each payment channel is the buyer's last signed state (seq, remaining, 0 in flight);
 * - the maker's balance of each paying channel is the seller's last co-signed state (its state file), or that
 *   state plus the price of a last sale the seller co-signed and the maker then refunded; no SUCCESS sale is
 *   newer than the seller's state;
 * - the operator's audit (`xbr-edge admin audit`: every signature, every balance, the chain) finds nothing.
 * At the end ({@link closeAll}) every channel is closed cooperatively and the chain's closed state must be the
 * ledger's and the delegate's.
 *
 * Used by `crash.test.ts` (3 seeds in CI) and `npm run proof -- crash --seeds N`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { Contract, getBytes, hexlify, type Signer, type Wallet } from 'ethers';
import type { Wampy } from 'wampy';
import { xbrChannelAbi, xbrMarketAbi, xbrNetworkAbi } from '../../contracts/index.js';
import { FileSellerStateStore, type PayingChannelState } from '../../plugins/seller/index.js';
import { closeCooperatively } from '../../plugins/common/index.js';
import { readMakerResult, type AdminTransactionResult, type BuyKeyResult, type MakerArgs, type MakerProcedureUri, type MakerResult } from '../../schema/api/index.js';
import type { Uuid } from '../../schema/codec/types.js';
import { formatUuid } from '../../schema/codec/uuid.js';
import { unpackUint256 } from '../../schema/codec/uint256.js';
import { decryptPayload } from '../../schema/crypto/index.js';
import { MarketMakerAdminProcedure, MarketMakerChannelProcedure, MarketMakerProcedure } from '../../schema/uris.js';
import { startMarketEdge, waitForLog, logLines, workerPid, type MarketEdge } from '../e2e/harness/market-edge.js';
import { consent, FIRST_SELLER_MEMBER, MAX_SELLERS, RECONNECTING, setupBuyers, type Lane, type LaneOffer } from '../e2e/market/lanes.js';
import { addr, connectMember, e2eConfig, openChannelOnChain, randomWallet, sleep, world, XBR, type World } from '../e2e/market/offers-purchase-helpers.js';
import { prng } from '../helpers/prng.js';
import { runXbrEdge } from '../helpers/xbr-edge-cli.js';

const PRICE = XBR / 1000n;
const PAYING_DEPOSIT = 10_000n * XBR;
const PAYMENT_DEPOSIT = 1000n * XBR;
/** Worker ids of the shipped config. */
const XBRMM = 'xbrmm1';
const ROUTER = 'router1';
const DEVCHAIN = 'devchain';
/** Errors that mean "the maker did not answer", after which the identical call is asked again. */
const NO_ANSWER = new Set(['wamp.error.canceled', 'wamp.error.no_such_procedure', 'wamp.error.timeout', 'wamp.error.unavailable']);
/** Refusals made before anything is reserved: the identical call may be asked again later. */
const NOT_RESERVED = new Set(['xbr.error.offer_suspended', 'xbr.error.chain_unavailable']);
/** Chain channel state `CLOSED` (XBRChannel). */
const CHAIN_CLOSED = 3n;
/** Ledger purchase states (admin results). */
const TX_INFLIGHT = 1;
const TX_SUCCESS = 3;
/** How long a lane may go without a purchase after a fault before the fault counts as not recovered. */
const RESUME_BOUND_MS = 120_000;

export const FAULTS = ['xbrmm', 'router', 'seller', 'chain'] as const;
export type Fault = (typeof FAULTS)[number];

export interface CrashOptions {
  readonly buyers: number;
  readonly sellers: number;
}

/** A seller delegate in its own process; `restart` starts it again on the same directory. */
interface SellerProc {
  readonly member: number;
  readonly delegate: Wallet;
  readonly channelId: Uuid;
  readonly dir: string;
  child: ChildProcess;
  /** Kills it (SIGKILL) and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again (same member, delegate, directory); resolves once it sells. */
  restart(): Promise<void>;
}

export interface CrashEdge {
  readonly edge: MarketEdge;
  readonly w: World;
  readonly lanes: Lane[];
  readonly sellers: SellerProc[];
  /** Receipts held per payment channel (hex): the seqs the maker signed to the buyer. */
  readonly receipts: Map<string, number[]>;
  /** Purchases completed per lane since the edge started (a fault is over when every lane bought again). */
  readonly bought: number[];
  /** The latest error each lane's purchases met (what a lane that does not resume is waiting on). */
  readonly lastError: (string | undefined)[];
  stop(): Promise<void>;
}

export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  /** The faults in the order injected, with the instant (ms after the previous one) and how long the lanes took to resume. */
  readonly faults: { fault: Fault; afterMs: number; resumedMs: number }[];
  readonly purchases: number;
  /** Calls asked again after a fault and answered with the receipt (sales the fault would have cost a buyer). */
  readonly recovered: number;
  readonly refunded: number;
  /** Sales a seller co-signed whose purchase the maker then refunded (the seller holds a state paying it more). */
  readonly sellerAhead: number;
  readonly problems: string[];
}

/** A WAMP error's URI, or undefined for anything else. */
function uriOf(err: unknown): string | undefined {
  const u = (err as { errorUri?: unknown } | null)?.errorUri;
  return typeof u === 'string' ? u : undefined;
}

/** wampy's rejection of the calls pending when the connection closed (the router went away). */
const connectionLost = (err: unknown): boolean => (err as { name?: unknown } | null)?.name === 'WebsocketError';

async function callOn<P extends MakerProcedureUri>(session: Wampy, uri: P, args: MakerArgs<P>, kwargs?: Record<string, unknown>): Promise<MakerResult<P>> {
  const r = await session.call(uri, { argsList: [...(args as readonly unknown[])], ...(kwargs === undefined ? {} : { argsDict: kwargs }) });
  return readMakerResult(uri, r.argsList?.[0]);
}

function spawnSeller(edge: MarketEdge, w: World, member: number, delegate: Wallet, dir: string): { child: ChildProcess; offer: Promise<LaneOffer> } {
  const args = {
    wsUrl: edge.wsUrl,
    member,
    delegateKey: delegate.privateKey.slice(2),
    maker: edge.makerAddress.slice(2),
    apiId: Buffer.from(w.apiId).toString('hex'),
    price: PRICE.toString(),
    dir,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'seller-process.ts'), JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XBR_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const offer = new Promise<LaneOffer>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as { probe?: { key_id: string; serializer: string; ciphertext: string } };
      if (m.probe === undefined) return;
      const { key_id, serializer, ciphertext } = m.probe;
      const ct = Buffer.from(ciphertext, 'hex');
      const isKey = (key: Uint8Array): boolean => {
        try {
          return isDeepStrictEqual(decryptPayload(key, ct, serializer), { probe: member });
        } catch {
          return false;
        }
      };
      resolve({ keyId: new Uint8Array(Buffer.from(key_id, 'hex')) as Uuid, isKey });
    });
    child.once('exit', (code, signal) => reject(new Error(`seller process of member #${member} exited (${code ?? signal}) before selling: ${stderr}`)));
  });
  return { child, offer };
}

/** Account `member` becomes a network member and a seller (provider) of the demo market. */
async function joinAsSeller(edge: MarketEdge, member: number): Promise<void> {
  const signer = edge.account(member) as Signer;
  const network = new Contract(edge.devchain.contracts.network, xbrNetworkAbi, signer);
  const eula = (await network.getFunction('eula')()) as string;
  await (await network.getFunction('registerMember')(eula, '')).wait();
  const market = new Contract(edge.devchain.contracts.market, xbrMarketAbi, signer);
  await (await market.getFunction('joinMarket')(edge.devchain.demo.marketId, 1, '')).wait();
}

async function startSeller(edge: MarketEdge, w: World, j: number, root: string): Promise<{ proc: SellerProc; offer: LaneOffer }> {
  // The real seller reads its paying channel, which only the channel's actor may: each seller its own member.
  const member = FIRST_SELLER_MEMBER + j;
  await joinAsSeller(edge, member);
  const delegate = randomWallet();
  await consent(edge, member, delegate.address, 1);
  const channelId = await openChannelOnChain(w, 2, PAYING_DEPOSIT, addr(delegate), member);
  const dir = join(root, `seller-${j}`);
  const first = spawnSeller(edge, w, member, delegate, dir);
  const proc: SellerProc = {
    member,
    delegate,
    channelId,
    dir,
    child: first.child,
    async kill() {
      const c = proc.child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
    async restart() {
      const next = spawnSeller(edge, w, member, delegate, dir);
      proc.child = next.child;
      await next.offer;
    },
  };
  return { proc, offer: await first.offer };
}

/** Starts the edge, the seller processes and the lanes. */
export async function startCrashEdge(o: CrashOptions): Promise<CrashEdge> {
  if (o.sellers > MAX_SELLERS) throw new RangeError(`at most ${MAX_SELLERS} sellers`);
  const edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_LOG_LEVEL: 'info' } });
  const root = mkdtempSync(join(tmpdir(), 'xbr-crash-sellers-'));
  const sellers: SellerProc[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(sellers.map((s) => s.kill()));
    await edge.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const w = await world(edge, await edge.connect());
    const offers: LaneOffer[][] = [];
    for (let j = 0; j < o.sellers; j++) {
      const s = await startSeller(edge, w, j, root);
      sellers.push(s.proc);
      offers.push([s.offer]);
    }
    const lanes = await setupBuyers(edge, w, offers, { buyers: o.buyers, price: PRICE, paymentDeposit: PAYMENT_DEPOSIT, reconnect: true });
    const receipts = new Map(lanes.map((l) => [formatUuid(l.buyer.channelId), [2]]));
    return { edge, w, lanes, sellers, receipts, bought: lanes.map(() => 0), lastError: lanes.map(() => undefined), stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

interface LaneCounts {
  purchases: number;
  recovered: number;
  refunded: number;
}

/** Reads the lane's channel state from the maker (asked again while the maker or the router is away). */
async function resync(lane: Lane): Promise<void> {
  for (;;) {
    try {
      const b = await callOn(lane.buyer.session, MarketMakerProcedure.getPaymentChannelBalance, [lane.buyer.channelId]);
      if (unpackUint256(b.inflight) === 0n) {
        lane.buyer.seq = b.seq;
        lane.buyer.remaining = unpackUint256(b.remaining);
        return;
      }
    } catch (err) {
      if (uriOf(err) === undefined && !connectionLost(err)) throw err;
    }
    await sleep(100);
  }
}

/** One lane buying until `running()` is false; each receipt checked as a buyer does and recorded. */
async function laneLoop(c: CrashEdge, i: number, running: () => boolean, closeAt: () => bigint, counts: LaneCounts, problems: string[]): Promise<void> {
  const lane = c.lanes[i]!;
  const id = formatUuid(lane.buyer.channelId);
  const held = c.receipts.get(id)!;
  let n = lane.buyer.seq;
  while (running()) {
    const offer = lane.offers[n++ % lane.offers.length]!;
    const at = closeAt();
    const { args, kwargs } = await lane.buyer.buyArgs(offer.keyId, PRICE, { closeAt: at });
    const seq = lane.buyer.seq + 1;
    const remaining = lane.buyer.remaining - PRICE;
    let receipt: BuyKeyResult | undefined;
    let unanswered = false;
    for (let attempt = 0; receipt === undefined; attempt++) {
      try {
        receipt = await callOn(lane.buyer.session, MarketMakerProcedure.buyKey, args as unknown as MakerArgs<typeof MarketMakerProcedure.buyKey>, kwargs);
        if (unanswered) counts.recovered++;
      } catch (err) {
        const uri = uriOf(err);
        if (uri === undefined && !connectionLost(err)) throw err;
        c.lastError[i] = `${uri ?? 'connection lost'}: ${String((err as { argsList?: unknown[] }).argsList?.[0] ?? (err as Error).message)}`;
        // A refund carries the maker-signed refunded state, whatever the URI (the seller's, e.g. `wamp.error.canceled`
        // when it died during the sale): only an error without one leaves the outcome unknown.
        const refund = (err as { argsDict?: Record<string, unknown> }).argsDict;
        if (refund?.['signature'] instanceof Uint8Array && typeof refund['channel_seq'] === 'number') {
          const rs = refund['channel_seq'];
          const rr = unpackUint256(refund['remaining'] as Uint8Array);
          if (rs !== seq || rr !== lane.buyer.remaining) problems.push(`channel ${id}: refund of seq ${seq} signs seq ${rs} / ${rr}, the buyer had ${lane.buyer.remaining}`);
          if (hexlify(lane.buyer.signerOf(rs, rr, at, refund['signature'])).toLowerCase() !== c.edge.makerAddress.toLowerCase()) problems.push(`channel ${id} seq ${seq}: refund not signed by the maker`);
          lane.buyer.seq = rs;
          lane.buyer.remaining = rr;
          counts.refunded++;
          break;
        }
        if ((uri === undefined || NO_ANSWER.has(uri) || NOT_RESERVED.has(uri)) && attempt < 1200) {
          unanswered ||= !NOT_RESERVED.has(uri ?? '');
          await sleep(100);
          continue;
        }
        // Refused before anything was reserved: the channel's state says where we are.
        await resync(lane);
        await sleep(50);
        break;
      }
    }
    if (receipt === undefined) continue;
    if (receipt.channel_seq !== seq || unpackUint256(receipt.remaining) !== remaining) problems.push(`channel ${id}: receipt for seq ${receipt.channel_seq} / ${unpackUint256(receipt.remaining)}, asked seq ${seq} / ${remaining}`);
    if (hexlify(lane.buyer.signerOf(seq, remaining, at, receipt.signature)).toLowerCase() !== c.edge.makerAddress.toLowerCase()) problems.push(`channel ${id} seq ${seq}: receipt not signed by the maker`);
    if (!offer.isKey(lane.buyer.open(receipt.sealed_key))) problems.push(`channel ${id} seq ${seq}: the sealed key is not the offered key`);
    lane.buyer.seq = seq;
    lane.buyer.remaining = remaining;
    held.push(seq);
    counts.purchases++;
    c.bought[i]!++;
  }
}

/** An operator session (the Unix socket of the shipped config), for as long as `fn` runs. */
async function asOperator<T>(edge: MarketEdge, fn: (op: Wampy) => Promise<T>): Promise<T> {
  const op = await edge.connectOperator({ serializer: 'cbor' });
  try {
    return await fn(op);
  } finally {
    await op.disconnect().catch(() => undefined);
  }
}

async function transactionsOf(op: Wampy, channelId: Uuid): Promise<AdminTransactionResult[]> {
  const txs: AdminTransactionResult[] = [];
  let cursor: Uint8Array | null = null;
  do {
    const page: MakerResult<typeof MarketMakerAdminProcedure.listTransactions> = await callOn(op, MarketMakerAdminProcedure.listTransactions, [channelId, 1000, cursor]);
    txs.push(...page.transactions);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return txs;
}

async function ledgerBalance(op: Wampy, channelId: Uuid): Promise<{ seq: number; remaining: bigint; inflight: bigint; state: number }> {
  for (const type of [1, 2]) {
    let cursor: Uint8Array | null = null;
    do {
      const page: MakerResult<typeof MarketMakerAdminProcedure.listChannels> = await callOn(op, MarketMakerAdminProcedure.listChannels, [type, null, null, null, 1000, cursor]);
      const ch = page.channels.find((x) => Buffer.from(x.channel_oid).equals(channelId));
      if (ch !== undefined) return { seq: ch.seq, remaining: unpackUint256(ch.remaining), inflight: unpackUint256(ch.inflight), state: ch.state };
      cursor = page.next_cursor;
    } while (cursor !== null);
  }
  throw new Error(`the maker does not know channel ${formatUuid(channelId)}`);
}

async function audit(edge: MarketEdge): Promise<string[]> {
  const r = await runXbrEdge('admin', 'audit', '--cbdir', edge.cbdir, '--json');
  if (r.status !== 0 && r.status !== 4) return [`xbr-edge admin audit exited ${r.status}: ${r.stderr}`];
  const [a] = JSON.parse(r.stdout) as { ok: boolean; mismatches_total: number; mismatches: { message: string }[] }[];
  return a?.ok === true ? [] : [`the audit found ${a?.mismatches_total} mismatches: ${a?.mismatches.map((m) => m.message).join('; ')}`];
}

/** The seller's side: its state file against the maker's paying channel and purchases. Returns sales it is ahead by. */
function checkSeller(s: SellerProc, state: PayingChannelState | undefined, ledger: { seq: number; remaining: bigint; inflight: bigint }, txs: AdminTransactionResult[], problems: string[]): number {
  const ch = formatUuid(s.channelId);
  if (state === undefined) {
    problems.push(`paying channel ${ch}: the seller holds no state`);
    return 0;
  }
  if (ledger.inflight !== 0n) problems.push(`paying channel ${ch}: ${ledger.inflight} still in flight`);
  const newer = txs.filter((t) => t.state === TX_SUCCESS && (t.paying_seq ?? 0) > state.seq);
  if (newer.length > 0) problems.push(`paying channel ${ch}: the ledger sold seqs ${newer.map((t) => t.paying_seq).join(', ')} the seller never co-signed (its state is at seq ${state.seq})`);
  if (ledger.seq < state.seq) problems.push(`paying channel ${ch}: the maker is at seq ${ledger.seq}, behind the seller's co-signed seq ${state.seq}`);
  const last = txs.find((t) => t.paying_seq === state.seq);
  const refundedAfterSigning = last !== undefined && last.state !== TX_SUCCESS;
  const expected = state.balance + (refundedAfterSigning ? PRICE : 0n);
  if (ledger.remaining !== expected) {
    problems.push(`paying channel ${ch}: the maker has ${ledger.remaining} remaining at seq ${ledger.seq}, the seller's co-signed state is seq ${state.seq} / ${state.balance}${refundedAfterSigning ? ' (its last sale refunded)' : ''}`);
  }
  return refundedAfterSigning ? 1 : 0;
}

/** Every check of a seed, with the lanes stopped. */
async function verify(c: CrashEdge): Promise<{ problems: string[]; sellerAhead: number }> {
  const problems: string[] = [];
  let sellerAhead = 0;
  await asOperator(c.edge, async (op) => {
    for (const lane of c.lanes) {
      const id = formatUuid(lane.buyer.channelId);
      const txs = await transactionsOf(op, lane.buyer.channelId);
      const inflight = txs.filter((t) => t.state === TX_INFLIGHT);
      if (inflight.length > 0) problems.push(`channel ${id}: ${inflight.length} purchases still INFLIGHT`);
      const sold = txs.filter((t) => t.state === TX_SUCCESS).map((t) => t.payment_seq).sort((a, b) => a - b);
      const held = [...c.receipts.get(id)!].sort((a, b) => a - b);
      const doubled = held.filter((s, i) => held[i - 1] === s);
      if (doubled.length > 0) problems.push(`channel ${id}: receipts held twice for seqs ${doubled.join(', ')}`);
      const lost = sold.filter((s) => !held.includes(s));
      if (lost.length > 0) problems.push(`channel ${id}: the ledger charged seqs ${lost.join(', ')} whose receipt the buyer does not hold`);
      const unknown = held.filter((s) => !sold.includes(s));
      if (unknown.length > 0) problems.push(`channel ${id}: the buyer holds receipts for seqs ${unknown.join(', ')} the ledger has not sold`);
      const m = await ledgerBalance(op, lane.buyer.channelId);
      if (m.seq !== lane.buyer.seq || m.remaining !== lane.buyer.remaining || m.inflight !== 0n) {
        problems.push(`channel ${id}: the maker has seq ${m.seq} / ${m.remaining} (${m.inflight} in flight), the buyer's last signed state is seq ${lane.buyer.seq} / ${lane.buyer.remaining}`);
      }
    }
    for (const s of c.sellers) {
      const state = FileSellerStateStore.open(join(s.dir, 'paying.json')).load(s.channelId);
      sellerAhead += checkSeller(s, state, await ledgerBalance(op, s.channelId), await transactionsOf(op, s.channelId), problems);
    }
  });
  problems.push(...(await audit(c.edge)));
  return { problems, sellerAhead };
}

/** Waits until every lane bought at least once more than `before` (the fault is over for every buyer). */
async function untilResumed(c: CrashEdge, before: readonly number[], fault: Fault): Promise<void> {
  const deadline = Date.now() + RESUME_BOUND_MS;
  while (c.bought.some((n, i) => n <= before[i]!)) {
    if (Date.now() > deadline) throw new Error(`after the ${fault} kill, lanes ${c.bought.flatMap((n, i) => (n <= before[i]! ? [`${i} (last error ${c.lastError[i] ?? 'none'})`] : [])).join(', ')} never bought again`);
    await sleep(50);
  }
}

async function killWorker(c: CrashEdge, id: string): Promise<void> {
  const pid = workerPid(c.edge, id);
  if (pid === undefined) throw new Error(`no pid of ${id} in the controller's log`);
  const at = logLines(c.edge).length;
  process.kill(pid, 'SIGKILL');
  await waitForLog(c.edge, (l) => l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === id, { timeoutMs: 90_000, after: at, what: `${id} ready after the kill` });
}

async function inject(c: CrashEdge, fault: Fault, rand: () => number): Promise<void> {
  if (fault === 'xbrmm') return killWorker(c, XBRMM);
  if (fault === 'router') return killWorker(c, ROUTER);
  if (fault === 'chain') return killWorker(c, DEVCHAIN);
  const s = c.sellers[Math.floor(rand() * c.sellers.length)]!;
  await s.kill();
  // Its offers are suspended while it is away; the buyers of its key wait.
  await sleep(Math.round(200 + rand() * 800));
  await s.restart();
}

/**
 * One seed: the lanes buy; the four faults, in an order the seed draws, each at an instant it draws (0.3–1.5 s
 * after the lanes resumed from the previous one); then 0.5 s more of buying and everything is checked.
 */
export async function runCrashSeed(c: CrashEdge, seed: number, faults: readonly Fault[] = FAULTS): Promise<SeedResult> {
  const rand = prng(seed);
  const order = [...faults];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let closeAt = BigInt(await c.edge.provider().getBlockNumber());
  const blocks = setInterval(() => {
    c.edge.provider().getBlockNumber().then((b) => (closeAt = BigInt(b)), () => undefined);
  }, 1000);
  let running = true;
  const counts: LaneCounts = { purchases: 0, recovered: 0, refunded: 0 };
  const problems: string[] = [];
  const injected: SeedResult['faults'] = [];
  const loops = c.lanes.map((_, i) => laneLoop(c, i, () => running, () => closeAt, counts, problems));
  try {
    for (const fault of order) {
      const afterMs = Math.round(300 + rand() * 1200);
      await sleep(afterMs);
      const before = [...c.bought];
      const t0 = performance.now();
      await inject(c, fault, rand);
      await untilResumed(c, before, fault);
      injected.push({ fault, afterMs, resumedMs: Math.round(performance.now() - t0) });
    }
    await sleep(500);
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  } finally {
    running = false;
    clearInterval(blocks);
    await Promise.allSettled(loops).then((rs) => {
      for (const r of rs) if (r.status === 'rejected') problems.push(`a lane failed: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    });
  }
  const v = await verify(c);
  problems.push(...v.problems);
  return { seed, ok: problems.length === 0, faults: injected, ...counts, sellerAhead: v.sellerAhead, problems };
}

export function formatSeed(r: SeedResult): string {
  const faults = r.faults.map((f) => `${f.fault} +${f.afterMs} ms (resumed in ${f.resumedMs} ms)`).join(', ');
  const head = `seed ${r.seed}: killed ${faults}; ${r.purchases} purchases, ${r.recovered} answered again after a kill, ${r.refunded} refunded, ${r.sellerAhead} co-signed by a seller then refunded`;
  return r.ok ? `${head}: ok` : `${head}: FAILED\n  ${r.problems.join('\n  ')}`;
}

export interface CloseResult {
  readonly ok: boolean;
  readonly closed: number;
  readonly problems: string[];
}

/** The chain's closed state of `channelId`: (state, closedSeq, closedBalance). */
async function onChain(c: CrashEdge, channelId: Uuid): Promise<{ state: bigint; seq: bigint; balance: bigint }> {
  const channel = new Contract(c.edge.devchain.contracts.channel, xbrChannelAbi, c.edge.provider());
  const r = (await channel.getFunction('channelClosingStates')(hexlify(channelId))) as unknown[];
  return { state: BigInt(r[0] as bigint), seq: BigInt(r[5] as bigint), balance: BigInt(r[6] as bigint) };
}

/**
 * Closes every channel cooperatively — each buyer its payment channel at its last signed state, each seller's
 * member asks the maker to close its paying channel (the seller process co-signs) — and checks that the chain
 * closed each exactly at the ledger's state, which is the delegate's: the last act of a run.
 */
export async function closeAll(c: CrashEdge): Promise<CloseResult> {
  const problems: string[] = [];
  let closed = 0;
  const block = BigInt(await c.edge.provider().getBlockNumber());
  const expect: { channelId: Uuid; what: string; seq: number; balance: bigint }[] = [];
  for (const lane of c.lanes) {
    const state = { channelId: lane.buyer.channelId, seq: lane.buyer.seq, balance: lane.buyer.remaining };
    try {
      await closeCooperatively((uri, args, kwargs) => lane.buyer.session.call(uri, { argsList: args ?? [], ...(kwargs === undefined ? {} : { argsDict: kwargs }) }).then((r) => r.argsList?.[0]), c.w.binding, getBytes(lane.buyer.delegate.privateKey), state, block);
      expect.push({ ...state, what: `payment channel ${formatUuid(state.channelId)}` });
    } catch (err) {
      problems.push(`payment channel ${formatUuid(state.channelId)}: the cooperative close failed: ${uriOf(err) ?? ''} ${String((err as { argsList?: unknown[] }).argsList?.[0] ?? (err as Error).message)}`);
    }
  }
  for (const s of c.sellers) {
    const session = await connectMember(c.edge, s.member, 'cbor', RECONNECTING);
    try {
      await callOn(session, MarketMakerChannelProcedure.closePayingChannel, [s.channelId]);
      const state = FileSellerStateStore.open(join(s.dir, 'paying.json')).load(s.channelId);
      if (state?.closed !== true) problems.push(`paying channel ${formatUuid(s.channelId)}: the seller's state does not record the close it co-signed`);
      else expect.push({ channelId: s.channelId, what: `paying channel ${formatUuid(s.channelId)}`, seq: state.seq, balance: state.balance });
    } catch (err) {
      problems.push(`paying channel ${formatUuid(s.channelId)}: the maker-initiated close failed: ${uriOf(err) ?? ''} ${String((err as { argsList?: unknown[] }).argsList?.[0] ?? (err as Error).message)}`);
    } finally {
      await session.disconnect().catch(() => undefined);
    }
  }
  await asOperator(c.edge, async (op) => {
    for (const e of expect) {
      const chain = await onChain(c, e.channelId);
      if (chain.state !== CHAIN_CLOSED) {
        problems.push(`${e.what}: not closed on chain (state ${chain.state})`);
        continue;
      }
      if (chain.seq !== BigInt(e.seq) || chain.balance !== e.balance) problems.push(`${e.what}: closed on chain at seq ${chain.seq} / ${chain.balance}, the delegate's state is seq ${e.seq} / ${e.balance}`);
      const deadline = Date.now() + 60_000;
      let ledger = await ledgerBalance(op, e.channelId);
      while (ledger.state !== 3 && Date.now() < deadline) {
        await sleep(200);
        ledger = await ledgerBalance(op, e.channelId);
      }
      if (ledger.state !== 3) problems.push(`${e.what}: the maker never saw it closed (state ${ledger.state})`);
      if (BigInt(ledger.seq) !== chain.seq || ledger.remaining !== chain.balance) problems.push(`${e.what}: the ledger is at seq ${ledger.seq} / ${ledger.remaining}, the chain closed at seq ${chain.seq} / ${chain.balance}`);
      closed++;
    }
  });
  problems.push(...(await audit(c.edge)));
  return { ok: problems.length === 0, closed, problems };
}
