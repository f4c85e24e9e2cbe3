/**
 * The error rule of docs/architecture.md#conventions, checked over the source: what a caller or operator
 * can see is a `WampError` with a URI of the catalog. A plain `Error` is allowed only where it cannot be
 * seen as such — listed below, each with why — and nothing throws a string. A new `new Error(` anywhere
 * else fails this test: make it a `WampError`, or add it here with its reason.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;
const SOURCE_DIRS = ['schema', 'config', 'process', 'contracts', 'router', 'worker', 'plugins'];

/** file → how many `new Error(` it may hold, and why none of them reaches a caller as such. */
const PLAIN_ERRORS_ALLOWED: Record<string, { count: number; why: string }> = {
  'contracts/devchain.ts': { count: 5, why: 'dev chain tooling: ends its own process with the message' },
  'contracts/devchain-main.ts': { count: 7, why: 'dev chain tooling: ends its own process with the message' },
  'contracts/devchain-journal.ts': { count: 7, why: 'dev chain tooling: a damaged journal stops the dev chain at start' },
  'contracts/devchain-persist.ts': { count: 8, why: 'dev chain tooling: a damaged journal stops the dev chain at start' },
  'contracts/demo.ts': { count: 3, why: 'demo deployment tooling: ends its own process with the message' },
  'contracts/deploy.ts': { count: 2, why: 'deployment tooling: ends its own process with the message' },
  'schema/eip712/words.ts': { count: 3, why: 'invariant over the fixed XBR type table: only a bug in this repository reaches it' },
  'router/wamp/msgpack.ts': { count: 1, why: 'invariant of the encoder over its own output' },
  'worker/chain/contracts.ts': { count: 1, why: 'invariant: an event missing from the compiled ABI' },
  'worker/market/api/procedure.ts': { count: 1, why: 'invariant: a procedure defined by two parts fails the maker start' },
  'worker/chain/gas.ts': { count: 1, why: 'the cause of the xbr.error.transaction_failed it is wrapped into' },
  'worker/ipfs/download.ts': { count: 1, why: 'the cause of the xbr.error.ipfs_malformed it is wrapped into' },
  'plugins/seller/paying-state.ts': { count: 2, why: 'the cause of the xbr.error.storage it is wrapped into' },
  'plugins/common/wamp-call.ts': { count: 1, why: 'the cause of the wamp.error.runtime_error it is wrapped into' },
  'worker/monitor/monitor.ts': { count: 1, why: 'a non-Error thrown value made an Error for the log and the rejection' },
  'worker/host/monitor-adapter.ts': { count: 1, why: 'a non-Error thrown value made an Error for the log' },
};

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'build' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = SOURCE_DIRS.flatMap((d) => sources(join(ROOT, d))).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));

test('a plain Error is thrown only where the list above says why', () => {
  const found: Record<string, number> = {};
  for (const f of files) {
    const n = f.text.match(/\bnew Error\(/g)?.length ?? 0;
    if (n > 0) found[f.path] = n;
  }
  const allowed = Object.fromEntries(Object.entries(PLAIN_ERRORS_ALLOWED).map(([k, v]) => [k, v.count]));
  assert.deepEqual(found, allowed, 'new Error( outside the allowed places (or an allowed place changed): make it a WampError, or list it with its reason');
});

test('nothing throws a string', () => {
  const offenders = files.filter((f) => /\bthrow\s+['"`]/.test(f.text)).map((f) => f.path);
  assert.deepEqual(offenders, []);
});
