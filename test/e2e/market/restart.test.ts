/**
 * A crash of the xbrmm worker in the middle of a purchase (docs/protocol.md#ledger-rules, `purchase-recovery.ts`), end to end:
 * the real controller, router, dev chain and xbrmm worker. The seller hangs in its `sell` handler, the
 * worker process is SIGKILLed while the purchase is INFLIGHT, the controller restarts it, and the maker
 * fails and refunds the interrupted purchase before it serves again.
 *
 * What must hold afterwards: the buyer's pending `buy_key` failed (the callee left); the payment channel
 * has the price back, nothing inflight and the seq of the failed purchase kept (seq never goes back); the
 * next purchase signed from that state sells; the chain replica was kept (the channel is known once, with
 * its amount, and its balance was not reset to the amount); the maker logged the recovery before serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Wampy } from 'wampy';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { logLines, startMarketEdge, waitForLog, workerPid, type LogLine, type MarketEdge } from '../harness/market-edge.js';
import { addr, call, connectMember, e2eConfig, openChannelOnChain, sleep, TestBuyer, TestSeller, untilKnown, world, XBR, type BalanceResult, type CallError, type ChannelResult, type StatusResult, type World } from './offers-purchase-helpers.js';

const MM = 'xbr.marketmaker.';
const WORKER = 'xbrmm1';
const PAYMENT = 100n * XBR;
const PAYING = 500n * XBR;
const PRICE = 5n * XBR;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Resolves to how `p` settled, or rejects after `ms` (the test must never wait unbounded). */
function settledWithin<T>(p: Promise<T>, ms: number, what: string): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
    p.then(
      (value) => {
        clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, error });
      },
    );
  });
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

/** Polls `xbr.marketmaker.status` until RUNNING; while the maker is gone or coming up, calls fail or report another status. */
async function untilRunning(client: Wampy, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const st = await call<StatusResult>(client, MM + 'status');
      if (st.status === 'RUNNING') return;
      last = String(st.status);
    } catch (err) {
      const uri = (err as CallError).errorUri;
      if (uri !== 'wamp.error.no_such_procedure' && uri !== 'wamp.error.canceled') throw err;
      last = uri;
    }
    if (Date.now() > deadline) throw new Error(`maker not RUNNING within ${ms} ms (last: ${last})`);
    await sleep(100);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('xbrmm worker killed during a purchase', { timeout: 240_000 }, () => {
  let edge: MarketEdge;
  let w: World;
  let seller: TestSeller;
  let buyer: TestBuyer;
  let client: Wampy;
  let payingId: Uuid;
  let oldPid: number;
  /** Index in `logLines(edge)` at the kill: later lines belong to the crash and the restart. */
  let killedAtLine = 0;

  before(async () => {
    edge = await startMarketEdge({
      configure: (config) => {
        e2eConfig(config);
        // Explicit restart policy: the first restart after 0.5 s, far from giving up.
        config['controller'] = { ...(config['controller'] as object), options: { restart: { max_restarts: 5, window: 60, initial_delay: 0.5, max_delay: 5 } } };
      },
      // The maker must still be waiting for the hanging seller when it is killed, not time out first.
      env: { XBR_MM_SELLER_TIMEOUT_MS: '30000' },
    });
    client = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, client);
    // Seller member #2 (actor of the paying channel), buyer member #3 (actor of the payment channel): each
    // reads its own channel's ledger below.
    seller = await TestSeller.start(w, 2, edge.account(5));
    payingId = await openChannelOnChain(w, 2, PAYING, addr(edge.account(5)));
    const paymentId = await openChannelOnChain(w, 1, PAYMENT, addr(edge.account(6)));
    buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, PAYMENT);
  });
  after(async () => {
    if (seller !== undefined) seller.mode = 'ok';
    await edge?.stop();
  });

  it('sells once before the crash', async () => {
    const o = await seller.offer({ price: PRICE });
    const { key } = await untilKnown(() => buyer.buy(o.keyId, PRICE));
    assert.equal(hex(key), hex(o.key));
    assert.equal(buyer.seq, 2);
    const pid = workerPid(edge, WORKER);
    assert.ok(pid !== undefined && alive(pid), 'the controller reported the xbrmm worker ready with a live pid');
    oldPid = pid;
  });

  it('a SIGKILL while the purchase is INFLIGHT fails the pending buy_key; the controller restarts the worker and the maker refunds before serving', async () => {
    const o = await seller.offer({ price: PRICE });
    seller.mode = 'hang';
    const entered = seller.calls;
    const sold = seller.sells;
    const { args, kwargs } = await buyer.buyArgs(o.keyId, PRICE);
    const pending = call(buyer.session, MM + 'buy_key', args, kwargs);
    pending.catch(() => undefined); // settled below; keep an early rejection from being unhandled
    await until(() => seller.calls > entered, 15_000, 'the seller\'s sell handler entered');

    // The reservation is durable and visible: the price is inflight, seq already advanced.
    const inflight = await call<BalanceResult>(buyer.session, MM + 'get_payment_channel_balance', [buyer.channelId]);
    assert.equal(unpackUint256(inflight.inflight), PRICE);
    assert.equal(unpackUint256(inflight.remaining), buyer.remaining - PRICE);
    assert.equal(inflight.seq, buyer.seq + 1);

    killedAtLine = logLines(edge).length;
    const t0 = performance.now();
    process.kill(oldPid, 'SIGKILL');
    // Precondition of the scenario: the seller had not answered (its hang is 4 s), so the sale was not resolved.
    assert.equal(seller.sells, sold);

    const outcome = await settledWithin(pending, 20_000, 'the pending buy_key');
    const tFail = performance.now() - t0;
    assert.equal(outcome.ok, false, 'the buy_key of the killed maker must not succeed');
    const failure = (outcome as { error: unknown }).error as CallError & Error;
    assert.equal(typeof failure.errorUri, 'string', `a WAMP error reaches the buyer, got ${String(failure)}`);
    seller.mode = 'ok';

    const exited = await waitForLog(edge, (l) => l['component'] === 'controller' && l.msg === 'worker exited unexpectedly' && l['pid'] === oldPid, { timeoutMs: 10_000, after: killedAtLine, what: 'crash report' });
    assert.equal(exited.line['signal'], 'SIGKILL');
    const restarting = await waitForLog(edge, (l) => l['component'] === 'controller' && l.msg === 'restarting worker' && l['worker'] === WORKER, { timeoutMs: 10_000, after: killedAtLine, what: 'restart decision' });
    const ready = await waitForLog(edge, (l) => l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === WORKER, { timeoutMs: 90_000, after: killedAtLine, what: 'worker ready after restart' });
    const tReady = performance.now() - t0;
    const newPid = ready.line['pid'] as number;
    assert.notEqual(newPid, oldPid);
    assert.equal(workerPid(edge, WORKER), newPid);
    assert.ok(!alive(oldPid), 'the killed process is gone');
    await untilRunning(client, 60_000);
    const tRunning = performance.now() - t0;

    // The new maker found the INFLIGHT purchase of this channel and refunded it before it served.
    const isRecovery = (l: LogLine): boolean => typeof l.msg === 'string' && l.msg.startsWith('interrupted purchase found at start') && l['payment_channel'] === formatUuid(buyer.channelId);
    const recovery = await waitForLog(edge, isRecovery, { timeoutMs: 5_000, after: killedAtLine, what: 'recovery line' });
    assert.equal(recovery.line['paying_channel'], formatUuid(payingId));
    assert.equal(recovery.line['offer'], formatUuid(new Uint8Array(o.offer.offer)));
    assert.equal(recovery.line['amount'], PRICE.toString());
    const running = await waitForLog(edge, (l) => l.msg === 'market maker running', { timeoutMs: 5_000, after: killedAtLine, what: 'maker running line' });
    assert.ok(recovery.index < running.index, 'the recovery is logged before the maker serves');
    const refunded = await waitForLog(edge, (l) => l.msg === 'interrupted purchases refunded before serving', { timeoutMs: 5_000, after: killedAtLine });
    assert.equal(refunded.line['count'], 1);
    // Only the worker restarted: the dev chain (and so the replica) is the same.
    assert.ok(!logLines(edge).slice(killedAtLine).some((l) => typeof l.msg === 'string' && l.msg.includes('discarding the replica')), 'the replica was not discarded');
    assert.equal(logLines(edge).slice(killedAtLine).filter((l) => l['component'] === 'controller' && l.msg === 'worker ready').length, 1, 'only the xbrmm worker restarted');

    console.log(
      `restart_timings_ms buyer_error=${tFail.toFixed(0)} worker_ready=${tReady.toFixed(0)} maker_running=${tRunning.toFixed(0)} ` +
        `(delay_s=${String(restarting.line['delay_s'])}) buyer_error_uri=${failure.errorUri} message=${String(failure.argsList?.[0])}`,
    );
  });

  it('after the restart the payment channel holds the refund with the failed purchase\'s seq kept, and the replica is intact', async () => {
    const bal = await call<BalanceResult>(buyer.session, MM + 'get_payment_channel_balance', [buyer.channelId]);
    assert.equal(unpackUint256(bal.remaining), PAYMENT - PRICE, 'amount − one price: the interrupted price is back');
    assert.equal(unpackUint256(bal.inflight), 0n);
    assert.equal(bal.seq, buyer.seq + 1, 'the failed purchase\'s seq is kept');
    // The buyer continues from the refunded state.
    buyer.seq += 1;
    assert.equal(buyer.remaining, PAYMENT - PRICE);

    const paying = await call<BalanceResult>(seller.session, MM + 'get_paying_channel_balance', [payingId]);
    assert.equal(unpackUint256(paying.remaining), PAYING - PRICE);
    assert.equal(unpackUint256(paying.inflight), 0n);

    const ch = await call<ChannelResult>(buyer.session, MM + 'get_payment_channel', [buyer.channelId]);
    assert.equal(ch.state, 1);
    assert.equal(unpackUint256(ch.amount), PAYMENT);
    const byDelegate: Uint8Array[] = await call(buyer.session, MM + 'get_channels_by_delegate', [addr(edge.account(6)), 1]);
    assert.deepEqual(byDelegate.map(hex), [hex(buyer.channelId)], 'the channel is known exactly once');
    const active = await call<ChannelResult>(buyer.session, MM + 'get_active_payment_channel', [addr(edge.account(6))]);
    assert.equal(hex(active.channel_oid), hex(buyer.channelId));
    // The restarted monitor resumed from its stored cursor: no Opened event of ours was applied again (a
    // re-applied Opened that changed the ledger would have reset the balance to the amount).
    const reapplied = logLines(edge).slice(killedAtLine).filter((l) => l.msg === 'channel event applied' && (l['channel'] === hex(buyer.channelId) || l['channel'] === hex(payingId)));
    assert.deepEqual(reapplied, []);
  });

  it('a purchase signed from the refunded state sells, with the seller answering again', async () => {
    const o = await seller.offer({ price: PRICE });
    const { key, receipt } = await buyer.buy(o.keyId, PRICE);
    assert.equal(hex(key), hex(o.key));
    assert.equal(receipt.channel_seq, buyer.seq);
    assert.equal(unpackUint256(receipt.remaining), PAYMENT - 2n * PRICE);
    assert.equal(unpackUint256(receipt.inflight), 0n);
    const bal = await call<BalanceResult>(buyer.session, MM + 'get_payment_channel_balance', [buyer.channelId]);
    assert.equal(bal.seq, 4);
    assert.equal(unpackUint256(bal.remaining), PAYMENT - 2n * PRICE);
  });
});
