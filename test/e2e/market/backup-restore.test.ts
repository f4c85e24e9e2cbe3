/**
 * Backup, restore, start: same balances — through the real processes. The dev chain runs outside the node (it
 * must outlive it: the embedded one starts from a fresh genesis, and the worker discards its DBs on a new
 * chain), the node is the real controller with the router and the xbrmm worker.
 *
 * A buyer (member #3, delegate #6) buys a key from a seller (member #2, delegate #5); `xbr-edge backup` runs
 * while the node serves; the buyer buys a second key; the node is stopped and `xbr-edge restore` puts the
 * backup back; the node starts again on the same directory. Then:
 * - both channels' balances are the ones at backup time (the later purchase is gone from the maker's ledger;
 *   the chain never knew of it, so ledger and chain agree);
 * - the buyer's own newer state is refused (`unexpected_channel_seq`, with the seq the ledger expects), and a
 *   purchase signed from the restored state sells;
 * - that purchase reused seq 3: the maker has now signed two different states with seq 3 of the channel — the
 *   hazard docs/operations.md "Backups" tells operators about.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { devchainAccountKey } from '../../../contracts/index.js';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { readManifest } from '../../../router/controller/backup-manifest.js';
import { freePort, startMarketEdge, type EdgeConfig, type MarketEdge } from '../harness/market-edge.js';
import { addr, call, callError, connectMember, e2eConfig, openChannelOnChain, TestBuyer, TestSeller, untilKnown, world, XBR, type BalanceResult, type World } from './offers-purchase-helpers.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const MM = 'xbr.marketmaker.';
const PAYMENT = 100n * XBR;
const PAYING = 500n * XBR;
const PRICE = 5n * XBR;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');


/** The dev chain as a process of its own (as the shipped devchain guest runs it), writing its file into the node directory. */
async function startChain(cbdir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'contracts/devchain-main.ts', '--port', String(port), '--out', join(cbdir, '.xbr-edge/devchain.json'), '--maker-key', join(cbdir, '.xbr-edge/maker1.key')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev chain not ready within 120 s:\n${output}`)), 120_000);
    child.stdout!.on('data', (d) => {
      output += d;
      if (output.includes('devchain ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d) => (output += d));
    child.once('exit', (code) => reject(new Error(`dev chain exited with ${code}:\n${output}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** The shipped config with member tickets, on the external chain: no devchain guest, no IPFS (not needed here). */
const onChain = (url: string) => (config: EdgeConfig): void => {
  e2eConfig(config);
  config.workers = config.workers.filter((w) => w['type'] !== 'guest');
  const xbrmm = config.workers.find((w) => w['type'] === 'xbrmm')!;
  xbrmm['options'].extra.blockchain.gateway.http = url;
  delete xbrmm['options'].extra.ipfs;
};

/** `edge` with its chain access pointed at the external chain (the harness's own is for its devchain guest). */
function withChain(edge: MarketEdge, url: string): MarketEdge & { release(): void } {
  const provider = new JsonRpcProvider(url, edge.devchain.chainId, { staticNetwork: true, cacheTimeout: -1 });
  return {
    ...edge,
    chainUrl: url,
    provider: () => provider,
    account: (index) => new Wallet('0x' + Buffer.from(devchainAccountKey(index)).toString('hex'), provider),
    release: () => provider.destroy(),
  };
}

describe('backup while serving, restore, start: the balances at backup time', { timeout: 420_000 }, () => {
  let root: string;
  let cbdir: string;
  let backupDir: string;
  let chain: { child: ChildProcess; url: string };
  let edge: (MarketEdge & { release(): void }) | undefined;
  let w: World;
  let seller: TestSeller;
  let buyer: TestBuyer;
  let paymentId: Uuid;
  let payingId: Uuid;
  let atBackup: { payment: Record<string, unknown>; paying: Record<string, unknown> };
  /** The receipt of the purchase made after the backup (maker-signed, seq 3). */
  let lateReceipt: { channel_seq: number; remaining: Uint8Array; close_at: number | bigint; signature: Uint8Array };

  const start = async (): Promise<MarketEdge & { release(): void }> => withChain(await startMarketEdge({ cbdir, keepCbdir: true, configure: onChain(chain.url) }), chain.url);
  /** Each channel's ledger balance, asked by its actor (member #3 pays, member #2 is paid). */
  const balances = async (e: MarketEdge): Promise<{ payment: Record<string, unknown>; paying: Record<string, unknown> }> => ({
    payment: await call(await connectMember(e, 3), MM + 'get_payment_channel_balance', [paymentId]),
    paying: await call(await connectMember(e, 2), MM + 'get_paying_channel_balance', [payingId]),
  });
  const plain = (b: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v instanceof Uint8Array ? unpackUint256(v).toString() : v]));

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'xbr-backup-e2e-'));
    cbdir = join(root, 'node');
    backupDir = join(root, 'backup');
    mkdirSync(join(cbdir, '.xbr-edge'), { recursive: true, mode: 0o700 });
    chain = await startChain(cbdir);
    edge = await start();
    const client = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, client);
    seller = await TestSeller.start(w, 2, edge.account(5));
    payingId = await openChannelOnChain(w, 2, PAYING, addr(edge.account(5)));
    paymentId = await openChannelOnChain(w, 1, PAYMENT, addr(edge.account(6)));
    buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, PAYMENT);
  });
  after(async () => {
    edge?.release();
    await edge?.stop().catch(() => undefined);
    chain?.child.kill('SIGTERM');
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('sells a key, backs up while the node serves, sells another', async () => {
    const o1 = await seller.offer({ price: PRICE });
    await untilKnown(() => buyer.buy(o1.keyId, PRICE));
    assert.equal(buyer.seq, 2);
    atBackup = await balances(edge!);

    const r = await runXbrEdge('backup', '--to', backupDir, '--cbdir', cbdir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /online, controller pid \d+/);
    const maker = readManifest(backupDir).files.find((f) => f.role === 'maker-db')!;
    assert.deepEqual([maker.schema_version, maker.channels, maker.transactions], [4, { payment: 1, paying: 1 }, 1]);

    const o2 = await seller.offer({ price: PRICE });
    const { receipt } = await buyer.buy(o2.keyId, PRICE);
    lateReceipt = receipt;
    assert.equal(receipt.channel_seq, 3);
    assert.equal((await balances(edge!)).payment['seq'], 3);
  });

  it('restore is refused while the node runs; stopped, it restores; started again, the balances are those at backup time', async () => {
    const refused = await runXbrEdge('restore', '--from', backupDir, '--cbdir', cbdir);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /a node is running: stop it first/);

    edge!.release();
    assert.equal(await edge!.stop(), 0);
    edge = undefined;
    const r = await runXbrEdge('restore', '--from', backupDir, '--cbdir', cbdir);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readdirSync(join(cbdir, '.xbr-edge')).some((f) => /^maker1\.db\.before-restore-\d{8}T\d{6}Z$/.test(f)), 'the ledger replaced is kept');
    assert.ok(existsSync(join(cbdir, '.xbr-edge/maker1.db')));

    edge = await start();
    const client = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, client);
    const restored = await balances(edge);
    assert.deepEqual(plain(restored.payment), plain(atBackup.payment));
    assert.deepEqual(plain(restored.paying), plain(atBackup.paying));
    assert.equal(atBackup.payment['seq'], 2);
    assert.equal(unpackUint256(atBackup.payment['remaining'] as Uint8Array), PAYMENT - PRICE);
    // The maker key is the one the market knows (restored with the DBs).
    assert.equal(edge.makerAddress, new Wallet('0x' + readFileSync(join(cbdir, '.xbr-edge/maker1.key')).toString('hex')).address);
  });

  it('the buyer continues from the restored state; its own newer state is refused', async () => {
    const seller2 = await TestSeller.start(w, 2, edge!.account(5));
    const buyer2 = new TestBuyer(w, await connectMember(edge!, 3), edge!.account(6), paymentId, PAYMENT);
    // The buyer held seq 3 / 90 XBR, signed by the maker before the restore: the ledger now expects seq 3.
    const price = 7n * XBR;
    const o3 = await seller2.offer({ price });
    const own = await buyer2.buyArgs(o3.keyId, price, { seq: 4, balance: PAYMENT - 2n * PRICE - price });
    const e = await callError(buyer2.session, MM + 'buy_key', own.args, own.kwargs);
    assert.equal(e.errorUri, 'xbr.error.unexpected_channel_seq');
    assert.equal(e.argsDict?.['expected_seq'], 3);

    buyer2.seq = 2;
    buyer2.remaining = PAYMENT - PRICE;
    const { key, receipt } = await buyer2.buy(o3.keyId, price);
    assert.equal(hex(key), hex(o3.key));
    assert.equal(receipt.channel_seq, 3);
    const b = await call<BalanceResult>(buyer2.session, MM + 'get_payment_channel_balance', [paymentId]);
    assert.deepEqual([b.seq, unpackUint256(b.remaining)], [3, PAYMENT - PRICE - price]);

    // Two states with seq 3, both signed by the maker: the one lost with the restore and the new one.
    const lost = buyer2.signerOf(3, unpackUint256(lateReceipt.remaining), BigInt(lateReceipt.close_at), lateReceipt.signature);
    const now = buyer2.signerOf(3, unpackUint256(receipt.remaining), BigInt(receipt.close_at), receipt.signature);
    assert.equal(hex(lost), hex(w.maker));
    assert.equal(hex(now), hex(w.maker));
    assert.notEqual(unpackUint256(lateReceipt.remaining), unpackUint256(receipt.remaining));
  });
});
