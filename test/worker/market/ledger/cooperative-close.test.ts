/**
 * The close_channel rollback on a real maker DB: a close whose transaction certainly failed reopens the
 * channel exactly as it was (so purchases work again and a new close is accepted); a channel the chain moved
 * on since (a `Closing` event applied) is left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Uuid } from '../../../../schema/codec/types.js';
import { ChannelState, ChannelType } from '../../../../schema/db/records/channel.js';
import { signChannelClose } from '../../../../schema/eip712/channelClose.js';
import { abandonCooperativeClose, applyChannelEvent, auditLedger, checkCooperativeClose } from '../../../../worker/market/ledger/index.js';
import { BLOCK, dump, freshDb, MARKET, newKey, openChannel, rnd, type Key } from './helpers.js';
import { channelCloseMessage } from '../../../../schema/eip712/index.js';

function closeReq(channel: Uuid, delegate: Key, seq = 1, balance = 100n) {
  return {
    ...MARKET, seq, balance, isFinal: true, closeAt: BLOCK, currentBlock: BLOCK,
    delegateSignature: signChannelClose(channelCloseMessage(MARKET, BLOCK, channel, seq, balance, true), delegate.priv),
  };
}

test('abandonCooperativeClose restores the OPEN channel after a certainly failed close; a new close is accepted', async (t) => {
  const s = await freshDb();
  t.after(() => s.cleanup());
  const buyer = newKey();
  const id = openChannel(s.db, ChannelType.PAYMENT, buyer.address, 100n);
  const before = dump(s.db);
  const d = checkCooperativeClose(s.db, id, closeReq(id, buyer));
  assert.equal(s.db.paymentChannels.get(id)?.state, ChannelState.CLOSING);
  assert.equal(abandonCooperativeClose(s.db, d), true);
  assert.deepEqual(dump(s.db), before, 'exactly the state before the close');
  assert.equal(abandonCooperativeClose(s.db, d), false, 'a second rollback changes nothing');
  const again = checkCooperativeClose(s.db, id, closeReq(id, buyer));
  assert.equal(again.channel.state, ChannelState.CLOSING);
  auditLedger(s.db);
});

test('abandonCooperativeClose leaves a channel the chain moved on since', async (t) => {
  const s = await freshDb();
  t.after(() => s.cleanup());
  const seller = newKey();
  const id = openChannel(s.db, ChannelType.PAYING, seller.address, 100n);
  const d = checkCooperativeClose(s.db, id, closeReq(id, seller));
  applyChannelEvent(s.db, { type: 'Closing', ctype: 2, marketId: MARKET.marketId, channelId: id, blockNumber: BLOCK + 3n, txHash: rnd(32) as never, payout: 0n, fee: 0n, refund: 100n, timeoutAt: BLOCK + 1443n }, { marketId: MARKET.marketId, now: 1n });
  const after = dump(s.db);
  assert.equal(abandonCooperativeClose(s.db, d), false);
  assert.deepEqual(dump(s.db), after);
  assert.equal(s.db.payingChannels.get(id)?.state, ChannelState.CLOSING);
});
