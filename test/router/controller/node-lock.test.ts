import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireNodeLock, nodeLockPath } from '../../../router/controller/node-lock.js';

function dir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'xbr-lock-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A pid that certainly does not run: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

test('the first controller takes the lock; a second is refused naming the first pid; release frees it', (t) => {
  const cbdir = dir(t);
  const first = acquireNodeLock(cbdir);
  assert.equal(JSON.parse(readFileSync(nodeLockPath(cbdir), 'utf8')).pid, process.pid);
  // Another live process (our parent) as the second controller.
  assert.throws(() => acquireNodeLock(cbdir, process.ppid), (err: Error & { uri?: string }) => {
    assert.equal(err.uri, 'xbr.error.node_running');
    assert.match(err.message, new RegExp(`in use by the controller with pid ${process.pid}`));
    return true;
  });
  assert.equal(JSON.parse(readFileSync(nodeLockPath(cbdir), 'utf8')).pid, process.pid, 'the refused start leaves the lock alone');
  first.release();
  assert.equal(existsSync(nodeLockPath(cbdir)), false);
  acquireNodeLock(cbdir, process.ppid).release();
});

test('a lock whose process is gone, or that cannot be read, is taken over', (t) => {
  const cbdir = dir(t);
  const stale = deadPid();
  acquireNodeLock(cbdir, stale); // never released: its process "crashed"
  const lock = acquireNodeLock(cbdir);
  assert.equal(lock.tookOverFrom, stale);
  assert.equal(JSON.parse(readFileSync(nodeLockPath(cbdir), 'utf8')).pid, process.pid);
  lock.release();
  writeFileSync(nodeLockPath(cbdir), '{"pid": ');
  const again = acquireNodeLock(cbdir);
  assert.equal(again.tookOverFrom, 0);
  again.release();
});

test('release removes only a lock that is still ours', (t) => {
  const cbdir = dir(t);
  const lock = acquireNodeLock(cbdir);
  writeFileSync(nodeLockPath(cbdir), JSON.stringify({ pid: process.ppid, started: 'later' }));
  lock.release();
  assert.equal(JSON.parse(readFileSync(nodeLockPath(cbdir), 'utf8')).pid, process.ppid);
});
