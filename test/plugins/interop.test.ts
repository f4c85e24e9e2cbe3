/**
 * Interop of the delegates' cryptography with independent libraries, written here without our helpers:
 * - a payload encrypted by our KeySeries (key kept in a real KeyArchive, read back after reopening it)
 *   opens with plain `tweetnacl` secretbox and decodes with `cbor-x`;
 * - the sealed key our SimpleSeller returns from `sell` opens with `libsodium-wrappers`
 *   (`crypto_box_seal_open`, X25519 keys converted from the buyer's Ed25519 key by libsodium itself), and
 *   the key it yields decrypts what the seller wrapped.
 * `sell` is driven by a stand-in maker (seller/stub-maker.ts); the same path runs through the real maker in
 * the seller and buyer end-to-end tests.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import nacl from 'tweetnacl';
import { decode as cborDecode } from 'cbor-x';
import { computeAddress, hexlify } from 'ethers';
import { KeyArchive, KeySeries, SimpleSeller } from '../../plugins/seller/index.js';
import { parseAddress } from '../../schema/codec/address.js';
import { recoverChannelClose } from '../../schema/eip712/index.js';
import { createLogger } from '../../schema/log.js';
import { StubMaker } from './seller/stub-maker.js';
import { channelCloseMessage } from '../../schema/eip712/index.js';

await sodium.ready;

const dir = mkdtempSync(join(tmpdir(), 'xbr-interop-'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const quiet = createLogger({ test: 'interop' }, 'error');

/** `nonce(24) ‖ mac(16) ‖ ciphertext` opened with tweetnacl, then CBOR-decoded with cbor-x. */
function openPlain(key: Uint8Array, wire: Uint8Array): unknown {
  const plain = nacl.secretbox.open(wire.subarray(24), wire.subarray(0, 24), key);
  assert.ok(plain !== null, 'tweetnacl secretbox.open failed');
  return cborDecode(plain);
}

const payloads: unknown[] = [
  { temperature: 21.5, unit: 'C', seq: 1 },
  { bytes: new Uint8Array([0, 1, 254, 255]), negative: -42, nested: { list: ['a', 2, 3.25, null, true] } },
  'a plain string',
  [1, 2, 3],
];

describe('interop with tweetnacl, cbor-x and libsodium', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a KeySeries payload opens with tweetnacl + cbor-x, with the key read back from the reopened archive', async () => {
    const delegateKey = new Uint8Array(randomBytes(32));
    const path = join(dir, 'series-archive');
    const apiId = new Uint8Array(randomBytes(16));
    let archive = await KeyArchive.open({ path, delegateKey });
    const series = new KeySeries({ apiId, price: 0n, count: 2, store: archive, logger: quiet });
    await series.start();
    const wrapped = [];
    for (const p of payloads) wrapped.push({ p, out: await series.encrypt(p) });
    await series.stop();
    await archive.close();

    archive = await KeyArchive.open({ path, delegateKey });
    try {
      assert.equal(new Set(wrapped.map((w) => hex(w.out.keyId))).size, 2, 'count 2: four payloads under two keys');
      for (const { p, out } of wrapped) {
        assert.equal(out.serializer, 'cbor');
        const key = archive.get(out.keyId)!.key;
        assert.deepEqual(openPlain(key, out.ciphertext), p);
      }
    } finally {
      await archive.close();
    }
  });

  it('a sealed key from SimpleSeller.sell opens with libsodium (keys converted by libsodium) and decrypts the seller\'s data', async () => {
    const delegateKey = new Uint8Array(randomBytes(32));
    const price = 10n ** 18n;
    const stub = new StubMaker(parseAddress(computeAddress(hexlify(delegateKey))), 'seller_interop', 10n * price);
    const seller = new SimpleSeller(stub.maker, delegateKey, { archivePath: join(dir, 'seller-keys'), logger: quiet });
    const apiId = new Uint8Array(randomBytes(16));
    seller.add(apiId, 'xbr.interop.', price, { count: 2 });
    await seller.start(stub.session);
    try {
      const wrapped = [];
      for (const p of payloads) wrapped.push({ p, out: await seller.wrap(apiId, 'xbr.interop.data', p) });

      const buyer = sodium.crypto_sign_seed_keypair(new Uint8Array(randomBytes(32)));
      const boxPublic = sodium.crypto_sign_ed25519_pk_to_curve25519(buyer.publicKey);
      const boxSecret = sodium.crypto_sign_ed25519_sk_to_curve25519(buyer.privateKey);
      const keys = new Map<string, Uint8Array>();
      for (const { out } of wrapped) {
        if (keys.has(hex(out.keyId))) continue;
        const receipt = await stub.sell(out.keyId, buyer.publicKey, price);
        assert.equal(receipt.sealed_key.length, 80, 'ephemeral public key (32) ‖ MAC (16) ‖ key (32)');
        assert.equal(hex(receipt.key_id), hex(out.keyId));
        const key = sodium.crypto_box_seal_open(receipt.sealed_key, boxPublic, boxSecret);
        assert.equal(key.length, 32);
        keys.set(hex(out.keyId), key);
        // the seller countersigned exactly the state the maker signed
        const msg = channelCloseMessage(stub.binding, stub.block, stub.payingId, receipt.channel_seq, stub.ledger.remaining, false);
        assert.equal(hex(recoverChannelClose(msg, receipt.signature!)), hex(stub.delegate));
      }
      assert.equal(keys.size, 2);
      for (const { p, out } of wrapped) assert.deepEqual(openPlain(keys.get(hex(out.keyId))!, out.ciphertext), p);

      // Sealed to that buyer only: another Ed25519 key's X25519 form does not open it, nor does a tampered box.
      const [first] = wrapped;
      const again = await stub.sell(first!.out.keyId, buyer.publicKey, price);
      const other = sodium.crypto_sign_keypair();
      assert.throws(() => sodium.crypto_box_seal_open(again.sealed_key, sodium.crypto_sign_ed25519_pk_to_curve25519(other.publicKey), sodium.crypto_sign_ed25519_sk_to_curve25519(other.privateKey)));
      const tampered = new Uint8Array(again.sealed_key);
      tampered[50] = tampered[50]! ^ 1;
      assert.throws(() => sodium.crypto_box_seal_open(tampered, boxPublic, boxSecret));
      assert.equal(hex(sodium.crypto_box_seal_open(again.sealed_key, boxPublic, boxSecret)), hex(keys.get(hex(first!.out.keyId))!), 'a fresh seal of the same key');
    } finally {
      await seller.stop();
    }
  });
});
