/**
 * The production build (Step 2): every process of the edge runs compiled JavaScript from dist/, without tsx.
 * - `npm run build` compiles to dist/; run again with nothing changed it does nothing, fast.
 * - An installation like `npm ci && npm run build && npm prune --omit=dev` (a temp directory with dist/, the
 *   package.json, the demo RDF and a node_modules without the dev dependencies: no tsx, no typescript) runs the
 *   shipped config: controller, router, xbrmm worker, dev chain and IPFS guests are plain `node dist/….js`
 *   processes, and the maker serves `xbr.marketmaker.status` RUNNING.
 * - Without the packages only the embedded guests use too (hardhat, js-ipfs: package.json `peerDependencies`,
 *   left out by `--omit=peer`) the shipped config is refused before anything starts, naming each embedded guest
 *   and what it lacks, while a config that uses an external chain and IPFS node (the first installation's) starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { logLines, startMarketEdge, type EdgeConfig, type MarketEdge } from './harness/market-edge.js';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The flags npm decides omissions by, per installed package (package-lock.json). */
type LockFlags = { dev?: boolean; optional?: boolean; devOptional?: boolean; peer?: boolean };
const LOCK = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockFlags> };

/** Runs `npm run build` in the project; returns its output and how long it took. */
function npmBuild(): { out: string; ms: number } {
  const started = Date.now();
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
  return { out: r.stdout + r.stderr, ms: Date.now() - started };
}

/**
 * An installation of the built edge in a temp directory, as `npm ci && npm run build && npm prune --omit=dev`
 * (plus `--omit=peer` with `omitPeer`) leaves it: dist/, package.json, the IPFS guest's seed files, and a
 * node_modules with the top-level packages npm keeps for these omissions (by the lockfile's flags, as npm
 * decides) — symlinks into the project's node_modules, so nothing is downloaded.
 */
function install(t: { after: (fn: () => void) => void }, omitPeer: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-prod-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.build-lock') });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'contracts/demo-rdf'), join(dir, 'contracts/demo-rdf'), { recursive: true });
  // npm's rules (arborist): dev and peer packages go with --omit=dev / --omit=peer; devOptional ones only when
  // both dev and optional are omitted (so typescript, an optional peer of hardhat, stays: harmless).
  const omitted = (f: LockFlags): boolean => f.dev === true || (omitPeer && f.peer === true);
  for (const [key, flags] of Object.entries(LOCK.packages)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/@][^/]*)$/.exec(key);
    if (m === null || omitted(flags)) continue;
    const target = join(ROOT, 'node_modules', m[1]!);
    if (!existsSync(target)) continue; // an optional package for another platform
    mkdirSync(dirname(join(dir, 'node_modules', m[1]!)), { recursive: true });
    symlinkSync(target, join(dir, 'node_modules', m[1]!), 'dir');
  }
  return dir;
}

/** Whether `specifier` can be imported by a module in `dir` (with a clean NODE_OPTIONS). */
function importable(dir: string, specifier: string): boolean {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`], { cwd: dir, env, encoding: 'utf8' });
  return r.status === 0;
}

/** The pids of the controller and each worker of `edge`, from its log. */
function pids(edge: MarketEdge): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of logLines(edge)) {
    if (l['component'] !== 'controller' || typeof l['pid'] !== 'number') continue;
    if (l.msg === 'controller started') out.set('controller', l['pid']);
    if (l.msg === 'worker starting') out.set(String(l['worker']), l['pid']);
  }
  return out;
}

const procArgs = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
const procEnv = (pid: number, name: string): string | undefined =>
  readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .find((e) => e.startsWith(`${name}=`))
    ?.slice(name.length + 1);

test('npm run build compiles to dist/; run again with nothing changed, it does nothing, fast', { timeout: 600_000 }, () => {
  npmBuild();
  for (const f of [
    'router/controller/cli.js',
    'router/worker/main.js',
    'worker/main.js',
    'contracts/devchain-main.js',
    'worker/ipfs/node/main.js',
    'plugins/cli/main.js',
    'contracts/hardhat.config.cjs',
    'router/controller/observe/status-page/index.html',
    'router/controller/observe/status-page/status.css',
    'router/controller/observe/status-page/status.js',
  ]) {
    assert.ok(statSync(join(ROOT, 'dist', f)).isFile(), `dist/${f}`);
  }
  const stamp = statSync(join(ROOT, 'dist/.build-stamp')).mtimeMs;
  const again = npmBuild();
  assert.match(again.out, /dist\/ is up to date/);
  assert.equal(statSync(join(ROOT, 'dist/.build-stamp')).mtimeMs, stamp, 'not rebuilt');
  assert.ok(again.ms < 5000, `second build took ${again.ms} ms`);
});

test('the production build runs without tsx: every process is node dist/….js; with --omit=peer, embedded guests are refused and an external chain and IPFS node work', { timeout: 600_000 }, async (t) => {
  npmBuild();
  const full = install(t, false);
  assert.equal(importable(full, 'tsx'), false, 'tsx cannot be loaded in the installation');

  const edge = await startMarketEdge({ entry: 'dist', root: full });
  t.after(() => edge.stop());
  const client = await edge.connect();
  const status = (await client.call('xbr.marketmaker.status')).argsList?.[0] as { status: string };
  assert.equal(status.status, 'RUNNING');
  // the status page's files are served from the installation's dist/
  for (const [path, type] of [
    ['/', 'text/html; charset=utf-8'],
    ['/status.css', 'text/css; charset=utf-8'],
    ['/status.js', 'text/javascript; charset=utf-8'],
  ] as const) {
    const r = await fetch(`${edge.httpUrl}${path}`);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get('content-type'), type, path);
    assert.equal(await r.text(), readFileSync(join(ROOT, 'router/controller/observe/status-page', path === '/' ? 'index.html' : path.slice(1)), 'utf8'), path);
  }
  const procs = pids(edge);
  assert.deepEqual([...procs.keys()].sort(), ['controller', 'devchain', 'ipfs', 'router1', 'xbrmm1']);
  const scripts: Record<string, string> = {
    controller: join(full, 'dist/router/controller/cli.js'),
    router1: join(full, 'dist/router/worker/main.js'),
    xbrmm1: join(full, 'dist/worker/main.js'),
    devchain: 'dist/contracts/devchain-main.js', // guest arguments, relative to its workdir (the installation)
    ipfs: 'dist/worker/ipfs/node/main.js',
  };
  for (const [name, pid] of procs) {
    const args = procArgs(pid);
    assert.ok(!args.some((a) => a.includes('tsx')), `${name}: ${args.join(' ')}`);
    assert.ok(!(procEnv(pid, 'NODE_OPTIONS') ?? '').includes('tsx'), `${name}: NODE_OPTIONS`);
    assert.equal(args[1], scripts[name], `${name} runs compiled code: ${args.join(' ')}`);
    if (name === 'devchain' || name === 'ipfs') assert.equal(readlinkSync(`/proc/${pid}/cwd`), full, `${name} runs in the installation`);
  }

  // Without hardhat and js-ipfs (npm prune --omit=dev --omit=peer): the shipped config's embedded guests are
  // refused, each with what it lacks, and nothing starts.
  const lean = install(t, true);
  assert.equal(importable(lean, 'hardhat'), false);
  await assert.rejects(startMarketEdge({ entry: 'dist', root: lean, startTimeoutMs: 30_000 }), (err: Error) => {
    assert.match(err.message, /config error at \$\.workers\[0\]\.arguments: the embedded dev chain \(dist\/contracts\/devchain-main\.js\) needs hardhat, not installed here \(an install with --omit=peer leaves it out\)/);
    assert.match(err.message, /config error at \$\.workers\[1\]\.arguments: the embedded IPFS node \(dist\/worker\/ipfs\/node\/main\.js\) needs ipfs-core, ipfs-http-server, not installed here/);
    assert.doesNotMatch(err.message, /worker starting/);
    return true;
  });

  // ... while a config without them, on an external JSON-RPC chain and IPFS node (the first edge's), starts.
  const cbdir = mkdtempSync(join(tmpdir(), 'xbr-prod-node-'));
  t.after(() => rmSync(cbdir, { recursive: true, force: true }));
  mkdirSync(join(cbdir, '.xbr-edge'), { mode: 0o700 });
  for (const f of ['devchain.json', 'maker1.key']) copyFileSync(join(edge.cbdir, '.xbr-edge', f), join(cbdir, '.xbr-edge', f));
  chmodSync(join(cbdir, '.xbr-edge/maker1.key'), 0o600);
  const external = await startMarketEdge({
    entry: 'dist',
    root: lean,
    cbdir,
    keepCbdir: true,
    configure: (config: EdgeConfig) => {
      config.workers = config.workers.filter((w) => w['type'] !== 'guest');
      const xbrmm = config.workers.find((w) => w['type'] === 'xbrmm')!;
      xbrmm['options'].extra.blockchain.gateway.http = edge.chainUrl;
      xbrmm['options'].extra.ipfs!.url = edge.ipfsUrl!;
    },
  });
  t.after(() => external.stop());
  const probe = await external.connect();
  assert.equal(((await probe.call('xbr.marketmaker.status')).argsList?.[0] as { status: string } | undefined)?.status, 'RUNNING');
  assert.deepEqual([...pids(external).keys()].sort(), ['controller', 'router1', 'xbrmm1']);
  assert.equal(await external.stop(), 0);
  assert.equal(await edge.stop(), 0);
});
