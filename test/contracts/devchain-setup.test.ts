/**
 * `contracts/devchain-main.ts` as the `devchain` guest worker runs it: a child process on a free port with a
 * temp out file; the out file appears (atomically) before the port opens; the contracts answer over JSON-RPC
 * (members, the demo market by its maker, catalog + API, funded accounts, channel approvals); SIGTERM → exit 0
 * quickly; a maker key file is created (32 raw bytes, 0600) with the default dev key, and a given key file is
 * used as the maker; a second fresh start yields the same addresses and ids; a busy port fails fast.
 * With `--state`: a restart (also after SIGKILL) replays the chain — the same devchain.json and blocks, and
 * every transaction a client got an answer for; another maker key is refused; a state whose deployment never
 * completed starts anew; `--fresh` resets.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Contract, JsonRpcProvider, Wallet, hexlify } from 'ethers';
import { xbrCatalogAbi, xbrMarketAbi, xbrNetworkAbi, xbrTokenAbi } from '../../contracts/build/index.js';
import { DEFAULT_MAKER_KEY, DEMO_CIDS, DEMO_IDS } from '../../contracts/demo.js';
import type { DevchainFile } from '../../contracts/devchain-file.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'contracts', 'devchain-main.ts');
const XBR = 10n ** 18n;

type OutFile = DevchainFile;

const dir = mkdtempSync(join(tmpdir(), 'xbr-devchain-setup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  out: string;
  info: OutFile;
  provider: JsonRpcProvider;
  output: () => string;
}

async function start(name: string, extra: string[] = []): Promise<Running> {
  const port = await freePort();
  const out = join(dir, `${name}.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', String(port), '--out', out, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!existsSync(out)) {
    if (child.exitCode !== null) throw new Error(`devchain-main exited ${child.exitCode}: ${text}`);
    if (Date.now() > deadline) throw new Error(`no out file: ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(readFileSync(out, 'utf8')) as OutFile;
  assert.equal(info.url, `http://127.0.0.1:${port}`);
  const provider = new JsonRpcProvider(info.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  // the out file is written just before the port opens
  for (;;) {
    try {
      await provider.getBlockNumber();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, out, info, provider, output: () => text };
}

/** Runs devchain-main with `args` until it exits (a start that must fail). */
async function runToExit(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, output };
}

async function terminate(r: Running): Promise<number | null> {
  r.provider.destroy();
  const exited = new Promise<number | null>((resolve) => r.child.once('exit', (code) => resolve(code)));
  const t0 = Date.now();
  r.child.kill('SIGTERM');
  const code = await exited;
  assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
  return code;
}

describe('devchain-main (devchain guest worker)', () => {
  let first: OutFile | undefined;

  it('deploys, sets up the demo, serves it over JSON-RPC, and exits 0 on SIGTERM', async () => {
    const keyFile = join(dir, 'keys', 'maker.key');
    const r = await start('first', ['--maker-key', keyFile]);
    try {
      const { info, provider } = r;
      first = info;
      // maker key file: created with the default dev key, 32 raw bytes, 0600
      const key = readFileSync(keyFile);
      assert.equal(key.length, 32);
      assert.deepEqual(Uint8Array.from(key), DEFAULT_MAKER_KEY);
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      const makerAddress = new Wallet(hexlify(key)).address;
      const m = info.demo.members;
      assert.equal(m.maker.address, makerAddress);
      assert.equal(info.demo.makerKeyFile, keyFile);
      assert.equal(info.chainId, 31337);
      assert.equal((await provider.getNetwork()).chainId, 31337n);
      assert.equal(info.deploymentBlock, 1);
      assert.deepEqual([m.deployer.accountIndex, m.marketOwner.accountIndex, m.seller.accountIndex, m.buyer.accountIndex], [0, 1, 2, 3]);
      assert.ok(!readFileSync(r.out, 'utf8').includes(hexlify(key).slice(2)), 'no private key in the out file');

      const c = info.contracts;
      for (const address of Object.values(c)) assert.notEqual(await provider.getCode(address), '0x', address);
      const network = new Contract(c.network, xbrNetworkAbi, provider);
      const market = new Contract(c.market, xbrMarketAbi, provider);
      const catalog = new Contract(c.catalog, xbrCatalogAbi, provider);
      const token = new Contract(c.token, xbrTokenAbi, provider);
      assert.equal(await network.getFunction('token')(), c.token);
      assert.equal(await market.getFunction('network')(), c.network);
      assert.equal(await market.getFunction('catalog')(), c.catalog);
      assert.equal(await network.getFunction('memberLevel')(m.deployer.address), 2n); // VERIFIED
      for (const who of [m.marketOwner, m.seller, m.buyer]) {
        assert.equal(await network.getFunction('memberLevel')(who.address), 1n, who.address); // ACTIVE
      }

      assert.equal(await market.getFunction('marketsByMaker')(m.maker.address), info.demo.marketId);
      assert.equal(info.demo.marketId, DEMO_IDS.marketId);
      const mk = (await market.getFunction('markets')(info.demo.marketId)) as unknown[];
      assert.equal(mk[2], m.marketOwner.address);
      assert.equal(mk[3], c.token);
      assert.equal(mk[4], DEMO_CIDS.marketTerms);
      assert.equal(mk[5], DEMO_CIDS.marketMeta);
      assert.equal(mk[6], m.maker.address);
      assert.equal(await market.getFunction('isActor')(info.demo.marketId, m.seller.address, 1), true);
      assert.equal(await market.getFunction('isActor')(info.demo.marketId, m.buyer.address, 2), true);

      const cat = (await catalog.getFunction('catalogs')(info.demo.catalogId)) as unknown[];
      assert.equal(cat[2], m.seller.address);
      assert.equal(cat[3], DEMO_CIDS.catalogTerms);
      assert.equal(cat[4], DEMO_CIDS.catalogMeta);
      const api = (await catalog.getFunction('apis')(info.demo.catalogId, info.demo.apiId)) as unknown[];
      assert.ok((api[0] as bigint) > 0n);
      assert.equal(api[1], DEMO_CIDS.apiSchema);
      assert.equal(api[2], DEMO_CIDS.apiMeta);

      const bal = async (a: string) => (await token.getFunction('balanceOf')(a)) as bigint;
      assert.equal(await bal(m.seller.address), 10_000n * XBR);
      assert.equal(await bal(m.buyer.address), 10_000n * XBR);
      assert.equal(await bal(m.maker.address), 100_000n * XBR);
      assert.equal(await token.getFunction('allowance')(m.buyer.address, c.channel), 10_000n * XBR);
      assert.equal(await token.getFunction('allowance')(m.maker.address, c.channel), 100_000n * XBR);
      assert.ok((await provider.getBalance(m.maker.address)) > 10n ** 18n);
      assert.ok((await provider.getBalance(m.buyer.address)) > 10n ** 18n);
    } finally {
      assert.equal(await terminate(r), 0, r.output());
    }
  });

  it('a second fresh start yields the same addresses and ids; a given maker key file becomes the maker', async () => {
    assert.ok(first !== undefined);
    const keyFile = join(dir, 'other.key');
    const other = Wallet.createRandom();
    writeFileSync(keyFile, Buffer.from(other.privateKey.slice(2), 'hex'), { mode: 0o644 });
    const r = await start('second', ['--maker-key', keyFile]);
    try {
      const { info, provider } = r;
      assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'mode forced to 0600');
      assert.deepEqual(info.contracts, first.contracts);
      assert.equal(info.deploymentBlock, first.deploymentBlock);
      assert.deepEqual(
        [info.demo.marketId, info.demo.catalogId, info.demo.apiId],
        [first.demo.marketId, first.demo.catalogId, first.demo.apiId],
      );
      const { maker, ...others } = info.demo.members;
      const { maker: _firstMaker, ...firstOthers } = first.demo.members;
      assert.deepEqual(others, firstOthers);
      assert.deepEqual(maker, { address: other.address, accountIndex: null });
      const market = new Contract(info.contracts.market, xbrMarketAbi, provider);
      assert.equal(await market.getFunction('marketsByMaker')(other.address), DEMO_IDS.marketId);
      assert.ok((await provider.getBalance(other.address)) > 99n * 10n ** 18n, 'maker got 100 ETH (minus the gas of its approve)');
    } finally {
      assert.equal(await terminate(r), 0, r.output());
    }
  });

  it('a busy port: exit 1 before deploying, no out file left', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    try {
      const addr = busy.address();
      assert.ok(typeof addr === 'object' && addr !== null);
      const out = join(dir, 'busy.json');
      writeFileSync(out, '{"stale": true}');
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', String(addr.port), '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      assert.equal(code, 1);
      assert.match(err, /EADDRINUSE/);
      assert.equal(existsSync(out), false, 'the stale out file is removed');
    } finally {
      busy.close();
    }
  });

  it('--state: a restart replays the chain (same devchain.json, blocks, transactions — also after SIGKILL); another maker key is refused; --fresh resets', async () => {
    const state = join(dir, 'state');
    const keyFile = join(dir, 'state-maker.key');
    const a = await start('state-a', ['--maker-key', keyFile, '--state', state]);
    let sentBlock: number;
    let sentHash: string;
    let blockOne = '';
    const buyer = '0xBcd4042DE499D14e55001CcbB24a551F3b954096'; // hardhat account #10: in no demo role
    try {
      // a transaction answered over JSON-RPC, then the process is killed: the answer means it is journaled
      const w = new Wallet('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d', a.provider); // hardhat account #1
      const receipt = await (await w.sendTransaction({ to: buyer, value: 12345n })).wait();
      assert.ok(receipt !== null);
      sentBlock = receipt.blockNumber;
      sentHash = receipt.blockHash;
      assert.ok(existsSync(join(state, 'journal')));
    } finally {
      a.provider.destroy();
      a.child.kill('SIGKILL');
      await new Promise((r) => a.child.once('exit', r));
    }
    const b = await start('state-b', ['--maker-key', keyFile, '--state', state]);
    try {
      assert.deepEqual({ ...b.info, url: '' }, { ...a.info, url: '' }, 'the same devchain.json (but for the port)');
      assert.equal(await b.provider.getBlockNumber(), sentBlock);
      assert.equal((await b.provider.getBlock(sentBlock))?.hash, sentHash);
      assert.match(b.output(), /devchain: replayed \d+ journal entries/);
      blockOne = (await b.provider.getBlock(1))!.hash!;
    } finally {
      assert.equal(await terminate(b), 0, b.output());
    }
    // another maker: refused (its market is the old key's)
    const otherKey = join(dir, 'state-other.key');
    writeFileSync(otherKey, Buffer.from(Wallet.createRandom().privateKey.slice(2), 'hex'), { mode: 0o600 });
    const refused = await runToExit(['--port', String(await freePort()), '--out', join(dir, 'state-refused.json'), '--maker-key', otherKey, '--state', state]);
    assert.equal(refused.code, 1);
    assert.match(refused.output, /has the demo market of maker 0x[0-9a-fA-F]{40}, but the maker key .* is 0x[0-9a-fA-F]{40}: restore that key file, or start the dev chain with --fresh/);
    // a deployment that never completed (no devchain.json note): a fresh chain, with a warning
    const journal = join(state, 'journal');
    const kept = readFileSync(journal, 'utf8');
    writeFileSync(journal, kept.split('\n').filter((l) => !l.startsWith('{"note"')).join('\n'));
    const c = await start('state-c', ['--maker-key', keyFile, '--state', state]);
    try {
      assert.match(c.output(), /holds a deployment that never completed: starting a fresh chain/);
      assert.equal(await c.provider.getBalance(buyer), 10_000n * 10n ** 18n, 'a new chain: the transfer is gone');
      assert.deepEqual(c.info.contracts, a.info.contracts);
    } finally {
      assert.equal(await terminate(c), 0, c.output());
    }
    // --fresh
    const d = await start('state-d', ['--maker-key', keyFile, '--state', state, '--fresh']);
    try {
      assert.match(d.output(), /--fresh: removed the state/);
      assert.doesNotMatch(d.output(), /replayed/);
      assert.deepEqual(d.info.contracts, a.info.contracts);
      assert.notEqual((await d.provider.getBlock(1))?.hash, blockOne, 'a new chain: another block 1');
    } finally {
      assert.equal(await terminate(d), 0, d.output());
    }
  });

  it('without --maker-key the default dev key is the maker (same as the first run)', async () => {
    assert.ok(first !== undefined);
    const r = await start('third');
    try {
      assert.deepEqual(r.info.demo.members, first.demo.members);
      assert.equal(r.info.demo.makerKeyFile, null);
    } finally {
      assert.equal(await terminate(r), 0, r.output());
    }
  });
});
