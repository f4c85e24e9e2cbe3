import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateKey } from '../../../worker/host/index.js';

test('a missing maker key file is created with 32 random bytes, mode 0600; an existing one is kept; a wrong size is refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'maker.key');
  const k1 = loadOrCreateKey(path);
  assert.equal(k1.length, 32);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(Uint8Array.from(readFileSync(path)), k1);
  assert.deepEqual(loadOrCreateKey(path), k1, 'an existing key is read, not replaced');
  const other = loadOrCreateKey(join(dir, 'other.key'));
  assert.notDeepEqual(other, k1, 'keys are random');
  const bad = join(dir, 'bad.key');
  writeFileSync(bad, Buffer.alloc(31), { mode: 0o644 });
  assert.throws(() => loadOrCreateKey(bad), (e: { uri?: string; message: string }) => e.uri === 'wamp.error.invalid_argument' && /32 raw bytes, got 31/.test(e.message));
});
