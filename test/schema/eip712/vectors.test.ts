/**
 * Every vector of the specification's eip712-vectors.json (copied to test/fixtures; docs/protocol.md#test-vectors), plus the original Python vectors
 * of docs/protocol.md#test-vectors and the fixed vector of docs/protocol.md#test-vectors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3.js';
import secp from 'secp256k1';
import {
  ALL_TYPES,
  encodeType,
  hashApiPublishOnChain,
  hashChannelClose,
  hashChannelOpen,
  hashConsentOnChain,
  hashMarketLeaveOnChain,
  hashStruct,
  hashTypedMessage,
  recoverChannelClose,
  recoverChannelOpen,
  recoverDigestSigner,
  recoverSigner,
  secp256k1Backend,
  sign,
  signChannelClose,
  signChannelOpen,
  signDigest,
  typeHash,
  wmpDomainSeparator,
  xbrDomainSeparator,
  type ApiPublishMessage,
  type ChannelCloseMessage,
  type ChannelOpenMessage,
  type ConsentMessage,
  type MarketLeaveMessage,
  type PrimaryType,
} from '../../../schema/eip712/index.js';
import { WampError } from '../../../schema/errors.js';
import { fromHex, loadVectors, messageFromJson, toHex, typedVectors, type TypedVector } from './helpers.js';

const all = loadVectors();
const vectors = typedVectors(all);
const hexOf = (b: Uint8Array): string => toHex(b);
const lower = (s: string): string => s.toLowerCase();

function addressOf(privateKey: Uint8Array): string {
  return toHex(keccak_256(secp.publicKeyCreate(privateKey, false).subarray(1)).subarray(12));
}

describe('eip712 vectors (eip712-vectors.json)', () => {
  it('uses the native secp256k1 backend', () => {
    assert.equal(secp256k1Backend, 'native');
  });

  it('has typed vectors for every XBR type of docs/protocol.md#eip712-types', () => {
    const covered = new Set(vectors.map(([, v]) => v.primaryType));
    for (const t of Object.keys(ALL_TYPES)) if (!t.endsWith('Certificate')) assert.ok(covered.has(t as PrimaryType), t);
    assert.equal(vectors.length, 20);
  });

  it('domain separators', () => {
    assert.equal(hexOf(xbrDomainSeparator()), all.domainSeparator);
    assert.equal(hexOf(wmpDomainSeparator()), all.certDomainSeparator);
  });

  it('client type strings and type hashes', () => {
    const th = all.clientTypeHashes as Record<string, { typeString: string; typeHash: string }>;
    assert.equal(Object.keys(th).length, 14);
    for (const [name, v] of Object.entries(th)) {
      const pt = name as PrimaryType;
      assert.equal(encodeType(pt, ALL_TYPES[pt]), v.typeString, name);
      assert.equal(hexOf(typeHash(pt)), v.typeHash, name);
    }
  });

  it("Python's wrong NodePair type string hashes as recorded", () => {
    assert.equal(hexOf(keccak_256(new TextEncoder().encode(all.pythonNodePairTypeString as string))), all.pythonNodePairTypeHash);
  });

  it('accounts: private key → address', () => {
    for (const [name, [address, key]] of Object.entries(all.accounts as Record<string, [string, string]>)) {
      assert.equal(addressOf(fromHex(key)), lower(address), name);
    }
  });

  for (const [label, v] of vectors) {
    it(`${label}: type, struct hash, digest, signature, signer`, () => {
      check(v);
    });
  }

  it('on-chain variants (docs/protocol.md#test-vectors): Consent, MarketLeave, ApiPublish', () => {
    const get = (k: string): TypedVector => (all[k] as TypedVector);
    const consent = all['Consent.onchain'] as { typeHashSol: string; digest: string; signatureRawDigest: string };
    const leave = all['MarketLeave.onchain'] as { typeHashUsed: string; digest: string; signatureRawDigest: string };
    const api = all['ApiPublish.onchain'] as { typeStringSol: string; typeHashSol: string; digest: string; signature: string };
    const cv = get('Consent');
    const cm = messageFromJson('EIP712Consent', cv.message) as ConsentMessage;
    const cd = hashConsentOnChain(cm);
    assert.equal(hexOf(cd), consent.digest);
    assert.equal(hexOf(signDigest(cd, fromHex(cv.signerKey))), consent.signatureRawDigest);
    assert.equal(hexOf(recoverDigestSigner(cd, fromHex(consent.signatureRawDigest))), lower(cv.signer));

    const lv = get('MarketLeave');
    assert.equal(hexOf(typeHash('EIP712MarketJoin')), leave.typeHashUsed);
    const ld = hashMarketLeaveOnChain(messageFromJson('EIP712MarketLeave', lv.message) as MarketLeaveMessage);
    assert.equal(hexOf(ld), leave.digest);
    assert.equal(hexOf(signDigest(ld, fromHex(lv.signerKey))), leave.signatureRawDigest);

    const av = get('ApiPublish');
    assert.equal(hexOf(keccak_256(new TextEncoder().encode(api.typeStringSol))), api.typeHashSol);
    const ad = hashApiPublishOnChain(messageFromJson('EIP712ApiPublish', av.message) as ApiPublishMessage);
    assert.equal(hexOf(ad), api.digest);
    assert.equal(hexOf(signDigest(ad, fromHex(av.signerKey))), api.signature);
    assert.equal(hexOf(recoverDigestSigner(ad, fromHex(api.signature))), lower(av.signer));
  });

  it('ChannelClose final (delegate) with v = 1: rejected by default, accepted with acceptV01 (as on-chain)', () => {
    const v = all['ChannelClose.final.delegate'] as TypedVector;
    const msg = messageFromJson('EIP712ChannelClose', v.message) as ChannelCloseMessage;
    const sig = fromHex(v.signature);
    sig[64] = sig[64] === 27 ? 0 : 1;
    assert.throws(() => recoverChannelClose(msg, sig), (e: unknown) => {
      assert.ok(e instanceof WampError);
      assert.equal(e.uri, 'xbr.error.invalid_signature');
      assert.equal(e.message, `signature v must be 27 or 28, got ${sig[64]}`);
      return true;
    });
    assert.equal(hexOf(recoverChannelClose(msg, sig, { acceptV01: true })), lower(v.signer));
  });
});

function check(v: TypedVector): void {
  const pt = v.primaryType;
  const msg = messageFromJson(pt, v.message);
  assert.equal(encodeType(pt, ALL_TYPES[pt]), v.typeString);
  assert.equal(hexOf(typeHash(pt)), v.typeHash);
  assert.equal(hexOf(hashStruct(pt, msg)), v.structHash);
  const digest = hashTypedMessage(pt, msg);
  assert.equal(hexOf(digest), v.digest);
  const key = fromHex(v.signerKey);
  assert.equal(addressOf(key), lower(v.signer));
  assert.equal(hexOf(sign(pt, msg, key)), v.signature, 'deterministic signature equals the vector');
  assert.equal(hexOf(recoverSigner(pt, msg, fromHex(v.signature))), lower(v.signer));
  if (pt === 'EIP712ChannelClose') {
    const m = msg as ChannelCloseMessage;
    assert.equal(hexOf(hashChannelClose(m)), v.digest);
    assert.equal(hexOf(signChannelClose(m, key)), v.signature);
    assert.equal(hexOf(recoverChannelClose(m, fromHex(v.signature))), lower(v.signer));
  }
  if (pt === 'EIP712ChannelOpen') {
    const m = msg as ChannelOpenMessage;
    assert.equal(hexOf(hashChannelOpen(m)), v.digest);
    assert.equal(hexOf(signChannelOpen(m, key)), v.signature);
    assert.equal(hexOf(recoverChannelOpen(m, fromHex(v.signature))), lower(v.signer));
  }
}

describe('eip712 original vectors (docs/protocol.md#test-vectors) and docs/protocol.md#test-vectors', () => {
  // Seed phrase "avocado style uncover …", m/44'/60'/0'/0/i (docs/protocol.md#test-vectors).
  const adr = [
    '0xf766Dc789CF04CD18aE75af2c5fAf2DA6650Ff57',
    '0xf5173a6111B2A6B3C20fceD53B2A8405EC142bF6',
    '0xecdb40C2B34f3bA162C413CC53BA3ca99ff8A047',
    '0x2F070c2f49a59159A0346396f1139203355ACA43',
  ];
  const key0 = '0x805f84af7e182359db0610ffb07c801012b699b5610646937704aa5cfc28b15e';
  const key1 = '0x991c8f7609f3236ad5ef6d498b2ec0c9793c2865dd337ddc3033067c1da0e735';
  const eula = 'QmU7Gizbre17x6V2VR1Q2GJEjz6m8S1bXmBtVxS2vmvb81';
  const profile = 'QmcNsPV7QZFHKb2DNn8GWsU5dtd8zH5DNRa31geC63ceb4';
  const cases: Array<[PrimaryType, Record<string, unknown>, string, string, string]> = [
    ['EIP712MemberRegister', { chainId: 1, verifyingContract: adr[0], member: adr[1], registered: 666, eula, profile }, key0,
      '0x8abee87b2cf457841d173083d5f205183f3e78c6cee30ca77776344e11f612b3',
      '0x17ed35d8fd41fcb507ae11a3745d9775f37ff1c155257074fe2245cfb186f4336151fd018bf83a5e9902d825b645213a111630f78bbbc3c96f68d60b7e65dafd1c'],
    ['EIP712MemberRegister', { chainId: 23, verifyingContract: adr[0], member: adr[1], registered: 9999, eula, profile }, key0,
      '0x6a4f10dc41080c445a86acaae652ce80878fe768f6b459af08d14465c5310138',
      '0x1c0fa4d8e2b2d0d0391c4b7c5cf2f494eab5c7074aa46cfd11a2d8a6b8c087030db7a5b74128d9bb04f6baa12abaa45457e0cfe790e9ebbd62721c075d79335e1c'],
    ['EIP712MarketCreate', { chainId: 1, verifyingContract: adr[0], member: adr[1], created: 666, marketId: '0x5b7ee23c9353479ca49a2461c0a1deb2',
      coin: adr[3], terms: 'QmaozNR7DZHQK1ZcU9p7QdrshMvXqWK6gpu5rmrkPdT3L4', meta: 'Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD', maker: adr[2], marketFee: 100 }, key0,
      '0xf1b80df26ec6cc7dafeb8a5c69de77e8ec5a2c0e93f5d6e475124f18cf4c595f',
      '0x236660f4cc04df21289538bf15e83d5bd2858b9dad27022d6b83fc3374ce887d5789e1d40126823abf7ccef04d06e4a1717e6b6a00cbfacf5cc2e7b2e4cb384e1c'],
    ['EIP712DelegateCertificate', { chainId: 1, verifyingContract: adr[0], validFrom: 15124128, delegate: adr[1],
      csPubKey: '0x12ae0184b180e9a9c5e45be4a1afbce3c6491320063701cd9c4011a777d04089', bootedAt: '1657579546469365046',
      meta: 'Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu' }, key1,
      '0x69ea1212d83e42668573e94bbd18bb4ce6d05e12785d7c8f98e4f965fd2861a9',
      '0x2bd697b2bdb9bc2c2494e53e9440ddb3e8a596eedaad717f8ecdb732d091a7de48d72d9a26d7e092ec55c074979ab039f8e003acf80224819ff396c9529eb1d11b'],
    ['EIP712AuthorityCertificate', { chainId: 1, verifyingContract: adr[0], validFrom: 15124128, issuer: adr[0], subject: adr[1],
      realm: '0xA6e693CC4A2b4F1400391a728D26369D9b82ef96', capabilities: 3, meta: 'Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu' }, key0,
      '0x7cb01a68888cc5fd04309be5731d0e97bf495e27e2c784b4c7dd55a63f7f0c78',
      '0x83590d4304cc5f6024d6a85ed2c511a60e804d609e4f498c8af777d5102c6d22657673e7b68876795e3c72f857b68e13cf616ee4c2ea559bceb344021bf977b61c'],
  ];
  for (const [pt, json, key, digest, signature] of cases) {
    it(`${pt} ${digest.slice(0, 10)}`, () => {
      const msg = messageFromJson(pt, json);
      assert.equal(hexOf(hashTypedMessage(pt, msg)), digest);
      assert.equal(hexOf(sign(pt, msg, fromHex(key))), signature);
      assert.equal(hexOf(recoverSigner(pt, msg, fromHex(signature))), addressOf(fromHex(key)));
    });
  }

  it('docs/protocol.md#test-vectors ChannelClose vector (chainId 5777)', () => {
    const msg = messageFromJson('EIP712ChannelClose', {
      chainId: 5777, verifyingContract: '0x254dffcd3277C0b1660F6d42EFbB754edaBAbC2B', closeAt: 123456,
      marketId: '0xa1b8d6741ae8492017fafd8d4f8b67a2', channelId: '0x0d2d7f3c7a9b4e0f8a3b2c1d0e9f8a7b', channelSeq: 42,
      balance: (10n ** 21n).toString(), isFinal: false,
    }) as ChannelCloseMessage;
    const sig = '0xbeaa20963da0134a6ff308bd937654d5ec97662d712837597f894ebb58bcc237718f9c41cda86a9b9e16aae3bebee262667b463e52314d933a6e9cfb898bc0ac1b';
    assert.equal(hexOf(hashChannelClose(msg)), '0xb0dbd548d6ba6192c7451a6ff5a8fd328a3ead73ce67ccc010a62a036fcd67cc');
    assert.equal(hexOf(signChannelClose(msg, fromHex('0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d'))), sig);
    assert.equal(hexOf(recoverChannelClose(msg, fromHex(sig))), lower('0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1'));
  });
});
