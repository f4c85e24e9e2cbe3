import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerProcedures, wampyCallback } from '../../../worker/host/index.js';
import type { CallerDetails } from '../../../worker/market/index.js';
import { MarketMakerProcedure } from '../../../schema/uris.js';
import { createLogger } from '../../../schema/log.js';
import { WampError } from '../../../schema/errors.js';

const log = createLogger({ component: 'test' });
const member: CallerDetails = { caller: 11, caller_authid: 'member-0x' + 'ab'.repeat(20), caller_authrole: 'user' };

test('the WAMP boundary checks the caller before the handler runs', async () => {
  let ran = 0;
  const cb = wampyCallback(MarketMakerProcedure.buyKey, async () => ++ran, log);
  await assert.rejects(cb({ argsList: [], details: { caller: 5, caller_authid: 'anonymous-X', caller_authrole: 'anonymous' } }), (e: { error?: string }) => e.error === 'wamp.error.not_authorized');
  await assert.rejects(cb({ argsList: [] }), (e: { error?: string }) => e.error === 'wamp.error.not_authorized', 'an undisclosed caller is not a member');
  assert.equal(ran, 0);
  assert.deepEqual(await cb({ argsList: [], details: { caller: 5, caller_authid: member.caller_authid, caller_authrole: 'user' } }), { argsList: [1] });
});

test('a procedure without an access rule is never registered', async () => {
  const registered: string[] = [];
  const session = { register: async (uri: string) => void registered.push(uri), unregister: async () => undefined } as never;
  await assert.rejects(registerProcedures(session, { [MarketMakerProcedure.status]: async () => 1, 'xbr.marketmaker.secret_backdoor': async () => 2 } as never, log), {
    uri: 'wamp.error.runtime_error',
    message: /xbr\.marketmaker\.secret_backdoor/,
  });
  assert.deepEqual(registered, []);
});

test('a call is admitted after its access check and before its handler; a refusal reaches the caller, the end is reported', async () => {
  const events: string[] = [];
  let open = true;
  const admit = (uri: string): (() => void) => {
    events.push(`admit ${uri}`);
    if (!open) throw new WampError('xbr.error.storage', 'not serving');
    return () => events.push('done');
  };
  const cb = wampyCallback(MarketMakerProcedure.buyKey, async () => {
    events.push('handler');
    throw new WampError('xbr.error.transaction_failed', 'seller gone');
  }, log, admit);
  await assert.rejects(cb({ argsList: [], details: { caller: 5, caller_authid: 'anonymous-X', caller_authrole: 'anonymous' } }), (e: { error?: string }) => e.error === 'wamp.error.not_authorized');
  assert.deepEqual(events, [], 'not admitted before the access check');
  await assert.rejects(cb({ argsList: [], details: { ...member } }), (e: { error?: string }) => e.error === 'xbr.error.transaction_failed');
  assert.deepEqual(events, [`admit ${MarketMakerProcedure.buyKey}`, 'handler', 'done']);
  open = false;
  events.length = 0;
  await assert.rejects(cb({ argsList: [], details: { ...member } }), (e: { error?: string; argsList?: unknown[] }) => e.error === 'xbr.error.storage' && e.argsList?.[0] === 'not serving');
  assert.deepEqual(events, [`admit ${MarketMakerProcedure.buyKey}`], 'the handler does not run');
});
