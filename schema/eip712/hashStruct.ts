/**
 * Generic `hashStruct` for the XBR/WMP types: one preallocated layout per type (type hash + one word per
 * field), compiled once from the type data of `types.ts`.
 */
import type { Hash32 } from '../codec/types.js';
import { invalidArgument } from './errors.js';
import { keccak256 } from './keccak.js';
import { typeHashRef } from './typeHash.js';
import { ALL_TYPES, type Eip712Field, type MessageMap, type PrimaryType } from './types.js';
import { wordWriterFor, type WordWriter } from './words.js';

/** Hashes one message object of a compiled struct layout. */
export type StructHasher = (message: object) => Hash32;

/**
 * Compiles `hashStruct` for `fields` under an explicit type hash. The type hash is a parameter so that the
 * on-chain variants (a contract hashing another type string than the fields) can reuse the field encoding.
 */
export function compileStructHasher(typeName: string, typeHash: Uint8Array, fields: readonly Eip712Field[]): StructHasher {
  const writers: WordWriter[] = fields.map((x) => wordWriterFor(x.type));
  const names = fields.map((x) => x.name);
  const labels = names.map((n) => `${typeName}.${n}`);
  const size = 32 * (fields.length + 1);
  return (message) => {
    if (message === null || typeof message !== 'object') throw invalidArgument(typeName, 'expected a message object');
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    out.set(typeHash, 0);
    const rec = message as Record<string, unknown>;
    for (let i = 0; i < writers.length; i++) {
      const name = names[i] as string;
      const value = rec[name];
      if (value === undefined) throw invalidArgument(labels[i] as string, 'missing');
      (writers[i] as WordWriter)(out, view, 32 * (i + 1), value, labels[i] as string);
    }
    return keccak256(out) as Hash32;
  };
}

const hashers = Object.create(null) as Record<PrimaryType, StructHasher | undefined>;
for (const [name, fields] of Object.entries(ALL_TYPES)) {
  hashers[name as PrimaryType] = compileStructHasher(name, typeHashRef(name as PrimaryType), fields);
}

/**
 * EIP712 `hashStruct(message)` of an XBR or WMP type.
 * @example hashStruct('EIP712ChannelClose', msg) // 32 bytes
 */
export function hashStruct<P extends PrimaryType>(primaryType: P, message: MessageMap[P]): Hash32 {
  const hasher = hashers[primaryType];
  if (hasher === undefined) throw invalidArgument('primaryType', `unknown EIP712 type ${String(primaryType)}`);
  return hasher(message);
}
