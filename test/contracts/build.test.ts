/**
 * The committed artifacts in contracts/build/ are exactly what contracts/build.ts produces from
 * contracts/src/ (a stale build fails here), compilation is deterministic and offline, and compiler
 * errors are reported readably.
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BUILD_DIR,
  ContractBuildError,
  EVM_VERSION,
  SOLC_VERSION_PREFIX,
  compileContracts,
  lowerCamel,
  readSources,
  standardJsonInput,
} from '../../contracts/build.js';
import * as artifacts from '../../contracts/build/index.js';

/** Runs `fn` with every outgoing network path of Node replaced by a recorder that throws. */
function withoutNetwork<T>(fn: () => T): { result: T; attempts: string[] } {
  const attempts: string[] = [];
  const block = (what: string) => () => {
    attempts.push(what);
    throw new Error(`network use during compilation: ${what}`);
  };
  const saved = {
    connect: net.Socket.prototype.connect,
    netConnect: net.connect,
    createConnection: net.createConnection,
    httpRequest: http.request,
    httpGet: http.get,
    httpsRequest: https.request,
    httpsGet: https.get,
    lookup: dns.lookup,
    fetch: globalThis.fetch,
  };
  net.Socket.prototype.connect = block('net.Socket.connect') as unknown as typeof net.Socket.prototype.connect;
  net.connect = block('net.connect') as unknown as typeof net.connect;
  net.createConnection = block('net.createConnection') as unknown as typeof net.createConnection;
  http.request = block('http.request') as unknown as typeof http.request;
  http.get = block('http.get') as unknown as typeof http.get;
  https.request = block('https.request') as unknown as typeof https.request;
  https.get = block('https.get') as unknown as typeof https.get;
  dns.lookup = block('dns.lookup') as unknown as typeof dns.lookup;
  globalThis.fetch = block('fetch') as unknown as typeof fetch;
  try {
    return { result: fn(), attempts };
  } finally {
    net.Socket.prototype.connect = saved.connect;
    net.connect = saved.netConnect;
    net.createConnection = saved.createConnection;
    http.request = saved.httpRequest;
    http.get = saved.httpGet;
    https.request = saved.httpsRequest;
    https.get = saved.httpsGet;
    dns.lookup = saved.lookup;
    globalThis.fetch = saved.fetch;
  }
}

describe('contracts build', () => {
  const { result: out, attempts } = withoutNetwork(() => compileContracts());

  it('compiles offline with the pinned solc 0.8.37 for cancun', () => {
    assert.deepEqual(attempts, []);
    assert.ok(out.solcVersion.startsWith(SOLC_VERSION_PREFIX), out.solcVersion);
    assert.equal(artifacts.solcVersion, out.solcVersion);
    assert.equal(artifacts.evmVersion, EVM_VERSION);
    const input = standardJsonInput(readSources()) as { settings: Record<string, unknown> };
    assert.equal(input.settings['evmVersion'], 'cancun');
    assert.deepEqual(input.settings['optimizer'], { enabled: true, runs: 200 });
  });

  it('has no compiler warnings', () => {
    assert.deepEqual(out.warnings, []);
  });

  it('committed contracts/build/ is byte-identical to a fresh compile (run `npm run build:contracts` if not)', () => {
    const committed = readdirSync(BUILD_DIR).sort();
    assert.deepEqual(committed, [...out.files.keys()].sort(), 'set of artifact files');
    for (const [file, content] of out.files) {
      assert.ok(readFileSync(join(BUILD_DIR, file), 'utf8') === content, `contracts/build/${file} is stale: run npm run build:contracts`);
    }
  });

  it('is deterministic (a second compile gives the same files)', () => {
    const again = compileContracts();
    assert.deepEqual([...again.files.entries()], [...out.files.entries()]);
  });

  it('exports ABI and bytecode of every deployable contract', () => {
    const names = out.contracts.map((c) => c.name).sort();
    // One artifact per source file (each file holds one contract or library named like the file).
    const sources = readdirSync(new URL('../../contracts/src/', import.meta.url)).filter((f) => f.endsWith('.sol')).map((f) => f.slice(0, -4)).sort();
    assert.deepEqual(names, sources);
    for (const required of ['XBRMaintained', 'XBRNetwork', 'XBRToken']) assert.ok(names.includes(required), required);
    assert.ok(artifacts.xbrTokenBytecode.startsWith('0x60'));
    assert.ok(artifacts.xbrTokenAbi.some((f) => f.type === 'function' && f.name === 'approveFor'));
    assert.ok(artifacts.xbrMaintainedAbi.some((f) => f.type === 'function' && f.name === 'addMaintainer'));
    // EIP-3860: initcode ≤ 49,152 bytes; EIP-170: runtime ≤ 24,576 bytes (initcode is an upper bound).
    for (const c of out.contracts) assert.ok((c.bytecode.length - 2) / 2 <= 24_576, `${c.name} too large`);
  });

  it('names artifacts in lower camel case', () => {
    assert.equal(lowerCamel('XBRToken'), 'xbrToken');
    assert.equal(lowerCamel('XBRMaintained'), 'xbrMaintained');
    assert.equal(lowerCamel('XBRTypes'), 'xbrTypes');
    assert.equal(lowerCamel('Foo'), 'foo');
    assert.equal(lowerCamel('ABC'), 'abc');
  });

  it('fails with the readable compiler error', () => {
    const broken = new Map([['contracts/src/Broken.sol', 'pragma solidity ^0.8.24;\ncontract Broken { function f() public { x = 1; } }\n']]);
    assert.throws(
      () => compileContracts(broken),
      (err: unknown) =>
        err instanceof ContractBuildError &&
        /contracts\/src\/Broken\.sol:2:/.test(err.message) &&
        /Undeclared identifier/.test(err.message),
    );
    const badImport = new Map([['contracts/src/A.sol', 'pragma solidity ^0.8.24;\nimport "./Missing.sol";\ncontract A {}\n']]);
    assert.throws(() => compileContracts(badImport), /Missing\.sol/);
  });
});
