/**
 * `npm run demo` and `xbr-edge seller` / `xbr-edge buyer` as child processes against the real edge on the
 * shipped config (members log in with WAMP-cryptosign through the maker's authenticator): every event the
 * seller published is printed decrypted by the buyer, the maker's ledger agrees with the balances
 * printed, and exit codes are 0 (3 with a hint when the router is not there). The test reads each channel
 * at the maker as its own member (a member sees its own channels only), logged in the same way.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Wampy } from 'wampy';
import { devchainAccountKey } from '../../../contracts/demo.js';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import { ChannelState } from '../../../schema/db/records/channel.js';
import { parseXbr } from '../../../plugins/cli/index.js';
import { computeAddress, getBytes, hexlify } from 'ethers';
import { freePort, startMarketEdge, waitExit, type MarketEdge } from '../../e2e/harness/market-edge.js';
import { login } from '../../e2e/market/channels-helpers.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const MILLI = 10n ** 15n;
/** The demo's seller and buyer members (hardhat accounts of the devchain file). */
const SELLER_MEMBER = 2;
const BUYER_MEMBER = 3;

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Starts `script args` with tsx; `lines` sees stdout as it comes. */
function start(script: string, args: string[], lines?: (text: string) => void): { done: Promise<Run>; child: ChildProcess } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
    lines?.(out);
  });
  child.stderr.on('data', (d) => (err += d));
  return { child, done: waitExit(child, 120_000).then(({ code }) => ({ code, out, err })) };
}

/** `seller: published #i key K {json}` → i → json. */
function published(out: string): Map<number, string> {
  return new Map([...out.matchAll(/^seller: published #(\d+) key \S+ (\{.*\})$/gm)].map((m) => [Number(m[1]), m[2]!]));
}
/** `buyer: decrypted {json}` in order. */
const decrypted = (out: string): string[] => [...out.matchAll(/^buyer: decrypted (\{.*\})$/gm)].map((m) => m[1]!);

describe('xbr-edge demo and CLI against the edge', { timeout: 300_000 }, () => {
  let edge: MarketEdge;
  /** Sessions of the demo seller and buyer members (their channels' actors). */
  let seller: Wampy;
  let buyer: Wampy;
  let devchainPath: string;
  const sellerDelegate = computeAddress(hexlify(devchainAccountKey(5)));

  before(async () => {
    edge = await startMarketEdge();
    assert.equal(edge.devchain.demo.members.seller.address, edge.account(SELLER_MEMBER).address);
    assert.equal(edge.devchain.demo.members.buyer.address, edge.account(BUYER_MEMBER).address);
    seller = (await login(edge, { wallet: SELLER_MEMBER, serializer: 'cbor' })).client;
    buyer = (await login(edge, { wallet: BUYER_MEMBER, serializer: 'cbor' })).client;
    devchainPath = join(edge.cbdir, '.xbr-edge/devchain.json');
  });
  after(async () => {
    await edge?.stop();
  });

  /** The maker's view of the seller delegate's paying channel: remaining. */
  async function payingRemaining(): Promise<bigint> {
    const ch = (await seller.call('xbr.marketmaker.get_active_paying_channel', [getBytes(sellerDelegate)])).argsList?.[0] as { channel_oid: Uint8Array };
    const b = (await seller.call('xbr.marketmaker.get_paying_channel_balance', [ch.channel_oid])).argsList?.[0] as { remaining: Uint8Array };
    return unpackUint256(b.remaining);
  }

  it('npm run demo: N events published, the buyer prints each decrypted, balances agree with the maker, exit 0', async () => {
    const N = 7;
    const r = await start('plugins/demo.ts', ['--url', edge.wsUrl, '--devchain', devchainPath, '--count', String(N), '--rate', '20/s']).done;
    assert.equal(r.code, 0, `demo failed:\n${r.out}\n${r.err}`);
    const sent = published(r.out);
    assert.equal(sent.size, N);
    const got = decrypted(r.out);
    assert.equal(got.length, N);
    assert.deepEqual(new Set(got), new Set(sent.values()), 'the buyer decrypted exactly what the seller published');
    for (const [i, json] of sent) assert.equal((JSON.parse(json) as { seq: number }).seq, i);
    // two events per key → ceil(N / 2) keys bought at 0.001 XBR
    const keys = Math.ceil(N / 2);
    assert.equal([...r.out.matchAll(/^buyer: bought key \S+ for 0\.001 XBR$/gm)].length, keys);
    assert.match(r.out, /^seller: paying channel 0x[0-9a-f]{8}… opened: 100 XBR left to earn$/m);
    assert.match(r.out, new RegExp(`^buyer: payment channel 9\\.99${10 - keys} XBR left \\(seq ${keys + 1}\\), ${keys} key\\(s\\) bought$`, 'm'));
    assert.match(r.out, new RegExp(`^seller: earned 0\\.00${keys} XBR this run, paying channel 99\\.99${10 - keys} XBR left \\(seq ${keys + 1}\\)$`, 'm'));
    assert.match(r.out, /^demo: 7 events published, bought and decrypted$/m);
    assert.match(r.out, new RegExp(`^buyer: payment channel 0x[0-9a-f]{8}… closed at seq ${keys + 1}: 9\\.99${10 - keys} XBR back to the member`, 'm'));
    assert.equal(await payingRemaining(), 100n * 10n ** 18n - BigInt(keys) * MILLI, 'the maker\'s ledger holds what the seller printed');
    // the buyer delegate's payment channel is closed: no active one left
    const active = (await buyer.call('xbr.marketmaker.get_active_payment_channel', [getBytes(computeAddress(hexlify(devchainAccountKey(6))))])).argsList?.[0];
    assert.equal(active, null);
  });

  it('xbr-edge buyer and xbr-edge seller in two processes: the buyer decrypts what the seller publishes, both exit 0', async () => {
    const before = await payingRemaining();
    const common = ['--url', edge.wsUrl, '--devchain', devchainPath];
    let subscribed!: () => void;
    const ready = new Promise<void>((r) => (subscribed = r));
    const buyer = start('plugins/cli/bin.mjs', ['buyer', ...common, '--count', '4', '--close', '--amount', '1'], (out) => {
      if (out.includes('buyer: subscribed to xbr.demo.data')) subscribed();
    });
    await Promise.race([ready, buyer.done.then((r) => assert.fail(`buyer exited early:\n${r.out}\n${r.err}`))]);
    const seller = await start('plugins/cli/bin.mjs', ['seller', ...common, '--count', '4', '--rate', '10/s', '--per-key', '2', '--price', '0.002']).done;
    const b = await buyer.done;
    assert.equal(seller.code, 0, `seller:\n${seller.out}\n${seller.err}`);
    assert.equal(b.code, 0, `buyer:\n${b.out}\n${b.err}`);
    assert.deepEqual(decrypted(b.out), [...published(seller.out).values()]);
    assert.match(b.out, /^buyer: payment channel 0x[0-9a-f]{8}… \(seq 1\): 1 XBR to spend$/m);
    assert.equal([...b.out.matchAll(/^buyer: bought key \S+ for 0\.002 XBR: 0\.99[68] XBR left$/gm)].length, 2);
    assert.match(b.out, /^buyer: payment channel 0x[0-9a-f]{8}… closed at seq 3: 0\.996 XBR back to the member/m);
    assert.match(seller.out, /^seller: paying channel 0x[0-9a-f]{8}… in use: /m);
    assert.equal(before - (await payingRemaining()), 4n * MILLI);
  });

  it('xbr-edge seller --close: the paying channel is closed cooperatively at the maker\'s state, exit 0', async () => {
    const ch = (await seller.call('xbr.marketmaker.get_active_paying_channel', [getBytes(sellerDelegate)])).argsList?.[0] as { channel_oid: Uint8Array };
    const remaining = await payingRemaining();
    const r = await start('plugins/cli/bin.mjs', ['seller', '--url', edge.wsUrl, '--devchain', devchainPath, '--count', '1', '--rate', '10/s', '--close']).done;
    assert.equal(r.code, 0, `seller:\n${r.out}\n${r.err}`);
    const m = /^seller: paying channel (0x[0-9a-f]{8})… closed at seq \d+: ([\d.]+) XBR back to the market maker \(tx 0x[0-9a-f]{64}\)$/m.exec(r.out);
    assert.ok(m, r.out);
    assert.equal(m[1], `0x${Buffer.from(ch.channel_oid).toString('hex').slice(0, 8)}`, 'the channel the maker had active');
    assert.equal(parseXbr('--x', m[2]!), remaining, 'closed at the maker\'s remaining balance');
    const state = ((await seller.call('xbr.marketmaker.get_paying_channel', [ch.channel_oid])).argsList?.[0] as { state: number } | undefined)?.state;
    assert.ok(state === ChannelState.CLOSING || state === ChannelState.CLOSED, `maker's channel state ${state}`);
  });

  it('xbr-edge seller --status shows each paying channel\'s earnings; --request-close has the maker start the close, which only the running seller can co-sign', async () => {
    const common = ['--url', edge.wsUrl, '--devchain', devchainPath];
    /** A seller that sells until stopped (SIGINT); resolves once it is selling. */
    const runningSeller = async () => {
      let selling!: () => void;
      const ready = new Promise<void>((r) => (selling = r));
      const p = start('plugins/cli/bin.mjs', ['seller', ...common, '--rate', '2/s'], (out) => {
        // Its first event comes after its Ctrl-C handler is in place.
        if (/^seller: published #1 /m.test(out)) selling();
      });
      await Promise.race([ready, p.done.then((r) => assert.fail(`seller exited early:\n${r.out}\n${r.err}`))]);
      return p;
    };
    const stop = async (p: { done: Promise<Run>; child: ChildProcess }): Promise<void> => {
      p.child.kill('SIGINT');
      const r = await p.done;
      assert.equal(r.code, 0, `seller:\n${r.out}\n${r.err}`);
    };
    const channel = async (id: string) => (await seller.call('xbr.marketmaker.get_paying_channel', [getBytes(id)])).argsList?.[0] as { state: number; close_del_sig: Uint8Array | null };

    // The previous test closed the first paying channel; a new seller opens a second one, then stops.
    await stop(await runningSeller());
    const status = await start('plugins/cli/bin.mjs', ['seller', ...common, '--status', '--json']).done;
    assert.equal(status.code, 0, status.err);
    const rows = JSON.parse(status.out) as { channel: string; state: string; amount: string; earned: string; unclaimed: string; remaining: string; inflight: string; sales: number; refunds: number; seq: number }[];
    assert.equal(rows.length, 2, status.out);
    const [first, second] = rows as [(typeof rows)[0], (typeof rows)[0]];
    // Sold so far: 4 keys at 0.001 by the demo, 2 at 0.002 by the CLI seller, nothing after.
    assert.deepEqual({ earned: BigInt(first.earned), sales: first.sales, inflight: first.inflight }, { earned: 8n * MILLI, sales: 6, inflight: '0' });
    assert.equal(first.seq, 1 + first.sales + first.refunds, 'every purchase on the channel advanced its seq once');
    assert.equal(BigInt(first.remaining) + BigInt(first.earned), BigInt(first.amount));
    assert.ok(first.state === 'closing' || first.state === 'closed', first.state);
    assert.equal(BigInt(first.unclaimed), first.state === 'closed' ? 0n : 8n * MILLI);
    assert.deepEqual(
      { state: second.state, earned: second.earned, unclaimed: second.unclaimed, remaining: second.remaining, sales: second.sales, refunds: second.refunds, seq: second.seq },
      { state: 'open', earned: '0', unclaimed: '0', remaining: (100n * 10n ** 18n).toString(), sales: 0, refunds: 0, seq: 1 },
    );
    const human = await start('plugins/cli/bin.mjs', ['seller', ...common, '--status']).done;
    assert.match(human.out, new RegExp(`^seller: paying channel ${second.channel} open: earned 0 XBR \\(0 XBR unclaimed\\) from 0 sales, 0 refunded; 100 XBR left to earn of 100 XBR, seq 1$`, 'm'));

    // Nobody to co-sign: refused, and the channel is open again.
    const refused = await start('plugins/cli/bin.mjs', ['seller', ...common, '--request-close']).done;
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.err, new RegExp(`the market maker did not close paying channel ${second.channel}: .*no_such_procedure`));
    assert.equal((await channel(second.channel)).state, ChannelState.OPEN);
    // Another member may not close the seller's channel.
    await assert.rejects(buyer.call('xbr.marketmaker.close_paying_channel', [getBytes(second.channel)]), (e: unknown) => /not_authorized/.test(JSON.stringify(e)) || /not_authorized/.test(String(e)));
    assert.equal((await channel(second.channel)).state, ChannelState.OPEN);

    // With the seller running, the maker's close is co-signed by the seller delegate and submitted.
    const running = await runningSeller();
    const closed = await start('plugins/cli/bin.mjs', ['seller', ...common, '--request-close']).done;
    assert.equal(closed.code, 0, `${closed.out}\n${closed.err}`);
    assert.match(closed.out, new RegExp(`^seller: paying channel ${second.channel} closing at seq 1: 100 XBR back to the market maker \\(tx 0x[0-9a-f]{64}\\)$`, 'm'));
    const after = await channel(second.channel);
    assert.ok(after.state === ChannelState.CLOSING || after.state === ChannelState.CLOSED, `state ${after.state}`);
    assert.equal(after.close_del_sig?.length, 65, 'the seller delegate\'s co-signature is recorded');
    await stop(running);
  });

  it('no router at --url: exit 3 with a hint, no stack trace', async () => {
    const port = await freePort();
    const r = await start('plugins/demo.ts', ['--url', `ws://127.0.0.1:${port}/`, '--devchain', devchainPath]).done;
    assert.equal(r.code, 3);
    assert.match(r.err, new RegExp(`^error: cannot connect to the router at ws://127\\.0\\.0\\.1:${port}/ .*is the edge running\\? Start it with \`npm start\``, 'm'));
    assert.doesNotMatch(r.err, /\n\s+at /);
  });
});
