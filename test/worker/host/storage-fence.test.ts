/**
 * The maker's storage fence (worker/host/storage-fence.ts): closed by a refused write, it refuses every call but
 * the status ones with a clear `xbr.error.storage`; it checks the DB with a backoff, waits for the calls it
 * admitted before, refunds what was left in flight, and opens again by itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MarketMakerProcedure } from '../../../schema/uris.js';
import { createLogger } from '../../../schema/log.js';
import { storageError } from '../../../schema/storage-errors.js';
import { WampError } from '../../../schema/errors.js';
import { StorageFence } from '../../../worker/host/storage-fence.js';

const log = createLogger({ component: 'test' }, 'error');
const PATH = '/srv/xbr-edge/maker1.db';
const full = storageError(`database ${PATH} cannot be written (ENOSPC): No space left on device; nothing of this write was committed`, { path: PATH, errno: 'ENOSPC' });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await sleep(5);
  assert.ok(cond(), what);
}

function fixture() {
  const state = { writable: false, probes: 0, recovered: 0, changes: [] as (WampError | undefined)[] };
  const abort = new AbortController();
  const fence = new StorageFence({
    what: 'market maker maker1',
    env: {
      path: PATH,
      probeWrite: () => {
        state.probes++;
        if (!state.writable) throw full;
      },
    },
    recover: async () => {
      state.recovered++;
      return 1;
    },
    onChange: (f) => state.changes.push(f),
    log,
    signal: abort.signal,
    retry: { initialMs: 2, maxMs: 10 },
  });
  return { fence, state, abort };
}

const refusal = (e: unknown): boolean =>
  e instanceof WampError &&
  e.uri === 'xbr.error.storage' &&
  e.message.startsWith('market maker maker1 is not serving until its database can be written again; this call changed nothing, ask again later: ') &&
  e.message.includes(`database ${PATH} cannot be written (ENOSPC): No space left on device`) &&
  e.kwargs['path'] === PATH &&
  e.kwargs['errno'] === 'ENOSPC';

test('closed by a refused write: only the status is served, every other call is refused with the cause; open again once a write succeeds', async () => {
  const { fence, state, abort } = fixture();
  fence.admit(MarketMakerProcedure.buyKey)();
  fence.trip(full);
  fence.trip(full);
  assert.deepEqual(state.changes, [full], 'closed once');
  assert.equal(fence.failed, full);
  assert.throws(() => fence.admit(MarketMakerProcedure.buyKey), refusal);
  assert.throws(() => fence.admit(MarketMakerProcedure.getPaymentChannelBalance), refusal);
  fence.admit(MarketMakerProcedure.status)();
  fence.admit(MarketMakerProcedure.getStatus)();

  await until(() => state.probes >= 3, 'checks go on while the disk is full');
  assert.equal(state.recovered, 0, 'nothing is refunded before a write succeeds');
  assert.equal(fence.failed, full);

  state.writable = true;
  await fence.settled();
  assert.equal(state.recovered, 1);
  assert.deepEqual(state.changes, [full, undefined]);
  assert.equal(fence.failed, undefined);
  fence.admit(MarketMakerProcedure.buyKey)();
  abort.abort();
});

test('a purchase admitted before the failure is waited for before the refund; other calls are not', async () => {
  const { fence, state, abort } = fixture();
  // Never ended: a call that waits on the chain is not waited for.
  fence.admit(MarketMakerProcedure.openChannel);
  const done = fence.admit(MarketMakerProcedure.buyKey);
  fence.trip(full);
  state.writable = true;
  await sleep(50);
  assert.equal(state.recovered, 0, 'the purchase admitted before may still resolve: not refunded under it');
  done();
  done();
  await fence.settled();
  assert.equal(state.recovered, 1);
  assert.deepEqual(state.changes, [full, undefined]);
  abort.abort();
});

test('a recovery the DB refuses is tried again', async () => {
  const abort = new AbortController();
  let attempts = 0;
  const changes: (WampError | undefined)[] = [];
  const fence = new StorageFence({
    what: 'market maker maker1',
    env: { path: PATH, probeWrite: () => undefined },
    recover: async () => {
      if (++attempts < 3) throw full;
      return 0;
    },
    onChange: (f) => changes.push(f),
    log,
    signal: abort.signal,
    retry: { initialMs: 2, maxMs: 10 },
  });
  fence.trip(full);
  await fence.settled();
  assert.equal(attempts, 3);
  assert.deepEqual(changes, [full, undefined]);
  abort.abort();
});

test('the maker stopping ends the checks; a failure after that closes nothing', async () => {
  const { fence, state, abort } = fixture();
  fence.trip(full);
  await until(() => state.probes >= 1, 'checked once');
  abort.abort();
  await fence.settled();
  assert.equal(state.recovered, 0);
  assert.deepEqual(state.changes, [full]);
  const other = fixture();
  other.abort.abort();
  other.fence.trip(full);
  assert.equal(other.fence.failed, undefined);
  assert.deepEqual(other.state.changes, []);
});
