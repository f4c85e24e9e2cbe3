/**
 * Codec benchmark: `packUint256` / `unpackUint256` beside a naive hex baseline
 * (`Buffer.from(v.toString(16).padStart(64, '0'), 'hex')` / `BigInt('0x' + hex)`), on a mix of small
 * (amounts that fit 64 bits) and full-width values. Prints `name value unit` lines and the ratios.
 */
import { randomBytes } from 'node:crypto';
import { packUint256, unpackUint256 } from '../../schema/codec/uint256.js';

type Print = (name: string, value: number, unit: string) => void;

function naivePack(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

function naiveUnpack(b: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}

/** Runs `fn` over `inputs` repeatedly for about `ms` milliseconds; returns operations per second. */
function opsPerSecond<T>(inputs: readonly T[], fn: (x: T) => unknown, ms: number): number {
  let sink = 0;
  const run = (rounds: number): void => {
    for (let r = 0; r < rounds; r++) for (const x of inputs) if (fn(x) === undefined) sink++;
  };
  run(20); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    run(10);
    ops += 10 * inputs.length;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink < 0) console.error(sink);
  return (ops * 1e9) / Number(elapsed);
}

/**
 * Measures uint256 packing and unpacking; `quick` shortens each run to 100 ms (else 1 s).
 *
 * @example
 * await benchCodec((n, v, u) => console.log(n, v.toFixed(0), u), true);
 */
export async function benchCodec(print: Print, quick: boolean): Promise<void> {
  const ms = quick ? 100 : 1000;
  const values: bigint[] = [];
  for (let i = 0; i < 1024; i++) {
    const width = i % 2 === 0 ? 8 : 32; // half 64-bit amounts, half full width
    values.push(BigInt('0x' + randomBytes(width).toString('hex')));
  }
  const packed = values.map((v) => packUint256(v));

  const pack = opsPerSecond(values, packUint256, ms);
  const packNaive = opsPerSecond(values, naivePack, ms);
  const unpack = opsPerSecond(packed, (b) => unpackUint256(b), ms);
  const unpackNaive = opsPerSecond(packed, naiveUnpack, ms);

  print('codec.packUint256', pack, 'ops/s');
  print('codec.packUint256.naive_hex', packNaive, 'ops/s');
  print('codec.packUint256.ratio_vs_naive', pack / packNaive, 'x');
  print('codec.unpackUint256', unpack, 'ops/s');
  print('codec.unpackUint256.naive_hex', unpackNaive, 'ops/s');
  print('codec.unpackUint256.ratio_vs_naive', unpack / unpackNaive, 'x');
}

// `node --import tsx bench/primitives/codec.ts [--quick]` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  await benchCodec((name, value, unit) => console.log(`${name} ${value < 100 ? value.toFixed(2) : value.toFixed(0)} ${unit}`), process.argv.includes('--quick'));
}
