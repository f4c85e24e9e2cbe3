/**
 * When `npm start` / `npm run build` / the `xbr-edge` bin consider dist/ up to date (scripts/build-state.mjs): on
 * a temp project tree with controlled mtimes, no TypeScript compiled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distState, newestInput } from '../../scripts/build-state.mjs';

const T0 = 1_700_000_000; // s

function tree(t: { after: (fn: () => void) => void }): { root: string; at: (path: string, s: number) => void } {
  const root = mkdtempSync(join(tmpdir(), 'xbr-build-state-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const at = (path: string, s: number): void => utimesSync(join(root, path), s, s);
  for (const d of ['router', 'router/controller', 'worker', 'contracts', 'contracts/demo-rdf']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'router/controller/cli.ts'), '');
  writeFileSync(join(root, 'worker/main.ts'), '');
  writeFileSync(join(root, 'contracts/hardhat.config.cjs'), '');
  writeFileSync(join(root, 'contracts/demo-rdf/market-meta.ttl'), '');
  writeFileSync(join(root, 'tsconfig.json'), '{}');
  for (const p of ['router/controller/cli.ts', 'worker/main.ts', 'contracts/hardhat.config.cjs', 'contracts/demo-rdf/market-meta.ttl', 'tsconfig.json']) at(p, T0);
  for (const d of ['router/controller', 'router', 'worker', 'contracts/demo-rdf', 'contracts']) at(d, T0);
  return { root, at };
}

function stamp(root: string, s: number): void {
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'dist/.build-stamp'), '{}');
  utimesSync(join(root, 'dist/.build-stamp'), s, s);
}

test('no stamp: not built; a stamp newer than every input: fresh', (t) => {
  const { root } = tree(t);
  assert.deepEqual(distState(root), { built: false, fresh: false });
  stamp(root, T0 + 10);
  assert.deepEqual(distState(root), { built: true, fresh: true });
});

test('a changed source, asset or tsconfig makes dist/ stale and is named', (t) => {
  const { root, at } = tree(t);
  stamp(root, T0 + 10);
  at('worker/main.ts', T0 + 20);
  assert.deepEqual(distState(root), { built: true, fresh: false, newer: 'worker/main.ts' });
  stamp(root, T0 + 30);
  at('contracts/hardhat.config.cjs', T0 + 40);
  assert.equal(distState(root).newer, 'contracts/hardhat.config.cjs');
  stamp(root, T0 + 50);
  at('tsconfig.json', T0 + 60);
  assert.equal(distState(root).newer, 'tsconfig.json');
});

test('a deleted or added source changes its directory: stale; files that are not compiled do not count', (t) => {
  const { root, at } = tree(t);
  stamp(root, T0 + 10);
  rmSync(join(root, 'router/controller/cli.ts'));
  assert.deepEqual(distState(root), { built: true, fresh: false, newer: 'router/controller' });
  at('router/controller', T0);
  writeFileSync(join(root, 'README.md'), '');
  at('contracts/demo-rdf/market-meta.ttl', T0 + 20);
  assert.deepEqual(distState(root), { built: true, fresh: true }, 'a .ttl edit or a file outside the source folders');
  at('worker/main.ts', T0 + 5);
  assert.deepEqual(newestInput(root), { path: 'worker/main.ts', mtimeMs: (T0 + 5) * 1000 });
});
