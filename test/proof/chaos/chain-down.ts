/**
 * Chaos: the chain node down and back while buyers buy, a buyer closes its channel and a member opens one.
 * 1. **Unresponsive** (SIGSTOP of the dev chain for a while, then SIGCONT): requests to it hang, as with a node
 *    that stalls or a partition. Meanwhile a buyer closes its payment channel cooperatively (the maker reads the
 *    head and co-signs, then broadcasts `closeChannel`; whichever step meets the stall, the close must end
 *    settled once, asked again if refused) and a member consents to a new delegate (its transaction
 *    waits in the node's socket); a channel for that delegate is opened once the node is back.
 * 2. **Crashed** (SIGKILL of the dev chain during a second buyer's close; the controller restarts it, and it
 *    replays its journal).
 * Purchases need no chain and must go on throughout. Afterwards: each closed channel is CLOSED on chain
 * exactly at its buyer's last state and in the ledger; the maker's account sent exactly one transaction per
 * close (the journal resent nothing twice: a second `closeChannel` would revert, a replacement would cost a
 * nonce); the monitor caught up with the consent and the new channel, which sells; the audit (which compares the chain) is clean.
 */
import { Contract, getBytes, hexlify } from 'ethers';
import { xbrChannelAbi } from '../../../contracts/index.js';
import { closeCooperatively } from '../../../plugins/common/index.js';
import { readMakerResult, type BuyKeyResult } from '../../../schema/api/index.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { MarketMakerProcedure } from '../../../schema/uris.js';
import { logLines, startMarketEdge, waitForLog, workerPid, type MarketEdge } from '../../e2e/harness/market-edge.js';
import { consent, setupLanes, type Lane } from '../../e2e/market/lanes.js';
import { addr, connectMember, e2eConfig, openChannelOnChain, randomWallet, sleep, TestBuyer, untilKnown, world, XBR, type World } from '../../e2e/market/offers-purchase-helpers.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';
import type { ScenarioResult } from './scenario.js';

const NAME = 'chain node down and back';
const DEVCHAIN = 'devchain';
const PRICE = XBR / 1000n;
const DEPOSIT = 100n * XBR;
/** Chain channel state CLOSED (XBRChannel). */
const CHAIN_CLOSED = 3n;
/** Purchases refused with `xbr.error.chain_unavailable` (the maker knew no head yet). */
let refusedUnavailable = 0;
const NO_ANSWER = new Set(['wamp.error.canceled', 'wamp.error.no_such_procedure', 'wamp.error.timeout', 'wamp.error.unavailable']);

export interface ChainDownOptions {
  /** How long the node stays unresponsive (ms). Default 8 s. */
  readonly stallMs?: number;
}

const uriOf = (err: unknown): string | undefined => {
  const u = (err as { errorUri?: unknown } | null)?.errorUri;
  return typeof u === 'string' ? u : undefined;
};
const describe = (err: unknown): string => `${uriOf(err) ?? ''} ${String((err as { argsList?: unknown[] }).argsList?.[0] ?? (err as Error).message)}`.trim();

/** A lane buying until `running()` is false; returns the times (ms, performance.now) of its purchases. */
async function buyLoop(lane: Lane, running: () => boolean, closeAt: () => bigint, problems: string[]): Promise<number[]> {
  const times: number[] = [];
  let n = 0;
  while (running()) {
    const offer = lane.offers[n++ % lane.offers.length]!;
    const { args, kwargs } = await lane.buyer.buyArgs(offer.keyId, PRICE, { closeAt: closeAt() });
    for (;;) {
      try {
        const r = await lane.buyer.session.call(MarketMakerProcedure.buyKey, { argsList: args, argsDict: kwargs });
        const receipt: BuyKeyResult = readMakerResult(MarketMakerProcedure.buyKey, r.argsList?.[0]);
        if (!offer.isKey(lane.buyer.open(receipt.sealed_key))) problems.push(`channel ${formatUuid(lane.buyer.channelId)}: a sealed key is not the offered key`);
        lane.buyer.seq += 1;
        lane.buyer.remaining -= PRICE;
        times.push(performance.now());
        break;
      } catch (err) {
        // No answer, or refused before anything was reserved because the head could not be read at all.
        if (NO_ANSWER.has(uriOf(err) ?? '') || uriOf(err) === 'xbr.error.chain_unavailable') {
          if (uriOf(err) === 'xbr.error.chain_unavailable') refusedUnavailable++;
          await sleep(100);
          continue;
        }
        problems.push(`channel ${formatUuid(lane.buyer.channelId)}: a purchase failed: ${describe(err)}`);
        return times;
      }
    }
  }
  return times;
}

/** Runs `fn` again while it fails with a connection the node reset or refused. */
async function untilConnected<T>(fn: () => Promise<T>, facts: string[]): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 20 || !/ECONNRESET|ECONNREFUSED|socket hang up/.test(String((err as Error).message))) throw err;
      facts.push(`a member's transaction met "${(err as Error).message}" and was sent again`);
      await sleep(1000);
    }
  }
}

async function chainState(edge: MarketEdge, channelId: Uuid): Promise<{ state: bigint; seq: bigint; balance: bigint }> {
  const channel = new Contract(edge.devchain.contracts.channel, xbrChannelAbi, edge.provider());
  const r = (await channel.getFunction('channelClosingStates')(hexlify(channelId))) as unknown[];
  return { state: BigInt(r[0] as bigint), seq: BigInt(r[5] as bigint), balance: BigInt(r[6] as bigint) };
}

/** Closes `lane`'s channel at its state; a close the chain outage failed is asked again until it answers. */
async function closeLane(w: World, lane: Lane, closeAt: () => bigint, facts: string[]): Promise<void> {
  const state = { channelId: lane.buyer.channelId, seq: lane.buyer.seq, balance: lane.buyer.remaining };
  const call = (uri: string, args?: unknown[], kwargs?: Record<string, unknown>) => lane.buyer.session.call(uri, { argsList: args ?? [], ...(kwargs === undefined ? {} : { argsDict: kwargs }) }).then((r) => r.argsList?.[0]);
  for (let attempt = 1; ; attempt++) {
    try {
      await closeCooperatively(call, w.binding, getBytes(lane.buyer.delegate.privateKey), state, closeAt());
      if (attempt > 1) facts.push(`channel ${formatUuid(state.channelId)}: closed on attempt ${attempt}`);
      return;
    } catch (err) {
      if (attempt >= 30) throw err;
      facts.push(`channel ${formatUuid(state.channelId)}: close attempt ${attempt} failed: ${describe(err)}`);
      await sleep(2000);
    }
  }
}

async function checkClosed(edge: MarketEdge, lane: Lane, problems: string[]): Promise<void> {
  const id = formatUuid(lane.buyer.channelId);
  const deadline = Date.now() + 120_000;
  let chain = await chainState(edge, lane.buyer.channelId);
  while (chain.state !== CHAIN_CLOSED && Date.now() < deadline) {
    await sleep(500);
    chain = await chainState(edge, lane.buyer.channelId);
  }
  if (chain.state !== CHAIN_CLOSED) return void problems.push(`channel ${id}: not closed on chain (state ${chain.state})`);
  if (chain.seq !== BigInt(lane.buyer.seq) || chain.balance !== lane.buyer.remaining) problems.push(`channel ${id}: closed on chain at seq ${chain.seq} / ${chain.balance}, the buyer's state is seq ${lane.buyer.seq} / ${lane.buyer.remaining}`);
  for (;;) {
    const b = readMakerResult(MarketMakerProcedure.getPaymentChannel, (await lane.buyer.session.call(MarketMakerProcedure.getPaymentChannel, { argsList: [lane.buyer.channelId] })).argsList?.[0]);
    if (b.state === 3) return;
    if (Date.now() > deadline) return void problems.push(`channel ${id}: the maker never saw it closed (state ${b.state})`);
    await sleep(500);
  }
}

/** Runs the scenario. */
export async function chainDown(options: ChainDownOptions = {}): Promise<ScenarioResult> {
  const stallMs = options.stallMs ?? 8000;
  const problems: string[] = [];
  const facts: string[] = [];
  const edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_LOG_LEVEL: 'info' } });
  let running = true;
  let loops: Promise<number[]>[] = [];
  let stopped: number | undefined;
  try {
    const w = await world(edge, await edge.connect());
    const lanes = await setupLanes(edge, w, { buyers: 4, sellers: 1, price: PRICE, paymentDeposit: DEPOSIT, payingDeposit: 1000n * XBR, offersPerSeller: 4 });
    const [closing1, closing2, ...buying] = lanes as [Lane, Lane, ...Lane[]];
    const nonce0 = await edge.provider().getTransactionCount(edge.makerAddress);
    let head = BigInt(await edge.provider().getBlockNumber());
    const blocks = setInterval(() => void edge.provider().getBlockNumber().then((b) => (head = BigInt(b)), () => undefined), 1000);
    loops = buying.map((l) => buyLoop(l, () => running, () => head, problems));
    // The closers buy a little first, so that they close at a seq past the first.
    for (const l of [closing1, closing2]) for (let i = 0; i < 3; i++) await l.buyer.buy(l.offers[i % l.offers.length]!.keyId, PRICE);
    await sleep(1000);

    // 1. The node stalls: a close is broadcast into it, a member's open waits for it.
    const pid = workerPid(edge, DEVCHAIN);
    if (pid === undefined) throw new Error('no pid of the dev chain in the controller\'s log');
    process.kill(pid, 'SIGSTOP');
    stopped = pid;
    const stallStart = performance.now();
    const close1 = closeLane(w, closing1, () => head, facts);
    const delegate = randomWallet();
    // The member's consent waits in the node's socket; setConsent is idempotent, so a connection the node
    // resets is simply asked again, as a member's wallet would.
    const consented = untilConnected(() => consent(edge, 3, delegate.address, 2), facts);
    await sleep(stallMs);
    process.kill(pid, 'SIGCONT');
    stopped = undefined;
    const stallEnd = performance.now();
    await close1;
    await consented;
    const newChannel = await openChannelOnChain(w, 1, DEPOSIT, addr(delegate));
    const buyer = new TestBuyer(w, await connectMember(edge, 3), delegate, newChannel, DEPOSIT);
    await untilKnown(() => buyer.buy(buying[0]!.offers[0]!.keyId, PRICE), 60_000);
    facts.push(`stall ${stallMs} ms: the close asked during it settled, the consent sent during it was replicated, a channel opened after it sold a key`);

    // 2. The node crashes during a close; the controller restarts it.
    const at = logLines(edge).length;
    const close2 = closeLane(w, closing2, () => head, facts);
    await sleep(100);
    const pid2 = workerPid(edge, DEVCHAIN);
    if (pid2 === undefined) throw new Error('no pid of the dev chain in the controller\'s log');
    process.kill(pid2, 'SIGKILL');
    await waitForLog(edge, (l) => l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === DEVCHAIN, { timeoutMs: 90_000, after: at, what: 'the dev chain ready after the kill' });
    await close2;
    await sleep(1000);
    running = false;
    clearInterval(blocks);
    const times = (await Promise.all(loops)).flat();
    const during = times.filter((t) => t >= stallStart && t <= stallEnd).length;
    facts.push(`${times.length} purchases by ${buying.length} buyers, ${during} of them while the node was stalled; ${refusedUnavailable} refused with xbr.error.chain_unavailable and asked again`);
    if (during === 0) problems.push('no purchase while the chain node was stalled: purchases must not need the chain');

    for (const l of [closing1, closing2]) await checkClosed(edge, l, problems);
    const sent = (await edge.provider().getTransactionCount(edge.makerAddress)) - nonce0;
    facts.push(`the maker's account sent ${sent} transactions for 2 closes`);
    if (sent !== 2) problems.push(`the maker's account sent ${sent} transactions for 2 closes: something was sent twice or not at all`);
    const r = await runXbrEdge('admin', 'audit', '--cbdir', edge.cbdir, '--json');
    const [a] = JSON.parse(r.stdout || '[]') as { ok: boolean; mismatches_total: number; chain_checked: number; mismatches: { message: string }[] }[];
    if (a?.ok !== true) problems.push(`the audit found ${a?.mismatches_total} mismatches: ${a?.mismatches.map((m) => m.message).join('; ')} ${r.stderr}`);
    else facts.push(`the audit is clean (${a.chain_checked} channels compared with the chain)`);
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  } finally {
    running = false;
    if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
    await Promise.allSettled(loops);
    await edge.stop();
  }
  return { name: NAME, ok: problems.length === 0, problems, facts };
}
