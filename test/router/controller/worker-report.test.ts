/**
 * The controller's report request to a worker: a worker whose IPC channel is already closed (SIGKILLed, its exit
 * not seen yet) is "not running" like one known to have exited; any other failure to send is named.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Run } from '../../../router/controller/process.js';
import { requestReport } from '../../../router/controller/observe/worker-report.js';

function runThatFails(err: Error): Run {
  const proc = { connected: true, send: (_msg: unknown, cb: (e: Error | null) => void) => setImmediate(() => cb(err)) };
  return { done: false, proc, reports: new Map() } as unknown as Run;
}

test('a closed channel is "not running"; another send failure is named; a timeout says how long was waited', async () => {
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
  assert.deepEqual(await requestReport(runThatFails(epipe), 1000), { ok: false, reason: 'not running' });
  const closed = Object.assign(new Error('Channel closed'), { code: 'ERR_IPC_CHANNEL_CLOSED' });
  assert.deepEqual(await requestReport(runThatFails(closed), 1000), { ok: false, reason: 'not running' });
  assert.deepEqual(await requestReport(runThatFails(new Error('odd')), 1000), { ok: false, reason: 'report request not sent: odd' });
  const silent = { done: false, proc: { connected: true, send: () => true }, reports: new Map() } as unknown as Run;
  assert.deepEqual(await requestReport(silent, 20), { ok: false, reason: 'no report within 20 ms' });
});
