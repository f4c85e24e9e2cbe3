/**
 * EIP712 micro-benchmarks: our native-secp256k1 + noble-keccak path beside the pure-JS baselines (ethers
 * v6, viem) in the same run, on the docs/protocol.md#test-vectors `EIP712ChannelClose` vector. Each figure is the median of 3
 * fixed-duration runs (1 s, quick 0.3 s) after a warm-up.
 *
 * Run alone: `node --import tsx bench/primitives/eip712.ts [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { TypedDataEncoder, Wallet, verifyTypedData } from 'ethers';
import { hashTypedData } from 'viem';
import type { Address, Uuid } from '../../schema/codec/types.js';
import {
  XBR_TYPES,
  hashChannelClose,
  hashTypedMessage,
  recoverChannelClose,
  secp256k1Backend,
  signChannelClose,
  type ChannelCloseMessage,
} from '../../schema/eip712/index.js';

type Print = (name: string, value: number, unit: string) => void;

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/^0x/, ''), 'hex'));
const toHex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function median3(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[1] as number;
}

function measureSync(fn: () => unknown, seconds: number): number {
  const warm = performance.now() + Math.min(300, seconds * 300);
  while (performance.now() < warm) fn();
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 16; i++) fn();
      n += 16;
    }
    runs.push(n / ((performance.now() - t0) / 1000));
  }
  return median3(runs);
}

async function measureAsync(fn: () => Promise<unknown>, seconds: number): Promise<number> {
  const warm = performance.now() + Math.min(300, seconds * 300);
  while (performance.now() < warm) await fn();
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 4; i++) await fn();
      n += 4;
    }
    runs.push(n / ((performance.now() - t0) / 1000));
  }
  return median3(runs);
}

/**
 * Prints `eip712.*` figures (ops/s) and ratio lines (ours ÷ baseline).
 * Goal: ChannelClose verify ≥ 8,000/s and ≥ 20× ethers `verifyTypedData`.
 * @example await benchEip712((n, v, u) => console.log(n, v, u), true)
 */
export async function benchEip712(print: Print, quick: boolean): Promise<void> {
  const secs = quick ? 0.3 : 1;
  // docs/protocol.md#test-vectors "ChannelClose, final (delegate)": charlie's delegate
  const key = hex('0xe485d098507f54e7733a205420dfddbe58db035fa577fc294ebd14db90767a52');
  const signer = hex('0x3E5e9111Ae8eB78Fe1CC3bb8915d5D461F3Ef9A9') as Address;
  const msg: ChannelCloseMessage = {
    chainId: 1n,
    verifyingContract: hex('0x7A3d22c59e8F8f1b88ba7205f3f5a65Bc86D04Bc') as Address,
    closeAt: 110n,
    marketId: hex('0x9f80cc2aeb85c799e6c468af409dd6eb') as Uuid,
    channelId: hex('0x84930c9d7ce5ef9747fbd69386f41ff7') as Uuid,
    channelSeq: 13,
    balance: 55n * 10n ** 18n,
    isFinal: true,
  };
  const domain = { name: 'XBR', version: '1' };
  const types = { EIP712ChannelClose: XBR_TYPES.EIP712ChannelClose.map((f) => ({ name: f.name, type: f.type })) };
  const lib = {
    ...msg,
    verifyingContract: toHex(msg.verifyingContract),
    marketId: toHex(msg.marketId),
    channelId: toHex(msg.channelId),
  };
  const wallet = new Wallet(toHex(key));
  const sig = signChannelClose(msg, key);
  const sigHex = toHex(sig);
  if (sigHex !== (await wallet.signTypedData(domain, types, lib))) throw new Error('bench: our signature differs from ethers');
  if (!equal(recoverChannelClose(msg, sig), signer)) throw new Error('bench: recovery mismatch');

  print('eip712.secp256k1_backend_native', secp256k1Backend === 'native' ? 1 : 0, 'bool');

  const verifyOurs = measureSync(() => {
    if (!equal(recoverChannelClose(msg, sig), signer)) throw new Error('verify failed');
  }, secs);
  print('eip712.channel_close.verify.ours', verifyOurs, 'ops/s');
  const verifyEthers = measureSync(() => {
    if (verifyTypedData(domain, types, lib, sigHex) !== wallet.address) throw new Error('verify failed');
  }, secs);
  print('eip712.channel_close.verify.ethers', verifyEthers, 'ops/s');
  print('eip712.channel_close.verify.ratio_ours_vs_ethers', verifyOurs / verifyEthers, 'x');

  const signOurs = measureSync(() => signChannelClose(msg, key), secs);
  print('eip712.channel_close.sign.ours', signOurs, 'ops/s');
  const signEthers = await measureAsync(() => wallet.signTypedData(domain, types, lib), secs);
  print('eip712.channel_close.sign.ethers', signEthers, 'ops/s');
  print('eip712.channel_close.sign.ratio_ours_vs_ethers', signOurs / signEthers, 'x');

  const hashOurs = measureSync(() => hashChannelClose(msg), secs);
  print('eip712.channel_close.hash.ours_hot_path', hashOurs, 'ops/s');
  const hashGeneric = measureSync(() => hashTypedMessage('EIP712ChannelClose', msg), secs);
  print('eip712.channel_close.hash.ours_generic', hashGeneric, 'ops/s');
  const hashEthers = measureSync(() => TypedDataEncoder.hash(domain, types, lib), secs);
  print('eip712.channel_close.hash.ethers', hashEthers, 'ops/s');
  const hashViem = measureSync(() => hashTypedData({ domain, types, primaryType: 'EIP712ChannelClose', message: lib }), secs);
  print('eip712.channel_close.hash.viem', hashViem, 'ops/s');
  print('eip712.channel_close.hash.ratio_ours_vs_ethers', hashOurs / hashEthers, 'x');
  print('eip712.channel_close.hash.ratio_generic_vs_ethers', hashGeneric / hashEthers, 'x');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  await benchEip712((name, value, unit) => {
    const digits = unit === 'x' ? 1 : 0;
    process.stdout.write(`${name} ${value.toFixed(digits)} ${unit}\n`);
  }, quick);
}
