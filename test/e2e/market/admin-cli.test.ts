/**
 * `xbr-edge admin` against a running edge: the real executable finds the node from --cbdir and its config,
 * connects on the operator socket (role `operator`) and reads each maker; a node that is not there is exit
 * 3, a bad command line exit 2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';

describe('xbr-edge admin on a running node', { timeout: 240_000 }, () => {
  let edge: MarketEdge;

  before(async () => {
    edge = await startMarketEdge();
  });
  after(async () => {
    await edge?.stop();
  });

  it('status: each maker RUNNING, its block and the sessions of its realm (table and --json)', async () => {
    const table = await runXbrEdge('admin', 'status', '--cbdir', edge.cbdir);
    assert.equal(table.status, 0, table.stderr);
    const [header, row] = table.stdout.trim().split('\n');
    assert.match(header ?? '', /^realm\s+maker\s+block\s+sessions\s+accounts$/);
    assert.match(row ?? '', new RegExp(`^realm1\\s+RUNNING\\s+\\d+\\s+\\d+\\s+${edge.makerAddress}$`));
    const json = await runXbrEdge('admin', 'status', '--cbdir', edge.cbdir, '--json');
    assert.equal(json.status, 0, json.stderr);
    const [s] = JSON.parse(json.stdout) as { realm: string; maker: string; block: number; sessions: number }[];
    assert.equal(s?.realm, 'realm1');
    assert.equal(s?.maker, 'RUNNING');
    assert.ok((s?.block ?? 0) > 0);
    assert.ok((s?.sessions ?? 0) >= 2, 'the maker and the admin session itself');
  });

  it('markets: the demo market, its maker and owner', async () => {
    const r = await runXbrEdge('admin', 'markets', '--cbdir', edge.cbdir, '--json');
    assert.equal(r.status, 0, r.stderr);
    const [m] = JSON.parse(r.stdout) as { market: string; marketmaker: string; network: string }[];
    assert.equal(`0x${m?.market.replaceAll('-', '')}`, edge.devchain.demo.marketId.toLowerCase());
    assert.equal(m?.marketmaker, edge.makerAddress);
    assert.equal(m?.network, edge.devchain.contracts.network);
  });

  it('ipfs: downloads by state; --retry-all schedules the pending ones', async () => {
    const r = await runXbrEdge('admin', 'ipfs', '--cbdir', edge.cbdir, '--json', '--retry-all');
    assert.equal(r.status, 0, r.stderr);
    const [s] = JSON.parse(r.stdout) as { realm: string; downloaded: number; pending: number; scheduled_now: number }[];
    assert.equal(s?.realm, 'realm1');
    assert.equal(typeof s?.downloaded, 'number');
    assert.equal(s?.scheduled_now, s?.pending, 'every pending file was scheduled');
  });

  it('a bad command line is exit 2; a directory without a node is exit 3', async () => {
    const bad = await runXbrEdge('admin', 'nonsense', '--cbdir', edge.cbdir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown admin command "nonsense"/);
    const empty = mkdtempSync(join(tmpdir(), 'xbr-admin-'));
    try {
      const none = await runXbrEdge('admin', 'status', '--cbdir', empty);
      assert.equal(none.status, 3, none.stderr);
      assert.match(none.stderr, /cannot read config file .*router-config\.json: file not found/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
