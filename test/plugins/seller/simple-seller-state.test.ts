/** The seller's paying-channel state file: durable round trip, atomic replacement, damaged files refused. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSellerStateStore, type PayingChannelState } from '../../../plugins/seller/index.js';
import type { Signature65, Uuid } from '../../../schema/codec/types.js';

const dir = mkdtempSync(join(tmpdir(), 'seller-state-'));
const channel = (n: number): Uuid => new Uint8Array(16).fill(n) as Uuid;

describe('FileSellerStateStore', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file is an empty store; saved states survive reopening, per channel', () => {
    const path = join(dir, 'a', 'state.json');
    const s = FileSellerStateStore.open(path);
    assert.equal(s.load(channel(1)), undefined);
    const one: PayingChannelState = { channelId: channel(1), seq: 7, balance: 10n ** 24n + 3n, closeAt: 99n, makerSignature: new Uint8Array(65).fill(2) as Signature65, sellerSignature: new Uint8Array(65).fill(3) as Signature65 };
    s.save(one);
    s.save({ channelId: channel(2), seq: 1, balance: 5n, closed: true, closeIsFinal: true });
    s.save({ ...one, seq: 8, balance: one.balance - 1n });
    assert.equal(existsSync(`${path}.tmp`), false);
    const r = FileSellerStateStore.open(path);
    assert.deepEqual(r.load(channel(1)), { ...one, seq: 8, balance: one.balance - 1n });
    assert.deepEqual(r.load(channel(2)), { channelId: channel(2), seq: 1, balance: 5n, closed: true, closeIsFinal: true });
  });

  it('refuses a damaged or foreign file with xbr.error.storage', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"format":"xbr-edge/seller-paying-state","channels":{"zz":{"seq":1,"balance":"1"}}}');
    assert.throws(() => FileSellerStateStore.open(path), (e: { uri?: string }) => e.uri === 'xbr.error.storage');
    writeFileSync(path, '{"truncated": ');
    assert.throws(() => FileSellerStateStore.open(path), (e: { uri?: string }) => e.uri === 'xbr.error.storage');
  });
});
