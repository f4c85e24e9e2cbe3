/**
 * The buyer's receipt and refund checks on their own: only the maker's signature over exactly the signed
 * state is accepted, and a refund state is adopted only when the maker signed it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { computeAddress, hexlify } from 'ethers';
import { parseAddress } from '../../../schema/codec/address.js';
import { packUint256 } from '../../../schema/codec/uint256.js';
import type { Address, Uuid } from '../../../schema/codec/types.js';
import { signChannelClose } from '../../../schema/eip712/channelClose.js';
import { WampError } from '../../../schema/errors.js';
import { refundState, verifyReceipt as verifyReceiptOf, type ChannelState, type MarketBinding } from '../../../plugins/buyer/index.js';
import { fromMaker } from '../../../plugins/common/index.js';
import { readMakerResult } from '../../../schema/api/index.js';
import { MarketMakerProcedure } from '../../../schema/uris.js';

const key = (): Uint8Array => new Uint8Array(randomBytes(32));
const addressOf = (k: Uint8Array): Address => parseAddress(computeAddress(hexlify(k)));
const makerKey = key();
const maker = addressOf(makerKey);
const binding: MarketBinding = { chainId: 1337n, verifyingContract: addressOf(key()), marketId: new Uint8Array(randomBytes(16)) as Uuid };
const channelId = new Uint8Array(randomBytes(16)) as Uuid;
const keyId = new Uint8Array(randomBytes(16)) as Uuid;
const closeAt = 42n;
const expected: ChannelState = { channelId, seq: 5, remaining: 70n };

const sig = (seq: number, remaining: bigint, signer = makerKey, at = closeAt): Uint8Array =>
  signChannelClose({ ...binding, closeAt: at, channelId, channelSeq: seq, balance: remaining, isFinal: false }, signer);

/** A receipt as the maker sends it, read the way the buyer reads it (the maker API's reader, then the checks). */
function receipt(over: Record<string, unknown> = {}): unknown {
  return {
    key_id: keyId, delegate: new Uint8Array(20), buyer_pubkey: new Uint8Array(32), offer_id: new Uint8Array(16), free_rated: false,
    amount: packUint256(5n), amount_paid: packUint256(5n), payment_channel: channelId, channel_seq: 5, remaining: packUint256(70n),
    inflight: packUint256(0n), signature: sig(5, 70n), sealed_key: new Uint8Array(80), close_at: closeAt, ...over,
  };
}

const verifyReceipt = (raw: unknown, p: Parameters<typeof verifyReceiptOf>[1]) => verifyReceiptOf(fromMaker('receipt', () => readMakerResult(MarketMakerProcedure.buyKey, raw)), p);

function throwsUri(fn: () => unknown, uri: string): void {
  assert.throws(fn, (e: unknown) => e instanceof WampError && e.uri === uri);
}

describe('verifyReceipt', () => {
  const p = { binding, maker, keyId, closeAt, expected };

  it('accepts the maker-signed receipt of the signed state', () => {
    const r = verifyReceipt(receipt(), p);
    assert.deepEqual(r.state, expected);
    assert.equal(r.sealedKey.length, 80);
  });

  it('refuses a receipt signed by anyone else, or over another closeAt', () => {
    throwsUri(() => verifyReceipt(receipt({ signature: sig(5, 70n, key()) }), p), 'xbr.error.invalid_signature');
    throwsUri(() => verifyReceipt(receipt({ signature: sig(5, 70n, makerKey, 41n) }), p), 'xbr.error.invalid_signature');
    throwsUri(() => verifyReceipt(receipt({ close_at: 41n, signature: sig(5, 70n, makerKey, 41n) }), p), 'xbr.error.invalid_transaction');
  });

  it('refuses a correctly signed receipt of another state, key or channel', () => {
    throwsUri(() => verifyReceipt(receipt({ channel_seq: 6, signature: sig(6, 70n) }), p), 'xbr.error.invalid_transaction');
    throwsUri(() => verifyReceipt(receipt({ remaining: packUint256(71n), signature: sig(5, 71n) }), p), 'xbr.error.invalid_transaction');
    throwsUri(() => verifyReceipt(receipt({ key_id: new Uint8Array(16) }), p), 'xbr.error.invalid_transaction');
    throwsUri(() => verifyReceipt(receipt({ payment_channel: new Uint8Array(16) }), p), 'xbr.error.invalid_transaction');
    throwsUri(() => verifyReceipt(receipt({ remaining: 70n }), p), 'xbr.error.invalid_transaction');
  });
});

describe('refundState', () => {
  const current: ChannelState = { channelId, seq: 4, remaining: 75n };
  const failure = (kwargs: Record<string, unknown>): WampError => new WampError('xbr.error.transaction_failed', 'seller gone', { kwargs });
  const refund = { payment_channel: channelId, channel_seq: 5, remaining: packUint256(75n), close_at: closeAt };

  it('adopts the maker-signed refund state', () => {
    assert.deepEqual(refundState(failure({ ...refund, signature: sig(5, 75n) }), { binding, maker, current }), { channelId, seq: 5, remaining: 75n });
  });

  it('ignores an unsigned, forged, stale or foreign refund state', () => {
    assert.equal(refundState(failure({}), { binding, maker, current }), undefined);
    assert.equal(refundState(failure({ ...refund, signature: sig(5, 75n, key()) }), { binding, maker, current }), undefined);
    assert.equal(refundState(failure({ ...refund, remaining: packUint256(80n), signature: sig(5, 75n) }), { binding, maker, current }), undefined);
    assert.equal(refundState(failure({ ...refund, channel_seq: 4, signature: sig(4, 75n) }), { binding, maker, current }), undefined);
    assert.equal(refundState(failure({ ...refund, payment_channel: new Uint8Array(16), signature: sig(5, 75n) }), { binding, maker, current }), undefined);
  });
});
