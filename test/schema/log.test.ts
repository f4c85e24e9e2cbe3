/**
 * The structured logger (schema/log.ts) as a process writes it: lines on stderr, redaction of secret fields,
 * plain values, levels, and the last line of a process that is SIGKILLed. Each case runs
 * test/fixtures/log-writer.ts in a child process and reads its stderr.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../schema/log.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRITER = fileURLToPath(new URL('../fixtures/log-writer.ts', import.meta.url));

/** Every field name whose value must never reach a log line. */
const SECRET_FIELDS = [
  'privateKey', 'private_key', 'delegateKey', 'delegate_key', 'loginSeed', 'login_seed', 'seed',
  'secret', 'secretKey', 'secret_key', 'password', 'ticket', 'dataKey', 'data_key', 'mnemonic',
];

type Line = Record<string, unknown>;

interface Run {
  stderr: string;
  stdout: string;
  lines: Line[];
  signal: NodeJS.Signals | null;
  code: number | null;
}

function run(scenario: string, env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', WRITER, scenario], {
      cwd: ROOT,
      env: { ...process.env, XBR_LOG_LEVEL: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.once('error', reject);
    proc.once('close', (code, signal) => {
      const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
      resolve({ stderr, stdout, lines, code, signal });
    });
  });
}

const byMsg = (r: Run, msg: string): Line => {
  const line = r.lines.find((l) => l['msg'] === msg);
  assert.ok(line !== undefined, `no line ${JSON.stringify(msg)} in:\n${r.stderr}`);
  return line;
};

describe('structured logging', () => {
  it('redacts secret fields at the top level and one level down, keeps ordinary fields and key ids, and keeps the last line of a killed process', async () => {
    const r = await run('fields');
    assert.equal(r.signal, 'SIGKILL', 'the writer kills itself after its last line');
    assert.equal(r.stdout, '', 'nothing is logged on stdout');
    assert.ok(!r.stderr.includes('SECRET'), `a secret value reached stderr:\n${r.stderr}`);
    assert.ok(!r.stderr.includes('deadbeef'), 'secret bytes reached stderr');

    const line = byMsg(r, 'secret fields');
    for (const f of SECRET_FIELDS) assert.equal(line[f], '[redacted]', `top-level ${f}`);
    const nested = line['options'] as Line;
    for (const f of SECRET_FIELDS) assert.equal(nested[f], '[redacted]', `options.${f}`);
    assert.deepEqual(line['bytes_key'], { privateKey: '[redacted]' });
    assert.equal(line['component'], 'log-test');
    assert.equal(line['market'], 'market-1');
    assert.equal(line['channel'], 'channel-1');
    assert.equal(line['offer'], 'offer-1');
    assert.equal(line['key'], '0b4b7e4c-5c2a-4d4f-9d3c-2a1f5e6d7c8b', 'a key id is not a secret');
    assert.equal(line['sealed_key'], '0x010203', 'a sealed key is not a secret');
    assert.equal(line['level'], 'info');
    assert.match(String(line['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(line['pid'], undefined, 'no pid unless bound');
    assert.equal(line['hostname'], undefined);
    // The bound secret is redacted too; the raw line keeps `msg` ahead of the fields.
    assert.match(r.stderr, /"delegateKey":"\[redacted\]","msg":"secret fields","privateKey":"\[redacted\]"/);

    const last = byMsg(r, 'last line before kill');
    assert.equal(last['level'], 'error');
    assert.equal(last['offer'], 'offer-2');
    assert.equal(last['n'], 1);
  });

  it('prints bigints as decimal strings, bytes as 0x hex, errors as {name, message, uri} without a stack, cycles as [Circular]', async () => {
    const r = await run('fields');
    const line = byMsg(r, 'values');
    assert.equal(line['level'], 'warn');
    assert.equal(line['amount'], (2n ** 70n).toString());
    assert.equal(line['buffer'], '0x01ff');
    assert.equal(line['bytes'], '0x0a0b');
    assert.deepEqual(line['error'], { name: 'WampError', message: 'boom', uri: 'wamp.error.runtime_error' });
    assert.deepEqual(line['plain_error'], { name: 'Error', message: 'plain' });
    assert.deepEqual(line['cycle'], { name: 'cycle', self: '[Circular]' });
    assert.deepEqual(line['list'], ['1', { n: '2' }]);
    assert.ok(!r.lines.some((l) => l['msg'] === 'hidden debug line'), 'a debug line was written at info');
  });

  it('adds the stack of an error at debug', async () => {
    const r = await run('debug');
    const err = byMsg(r, 'with stack')['error'] as Line;
    assert.equal(err['message'], 'traced');
    assert.match(String(err['stack']), /^Error: traced\n\s+at /);
  });

  it('takes its default level from XBR_LOG_LEVEL, info when unset or invalid', async () => {
    const levels = (r: Run): unknown[] => r.lines.map((l) => l['level']);
    assert.deepEqual(levels(await run('env', { XBR_LOG_LEVEL: 'warn' })), ['warn', 'error']);
    assert.deepEqual(levels(await run('env', { XBR_LOG_LEVEL: 'debug' })), ['debug', 'info', 'warn', 'error']);
    assert.deepEqual(levels(await run('env')), ['info', 'warn', 'error']);
    assert.deepEqual(levels(await run('env', { XBR_LOG_LEVEL: 'verbose' })), ['info', 'warn', 'error']);
  });

  it('says whether debug lines are written, also for its children, so a hot path can skip building them', () => {
    assert.equal(createLogger({}, 'info').debugEnabled, false);
    assert.equal(createLogger({}, 'info').child({ market: 'm' }).debugEnabled, false);
    assert.equal(createLogger({}, 'debug').debugEnabled, true);
    assert.equal(createLogger({}, 'debug').child({ market: 'm' }).debugEnabled, true);
  });
});
