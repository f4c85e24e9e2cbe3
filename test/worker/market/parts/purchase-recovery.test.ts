/**
 * The purchase part's start(): purchases left INFLIGHT (a crash between reserve and resolve) are failed and
 * refunded on a real maker DB before the maker serves; the seq stays advanced; a clean DB is untouched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toChecksumAddress } from '../../../../schema/codec/address.js';
import { createLogger } from '../../../../schema/log.js';
import { TransactionState } from '../../../../schema/db/records/transaction.js';
import type { MakerContext } from '../../../../worker/market/api/index.js';
import { auditLedger, reservePurchase } from '../../../../worker/market/ledger/index.js';
import { purchasePart } from '../../../../worker/market/parts/index.js';
import { BLOCK, MAKER, MARKET, buyRequest, dump, freshDb, newKey, openChannel, putOffer } from '../ledger/helpers.js';

describe('purchase part start(): INFLIGHT recovery', () => {
  let t: Awaited<ReturnType<typeof freshDb>>;
  before(async () => {
    t = await freshDb();
  });
  after(async () => {
    await t.cleanup();
  });

  const part = () =>
    purchasePart({ sellTimeoutMs: 100 })({
      makerDb: t.db,
      log: createLogger({ test: 'purchase-recovery' }, 'error'),
      provider: { getBlockNumber: async () => Number(BLOCK) },
      address: toChecksumAddress(MAKER.address),
      privateKey: MAKER.priv,
      verifyingChainId: MARKET.chainId,
      verifyingContract: toChecksumAddress(MARKET.verifyingContract),
      marketId: MARKET.marketId,
      session: {
        call: async () => {
          throw new Error('recovery must not call anyone');
        },
        publish: async () => undefined,
      },
    } as unknown as MakerContext);

  it('a clean DB: start() changes nothing', async () => {
    const before = dump(t.db);
    await part().start?.();
    assert.deepEqual(dump(t.db), before);
  });

  it('fails and refunds every INFLIGHT purchase, keeping the advanced seq on both channels', async () => {
    const buyer = newKey();
    const seller = newKey();
    const payment = openChannel(t.db, 1, buyer.address, 100n);
    const paying = openChannel(t.db, 2, seller.address, 100n);
    const offer = putOffer(t.db, seller.address, 10n);
    const r1 = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: 90n }));
    const r2 = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: 80n }));
    assert.equal(t.db.paymentBalances.get(payment)?.inflight, 20n);

    // the "crash": reopen the DB as a restarted maker would, then start the part
    await t.reopen();
    await part().start?.();

    for (const r of [r1, r2]) {
      const tx = t.db.transactions.get(r.transaction.tid);
      assert.equal(tx?.state, TransactionState.FAILED);
      assert.equal(tx?.error, 'xbr.error.transaction_failed');
    }
    assert.deepEqual(t.db.paymentBalances.get(payment), { remaining: 100n, inflight: 0n, spent: 0n, seq: 3, refunds: 2 });
    assert.deepEqual(t.db.payingBalances.get(paying), { remaining: 100n, inflight: 0n, spent: 0n, seq: 3, refunds: 2 });
    assert.equal(auditLedger(t.db).inflight, 0);
    // the next purchase builds on the refunded state
    const r3 = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 4, balance: 90n }));
    assert.equal(r3.payment.balance.seq, 4);
  });
});
