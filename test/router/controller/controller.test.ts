/**
 * End-to-end tests of the controller: the real CLI runs as a child process with configs made of
 * guest workers (tiny node scripts) and the IPC fixture standing in for the router worker.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'router/controller/cli.ts');
const FIXTURE = join(ROOT, 'test/fixtures/ipc-worker.ts');
const NODE = process.execPath;

type Json = Record<string, unknown>;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

interface Cli {
  proc: ChildProcess;
  dir: string;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<Exit>;
}

// Everything a test started, so afterEach can clean up even when the test failed.
const clis: Cli[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const cli of clis.splice(0)) {
    if (cli.proc.exitCode === null && cli.proc.signalCode === null) cli.proc.kill('SIGKILL');
    await cli.exited;
    for (const pid of allPids(cli.dir)) {
      // Only processes of this test: alive and running in its directory (pids get reused).
      if (!isAlive(pid) || cwdOf(pid) !== cli.dir) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'xbr-ctl-')));
  dirs.push(dir);
  return dir;
}

function startCli(dir: string, config: Json | string, env: Record<string, string> = {}): Cli {
  writeFileSync(join(dir, 'cfg.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  const proc = spawn(NODE, ['--import', 'tsx', CLI, '--cbdir', dir, '--config', 'cfg.json'], {
    cwd: ROOT,
    env: { ...process.env, XBR_EDGE_ROUTER_WORKER_ENTRY: FIXTURE, XBR_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<Exit>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const cli: Cli = { proc, dir, stderr: () => err, stdout: () => out, exited };
  clis.push(cli);
  return cli;
}

/** Structured log lines (JSON objects) the controller and its workers wrote to stderr. */
function logs(cli: Cli): Json[] {
  return cli
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Json;
      } catch {
        return {};
      }
    });
}

function findLog(cli: Cli, msg: string, fields: Json = {}): Json | undefined {
  return logs(cli).find((l) => l['msg'] === msg && Object.entries(fields).every(([k, v]) => l[k] === v));
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000, cli?: Cli): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}${cli ? `\n--- stderr ---\n${cli.stderr()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Lines `<event> <worker> <pid>` from the fixture's log file. */
function events(dir: string, file = 'events.log'): { event: string; worker: string; pid: number }[] {
  const path = join(dir, file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [event = '', worker = '', pid = '0'] = l.split(' ');
      return { event, worker, pid: Number(pid) };
    });
}

function count(dir: string, event: string, worker?: string): number {
  return events(dir).filter((e) => e.event === event && (worker === undefined || e.worker === worker)).length;
}

function allPids(dir: string): number[] {
  return [...new Set(events(dir).map((e) => e.pid).filter((p) => p > 0))];
}

function cwdOf(pid: number): string | undefined {
  try {
    return realpathSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    // A zombie (exited, not yet reaped) counts as dead.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Waits until the node is ready and each of `workers` has logged its start (guest handlers are installed). */
async function waitNodeReady(cli: Cli, workers: string[]): Promise<void> {
  await waitFor('node ready', () => findLog(cli, 'node ready') !== undefined, 10_000, cli);
  await waitFor(`${workers.join(', ')} to run`, () => workers.every((w) => count(cli.dir, 'start', w) > 0), 5000, cli);
}

async function assertAllDead(dir: string): Promise<void> {
  const pids = allPids(dir);
  assert.ok(pids.length > 0, 'no worker pids were recorded');
  await waitFor(`pids ${pids.join(', ')} to be gone`, () => pids.every((p) => !isAlive(p)), 2000);
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  assert.ok(addr !== null && typeof addr === 'object');
  return addr.port;
}

/** A guest running `script` in node; it appends `start|stop <id> <pid>` to events.log in cbdir. */
function guest(id: string, script: string, options: Json = {}): Json {
  const prelude = `const fs = require('fs'); const note = (e) => fs.appendFileSync('events.log', e + ' ${id} ' + process.pid + '\\n'); note('start');`;
  return { type: 'guest', id, executable: NODE, arguments: ['-e', `${prelude}\n${script}`], options };
}

const SLEEPER = `process.on('SIGTERM', () => { note('stop'); process.exit(0); }); setInterval(() => {}, 1e6);`;

/** The IPC fixture as router worker, logging to events.log. */
function fixture(vars: Record<string, string> = {}, id = 'router1'): Json {
  return { type: 'router', id, options: { env: { vars: { IPC_FIXTURE_LOG: 'events.log', ...vars } } } };
}

function nodeConfig(workers: Json[], options: Json = {}): Json {
  return {
    version: 2,
    controller: {
      options: {
        shutdown_timeout: 5,
        startup_timeout: 10,
        ...options,
        restart: { max_restarts: 3, window: 30, initial_delay: 0.05, max_delay: 0.2, ...((options['restart'] as Json | undefined) ?? {}) },
      },
    },
    workers,
  };
}

describe('controller CLI: configuration problems', () => {
  it('exits 1 on a bad config, lists every error with its path, and starts nothing', async () => {
    const dir = tempDir();
    const cli = startCli(dir, {
      version: 3,
      workers: [
        guest('marker', `fs.writeFileSync('started.marker', 'x'); ${SLEEPER}`),
        { type: 'router', transports: [{ type: 'websocket', endpoint: { type: 'tcp', port: '80a' } }] },
        { type: 'guest', options: { stdout: 'file' } },
      ],
    });
    const exit = await cli.exited;
    assert.equal(exit.code, 1, cli.stderr());
    const lines = cli.stderr().split('\n').filter((l) => l.startsWith('config error at '));
    assert.deepEqual(lines, [
      'config error at $.version: expected 2 (the Crossbar node config version this router reads), got 3',
      'config error at $.workers[1].transports[0].endpoint.port: expected an integer in 0..65535, got "80a"',
      'config error at $.workers[2].executable: missing required key "executable": expected a non-empty string',
      'config error at $.workers[2].options.stdout: expected one of "log", "drop", "close", got "file"',
    ]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(existsSync(join(dir, 'started.marker')), false, 'a guest was started');
    assert.equal(existsSync(join(dir, 'events.log')), false, 'a worker was started');
  });

  it('exits 1 on invalid JSON with line and column', async () => {
    const dir = tempDir();
    const cli = startCli(dir, '{\n  "version": 2,\n  "workers": [,]\n}\n');
    const exit = await cli.exited;
    assert.equal(exit.code, 1);
    assert.match(cli.stderr(), /config error at \$: invalid JSON in .*cfg\.json at line 3, column 15/);
  });

  it('exits 1 without starting anything when a worker program is not part of the build', async () => {
    const dir = tempDir();
    const cli = startCli(
      dir,
      nodeConfig([guest('marker', `fs.writeFileSync('started.marker', 'x'); ${SLEEPER}`), {
        type: 'xbrmm',
        options: {
          extra: {
            database: { path: 'worker.db' },
            blockchain: { type: 'ethereum', gateway: { type: 'user', http: 'http://127.0.0.1:8545' }, deployment: 'devchain.json' },
          },
        },
        makers: [],
      }, fixture()]),
      { XBR_EDGE_XBRMM_WORKER_ENTRY: join(dir, 'no-such-worker.ts'), XBR_EDGE_ROUTER_WORKER_ENTRY: join(dir, 'no-router.ts') },
    );
    const exit = await cli.exited;
    assert.equal(exit.code, 1, cli.stderr());
    assert.match(cli.stderr(), /config error at \$\.workers\[1\]\.type: xbrmm worker is not available in this build/);
    assert.match(cli.stderr(), /config error at \$\.workers\[2\]\.type: router worker is not available in this build/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(existsSync(join(dir, 'started.marker')), false);
  });
});

describe('controller CLI: start-up and supervision', () => {
  it('starts workers in config order, waiting for a guest\'s tcp port', async () => {
    const dir = tempDir();
    const port = await freePort();
    const listener = `setTimeout(() => { require('net').createServer().listen(${port}, '127.0.0.1', () => fs.writeFileSync('listening', String(Date.now()))); }, 400); ${SLEEPER}`;
    const cli = startCli(dir, nodeConfig([guest('chain', listener, { ready: { type: 'tcp', port } }), fixture()]));
    await waitFor('node ready', () => findLog(cli, 'node ready') !== undefined, 10_000, cli);
    const listenedAt = Number(readFileSync(join(dir, 'listening'), 'utf8'));
    const chainReady = findLog(cli, 'worker ready', { worker: 'chain', component: 'controller' });
    const routerStarting = findLog(cli, 'worker starting', { worker: 'router1' });
    assert.ok(chainReady && routerStarting);
    assert.ok(Date.parse(String(chainReady['time'])) >= listenedAt - 5, 'chain counted as ready before it listened');
    assert.ok(Date.parse(String(routerStarting['time'])) >= Date.parse(String(chainReady['time'])), 'router started before the chain was ready');
    cli.proc.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0, cli.stderr());
    await assertAllDead(dir);
  });

  it('restarts a crashed worker with growing delays', async () => {
    const dir = tempDir();
    const cli = startCli(
      dir,
      nodeConfig([guest('g', SLEEPER), fixture({ IPC_FIXTURE_CRASH_AFTER_MS: '150', IPC_FIXTURE_CRASH_TIMES: '2' })], { restart: { max_restarts: 3 } }),
    );
    await waitFor('third ready', () => count(dir, 'ready', 'router1') === 3, 15_000, cli);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(count(dir, 'start', 'router1'), 3);
    assert.equal(count(dir, 'crash', 'router1'), 2);
    assert.equal(count(dir, 'start', 'g'), 1, 'the other worker was left alone');
    const delays = logs(cli).filter((l) => l['msg'] === 'restarting worker').map((l) => l['delay_s']);
    assert.deepEqual(delays, [0.05, 0.1]);
    const crash = findLog(cli, 'worker exited unexpectedly', { worker: 'router1' });
    assert.equal(crash?.['code'], 3);
    assert.equal(cli.proc.exitCode, null, 'controller is still running');
    const pids = events(dir).filter((e) => e.event === 'start').map((e) => e.pid);
    assert.equal(new Set(pids).size, 4, 'each start is a new process');
    cli.proc.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0, cli.stderr());
    await assertAllDead(dir);
  });

  it('gives up on a crash loop: stops everything and exits 2', async () => {
    const dir = tempDir();
    const cli = startCli(dir, nodeConfig([guest('g', SLEEPER), fixture({ IPC_FIXTURE_CRASH_AFTER_MS: '50' })], { restart: { max_restarts: 2 } }));
    const exit = await cli.exited;
    assert.equal(exit.code, 2, cli.stderr());
    assert.equal(count(dir, 'start', 'router1'), 3, 'max_restarts restarts, then give up');
    const giveUp = findLog(cli, 'worker cannot be kept alive; stopping the node', { worker: 'router1' });
    assert.ok(giveUp, cli.stderr());
    assert.equal(giveUp['crashes'], 3);
    assert.equal(count(dir, 'stop', 'g'), 1, 'the guest was stopped');
    await assertAllDead(dir);
  });

  it('counts a failed start as a crash', async () => {
    const dir = tempDir();
    const cli = startCli(dir, nodeConfig([fixture({ IPC_FIXTURE_FAIL_START: '1' })], { restart: { max_restarts: 1 } }));
    const exit = await cli.exited;
    assert.equal(exit.code, 2, cli.stderr());
    assert.equal(count(dir, 'start', 'router1'), 2);
    assert.equal(count(dir, 'ready', 'router1'), 0);
    const failed = findLog(cli, 'worker failed to start', { worker: 'router1', component: 'controller' });
    assert.match(String(failed?.['reason']), /start failed: wamp\.error\.runtime_error: fixture told to fail its start/);
    await assertAllDead(dir);
  });

  it('counts a start-up timeout as a crash and kills the slow worker', async () => {
    const dir = tempDir();
    const cli = startCli(dir, nodeConfig([fixture({ IPC_FIXTURE_READY_DELAY_MS: '20000' })], { startup_timeout: 1.5, restart: { max_restarts: 0 } }));
    const exit = await cli.exited;
    assert.equal(exit.code, 2, cli.stderr());
    const failed = findLog(cli, 'worker failed to start', { worker: 'router1', component: 'controller' });
    assert.match(String(failed?.['reason']), /not ready within startup_timeout \(1\.5 s\)/);
    await assertAllDead(dir);
  });

  it('a guest that exits at once counts as a failed start', async () => {
    const dir = tempDir();
    const cli = startCli(dir, nodeConfig([guest('g', `process.exit(7)`, { ready: { type: 'tcp', port: 1 } })], { restart: { max_restarts: 1 } }));
    const exit = await cli.exited;
    assert.equal(exit.code, 2, cli.stderr());
    assert.equal(count(dir, 'start', 'g'), 2);
    assert.match(String(findLog(cli, 'worker failed to start', { worker: 'g' })?.['reason']), /exited during start-up \(exit code 7\)/);
  });
});

describe('controller CLI: shutdown', () => {
  it('stops all workers in reverse order on SIGTERM and exits 0 within the bound', async () => {
    const dir = tempDir();
    const cli = startCli(dir, nodeConfig([guest('g1', SLEEPER), fixture(), guest('g2', SLEEPER)], { shutdown_timeout: 5 }));
    await waitNodeReady(cli, ['g1', 'router1', 'g2']);
    const sentAt = Date.now();
    cli.proc.kill('SIGTERM');
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.ok(exit.at - sentAt < 5000, `shutdown took ${exit.at - sentAt} ms`);
    const order = logs(cli).filter((l) => l['msg'] === 'stopping worker').map((l) => l['worker']);
    assert.deepEqual(order, ['g2', 'router1', 'g1'], cli.stderr());
    assert.deepEqual(events(dir).filter((e) => e.event === 'stop').map((e) => e.worker), ['g2', 'router1', 'g1']);
    await assertAllDead(dir);
  });

  it('SIGKILLs workers that ignore stop and still exits 0 within shutdown_timeout', async () => {
    const dir = tempDir();
    const stubborn = `process.on('SIGTERM', () => note('stop')); setInterval(() => {}, 1e6);`;
    const cli = startCli(
      dir,
      nodeConfig([fixture({ IPC_FIXTURE_IGNORE_STOP: '1' }), guest('g', stubborn, { stop_timeout: 0.3 })], { shutdown_timeout: 2 }),
    );
    await waitNodeReady(cli, ['router1', 'g']);
    const sentAt = Date.now();
    cli.proc.kill('SIGTERM');
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.ok(exit.at - sentAt < 2000, `shutdown took ${exit.at - sentAt} ms (shutdown_timeout 2 s)`);
    assert.ok(findLog(cli, 'worker did not stop in time; killing it', { worker: 'g' }), 'guest was not SIGKILLed after its stop_timeout');
    assert.ok(findLog(cli, 'shutdown_timeout nearly reached; killing remaining workers'), 'router worker was not SIGKILLed');
    assert.equal(count(dir, 'stop', 'router1'), 1, 'router worker was asked to stop');
    assert.equal(findLog(cli, 'worker exited', { worker: 'router1' })?.['signal'], 'SIGKILL');
    await assertAllDead(dir);
  });

  it('SIGTERM while a worker is still starting stops it without a restart', async () => {
    const dir = tempDir();
    const cli = startCli(dir, nodeConfig([guest('g', SLEEPER), fixture({ IPC_FIXTURE_READY_DELAY_MS: '20000' })], { shutdown_timeout: 10, startup_timeout: 30 }));
    await waitFor('router1 to start', () => count(dir, 'start', 'router1') === 1 && count(dir, 'start', 'g') === 1, 10_000, cli);
    const sentAt = Date.now();
    cli.proc.kill('SIGTERM');
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.ok(exit.at - sentAt < 3000, `took ${exit.at - sentAt} ms`);
    assert.equal(findLog(cli, 'restarting worker'), undefined);
    assert.equal(count(dir, 'stop', 'router1'), 1, 'the starting worker ran its stop');
    assert.equal(count(dir, 'ready', 'router1'), 0);
    await assertAllDead(dir);
  });

  it('a second SIGINT kills everything at once', async () => {
    const dir = tempDir();
    const cli = startCli(dir, nodeConfig([guest('g', SLEEPER), fixture({ IPC_FIXTURE_IGNORE_STOP: '1' })], { shutdown_timeout: 30 }));
    await waitNodeReady(cli, ['g', 'router1']);
    const sentAt = Date.now();
    cli.proc.kill('SIGINT');
    await waitFor('shutdown to begin', () => findLog(cli, 'stopping worker', { worker: 'router1' }) !== undefined, 5000, cli);
    cli.proc.kill('SIGINT');
    const exit = await cli.exited;
    assert.equal(exit.code, 130, cli.stderr());
    assert.ok(exit.at - sentAt < 3000, `took ${exit.at - sentAt} ms`);
    await assertAllDead(dir);
  });

  it('node workers exit when the controller dies without a shutdown', async () => {
    const dir = tempDir();
    const cli = startCli(dir, nodeConfig([fixture()]));
    await waitFor('node ready', () => findLog(cli, 'node ready') !== undefined, 10_000, cli);
    cli.proc.kill('SIGKILL');
    await cli.exited;
    await assertAllDead(dir);
  });
});
