/**
 * The in-process dev chain helper: chainId 31337, cancun, 20 funded default accounts, fresh genesis on
 * every start, one chain per process, optional JSON-RPC server (as `hardhat node`), clean stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { xbrTokenAbi, xbrTokenBytecode } from '../../contracts/build/index.js';
import { DEVCHAIN_CHAIN_ID, deployContract, startDevchain } from '../../contracts/devchain.js';

describe('devchain', () => {
  it('runs chainId 31337 on cancun with 20 funded accounts; one chain per process; restarts fresh', async () => {
    const chain = await startDevchain();
    try {
      await assert.rejects(startDevchain(), /already running/);
      assert.equal(chain.chainId, DEVCHAIN_CHAIN_ID);
      assert.equal(chain.url, undefined);
      assert.equal(await chain.provider.getBlockNumber(), 0, 'fresh genesis');
      assert.equal(chain.signers.length, 20);
      assert.equal(chain.wallets[0]?.address, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
      assert.equal(chain.wallets[0]?.privateKey, '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
      assert.equal(await chain.signers[0]?.getAddress(), chain.wallets[0]?.address);
      assert.equal(await chain.provider.getBalance(chain.wallets[19]?.address ?? ''), 10_000n * 10n ** 18n);
      const block = (await chain.eip1193.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as Record<string, unknown>;
      assert.ok('blobGasUsed' in block, 'cancun block header');
      // back-to-back transactions from one local wallet (ethers cache off: no stale nonce)
      const w = chain.wallets[3];
      assert.ok(w);
      for (let i = 0; i < 3; i++) await (await w.sendTransaction({ to: chain.wallets[4]?.address ?? '', value: 1n })).wait();
      assert.equal(await chain.provider.getBlockNumber(), 3);
    } finally {
      await chain.stop();
    }
    const again = await startDevchain();
    try {
      assert.equal(await again.provider.getBlockNumber(), 0, 'a restart is a fresh genesis');
    } finally {
      await again.stop();
    }
  });

  it('serves JSON-RPC when asked (listen), usable by a JsonRpcProvider, and closes it on stop', async () => {
    const chain = await startDevchain({ listen: { hostname: '127.0.0.1', port: 0 } });
    let url: string | undefined;
    try {
      url = chain.url;
      assert.ok(url !== undefined && /^http:\/\/127\.0\.0\.1:\d+$/.test(url), url);
      const remote = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
      try {
        assert.equal((await remote.getNetwork()).chainId, DEVCHAIN_CHAIN_ID);
        const key = chain.wallets[5]?.privateKey;
        assert.ok(key);
        const wallet = new Wallet(key, remote);
        const token = await deployContract(wallet, xbrTokenAbi, xbrTokenBytecode);
        await (await token.getFunction('transfer')(chain.wallets[6]?.address, 1n)).wait();
        assert.equal(await token.getFunction('balanceOf')(chain.wallets[6]?.address), 1n);
        // the in-process provider sees the same chain
        assert.equal(await chain.provider.getBlockNumber(), 2);
      } finally {
        remote.destroy();
      }
    } finally {
      await chain.stop();
    }
    await assert.rejects(fetch(url, { method: 'POST', body: '{}' }));
  });
});
