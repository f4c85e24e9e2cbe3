/**
 * The maker API's readers on their own: every procedure the maker registers has one, a conforming answer
 * reads back equal (integers normalised as the serializers deliver them), and an answer that is not what the
 * API says is refused naming the procedure and the field — the error a delegate turns into
 * `xbr.error.invalid_transaction`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMakerProcedure, readMakerResult } from '../../../schema/api/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import { WampError } from '../../../schema/errors.js';
import { MarketMakerAdminProcedure, MarketMakerCatalogProcedure, MarketMakerProcedure } from '../../../schema/uris.js';
import { balanceAnswer, channelAnswer, configAnswer, offerAnswer, statusAnswer } from '../../helpers/maker-results.js';

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(7);

function refusal(fn: () => unknown): WampError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WampError, String(err));
    return err;
  }
  assert.fail('expected the reader to refuse');
}

describe('the maker API', () => {
  it('has a reader for every procedure the maker registers, and for nothing else', () => {
    for (const uri of [...Object.values(MarketMakerProcedure), ...Object.values(MarketMakerCatalogProcedure), ...Object.values(MarketMakerAdminProcedure)]) assert.ok(isMakerProcedure(uri), uri);
    assert.equal(isMakerProcedure('xbr.marketmaker.secret_backdoor'), false);
    assert.equal(isMakerProcedure('toString'), false, 'an inherited property is not a procedure');
  });

  it('reads a conforming answer back equal, integers normalised', () => {
    const ch = channelAnswer({ channel_oid: bytes(16), market_oid: bytes(16), delegate: bytes(20), marketmaker: bytes(20), channel_type: 1 });
    assert.deepEqual(readMakerResult(MarketMakerProcedure.getPaymentChannel, ch), ch);
    // msgpack/CBOR deliver small integers as numbers and large ones as bigints: each field reads as its type
    const b = readMakerResult(MarketMakerProcedure.getPaymentChannelBalance, { ...balanceAnswer({ seq: 3, remaining: 5n }), seq: 3n });
    assert.equal(b.seq, 3);
    const s = readMakerResult(MarketMakerProcedure.getStatus, { ...statusAnswer(9), now: 1_700_000_000_000_000_000 });
    assert.equal(typeof s.now, 'bigint');
    assert.equal(readMakerResult(MarketMakerProcedure.getActivePaymentChannel, null), null);
    assert.deepEqual(readMakerResult(MarketMakerProcedure.getChannelsByDelegate, [bytes(16)]), [bytes(16)]);
  });

  it('drops keys the API does not name (a newer maker may send more)', () => {
    const o = offerAnswer({ key: bytes(16) });
    assert.deepEqual(readMakerResult(MarketMakerProcedure.getOffer, { ...o, extra: 'x' }), o);
  });

  it('refuses an answer that is not what the API says, naming the procedure and the field', () => {
    const cases: [string, () => unknown, RegExp][] = [
      ['missing field', () => readMakerResult(MarketMakerProcedure.getConfig, { ...configAnswer({ verifying_chain_id: 1, verifying_contract_adr: '0x', market: 'm', marketmaker: '0x' }), market: undefined }), /^get_config\.market: expected a string, got undefined$/],
      ['short amount', () => readMakerResult(MarketMakerProcedure.getPayingChannelBalance, { seq: 1, remaining: new Uint8Array(31), inflight: packUint256(0n) }), /^get_paying_channel_balance\.remaining: expected 32 bytes \(uint256\), got 31$/],
      ['amount as an int', () => readMakerResult(MarketMakerProcedure.getQuote, { timestamp: 1, key: bytes(16), price: 5, expires: 0 }), /^get_quote\.price: expected 32 bytes \(uint256\), got a number$/],
      ['unsafe seq', () => readMakerResult(MarketMakerProcedure.getPaymentChannelBalance, { seq: 2 ** 60, remaining: packUint256(0n), inflight: packUint256(0n) }), /^get_payment_channel_balance\.seq: expected an integer, got a number$/],
      ['not a dict', () => readMakerResult(MarketMakerProcedure.buyKey, [1, 2]), /^buy_key: expected a dict, got a list$/],
      ['bad list item', () => readMakerResult(MarketMakerProcedure.getChannelsByActor, [bytes(16), bytes(15)]), /^get_channels_by_actor\[1\]: expected 16 bytes, got 15$/],
      ['nested', () => readMakerResult(MarketMakerProcedure.getStatus, { ...statusAnswer(1), block: { number: 1, hash: bytes(31), gas_limit: 1 } }), /^get_status\.block\.hash: expected 32 bytes, got 31$/],
      ['null where none allowed', () => readMakerResult(MarketMakerProcedure.getPaymentChannel, null), /^get_payment_channel: expected a dict, got null$/],
      ['admin page item', () => readMakerResult(MarketMakerAdminProcedure.listTransactions, { transactions: [{}], next_cursor: null }), /^list_transactions\.transactions\[0\]\.tid: expected 16 bytes, got undefined$/],
      ['admin audit mismatch', () => readMakerResult(MarketMakerAdminProcedure.audit, { ok: false, channels: 1, transactions: 1, signatures_checked: 1, signatures_absent: 0, chain_checked: 0, chain_block: null, mismatches_total: 1, mismatches: [{ kind: 'balance', field: 'spent', message: 'm', channel_oid: new Uint8Array(15) }], truncated: false, duration_ms: 1, longest_slice_ms: 1 }), /^audit\.mismatches\[0\]\.channel_oid: expected 16 bytes, got 15$/],
    ];
    for (const [what, fn, message] of cases) {
      const err = refusal(fn);
      assert.equal(err.uri, 'wamp.error.invalid_argument', what);
      assert.match(err.message, message, what);
    }
  });
});
