/**
 * `log_level` in the config reaches the controller and its workers, and `XBR_LOG_LEVEL` in the controller's
 * environment wins over it (docs/operations.md#logs). The real controller CLI runs with the IPC fixture as
 * its router workers; a test reads the JSON lines of their shared stderr.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'router/controller/cli.ts');
const FIXTURE = join(ROOT, 'test/fixtures/ipc-worker.ts');

type Line = Record<string, unknown>;

interface Node {
  proc: ChildProcess;
  dir: string;
  stderr: () => string;
  /** Resolves once the controller has exited and every worker has closed the shared stderr. */
  closed: Promise<void>;
}

const nodes: Node[] = [];

afterEach(async () => {
  for (const n of nodes.splice(0)) {
    // A controller killed outright leaves its workers, which stop when their IPC channel closes.
    if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill('SIGKILL');
    await n.closed;
    rmSync(n.dir, { recursive: true, force: true });
  }
});

function startNode(config: Line, env: Record<string, string | undefined>): Node {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'xbr-loglevel-')));
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify(config));
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, '--cbdir', dir, '--config', 'cfg.json'], {
    cwd: ROOT,
    env: { ...process.env, XBR_EDGE_ROUTER_WORKER_ENTRY: FIXTURE, XBR_LOG_LEVEL: undefined, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<void>((resolve) => proc.once('close', () => resolve()));
  const n: Node = { proc, dir, stderr: () => err, closed };
  nodes.push(n);
  return n;
}

function lines(n: Node): Line[] {
  // Complete lines only: while the node runs, the last one may still be arriving.
  const text = n.stderr();
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
}

/**
 * Runs the node until both workers are ready (and `also` holds of its log lines: the workers tell their fixture
 * file before the controller hears them), then stops it with SIGTERM; its log lines.
 */
async function runAndStop(config: Line, env: Record<string, string | undefined> = {}, also: (lines: Line[]) => boolean = () => true): Promise<Line[]> {
  const n = startNode(config, env);
  const events = join(n.dir, 'events.log');
  // Generous: three node processes start under tsx, and CI runs two test files at once.
  const until = Date.now() + 60_000;
  const ready = (): boolean => existsSync(events) && ['router1', 'router2'].every((w) => readFileSync(events, 'utf8').includes(`ready ${w} `));
  while (!ready() || !also(lines(n))) {
    if (Date.now() > until || n.proc.exitCode !== null) assert.fail(`the workers did not get ready:\n${n.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  n.proc.kill('SIGTERM');
  await n.closed;
  assert.equal(n.proc.exitCode, 0, n.stderr());
  return lines(n);
}

function config(controllerLevel: string | undefined, router1Level: string): Line {
  const worker = (id: string, level?: string): Line => ({
    type: 'router',
    id,
    options: { env: { vars: { IPC_FIXTURE_LOG: 'events.log' } }, ...(level === undefined ? {} : { log_level: level }) },
  });
  return {
    version: 2,
    controller: { options: { shutdown_timeout: 5, startup_timeout: 20, ...(controllerLevel === undefined ? {} : { log_level: controllerLevel }) } },
    workers: [worker('router1', router1Level), worker('router2')],
  };
}

const isWorker = (id: string) => (l: Line): boolean => l['component'] === 'worker' && l['worker'] === id;
const quiet = (l: Line): boolean => l['level'] === 'warn' || l['level'] === 'error';

describe('controller: log levels', () => {
  it('a worker and a controller with log_level warn write no info lines; a worker without one does', async () => {
    const logs = await runAndStop(config('warn', 'warn'));
    const router1 = logs.filter(isWorker('router1'));
    assert.deepEqual(router1.filter((l) => !quiet(l)), [], 'router1 (log_level warn) wrote info or debug lines');
    const controller = logs.filter((l) => l['component'] === 'controller');
    assert.deepEqual(controller.filter((l) => !quiet(l)), [], 'the controller (log_level warn) wrote info or debug lines');
    const router2 = logs.filter(isWorker('router2')).map((l) => `${String(l['level'])} ${String(l['msg'])}`);
    assert.ok(router2.includes('info worker ready'), `router2 (default info) logged no "worker ready":\n${router2.join('\n')}`);
    assert.ok(router2.includes('info worker stopped'), router2.join('\n'));
  });

  it('XBR_LOG_LEVEL in the controller\'s environment wins over log_level', async () => {
    const nodeReady = (l: Line): boolean => l['component'] === 'controller' && l['msg'] === 'node ready';
    const logs = await runAndStop(config('warn', 'warn'), { XBR_LOG_LEVEL: 'info' }, (ls) => ls.some(nodeReady));
    assert.ok(logs.some((l) => isWorker('router1')(l) && l['msg'] === 'worker ready' && l['level'] === 'info'), 'router1 logged no info line');
    assert.ok(logs.some(nodeReady), 'the controller logged no "node ready"');
  });
});
