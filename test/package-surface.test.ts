/**
 * The package's public surface: the `exports` map resolves (types and code) after `npm run build`, the
 * examples type-check against the declarations a user gets and one of them runs, and `npm pack` ships the
 * compiled code, its declarations and the files the node needs — no sources, tests or build state.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

const ROOT = new URL('../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; default: string }> };
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

describe('the package surface', { timeout: 300_000 }, () => {
  before(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  });

  it('every entry of the exports map has its code and declarations, and loads by the package name', () => {
    const expected: Record<string, string> = {
      'xbr-edge/seller': 'SimpleSeller',
      'xbr-edge/buyer': 'SimpleBuyer',
      'xbr-edge/key-series': 'KeySeries',
      'xbr-edge/api': 'readMakerResult',
      'xbr-edge/codec': 'packUint256',
      'xbr-edge/eip712': 'recoverChannelClose',
      'xbr-edge/controller': 'Controller',
    };
    const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    assert.deepEqual(entries.map((k) => `xbr-edge/${k.slice(2)}`).sort(), Object.keys(expected).sort());
    for (const [name, symbol] of Object.entries(expected)) {
      const r = node(['--input-type=module', '-e', `const m = await import(${JSON.stringify(name)}); console.log(typeof m[${JSON.stringify(symbol)}]);`]);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stdout.trim(), 'function', `${name} exports ${symbol}`);
      const target = pkg.exports[`./${name.slice('xbr-edge/'.length)}`] as { types: string };
      assert.ok(readFileSync(join(ROOT, target.types), 'utf8').length > 0, `${target.types}`);
    }
    // a path the map does not name is not reachable
    const deep = node(['--input-type=module', '-e', "await import('xbr-edge/dist/worker/host/index.js')"]);
    assert.notEqual(deep.status, 0);
    assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it('the examples type-check against the declarations, and the payment check runs', () => {
    const tsc = node([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'examples/tsconfig.json')]);
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    const run = node(['--import', 'tsx', join(ROOT, 'examples/verify-payment.ts')]);
    assert.equal(run.status, 0, run.stderr);
    const m = /^signed by (0x[0-9a-fA-F]{40}) \(expected (0x[0-9a-fA-F]{40})\)$/m.exec(run.stdout);
    assert.ok(m !== null, run.stdout);
    assert.equal(m[1], m[2], 'the recovered signer is the delegate that signed');
  });

  it('npm pack ships dist/ with declarations, the bin, the config and the demo descriptions; no sources, tests or build state', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    for (const f of ['dist/plugins/seller/index.js', 'dist/plugins/seller/index.d.ts', 'dist/router/controller/cli.js', 'dist/worker/main.js', 'plugins/cli/bin.mjs', 'router-config.json', 'contracts/demo-rdf/market-meta.ttl', 'README.md']) {
      assert.ok(files.has(f), `${f} is in the package`);
    }
    const unwanted = [...files].filter((f) => f.startsWith('test/') || f.startsWith('worker/') || f.startsWith('router/') || f.includes('.tsbuildinfo') || f.includes('.build-lock') || f.endsWith('.test.js'));
    assert.deepEqual(unwanted, []);
  });
});
