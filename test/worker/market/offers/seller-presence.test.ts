/**
 * Seller presence on its own: a seller counts as connected until it is seen gone; a suspended seller is
 * looked up again at each use and resumed once `sell` is registered; a connected one costs no lookup. The
 * part degrades to the original behaviour, with a warning, when the router refuses the maker's role what it
 * needs, and fails the start on any other error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SellerPresence } from '../../../../worker/market/index.js';
import { sellerPresencePart } from '../../../../worker/market/parts/seller-presence.js';
import type { MakerContext } from '../../../../worker/market/index.js';
import { WampError } from '../../../../schema/errors.js';
import { createLogger } from '../../../../schema/log.js';

const SELL = 'xbr.provider.member-0xaa.sell';

function presence(registered: Set<string>): { p: SellerPresence; lookups: string[] } {
  const lookups: string[] = [];
  const p = new SellerPresence(async (uri) => {
    lookups.push(uri);
    return registered.has(uri);
  });
  return { p, lookups };
}

describe('SellerPresence', () => {
  it('a connected seller sells without a lookup; a gone one is suspended, looked up at each use, resumed when back', async () => {
    const registered = new Set([SELL]);
    const { p, lookups } = presence(registered);
    assert.equal(await p.canSell('member-0xaa'), true);
    assert.deepEqual(lookups, [], 'no lookup for a seller never seen gone');
    registered.delete(SELL);
    assert.equal(await p.refresh('member-0xaa'), false);
    assert.equal(p.isSuspended('member-0xaa'), true);
    assert.deepEqual(p.suspended(), ['member-0xaa']);
    assert.equal(await p.canSell('member-0xaa'), false);
    assert.equal(lookups.length, 2, 'a suspended seller is looked up again');
    registered.add(SELL);
    assert.equal(await p.canSell('member-0xaa'), true);
    assert.equal(p.isSuspended('member-0xaa'), false);
    assert.equal(await p.canSell('member-0xaa'), true);
    assert.equal(lookups.length, 3, 'resumed: no more lookups');
  });

  it('disabled: every seller counts as connected, suspended ones are resumed', async () => {
    const { p, lookups } = presence(new Set());
    await p.refresh('member-0xaa');
    p.disable('not authorized');
    assert.equal(p.isSuspended('member-0xaa'), false);
    assert.equal(await p.canSell('member-0xaa'), true);
    assert.equal(await p.refresh('member-0xbb'), true);
    assert.equal(lookups.length, 1);
    assert.equal(p.disabled, 'not authorized');
  });
});

describe('the seller presence part', () => {
  const ctxWith = (subscribe: () => Promise<void>): MakerContext =>
    ({
      sellers: new SellerPresence(async () => true),
      session: { subscribe },
      makerDb: { offers: { range: () => [] } },
      log: createLogger({ test: 'presence' }, 'error'),
    }) as unknown as MakerContext;

  it('a role that may not subscribe on_leave: the maker starts, presence is off', async () => {
    const ctx = ctxWith(async () => {
      throw new WampError('wamp.error.not_authorized', 'session is not authorized to subscribe to topic "wamp.session.on_leave"');
    });
    await sellerPresencePart(ctx).start!();
    assert.match(ctx.sellers.disabled ?? '', /not authorized/);
  });

  it('any other failure fails the start', async () => {
    const ctx = ctxWith(async () => {
      throw new WampError('wamp.error.runtime_error', 'router gone');
    });
    await assert.rejects(sellerPresencePart(ctx).start!(), /router gone/);
    assert.equal(ctx.sellers.disabled, undefined);
  });
});
