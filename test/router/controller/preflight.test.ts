/**
 * Which build the controller's workers run (compiled `dist/` or the sources through tsx) and the preflight
 * refusal of an embedded guest whose packages an install left out (`npm ci --omit=peer`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateNodeConfig } from '../../../config/index.js';
import { preflight, workerEntries } from '../../../router/controller/preflight.js';
import { loaderArgs } from '../../../router/controller/process.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

test('worker entries follow the controller\'s own build; tsx is loaded only for a TypeScript entry', () => {
  // These tests run the controller's sources under tsx: the entries are the sources.
  const entries = workerEntries({});
  assert.equal(entries.router, join(ROOT, 'router/worker/main.ts'));
  assert.equal(entries.xbrmm, join(ROOT, 'worker/main.ts'));
  assert.deepEqual(loaderArgs('/srv/edge/dist/worker/main.js'), []);
  assert.deepEqual(loaderArgs('/srv/edge/dist/worker/main.mjs'), []);
  const [flag, tsx] = loaderArgs(entries.xbrmm);
  assert.equal(flag, '--import');
  assert.match(tsx!, /tsx/);
});

test('an embedded guest without its packages is a config error naming them; with them, none', (t) => {
  const bare = mkdtempSync(join(tmpdir(), 'xbr-preflight-'));
  t.after(() => rmSync(bare, { recursive: true, force: true }));
  mkdirSync(join(bare, 'node_modules'));
  for (const script of ['dist/contracts/devchain-main.js', 'worker/ipfs/node/main.ts']) {
    mkdirSync(join(bare, script, '..'), { recursive: true });
    writeFileSync(join(bare, script), '');
  }
  const guests = (workdir: string): unknown => ({
    version: 2,
    workers: [
      { type: 'guest', id: 'devchain', executable: 'node', arguments: ['dist/contracts/devchain-main.js', '--port', '8545'], options: { workdir } },
      { type: 'guest', id: 'ipfs', executable: 'node', arguments: ['--import', 'tsx', 'worker/ipfs/node/main.ts'], options: { workdir } },
      { type: 'guest', id: 'other', executable: 'node', arguments: ['dist/other.js'], options: { workdir } },
    ],
  });
  const check = (workdir: string) => {
    const v = validateNodeConfig(guests(workdir), { cbdir: workdir });
    assert.ok('config' in v, JSON.stringify(v));
    return preflight(v.config.workers, workerEntries({}));
  };
  // The project has the packages; dist/ may not be built yet, so its devchain guest runs from the sources here.
  assert.deepEqual(check(ROOT).filter((p) => !p.message.includes('does not exist')), []);
  const problems = check(bare);
  assert.deepEqual(problems.map((p) => p.path), ['$.workers[0].arguments', '$.workers[1].arguments']);
  assert.match(problems[0]!.message, /^the embedded dev chain \(dist\/contracts\/devchain-main\.js\) needs hardhat, not installed here \(an install with --omit=peer leaves it out\): install it \(npm ci without --omit=peer\), or remove this guest and point options\.extra\.blockchain\.gateway\.http/);
  assert.match(problems[1]!.message, /^the embedded IPFS node \(worker\/ipfs\/node\/main\.ts\) needs ipfs-core, ipfs-http-server, not installed here .*options\.extra\.ipfs\.url/);
});

test('an embedded guest whose script is not built yet is a config error that says how to build it', (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'xbr-preflight-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const v = validateNodeConfig(
    { version: 2, workers: [{ type: 'guest', id: 'devchain', executable: 'node', arguments: ['dist/contracts/devchain-main.js'], options: { workdir: empty } }] },
    { cbdir: empty },
  );
  assert.ok('config' in v);
  assert.deepEqual(preflight(v.config.workers, workerEntries({})), [
    { path: '$.workers[0].arguments', message: `the embedded dev chain: its script dist/contracts/devchain-main.js does not exist in ${empty}: build it with npm run build (npm start does)` },
  ]);
});
