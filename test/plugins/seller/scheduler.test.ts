import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { systemScheduler } from '../../../plugins/seller/index.js';

const fixture = fileURLToPath(new URL('./fixtures/idle-series.ts', import.meta.url));

/** Runs the fixture; resolves with its exit code and output. A safety kill only fires if it never exits. */
function runChild(mode: string): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(safety);
      resolve({ code, signal, out });
    });
  });
}

test('an interval series alone does not keep the process alive, running or stopped', async () => {
  const [running, stopped] = await Promise.all([runChild('keep'), runChild('stop')]);
  assert.deepEqual(running, { code: 0, signal: null, out: 'ready running\n' });
  assert.deepEqual(stopped, { code: 0, signal: null, out: 'ready stopped\n' });
});

test('systemScheduler runs a task once and cancel prevents it', async () => {
  const ran: string[] = [];
  const keepAlive = setInterval(() => undefined, 1_000); // the scheduler's timers are unref'd
  await new Promise<void>((resolve) => {
    systemScheduler.schedule(5_000, () => ran.push('cancelled')).cancel();
    systemScheduler.schedule(1, () => {
      ran.push('ran');
      resolve();
    });
  });
  clearInterval(keepAlive);
  assert.deepEqual(ran, ['ran']);
});
