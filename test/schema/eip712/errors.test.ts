/** Malformed signatures, messages and keys: exact error URI and message. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TypedDataEncoder, verifyTypedData } from 'ethers';
import secp from 'secp256k1';
import {
  assertNonZeroAddress,
  checkSignature,
  hashChannelClose,
  hashTypedMessage,
  recoverChannelClose,
  recoverDigestSigner,
  recoverSigner,
  sign,
  signChannelClose,
  signDigest,
  type ChannelCloseMessage,
  type MarketJoinMessage,
  type PrimaryType,
} from '../../../schema/eip712/index.js';
import { WampError } from '../../../schema/errors.js';
import { WampErrorUri } from '../../../schema/error-uris.js';
import { fromHex, libTypes, loadVectors, messageFromJson, messageToLib, toHex, type TypedVector } from './helpers.js';

const all = loadVectors();
const vec = all['ChannelClose.final.delegate'] as TypedVector;
const msg = messageFromJson('EIP712ChannelClose', vec.message) as ChannelCloseMessage;
const good = fromHex(vec.signature);
const signer = vec.signer.toLowerCase();
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function expectError(fn: () => unknown, uri: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WampError, `expected WampError, got ${String(e)}`);
    assert.equal(e.uri, uri);
    assert.equal(e.message, message);
    return true;
  });
}
const badSig = (fn: () => unknown, message: string): void => expectError(fn, 'xbr.error.invalid_signature', message);
const badArg = (fn: () => unknown, message: string): void => expectError(fn, WampErrorUri.invalidArgument, message);

function withByte(sig: Uint8Array, i: number, b: number): Uint8Array {
  const s = sig.slice();
  s[i] = b;
  return s;
}
function be32(v: bigint): Uint8Array {
  return fromHex(v.toString(16).padStart(64, '0'));
}

describe('eip712 signature errors (xbr.error.invalid_signature)', () => {
  it('the good signature recovers', () => {
    assert.equal(toHex(recoverChannelClose(msg, good)), signer);
    assert.equal(toHex(recoverSigner('EIP712ChannelClose', msg, good)), signer);
  });

  it('wrong lengths / truncated / not bytes', () => {
    badSig(() => recoverChannelClose(msg, good.subarray(0, 64)), 'signature must be 65 bytes, got 64');
    badSig(() => recoverChannelClose(msg, good.subarray(0, 10)), 'signature must be 65 bytes, got 10');
    badSig(() => recoverChannelClose(msg, new Uint8Array(0)), 'signature must be 65 bytes, got 0');
    badSig(() => recoverChannelClose(msg, new Uint8Array([...good, 0])), 'signature must be 65 bytes, got 66');
    badSig(() => recoverChannelClose(msg, vec.signature as unknown as Uint8Array), 'signature must be 65 bytes, got string');
  });

  it('v not in {27, 28}', () => {
    for (const v of [29, 26, 0, 1, 2, 255]) badSig(() => recoverChannelClose(msg, withByte(good, 64, v)), `signature v must be 27 or 28, got ${v}`);
    badSig(() => recoverChannelClose(msg, withByte(good, 64, 2), { acceptV01: true }), 'signature v must be 27 or 28, got 2');
  });

  it('high s (EIP-2) is rejected; ethers rejects the same signature', () => {
    const s = BigInt(toHex(good.subarray(32, 64)));
    const high = good.slice();
    high.set(be32(N - s), 32);
    high[64] = good[64] === 27 ? 28 : 27;
    // the malleated signature is valid ECDSA: libsecp256k1 recovers the same key from it
    const digest = hashChannelClose(msg);
    const pub = secp.ecdsaRecover(high.subarray(0, 64), (high[64] as number) - 27, digest, false);
    assert.equal(pub.length, 65);
    badSig(() => recoverChannelClose(msg, high), 'signature s is in the upper half of the curve order (EIP-2)');
    assert.throws(() => verifyTypedData({ name: 'XBR', version: '1' }, libTypes('EIP712ChannelClose'), messageToLib('EIP712ChannelClose', msg), toHex(high)), /non-canonical s/);
    // s = n/2 exactly is still low; s = n/2 + 1 is high
    const half = (N - 1n) / 2n;
    const atHalf = good.slice();
    atHalf.set(be32(half + 1n), 32);
    badSig(() => recoverChannelClose(msg, atHalf), 'signature s is in the upper half of the curve order (EIP-2)');
    atHalf.set(be32(half), 32);
    assert.doesNotThrow(() => checkSignature(atHalf));
  });

  it('r or s zero or ≥ n', () => {
    const z = good.slice();
    z.fill(0, 0, 32);
    badSig(() => recoverChannelClose(msg, z), 'signature r is out of range');
    const rn = good.slice();
    rn.set(be32(N), 0);
    badSig(() => recoverChannelClose(msg, rn), 'signature r is out of range');
    const sz = good.slice();
    sz.fill(0, 32, 64);
    badSig(() => recoverChannelClose(msg, sz), 'signature s is out of range');
    const sn = good.slice();
    sn.set(be32(N + 1n), 32);
    badSig(() => recoverChannelClose(msg, sn), 'signature s is out of range');
  });

  it('65 zero bytes (what ecrecover turns into the zero address on-chain) is rejected', () => {
    const zero = new Uint8Array(65);
    badSig(() => recoverChannelClose(msg, zero), 'signature v must be 27 or 28, got 0');
    zero[64] = 27;
    badSig(() => recoverChannelClose(msg, zero), 'signature r is out of range');
  });

  it('zero-address recovery guard', () => {
    badSig(() => assertNonZeroAddress(new Uint8Array(20)), 'signature recovers to the zero address');
    const one = new Uint8Array(20);
    one[19] = 1;
    assert.doesNotThrow(() => assertNonZeroAddress(one));
  });

  it('r that is not the x of a curve point does not recover', () => {
    const digest = hashChannelClose(msg);
    let r = 1n;
    for (; r < 100n; r++) {
      const c = new Uint8Array(64);
      c.set(be32(r), 0);
      c.set(be32(1n), 32);
      try { secp.ecdsaRecover(c, 0, digest, false); } catch { break; }
    }
    assert.ok(r < 100n);
    const sig = new Uint8Array(65);
    sig.set(be32(r), 0);
    sig.set(be32(1n), 32);
    sig[64] = 27;
    badSig(() => recoverChannelClose(msg, sig), 'signature does not recover to a public key');
  });

  it('a valid signature over another message recovers to another address (no error)', () => {
    const other = { ...msg, balance: msg.balance - 1n };
    assert.notEqual(toHex(recoverChannelClose(other, good)), signer);
  });
});

describe('eip712 argument errors (wamp.error.invalid_argument)', () => {
  it('message fields, hot path and generic path give the same message', () => {
    const cases: Array<[Partial<Record<keyof ChannelCloseMessage, unknown>>, string]> = [
      [{ verifyingContract: new Uint8Array(19) }, 'EIP712ChannelClose.verifyingContract: expected a 20-byte address, got 19 bytes'],
      [{ marketId: new Uint8Array(32) }, 'EIP712ChannelClose.marketId: expected bytes16 (16 bytes), got 32 bytes'],
      [{ channelId: 'abc' }, 'EIP712ChannelClose.channelId: expected bytes16 (16 bytes), got a string'],
      [{ channelSeq: 2 ** 32 }, 'EIP712ChannelClose.channelSeq: uint32 out of range: 4294967296'],
      [{ channelSeq: 1.5 }, 'EIP712ChannelClose.channelSeq: expected uint32, got 1.5'],
      [{ channelSeq: -1 }, 'EIP712ChannelClose.channelSeq: expected uint32, got -1'],
      [{ balance: -1n }, 'EIP712ChannelClose.balance: uint256 out of range: -1'],
      [{ balance: 1n << 256n }, `EIP712ChannelClose.balance: uint256 out of range: ${1n << 256n}`],
      [{ balance: '5' }, 'EIP712ChannelClose.balance: expected uint256 as bigint or integer, got a string'],
      [{ closeAt: undefined }, 'EIP712ChannelClose.closeAt: expected uint256 as bigint or integer, got undefined'],
      [{ isFinal: 1 }, 'EIP712ChannelClose.isFinal: expected a boolean, got a number'],
    ];
    for (const [patch, message] of cases) {
      const bad = { ...msg, ...patch } as unknown as ChannelCloseMessage;
      badArg(() => hashChannelClose(bad), message);
      if (patch.closeAt === undefined && 'closeAt' in patch) {
        badArg(() => hashTypedMessage('EIP712ChannelClose', bad), 'EIP712ChannelClose.closeAt: missing');
      } else {
        badArg(() => hashTypedMessage('EIP712ChannelClose', bad), message);
      }
    }
    // the hot path's scratch buffer is not left in a bad state by an error
    assert.equal(toHex(hashChannelClose(msg)), vec.digest);
  });

  it('generic path: strings, uint8, missing fields, unknown type', () => {
    const join = messageFromJson('EIP712MarketJoin', (all.MarketJoin as TypedVector).message) as MarketJoinMessage;
    badArg(() => hashTypedMessage('EIP712MarketJoin', { ...join, meta: 5 } as unknown as MarketJoinMessage), 'EIP712MarketJoin.meta: expected a string, got a number');
    badArg(() => hashTypedMessage('EIP712MarketJoin', { ...join, actorType: 256 }), 'EIP712MarketJoin.actorType: uint8 out of range: 256');
    badArg(() => hashTypedMessage('EIP712MarketJoin', { ...join, actorType: 256n }), 'EIP712MarketJoin.actorType: uint8 out of range: 256');
    const { meta: _meta, ...noMeta } = join;
    badArg(() => hashTypedMessage('EIP712MarketJoin', noMeta as MarketJoinMessage), 'EIP712MarketJoin.meta: missing');
    badArg(() => hashTypedMessage('EIP712Nope' as PrimaryType, join as never), 'primaryType: unknown EIP712 type EIP712Nope');
    badArg(() => hashTypedMessage('toString' as PrimaryType, join as never), 'primaryType: unknown EIP712 type toString');
    badArg(() => hashTypedMessage('EIP712MarketJoin', null as unknown as MarketJoinMessage), 'EIP712MarketJoin: expected a message object');
    // a number and a bigint give the same digest
    assert.equal(toHex(hashTypedMessage('EIP712MarketJoin', { ...join, actorType: 1n })), toHex(hashTypedMessage('EIP712MarketJoin', join)));
  });

  it('private keys and digests', () => {
    const key = fromHex(vec.signerKey);
    badArg(() => signChannelClose(msg, key.subarray(0, 31)), 'privateKey: expected 32 bytes');
    badArg(() => sign('EIP712ChannelClose', msg, new Uint8Array(32)), 'privateKey: not a valid secp256k1 private key');
    badArg(() => signChannelClose(msg, be32(N)), 'privateKey: not a valid secp256k1 private key');
    badArg(() => signDigest(new Uint8Array(31), key), 'digest: expected 32 bytes');
    badArg(() => recoverDigestSigner(new Uint8Array(33), good), 'digest: expected 32 bytes');
    // the key never appears in a message
    try { signChannelClose(msg, be32(N)); } catch (e) { assert.ok(!(e as Error).message.includes('ffff')); }
  });

  it('ethers agrees the vector digest is what we hash (sanity)', () => {
    assert.equal(TypedDataEncoder.hash({ name: 'XBR', version: '1' }, libTypes('EIP712ChannelClose'), messageToLib('EIP712ChannelClose', msg)), vec.digest);
  });
});
