/**
 * `SimpleSeller.closeChannel()` — the seller's own cooperative close of its paying channel — against a
 * stand-in maker (stub-maker.ts), for the orderings the real edge cannot produce on demand: a sale held
 * half-way, a reservation whose `sell` is still on its way, a ledger moved on by refunds. The close through
 * the real maker and its settlement on chain are in test/plugins/delegates-e2e.test.ts.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { computeAddress, hexlify } from 'ethers';
import { closingState, FileSellerStateStore, SimpleSeller, type PayingChannelState } from '../../../plugins/seller/index.js';
import { parseAddress } from '../../../schema/codec/address.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { recoverChannelClose } from '../../../schema/eip712/index.js';
import { WampError } from '../../../schema/errors.js';
import { createLogger } from '../../../schema/log.js';
import { StubMaker } from './stub-maker.js';
import { channelCloseMessage } from '../../../schema/eip712/index.js';

const XBR = 10n ** 18n;
const PRICE = 3n * XBR;
const AMOUNT = 100n * XBR;
const AUTHID = 'seller_close_unit';
const SELL = `xbr.provider.${AUTHID}.sell`;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const dir = mkdtempSync(join(tmpdir(), 'seller-close-'));
const buyerPubkey = ed25519.getPublicKey(new Uint8Array(randomBytes(32)));

/** The WAMP error URI a registered procedure of the seller answered with. */
async function errorOf(p: Promise<unknown>): Promise<{ uri: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WampError) return { uri: err.uri, message: err.message };
    const e = err as { error?: string; argsList?: unknown[] };
    if (typeof e.error === 'string') return { uri: e.error, message: String(e.argsList?.[0]) };
    throw err;
  }
  assert.fail('expected a refusal');
}

let n = 0;
/** A started seller (count 1: every wrap uses a fresh key) on a fresh stub maker. */
async function setup(): Promise<{ seller: SimpleSeller; stub: StubMaker; statePath: string; keys: () => Promise<Uint8Array> }> {
  const delegateKey = new Uint8Array(randomBytes(32));
  const stub = new StubMaker(parseAddress(computeAddress(hexlify(delegateKey))), AUTHID, AMOUNT);
  const statePath = join(dir, `state-${++n}.json`);
  const seller = new SimpleSeller(stub.maker, delegateKey, { archivePath: join(dir, `keys-${n}`), statePath, logger: createLogger({ test: 'seller-close' }, 'error') });
  const apiId = new Uint8Array(randomBytes(16));
  seller.add(apiId, 'xbr.test.close', PRICE, { count: 1 });
  await seller.start(stub.session);
  return { seller, stub, statePath, keys: async () => (await seller.wrap(apiId, 'xbr.test.close', { n: Math.random() })).keyId };
}

describe('closingState (pure)', () => {
  const local: PayingChannelState = { channelId: new Uint8Array(16).fill(7) as Uuid, seq: 5, balance: 90n };
  it('closes at its own state when the ledger agrees', () => {
    assert.deepEqual(closingState(local, { seq: 5, remaining: 90n, inflight: 0n }), { channelId: local.channelId, seq: 5, balance: 90n, adopted: false });
  });
  it('adopts a newer ledger state that pays the seller no less (refunded reservations keep their seq)', () => {
    assert.deepEqual(closingState(local, { seq: 7, remaining: 90n, inflight: 0n }), { channelId: local.channelId, seq: 7, balance: 90n, adopted: true });
    assert.equal(closingState(local, { seq: 7, remaining: 80n, inflight: 0n }).balance, 80n);
  });
  it('refuses a ledger behind, one that pays less, and a purchase in flight', () => {
    const uri = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        return (err as WampError).uri;
      }
      return 'none';
    };
    assert.equal(uri(() => closingState(local, { seq: 4, remaining: 90n, inflight: 0n })), 'xbr.error.unexpected_channel_seq');
    assert.equal(uri(() => closingState(local, { seq: 6, remaining: 91n, inflight: 0n })), 'xbr.error.unexpected_channel_balance');
    assert.equal(uri(() => closingState(local, { seq: 6, remaining: 87n, inflight: 3n })), 'xbr.error.purchase_in_flight');
  });
});

describe('SimpleSeller.closeChannel against a stand-in maker', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('closes at its own state with a final close it signed; then refuses sales and a second close', async () => {
    const { seller, stub, statePath, keys } = await setup();
    try {
      for (let i = 0; i < 2; i++) await stub.sell(await keys(), buyerPubkey, PRICE);
      assert.deepEqual({ seq: seller.balance()!.seq, balance: seller.balance()!.balance }, { seq: 3, balance: AMOUNT - 2n * PRICE });

      const r = await seller.closeChannel();
      assert.equal(hex(r.channelId), hex(stub.payingId));
      assert.equal(r.seq, 3);
      assert.equal(r.remaining, AMOUNT - 2n * PRICE);
      assert.equal(r.transaction.length, 32);
      assert.equal(stub.ledger.state, 2, 'the maker accepted the close');
      const [closeCall] = stub.calls.filter((c) => c.uri === 'xbr.marketmaker.close_channel');
      assert.equal(closeCall!.args[6], true, 'is_final');
      assert.equal(BigInt(closeCall!.args[2] as number), stub.block, 'closeAt = the maker\'s current block (get_status)');
      const msg = channelCloseMessage(stub.binding, stub.block, stub.payingId, 3, AMOUNT - 2n * PRICE, true);
      assert.equal(hex(recoverChannelClose(msg, closeCall!.args[7] as Uint8Array)), hex(stub.delegate));

      const held = seller.balance()!;
      assert.equal(held.closed, true);
      assert.equal(held.closeIsFinal, true);
      assert.deepEqual(FileSellerStateStore.open(statePath).load(stub.payingId), held, 'the close is on disk');
      assert.equal(hex(recoverChannelClose(msg, held.sellerSignature!)), hex(stub.delegate));

      // The stub keeps answering as if the channel were open: the seller itself refuses.
      stub.ledger = { ...stub.ledger, state: 1 };
      const e = await errorOf(stub.sell(await keys(), buyerPubkey, PRICE));
      assert.equal(e.uri, 'xbr.error.unexpected_channel_oid');
      assert.match(e.message, /closed/);
      assert.equal((await errorOf(seller.closeChannel())).uri, 'xbr.error.channel_closed');
      assert.equal(seller.balance(), held);
    } finally {
      await seller.stop();
    }
  });

  it('waits for the sale it is processing and closes at the state that sale left', async () => {
    const { seller, stub, keys } = await setup();
    try {
      // A refunded reservation moves the maker on, so the next sale takes the resync path, which asks the
      // maker (get_paying_channel) half-way: that answer is held.
      stub.reserve(await keys(), buyerPubkey, PRICE);
      stub.resolve(PRICE, false);
      let release!: () => void;
      stub.holds.set('xbr.marketmaker.get_paying_channel', new Promise<void>((r) => (release = r)));
      const sale = stub.sell(await keys(), buyerPubkey, PRICE);
      while (!stub.uris().includes('xbr.marketmaker.get_paying_channel')) await tick();
      const callsBefore = stub.calls.length;
      const close = seller.closeChannel();
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(stub.uris().slice(callsBefore), [], 'the close asks nothing of the maker while the sale is in progress');
      release();
      await sale;
      const r = await close;
      assert.equal(r.seq, 3, 'the sale\'s state (seq 3 after the refunded seq 2)');
      assert.equal(r.remaining, AMOUNT - PRICE);
      const order = stub.uris().filter((u) => u.endsWith('.get_paying_channel') || u.endsWith('.close_channel'));
      assert.deepEqual(order, ['xbr.marketmaker.get_paying_channel', 'xbr.marketmaker.close_channel']);
    } finally {
      await seller.stop();
    }
  });

  it('a purchase the maker has in flight: lets its sell through, then closes; refuses if it stays in flight', async () => {
    const { seller, stub, keys } = await setup();
    try {
      const r = stub.reserve(await keys(), buyerPubkey, PRICE); // reserved; its sell is still on its way
      const reads = (): number => stub.uris().filter((u) => u === 'xbr.marketmaker.get_paying_channel_balance').length;
      const readsBefore = reads();
      const close = seller.closeChannel();
      while (reads() === readsBefore) await tick();
      await new Promise((res) => setTimeout(res, 30));
      await stub.invoke(SELL, r.args, r.kwargs); // the sell arrives while the close waits: not blocked by it
      stub.resolve(PRICE, true);
      const closed = await close;
      assert.equal(closed.seq, 2);
      assert.equal(closed.remaining, AMOUNT - PRICE);
      assert.equal(stub.uris().filter((u) => u.endsWith('.close_channel')).length, 1);
    } finally {
      await seller.stop();
    }

    const second = await setup();
    try {
      second.stub.reserve(await second.keys(), buyerPubkey, PRICE);
      const e = await errorOf(second.seller.closeChannel({ waitMs: 250 }));
      assert.equal(e.uri, 'xbr.error.purchase_in_flight');
      assert.ok(!second.stub.uris().includes('xbr.marketmaker.close_channel'), 'nothing signed is sent while in flight');
      assert.equal(second.seller.balance()!.closed, undefined);
    } finally {
      await second.seller.stop();
    }
  });

  it('closes at the maker\'s newer ledger state after refunds; never at one that pays it less', async () => {
    const { seller, stub, keys } = await setup();
    try {
      await stub.sell(await keys(), buyerPubkey, PRICE);
      await assert.rejects(stub.sell(new Uint8Array(randomBytes(16)), buyerPubkey, PRICE)); // unknown key: refused, refunded
      assert.deepEqual([seller.balance()!.seq, stub.ledger.seq], [2, 3]);

      const saved = stub.ledger;
      stub.ledger = { ...saved, remaining: saved.remaining + 1n };
      const e = await errorOf(seller.closeChannel());
      assert.equal(e.uri, 'xbr.error.unexpected_channel_balance');
      assert.ok(!stub.uris().includes('xbr.marketmaker.close_channel'));
      stub.ledger = saved;

      const r = await seller.closeChannel();
      assert.deepEqual([r.seq, r.remaining], [3, AMOUNT - PRICE]);
      assert.deepEqual([seller.balance()!.seq, seller.balance()!.balance, seller.balance()!.closed], [3, AMOUNT - PRICE, true]);
    } finally {
      await seller.stop();
    }
  });

  it('refuses without a paying channel, and when not running', async () => {
    const { seller, stub } = await setup();
    await seller.stop();
    assert.equal((await errorOf(seller.closeChannel())).uri, 'wamp.error.runtime_error');
    stub.ledger = { ...stub.ledger, state: 3 }; // no active paying channel any more
    await seller.start(stub.session);
    try {
      assert.equal(seller.balance(), null);
      assert.equal((await errorOf(seller.closeChannel())).uri, 'crossbar.error.no_such_object');
    } finally {
      await seller.stop();
    }
  });
});

