/** Shared helpers of the EIP712 tests: vectors, hex, random messages and their ethers/viem form. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ALL_TYPES, type Eip712Field, type MessageMap, type PrimaryType } from '../../../schema/eip712/index.js';

/** The signing vectors of the specification, copied into the repository (test/fixtures). */
const VECTORS_PATH = new URL('../../fixtures/eip712-vectors.json', import.meta.url);

export interface TypedVector {
  primaryType: PrimaryType;
  typeString: string;
  typeHash: string;
  signer: string;
  signerKey: string;
  message: Record<string, unknown>;
  structHash: string;
  digest: string;
  signature: string;
}

/** The vector file, parsed. */
export function loadVectors(): Record<string, unknown> {
  return JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Record<string, unknown>;
}

/** The entries of the vector file that are typed-data vectors (have a primaryType). */
export function typedVectors(all: Record<string, unknown>): Array<[string, TypedVector]> {
  return Object.entries(all).filter(
    (e): e is [string, TypedVector] => typeof e[1] === 'object' && e[1] !== null && 'primaryType' in e[1],
  );
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.startsWith('0x') ? hex.slice(2) : hex, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/** A JSON vector message (hex strings, numbers, decimal strings) in our form. */
export function messageFromJson<P extends PrimaryType>(primaryType: P, json: Record<string, unknown>): MessageMap[P] {
  const out: Record<string, unknown> = {};
  for (const f of ALL_TYPES[primaryType]) {
    const v = json[f.name];
    out[f.name] = convertIn(f, v);
  }
  return out as unknown as MessageMap[P];
}

function convertIn(f: Eip712Field, v: unknown): unknown {
  switch (f.type) {
    case 'address':
    case 'bytes16':
    case 'bytes32':
    case 'bytes':
      return fromHex(String(v));
    case 'uint8':
    case 'uint32':
      return Number(v);
    case 'uint64':
    case 'uint256':
      return BigInt(String(v));
    default:
      return v;
  }
}

/** Our message in the form ethers/viem take (addresses and fixed bytes as hex). */
export function messageToLib(primaryType: PrimaryType, message: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rec = message as Record<string, unknown>;
  for (const f of ALL_TYPES[primaryType]) {
    const v = rec[f.name];
    out[f.name] = v instanceof Uint8Array ? toHex(v) : v;
  }
  return out;
}

/** `{[primaryType]: fields}` as ethers/viem want it. */
export function libTypes(primaryType: PrimaryType): Record<string, Array<{ name: string; type: string }>> {
  return { [primaryType]: ALL_TYPES[primaryType].map((f) => ({ name: f.name, type: f.type })) };
}

const STRINGS = ['', 'Qm', 'QmQ5JFWUMNhDGLigbqzWkJxJiB3mKRgT8L99pq7tx6ypKW', 'bob@example.com', 'ünïcødé ✓ 🚀', 'x'.repeat(300)];

function randomUint(bits: number): bigint {
  const r = Math.random();
  if (r < 0.1) return 0n;
  if (r < 0.2) return (1n << BigInt(bits)) - 1n;
  const bytes = randomBytes(bits / 8);
  const v = BigInt(toHex(bytes));
  // mix magnitudes: sometimes small
  return r < 0.5 ? v >> BigInt(Math.floor(Math.random() * bits)) : v;
}

function randomValue(f: Eip712Field): unknown {
  switch (f.type) {
    case 'address':
      return new Uint8Array(randomBytes(20));
    case 'bytes16':
      return new Uint8Array(randomBytes(16));
    case 'bytes32':
      return new Uint8Array(randomBytes(32));
    case 'bytes':
      return new Uint8Array(randomBytes(Math.floor(Math.random() * 100)));
    case 'bool':
      return Math.random() < 0.5;
    case 'string':
      return Math.random() < 0.7
        ? (STRINGS[Math.floor(Math.random() * STRINGS.length)] as string)
        : randomBytes(Math.floor(Math.random() * 60)).toString('base64');
    case 'uint8':
      return Number(randomUint(8));
    case 'uint32':
      return Number(randomUint(32));
    case 'uint64':
      return randomUint(64);
    case 'uint256':
      return randomUint(256);
  }
}

/** A random, valid message of `primaryType`. */
export function randomMessage<P extends PrimaryType>(primaryType: P): MessageMap[P] {
  const out: Record<string, unknown> = {};
  for (const f of ALL_TYPES[primaryType]) out[f.name] = randomValue(f);
  return out as unknown as MessageMap[P];
}
