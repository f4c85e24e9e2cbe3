/**
 * CID validation of hash strings from chain: CIDv0 and CIDv1 (dag-pb / raw, sha2-256) are accepted and
 * named on disk by their CIDv1 base32 form; anything else — path-like strings, very long strings, other
 * codecs or hashes, non-CIDs — is refused with a reason, and the ipfs_files key stays bounded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CID } from 'multiformats/cid';
import { base16 } from 'multiformats/bases/base16';
import { base36 } from 'multiformats/bases/base36';
import { checkCid, fileKey, MAX_HASH_LENGTH } from '../../../worker/ipfs/index.js';

const V0 = 'QmNhtAgd5yoyTUn3eYjUm1Z2bqs8Z2UMCfvftDLbf1UuZK';

describe('checkCid', () => {
  it('accepts a CIDv0 and names it by its CIDv1 in base32', () => {
    const r = checkCid(V0);
    assert.ok(r.ok);
    assert.equal(r.cid.version, 0);
    assert.match(r.fileName, /^bafybei[a-z2-7]+$/);
    assert.equal(r.fileName, CID.parse(V0).toV1().toString());
  });

  it('accepts the same CID as CIDv1 in base32, base36, base16 and base58btc, with the same file name', () => {
    const v1 = CID.parse(V0).toV1();
    const expected = checkCid(V0);
    assert.ok(expected.ok);
    for (const s of [v1.toString(), v1.toString(base36), v1.toString(base16), v1.toString(undefined as never).replace(/^b/, 'b')]) {
      const r = checkCid(s);
      assert.ok(r.ok, s);
      assert.equal(r.fileName, expected.fileName);
    }
  });

  it('accepts raw-codec CIDv1 (bafk…)', () => {
    const r = checkCid('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy');
    assert.ok(r.ok);
    assert.equal(r.cid.code, 0x55);
  });

  it('refuses hostile and non-CID strings with a reason', () => {
    const cases: [unknown, RegExp][] = [
      ['', /empty/],
      ['../x', /not a CID/],
      ['/etc/passwd', /not a CID/],
      ['Qm' + 'a'.repeat(5000), /5002 characters/],
      ['hello', /not a CID/],
      [`${V0}/../../x`, /not a CID/],
      [` ${V0}`, /not a CID/],
      ['QmNhtAgd5yoyTUn3eYjUm1Z2bqs8Z2UMCfvftDLbf1Uu', /not a CID/],
      ['bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', /unsupported codec 0x71/],
      ['bafkr2qffcdxdoqrdbdnvf2lpkv4mwyjb7umisunyocbm7mu7pn2ixvdb6f3ptpwfyhhemfuqh5puf45gftkxbqyowwxbmwsp6ysqwvdnubcmi', /unsupported multihash 0x1d/],
      [42, /not a string/],
    ];
    for (const [h, reason] of cases) {
      const r = checkCid(h);
      assert.equal(r.ok, false, String(h).slice(0, 40));
      if (!r.ok) assert.match(r.reason, reason);
    }
  });

  it('keys over-long strings by their sha256, so LMDB never sees a huge key', () => {
    assert.equal(fileKey(V0), V0);
    const long = 'Qm' + 'a'.repeat(5000);
    assert.match(fileKey(long), /^~long:[0-9a-f]{64}$/);
    assert.notEqual(fileKey(long), fileKey(long + 'b'));
    assert.equal(fileKey('x'.repeat(MAX_HASH_LENGTH)), 'x'.repeat(MAX_HASH_LENGTH));
  });
});
