/**
 * `buy_key` is idempotent for a committed sale, end to end: the real controller, router, dev chain and xbrmm
 * worker, a plain wampy seller (member #2, delegate #5) and buyer (member #3, delegate #6).
 *
 * - The identical signed call again gets the same receipt and the same sealed key, from the transaction record:
 *   the seller is called once and the channel charged once; also from another session of the same member
 *   (a buyer that reconnected). Another member asking the identical call is not authorized; a call that
 *   differs in one argument gets the normal refusal (`unexpected_channel_seq`).
 * - The crash the issue describes: the xbrmm worker is SIGKILLed after the resolve commit and before the
 *   RESULT (deterministically: see `test/fixtures/kill-after-key-sold.mjs`); the controller restarts it; the
 *   sale survived (nothing refunded at start); SimpleBuyer, whose `unwrap` failed with the callee gone, sends
 *   the identical call again on its next use and gets its key — charged once, the seller not called again —
 *   and keeps buying.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Wampy } from 'wampy';
import { devchainAccountKey } from '../../../contracts/index.js';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { encryptPayload } from '../../../schema/crypto/payload.js';
import { WampError } from '../../../schema/errors.js';
import { SimpleBuyer } from '../../../plugins/buyer/index.js';
import { logLines, startMarketEdge, waitForLog, workerPid, type MarketEdge } from '../harness/market-edge.js';
import { addr, call, callError, connectMember, e2eConfig, openChannelOnChain, sleep, TestBuyer, TestSeller, untilKnown, world, XBR, type BalanceResult, type CallError, type BuyKeyResult, type StatusResult, type World } from './offers-purchase-helpers.js';

const MM = 'xbr.marketmaker.';
const WORKER = 'xbrmm1';
const PAYMENT = 100n * XBR;
const PAYING = 500n * XBR;
const PRICE = 5n * XBR;
const KILL_HOOK = new URL('../../fixtures/kill-after-key-sold.mjs', import.meta.url);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Every byte field as hex, so two answers compare whatever byte type the client gave them. */
function wire(v: unknown): unknown {
  if (v instanceof Uint8Array) return hex(v);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x)]));
  return v;
}

/** Polls `xbr.marketmaker.status` until RUNNING; while the maker is gone or coming up, calls fail or report another status. */
async function untilRunning(client: Wampy, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await call<StatusResult>(client, MM + 'status')).status === 'RUNNING') return;
    } catch (err) {
      const uri = (err as CallError).errorUri;
      if (uri !== 'wamp.error.no_such_procedure' && uri !== 'wamp.error.canceled') throw err;
    }
    if (Date.now() > deadline) throw new Error(`maker not RUNNING within ${ms} ms`);
    await sleep(100);
  }
}

async function rejection(p: Promise<unknown>): Promise<WampError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WampError, `expected a WampError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('buy_key asked again', { timeout: 300_000 }, () => {
  let edge: MarketEdge;
  let w: World;
  let seller: TestSeller;
  let buyer: TestBuyer;
  let probe: Wampy;
  const triggerDir = mkdtempSync(join(tmpdir(), 'xbr-kill-trigger-'));
  const trigger = join(triggerDir, 'key');

  before(async () => {
    edge = await startMarketEdge({
      configure: (config) => {
        e2eConfig(config);
        // Restart a crashed worker after 0.5 s, far from giving up (as restart.test.ts).
        config['controller'] = { ...(config['controller'] as object), options: { restart: { max_restarts: 5, window: 60, initial_delay: 0.5, max_delay: 5 } } };
        // The xbrmm worker alone: debug lines (`key sold`) and the test's kill hook, armed by the trigger file.
        const xbrmm = config.workers.find((x) => x['type'] === 'xbrmm')!;
        xbrmm['options'].env = {
          inherit: true,
          vars: { XBR_LOG_LEVEL: 'debug', NODE_OPTIONS: `--import ${pathToFileURL(KILL_HOOK.pathname).href}`, XBR_TEST_KILL_TRIGGER: trigger },
        };
      },
    });
    probe = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, probe);
    seller = await TestSeller.start(w, 2, edge.account(5));
    await openChannelOnChain(w, 2, PAYING, addr(edge.account(5)));
    const paymentId = await openChannelOnChain(w, 1, PAYMENT, addr(edge.account(6)));
    buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, PAYMENT);
  });
  after(async () => {
    await edge?.stop();
    rmSync(triggerDir, { recursive: true, force: true });
  });

  const balance = async (): Promise<{ seq: number; remaining: bigint; inflight: bigint }> => {
    const b = await call<BalanceResult>(buyer.session, MM + 'get_payment_channel_balance', [buyer.channelId]);
    return { seq: b.seq, remaining: unpackUint256(b.remaining), inflight: unpackUint256(b.inflight) };
  };

  let sold: { args: unknown[]; kwargs: Record<string, unknown>; receipt: Record<string, unknown>; key: Uint8Array };

  it('the identical call again: the same receipt and sealed key, the seller called once, the channel charged once', async () => {
    const o = await seller.offer({ price: PRICE });
    const { args, kwargs } = await buyer.buyArgs(o.keyId, PRICE);
    const calls = seller.calls;
    const receipt = await untilKnown(() => call<Record<string, unknown>>(buyer.session, MM + 'buy_key', args, kwargs));
    buyer.seq += 1;
    buyer.remaining -= PRICE;
    const again = await call<BuyKeyResult>(buyer.session, MM + 'buy_key', args, kwargs);
    assert.deepEqual(wire(again), wire(receipt));
    assert.equal(hex(buyer.open(again.sealed_key)), hex(o.key));
    // Another session of the same member (a buyer that reconnected) gets it too.
    const other = await connectMember(edge, 3);
    assert.deepEqual(wire(await call(other, MM + 'buy_key', args, kwargs)), wire(receipt));
    assert.equal(seller.calls - calls, 1, 'the seller was called once');
    assert.deepEqual(await balance(), { seq: buyer.seq, remaining: PAYMENT - PRICE, inflight: 0n });
    sold = { args, kwargs, receipt, key: o.key };
  });

  it('another member asking the identical call is not authorized and gets no sealed key', async () => {
    const stranger = await connectMember(edge, 4);
    const e = await callError(stranger, MM + 'buy_key', sold.args, sold.kwargs);
    assert.equal(e.errorUri, 'wamp.error.not_authorized');
    assert.equal(e.argsDict?.['sealed_key'], undefined);
    assert.deepEqual(await balance(), { seq: buyer.seq, remaining: PAYMENT - PRICE, inflight: 0n });
  });

  it('a call differing in one argument gets the normal refusal', async () => {
    const keyId = sold.args[2] as never;
    const calls = seller.calls;
    // Validly signed by the channel's delegate over the used seq, but not the identical call.
    const otherBalance = await buyer.buyArgs(keyId, PRICE, { seq: buyer.seq, balance: buyer.remaining - 1n });
    assert.equal((await callError(buyer.session, MM + 'buy_key', otherBalance.args, otherBalance.kwargs)).errorUri, 'xbr.error.unexpected_channel_seq');
    const otherAmount = await buyer.buyArgs(keyId, PRICE, { seq: buyer.seq, balance: buyer.remaining, amount: PRICE + 1n });
    assert.equal((await callError(buyer.session, MM + 'buy_key', otherAmount.args, otherAmount.kwargs)).errorUri, 'xbr.error.unexpected_channel_seq');
    // Another close_at under the same signature: that signature does not cover it.
    const otherCloseAt = { close_at: BigInt(sold.kwargs['close_at'] as bigint) - 1n };
    assert.equal((await callError(buyer.session, MM + 'buy_key', sold.args, otherCloseAt)).errorUri, 'xbr.error.invalid_signature');
    assert.equal(seller.calls, calls);
    assert.deepEqual(await balance(), { seq: buyer.seq, remaining: PAYMENT - PRICE, inflight: 0n });
  });

  it('SIGKILL of the xbrmm worker between the resolve commit and the RESULT: after the restart SimpleBuyer\'s identical call gets its key, charged once', async () => {
    const simple = new SimpleBuyer(edge.makerAddress, devchainAccountKey(6), new Uint8Array(randomBytes(32)));
    await simple.start(await connectMember(edge, 3));
    const warm = await seller.offer({ price: PRICE });
    const warmData = { warm: true };
    assert.deepEqual(await simple.unwrap(warm.keyId, 'cbor', encryptPayload(warm.key, warmData)), warmData);

    const o = await seller.offer({ price: PRICE });
    const data = { n: 1, big: 2n ** 70n };
    const ct = encryptPayload(o.key, data);
    const before = simple.channel!;
    const [sells, calls] = [seller.sells, seller.calls];
    const oldPid = workerPid(edge, WORKER)!;
    const at = logLines(edge).length;
    writeFileSync(trigger, formatUuid(o.keyId)); // arms the hook for this key only

    const lost = await rejection(simple.unwrap(o.keyId, 'cbor', ct));
    assert.equal(lost.uri, 'wamp.error.canceled', `the callee left before answering: ${lost.message}`);
    assert.match(lost.message, /got no answer/);
    // The kill landed in the window: the sale was resolved (`key sold` comes after the durable resolve) and
    // the process died by SIGKILL right there, before returning the receipt.
    const soldLine = await waitForLog(edge, (l) => l.msg === 'key sold' && l['key'] === formatUuid(o.keyId), { timeoutMs: 10_000, after: at, what: 'key sold line' });
    const exited = await waitForLog(edge, (l) => l['component'] === 'controller' && l.msg === 'worker exited unexpectedly' && l['pid'] === oldPid, { timeoutMs: 10_000, after: at, what: 'crash report' });
    assert.equal(exited.line['signal'], 'SIGKILL');
    assert.ok(soldLine.index < exited.index);
    assert.equal(existsSync(trigger), false, 'the hook fired (and disarmed itself)');
    assert.equal(seller.sells - sells, 1, 'the seller sold once');
    assert.deepEqual(simple.channel, before, 'no receipt reached the buyer: its state did not move');

    await waitForLog(edge, (l) => l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === WORKER, { timeoutMs: 90_000, after: exited.index, what: 'worker ready after restart' });
    assert.notEqual(workerPid(edge, WORKER), oldPid);
    await untilRunning(probe, 60_000);
    // The sale survived the crash: committed, so nothing was INFLIGHT and nothing was refunded at start.
    const after = logLines(edge).slice(at);
    assert.equal(after.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('interrupted purchase found at start')).length, 0);
    assert.deepEqual(await balance(), { seq: before.seq + 1, remaining: before.remaining - PRICE, inflight: 0n });

    // The buyer's next use sends the identical call again and gets the key; charged once, the seller not called again.
    assert.deepEqual(await simple.unwrap(o.keyId, 'cbor', ct), data);
    assert.equal(simple.resent, 1);
    assert.equal(seller.calls - calls, 1, 'no second sell');
    assert.deepEqual(await balance(), { seq: before.seq + 1, remaining: before.remaining - PRICE, inflight: 0n });
    assert.deepEqual({ seq: simple.channel!.seq, remaining: simple.channel!.remaining }, { seq: before.seq + 1, remaining: before.remaining - PRICE });
    await waitForLog(edge, (l) => l.msg === 'buy_key asked again: answered from its transaction record' && l['key'] === formatUuid(o.keyId), { timeoutMs: 5_000, after: at });

    // And it keeps buying from there.
    const next = await seller.offer({ price: PRICE });
    assert.deepEqual(await simple.unwrap(next.keyId, 'cbor', encryptPayload(next.key, data)), data);
    assert.deepEqual(await balance(), { seq: before.seq + 2, remaining: before.remaining - 2n * PRICE, inflight: 0n });
    await simple.stop();
  });
});
