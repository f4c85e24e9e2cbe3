/**
 * The persistent dev chain (`startDevchain({ state })`): the journal of state-changing requests and its replay
 * into a fresh chain — same blocks (hashes, timestamps), contract addresses, balances and notes; read-only
 * requests are not journaled; a torn last line is dropped with a warning, a damaged middle line or a journal
 * that replays to another head refuses to start; `hardhat_reset` and interval mining are refused; one process
 * per state directory. Also the journaling provider alone, on a fake chain: ordering, failed-but-mined
 * requests, a journal that cannot be written (fail closed), notifications held until the entry is durable.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Contract, Wallet } from 'ethers';
import WebSocket from 'ws';
import { xbrTokenAbi, xbrTokenBytecode } from '../../contracts/build/index.js';
import { deployContract, startDevchain, type Devchain } from '../../contracts/devchain.js';
import { JOURNAL_FILE, JOURNAL_KIND, JournalWriter, readJournal, removeStateDir, type RpcEntry } from '../../contracts/devchain-journal.js';
import { JournalingProvider, classify } from '../../contracts/devchain-persist.js';

const dir = mkdtempSync(join(tmpdir(), 'xbr-devchain-persist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Block = { number: string; hash: string; timestamp: string; mixHash: string };
const block = async (chain: Devchain, n: number | 'latest'): Promise<Block> =>
  (await chain.eip1193.request({ method: 'eth_getBlockByNumber', params: [typeof n === 'number' ? `0x${n.toString(16)}` : n, false] })) as Block;
const journalLines = (state: string): string[] => readFileSync(join(state, JOURNAL_FILE), 'utf8').split('\n').filter((l) => l !== '');

async function withChain<T>(state: string, fn: (chain: Devchain) => Promise<T>, warn?: (m: string) => void): Promise<T> {
  const chain = await startDevchain({ state, ...(warn === undefined ? {} : { warn }) });
  try {
    return await fn(chain);
  } finally {
    await chain.stop();
  }
}

describe('persistent dev chain', () => {
  const state = join(dir, 'main');
  let first: { head: Block; hashes: string[]; timestamps: string[]; token: string; balance: bigint; entries: number } | undefined;

  it('journals state changes (not reads) and a restart replays the same chain', async () => {
    first = await withChain(state, async (chain) => {
      assert.equal(chain.state?.replay, undefined, 'a new state');
      const w = chain.wallets[3]!;
      const token = await deployContract(chain.wallets[0]!, xbrTokenAbi, xbrTokenBytecode); // eth_sendRawTransaction
      const address = await token.getAddress();
      await (await (token.connect(chain.signers[0]!) as Contract).getFunction('transfer')(w.address, 1234n)).wait(); // eth_sendTransaction
      // a reverted transaction is mined (and hardhat answers with an error): journaled as such
      await assert.rejects((token.connect(w) as Contract).getFunction('transfer')(chain.wallets[4]!.address, 10n ** 30n, { gasLimit: 100_000 }));
      await chain.eip1193.request({ method: 'hardhat_setBalance', params: [chain.wallets[7]!.address, '0x1234'] });
      await chain.eip1193.request({ method: 'evm_mine', params: [] });
      await chain.eip1193.request({ method: 'hardhat_mine', params: ['0x3', '0x7'] });
      await chain.eip1193.request({ method: 'evm_increaseTime', params: [1000] });
      await chain.eip1193.request({ method: 'evm_mine', params: [] });
      await chain.state!.setNote('hello', { a: 1 });
      const entries = journalLines(state).length;
      // reads do not grow the journal
      for (let i = 0; i < 5; i++) {
        await chain.provider.getBlockNumber();
        await chain.provider.getBalance(w.address);
        await (token.connect(chain.provider) as Contract).getFunction('balanceOf')(w.address);
        await chain.eip1193.request({ method: 'evm_setNextBlockTimestamp', params: [Math.floor(Date.now() / 1000) + 5000 + i] });
      }
      assert.equal(journalLines(state).length, entries, 'no entry for reads');
      const head = await block(chain, 'latest');
      const n = Number(head.number);
      assert.equal(n, 8, 'blocks: deploy, transfer, the reverted transfer, evm_mine, hardhat_mine × 3, evm_mine');
      const hashes: string[] = [];
      const timestamps: string[] = [];
      for (let i = 0; i <= n; i++) {
        const b = await block(chain, i);
        hashes.push(b.hash);
        timestamps.push(b.timestamp);
      }
      const balance = (await (token.connect(chain.provider) as Contract).getFunction('balanceOf')(w.address)) as bigint;
      return { head, hashes, timestamps, token: address, balance, entries };
    });
    assert.equal(first.balance, 1234n);
    const last = JSON.parse(journalLines(state).at(-2)!) as RpcEntry; // the last line is the note
    assert.equal(last.h, first.head.hash);

    await withChain(state, async (chain) => {
      const replay = chain.state?.replay;
      assert.ok(replay !== undefined);
      assert.equal(replay.entries, first!.entries - 1, 'every entry but the header');
      assert.equal(replay.head.hash, first!.head.hash);
      assert.deepEqual(chain.state!.note('hello'), { a: 1 });
      for (let i = 0; i < first!.hashes.length; i++) {
        const b = await block(chain, i);
        assert.equal(b.hash, first!.hashes[i], `block ${i}`);
        assert.equal(b.timestamp, first!.timestamps[i], `block ${i} timestamp`);
      }
      const token = new Contract(first!.token, xbrTokenAbi, chain.provider);
      assert.equal(await token.getFunction('balanceOf')(chain.wallets[3]!.address), 1234n);
      assert.equal(await chain.provider.getBalance(chain.wallets[7]!.address), 0x1234n);
      // the chain goes on: nonces continue, and the clock keeps the 1000 s evm_increaseTime added
      await (await chain.wallets[3]!.sendTransaction({ to: chain.wallets[4]!.address, value: 1n })).wait();
      const next = await block(chain, 'latest');
      assert.equal(Number(next.number), first!.hashes.length);
      assert.ok(Number(next.timestamp) >= Math.floor(Date.now() / 1000) + 990, `clock lead kept: ${Number(next.timestamp)} vs now ${Math.floor(Date.now() / 1000)}`);
    });
    // and a third start sees that transaction too
    await withChain(state, async (chain) => {
      assert.equal(await chain.provider.getBlockNumber(), first!.hashes.length);
      assert.equal(chain.state!.replay!.requests, first!.entries - 1 - 2 /* the note, evm_increaseTime */ + 1);
    });
  });

  it('a torn last line is dropped with a warning; a damaged line before it refuses the start', async () => {
    assert.ok(first !== undefined);
    const path = join(state, JOURNAL_FILE);
    const before = readFileSync(path, 'utf8');
    appendFileSync(path, '{"m":"eth_sendRawTransaction","p":["0xf86b');
    const warnings: string[] = [];
    await withChain(state, async (chain) => {
      assert.equal(chain.state!.replay!.head.hash, (await block(chain, 'latest')).hash);
    }, (m) => warnings.push(m));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /dropped a torn last entry \(\d+ bytes/);
    assert.equal(readFileSync(path, 'utf8'), before, 'the torn line was cut off the file');

    const lines = before.split('\n');
    lines[3] = lines[3]!.slice(0, 20);
    writeFileSync(path, lines.join('\n'));
    await assert.rejects(startDevchain({ state }), /line 4 is damaged/);
    writeFileSync(path, before);
  });

  it('a journal that replays to another head, or onto another genesis, refuses the start with a clear error', async () => {
    const path = join(state, JOURNAL_FILE);
    const before = readFileSync(path, 'utf8');
    const lines = before.split('\n').filter((l) => l !== '');
    // the last request's recorded head: another hash
    const i = lines.map((l) => 'm' in JSON.parse(l)).lastIndexOf(true);
    const e = JSON.parse(lines[i]!) as RpcEntry;
    lines[i] = JSON.stringify({ ...e, h: '0x' + '00'.repeat(32) });
    writeFileSync(path, lines.join('\n') + '\n');
    await assert.rejects(startDevchain({ state }), /the replay ended at block \d+ 0x[0-9a-f]{64}, the journal at block \d+ 0x0{64}.*--fresh/);
    // a transaction that fails on replay although it succeeded
    const lines2 = before.split('\n').filter((l) => l !== '');
    const k = lines2.findIndex((l) => l.includes('"eth_sendTransaction"'));
    const tx = JSON.parse(lines2[k]!) as RpcEntry;
    lines2[k] = JSON.stringify({ ...tx, p: [{ ...(tx.p[0] as object), from: Wallet.createRandom().address }] });
    writeFileSync(path, lines2.join('\n') + '\n');
    await assert.rejects(startDevchain({ state }), /entry \d+ \(eth_sendTransaction\) succeeded when it was journaled but fails on replay/);
    // another genesis
    const header = JSON.parse(lines[0]!) as Record<string, unknown>;
    writeFileSync(path, [JSON.stringify({ ...header, genesisHash: '0x' + '11'.repeat(32) }), ...before.split('\n').slice(1)].join('\n'));
    await assert.rejects(startDevchain({ state }), /the config changed.*--fresh/);
    writeFileSync(path, before);
    await withChain(state, async () => undefined);
  });

  it('refuses hardhat_reset and interval mining; one process per state directory; removeStateDir resets', async () => {
    await withChain(state, async (chain) => {
      await assert.rejects(chain.eip1193.request({ method: 'hardhat_reset', params: [] }), /refused on the persistent dev chain.*--fresh/);
      await assert.rejects(chain.eip1193.request({ method: 'evm_setIntervalMining', params: [1000] }), /interval mining is refused/);
      await chain.eip1193.request({ method: 'evm_setIntervalMining', params: [0] });
      // the lock names this process: another one is refused
      assert.equal(readFileSync(join(state, 'lock'), 'utf8').trim(), String(process.pid));
    });
    writeFileSync(join(state, 'lock'), `${process.ppid}\n`); // a live process that is not us
    await assert.rejects(startDevchain({ state }), new RegExp(`in use by process ${process.ppid}`));
    assert.throws(() => removeStateDir(state), /in use by process/);
    writeFileSync(join(state, 'lock'), '999999999\n'); // a process that does not run: taken over
    removeStateDir(state);
    await withChain(state, async (chain) => {
      assert.equal(chain.state?.replay, undefined, 'fresh after removeStateDir');
      assert.equal(await chain.provider.getBlockNumber(), 0);
    });
  });

  it('serves JSON-RPC (HTTP and WebSocket subscriptions) through the journal', async () => {
    const s = join(dir, 'served');
    const chain = await startDevchain({ state: s, listen: { port: 0 } });
    try {
      const ws = new WebSocket(chain.url!.replace('http:', 'ws:'));
      await new Promise((r, j) => {
        ws.once('open', r);
        ws.once('error', j);
      });
      const messages: { id?: number; method?: string; result?: unknown; params?: { result: { number: string } } }[] = [];
      ws.on('message', (d) => messages.push(JSON.parse(String(d))));
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
      const until = async (f: () => boolean) => {
        for (let i = 0; i < 100 && !f(); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(f());
      };
      await until(() => messages.some((m) => m.id === 1));
      const res = await fetch(chain.url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'evm_mine', params: [] }),
      });
      assert.equal(((await res.json()) as { result: unknown }).result, '0');
      await until(() => messages.some((m) => m.method === 'eth_subscription'));
      assert.equal(messages.find((m) => m.method === 'eth_subscription')!.params!.result.number, '0x1');
      ws.close();
      assert.match(journalLines(s).at(-1)!, /"m":"evm_mine"/);
    } finally {
      await chain.stop();
    }
  });

  it('fresh chains differ from their first block (random prevRandao), on the same genesis', async () => {
    const a = join(dir, 'fresh-a');
    const b = join(dir, 'fresh-b');
    const mined = async (s: string) =>
      withChain(s, async (chain) => {
        await chain.eip1193.request({ method: 'evm_mine', params: [] });
        return [await block(chain, 0), await block(chain, 1)] as const;
      });
    const [ga, ba] = await mined(a);
    const [gb, bb] = await mined(b);
    assert.equal(ga.hash, gb.hash, 'same genesis');
    assert.notEqual(ba.mixHash, bb.mixHash);
    assert.notEqual(ba.hash, bb.hash);
    assert.ok(Math.abs(Number(ba.timestamp) - Date.now() / 1000) < 60, 'block 1 at the wall clock, not at the genesis date');
  });
});

/** A chain of blocks that `evm_mine` / `eth_sendRawTransaction` extend (`fail`: mined but answered with an error). */
class FakeChain {
  n = 0;
  listeners = new Map<string, ((...a: unknown[]) => void)[]>();
  gate: Promise<void> | undefined;
  readonly calls: string[] = [];
  async request({ method, params }: { method: string; params?: unknown }): Promise<unknown> {
    this.calls.push(method);
    switch (method) {
      case 'eth_getBlockByNumber': {
        const tag = (params as string[])[0];
        const n = tag === 'latest' ? this.n : Number(tag);
        return { number: `0x${n.toString(16)}`, hash: `0x${n.toString(16).padStart(64, '0')}`, timestamp: `0x${(1000 + n).toString(16)}` };
      }
      case 'eth_blockNumber':
        return `0x${this.n.toString(16)}`;
      case 'eth_sendRawTransaction':
        if (this.gate !== undefined) await this.gate;
        this.n++;
        for (const l of this.listeners.get('notification') ?? []) l({ subscription: '0x1', result: this.n });
        if ((params as string[])[0] === 'fail') throw Object.assign(new Error('reverted'), { code: -32603 });
        return `0xtx${this.n}`;
      case 'eth_call':
        return '0x';
      default:
        throw new Error(`fake: ${method}`);
    }
  }
  addListener(event: string, l: (...a: unknown[]) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
  }
  removeListener(): void {}
}

describe('journaling provider', () => {
  it('classifies requests: writes, time, refused, reads', () => {
    assert.equal(classify('eth_sendRawTransaction', []), 'write');
    assert.equal(classify('eth_sendTransaction', []), 'write');
    assert.equal(classify('hardhat_setStorageAt', []), 'write');
    assert.equal(classify('evm_snapshot', []), 'write');
    assert.equal(classify('hardhat_someFutureMethod', []), 'write');
    assert.equal(classify('evm_increaseTime', [1]), 'time');
    assert.equal(classify('hardhat_reset', []), 'refuse');
    assert.equal(classify('evm_setIntervalMining', [500]), 'refuse');
    assert.equal(classify('evm_setIntervalMining', [0]), 'read');
    for (const m of ['eth_call', 'eth_getBalance', 'eth_estimateGas', 'eth_subscribe', 'eth_getLogs', 'eth_sign', 'evm_setNextBlockTimestamp', 'hardhat_getAutomine']) assert.equal(classify(m, []), 'read', m);
  });

  it('journals a write (also a failed one that mined) before answering; a read waits for the write; notifications wait for the entry', async () => {
    const fake = new FakeChain();
    const path = join(dir, 'fake-journal');
    const journal = JournalWriter.create(path, dir, { journal: JOURNAL_KIND, version: 1, chainId: 31337, hardfork: 'cancun', genesisHash: '0x0', client: 'fake', created: '' });
    const p = new JournalingProvider(fake, journal, { number: 0, hash: `0x${'0'.repeat(64)}` });
    const seen: string[] = [];
    p.addListener('notification', () => seen.push(`notified with ${readJournal(path)!.entries.length} entries`));
    assert.equal(await p.request({ method: 'eth_sendRawTransaction', params: ['0xaa'] }), '0xtx1');
    assert.deepEqual(seen, ['notified with 1 entries'], 'the notification came after the entry was durable');
    assert.deepEqual(readJournal(path)!.entries, [{ m: 'eth_sendRawTransaction', p: ['0xaa'], t: 1001, n: 1, h: `0x${'1'.padStart(64, '0')}` }]);
    await assert.rejects(p.request({ method: 'eth_sendRawTransaction', params: ['fail'] }), /reverted/);
    const failed = readJournal(path)!.entries[1] as RpcEntry;
    assert.equal(failed.e, 'reverted');
    assert.equal(failed.n, 2);
    // a read issued while a write runs waits for it (it never sees a block that is not durable)
    let open!: () => void;
    fake.gate = new Promise((r) => (open = r));
    const write = p.request({ method: 'eth_sendRawTransaction', params: ['0xbb'] });
    const read = p.request({ method: 'eth_blockNumber', params: [] });
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(!fake.calls.includes('eth_blockNumber'), 'the read has not run');
    open();
    fake.gate = undefined;
    await write;
    assert.equal(await read, '0x3');
    // the journal cannot be written: the change is reported as not durable, later writes are refused, reads work
    journal.close();
    await assert.rejects(p.request({ method: 'eth_sendRawTransaction', params: ['0xcc'] }), /journal cannot be written.*not durable/);
    await assert.rejects(p.request({ method: 'eth_sendRawTransaction', params: ['0xdd'] }), /refuses changes until it is restarted/);
    assert.equal(fake.n, 4, 'the refused write never reached the chain');
    assert.equal(await p.request({ method: 'eth_call', params: [] }), '0x');
    assert.equal(readJournal(path)!.entries.length, 3);
  });
});
