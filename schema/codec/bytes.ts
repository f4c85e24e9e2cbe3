/** Byte-wise equality of ids, addresses, signatures: decoders hand out Buffers, callers hold Uint8Arrays. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}
