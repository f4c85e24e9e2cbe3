/**
 * The CLI's command lines: bad flags and values are refused with exit 2 and the usage (in process through
 * `runCli`, and once through the real `bin.mjs` executable), amounts and rates parse exactly, and a
 * missing edge is exit 3 with a hint rather than a stack trace.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, formatXbr, parseBuyerArgs, parseDemoArgs, parseRate, parseSellerArgs, parseXbr, runCli, UsageError, type Output } from '../../../plugins/cli/index.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const output: Output = {
    out: (l) => {
      out += l + '\n';
    },
    err: (l) => {
      err += l + '\n';
    },
  };
  const code = await runCli(argv, output);
  return { code, out, err };
}

describe('xbr-edge command line', () => {
  it('bad flags and values: exit 2, the message names the flag, the command usage follows', async () => {
    const cases: [string[], RegExp][] = [
      [['seller', '--bogus'], /Unknown option '--bogus'/],
      [['seller', '--price', 'abc'], /--price: expected an amount of XBR/],
      [['seller', '--price', '0.0000000000000000001'], /--price: at most 18 decimal places/],
      [['seller', '--rate', 'fast'], /--rate: expected events per second/],
      [['seller', '--count', '0'], /--count: expected a whole number ≥ 1/],
      [['seller', '--interval=-1'], /--interval: expected a number > 0/],
      [['seller', '--interval', '-1'], /--interval' argument is ambiguous/],
      [['seller', '--api', '0x12'], /--api: expected an API id/],
      [['seller', '--url', 'http://x'], /--url: expected a WebSocket URL/],
      [['buyer', '--amount', '0'], /--amount: must be more than 0/],
      [['buyer', '--close', 'yes'], /Unexpected argument 'yes'/],
      [['buyer', '--topic', 'Bad Topic'], /--topic: expected a WAMP URI/],
      [['buyer', '--log-level', 'loud'], /--log-level: expected debug, info, warn or error/],
      [['buyer', '--url'], /argument missing/],
      [['demo', '--count', 'ten'], /--count: expected a whole number/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      assert.equal(r.code, ExitCode.usage, argv.join(' '));
      assert.match(r.err, message, argv.join(' '));
      assert.match(r.err, new RegExp(`Usage: ${argv[0] === 'demo' ? 'npm run demo' : `xbr-edge ${argv[0]}`}`), argv.join(' '));
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
      assert.equal(r.out, '');
    }
  });

  it('no command or an unknown one: exit 2 with the command list; --help: exit 0', async () => {
    for (const argv of [[], ['frob']]) {
      const r = await run(...argv);
      assert.equal(r.code, ExitCode.usage);
      assert.match(r.err, /Commands:\n\s+seller/);
    }
    for (const argv of [['--help'], ['seller', '--help'], ['buyer', '--help'], ['demo', '--help']]) {
      const r = await run(...argv);
      assert.equal(r.code, ExitCode.ok, argv.join(' '));
      assert.match(r.out, /Usage: /);
      assert.match(r.out, /Exit codes: 0/);
    }
  });

  it('defaults work against npm start; amounts are exact decimals; rates per second or minute', () => {
    const s = parseSellerArgs([]);
    assert.ok(!s.help);
    assert.equal(s.url, 'ws://127.0.0.1:8080/');
    assert.equal(s.realm, 'realm1');
    assert.equal(s.devchain, '.xbr-edge/devchain.json');
    assert.equal(s.topic, 'xbr.demo.data');
    assert.equal(s.price, 10n ** 15n);
    assert.equal(s.count, undefined);
    assert.deepEqual([s.status, s.requestClose, s.json], [false, false, false]);
    const st = parseSellerArgs(['--status', '--json']);
    assert.ok(!st.help);
    assert.deepEqual([st.status, st.requestClose, st.json], [true, false, true]);
    assert.throws(() => parseSellerArgs(['--status', '--request-close']), (e: unknown) => e instanceof UsageError && /give one of them/.test(e.message));
    assert.throws(() => parseSellerArgs(['--json']), (e: unknown) => e instanceof UsageError && /only with --status/.test(e.message));
    const b = parseBuyerArgs(['--amount', '2.5', '--max-price', '0.01', '--count', '3', '--close']);
    assert.ok(!b.help);
    assert.deepEqual([b.amount, b.maxPrice, b.count, b.close], [25n * 10n ** 17n, 10n ** 16n, 3, true]);
    const d = parseDemoArgs([]);
    assert.ok(!d.help);
    assert.equal(d.count, 10);
    assert.equal(parseXbr('--x', '0.1'), 10n ** 17n);
    assert.equal(parseXbr('--x', '1.000000000000000001'), 10n ** 18n + 1n);
    assert.equal(formatXbr(99_997n * 10n ** 15n), '99.997 XBR');
    assert.equal(formatXbr(0n), '0 XBR');
    assert.equal(parseRate('30/min'), 0.5);
    assert.equal(parseRate('5/s'), 5);
    assert.equal(parseRate('2'), 2);
    assert.throws(() => parseRate('0/s'), UsageError);
  });

  it('bad key sources: exit 2 naming the flag (checked after the devchain file is read)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xbr-cli-args-'));
    try {
      const devchain = join(dir, 'devchain.json');
      const members = Object.fromEntries(['seller', 'buyer', 'sellerDelegate', 'buyerDelegate', 'maker'].map((r, i) => [r, { address: `0x${String(i + 1).padStart(40, '0')}`, accountIndex: i + 2 }]));
      writeFileSync(devchain, JSON.stringify({ url: 'http://127.0.0.1:1', demo: { marketId: '0x' + '1'.repeat(32), apiId: '0x' + '2'.repeat(32), members } }));
      writeFileSync(join(dir, 'short.key'), Buffer.alloc(7));
      let r = await run('seller', '--devchain', devchain, '--member-key', join(dir, 'missing.key'));
      assert.equal(r.code, ExitCode.usage);
      assert.match(r.err, /--member-key: ".*missing.key" is neither 64 hex digits nor a readable file \(ENOENT\)/);
      r = await run('buyer', '--devchain', devchain, '--delegate-key', join(dir, 'short.key'));
      assert.equal(r.code, ExitCode.usage);
      assert.match(r.err, /--delegate-key: the file .* holds neither 32 raw bytes nor 64 hex digits/);
      writeFileSync(join(dir, 'bad.json'), '{"url": 1}');
      r = await run('buyer', '--devchain', join(dir, 'bad.json'));
      assert.equal(r.code, ExitCode.failed);
      assert.match(r.err, /is not a devchain file \(no "url"\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the bin executable: exit 2 on a bad flag, exit 3 with a hint when there is no devchain file', () => {
    const bin = join(ROOT, 'plugins/cli/bin.mjs');
    let r = spawnSync(process.execPath, [bin, 'buyer', '--nope'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, ExitCode.usage);
    assert.match(r.stderr, /Unknown option '--nope'[\s\S]*Usage: xbr-edge buyer/);
    r = spawnSync(process.execPath, [bin, 'seller', '--devchain', '/nonexistent/devchain.json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, ExitCode.unreachable);
    assert.match(r.stderr, /^error: no devchain file at \/nonexistent\/devchain.json: is the edge running\? Start it with `npm start`/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
