/**
 * A logical WAMP payload (bytes, integers beyond 2^32, unicode, floats, nesting) with its wire form for
 * each client serializer and a strict check of how a peer of each serializer must receive it.
 *
 * - bytes: msgpack/cbor peers get a Uint8Array; JSON peers get `"\u0000" + base64` (WAMP's JSON rule).
 * - integers: exact values; JSON and wampy-cbor peers get numbers, msgpack peers number or bigint.
 */
import assert from 'node:assert/strict';
import type { SerializerKind } from './router.js';

export class Bytes {
  readonly buf: Buffer;
  constructor(bytes: number[] | Uint8Array) {
    this.buf = Buffer.from(bytes);
  }
}

export class Int {
  constructor(readonly value: bigint) {}
}

export type Logical = Bytes | Int | string | number | boolean | null | Logical[] | { [k: string]: Logical };

/**
 * The reference payload: args and kwargs. `beyond53: false` leaves out integers above 2^53, which a JS
 * JSON client cannot send exactly (JSON.stringify(2 ** 60) is "1152921504606847000").
 */
export function samplePayload(opts: { beyond53?: boolean } = {}): { args: Logical[]; kwargs: Record<string, Logical> } {
  const bytes = new Bytes([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]);
  const big = opts.beyond53 === false ? new Int(2n ** 53n) : new Int(2n ** 60n);
  return {
    args: [
      bytes,
      new Bytes([]),
      new Int(2n ** 40n),
      new Int(2n ** 53n),
      big,
      new Int(-(2n ** 40n)),
      new Int(0n),
      'ü€𝄞 ✓',
      'a\u0000b',
      1.5,
      null,
      true,
      [new Int(7n), [bytes, 'x']],
    ],
    kwargs: { bin: bytes, n53: new Int(2n ** 53n), big, s: 'κλειδί', nested: { deep: [new Int(1n), bytes], f: -0.25 } },
  };
}

/** How a client of serializer `kind` sends a logical value. */
export function toWire(kind: SerializerKind, v: Logical): unknown {
  // (wampy's CBOR serializer, cbor-x, writes a plain Uint8Array as tag 64 "uint8 typed array", a Buffer as a byte string)
  if (v instanceof Bytes) return kind === 'json' ? '\u0000' + v.buf.toString('base64') : new Uint8Array(v.buf);
  if (v instanceof Int) {
    const n = Number(v.value);
    if (kind === 'json') {
      if (BigInt(n) !== v.value) throw new Error(`${v.value} cannot be sent exactly by a JSON client`);
      return n;
    }
    return Number.isSafeInteger(n) ? n : v.value;
  }
  if (Array.isArray(v)) return v.map((x) => toWire(kind, x));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(kind, x)]));
  return v;
}

/**
 * What a payload becomes after a JS JSON peer (JSON.parse + JSON.stringify) echoed it: integers beyond
 * 2^53 are re-sent in their shortest double form (2^60 -> 1152921504606847000).
 */
export function viaJsJson(v: Logical): Logical {
  if (v instanceof Int) return Number.isSafeInteger(Number(v.value)) ? v : new Int(BigInt(String(Number(v.value))));
  if (v instanceof Bytes || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(viaJsJson);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, viaJsJson(x)]));
}

/** Asserts that `got` is how a peer of serializer `kind` must receive the logical value `want`. */
export function assertReceived(kind: SerializerKind, got: unknown, want: Logical, path = '$'): void {
  if (want instanceof Bytes) {
    if (kind === 'json') {
      assert.equal(typeof got, 'string', `${path}: JSON peer must get bytes as a "\\u0000"+base64 string`);
      assert.equal(got, '\u0000' + want.buf.toString('base64'), `${path}: bytes`);
    } else {
      assert.ok(got instanceof Uint8Array, `${path}: ${kind} peer must get bytes as Uint8Array, got ${typeof got} ${String(got)}`);
      assert.equal(Buffer.from(got).toString('hex'), want.buf.toString('hex'), `${path}: bytes`);
    }
    return;
  }
  if (want instanceof Int) {
    if (typeof got === 'bigint') {
      assert.ok(kind === 'msgpack', `${path}: ${kind} peer got a bigint (${got}) where a number was expected`);
      assert.equal(got, want.value, `${path}: integer`);
    } else {
      assert.equal(typeof got, 'number', `${path}: integer must arrive as number${kind === 'msgpack' ? ' or bigint' : ''}, got ${typeof got}`);
      assert.ok(Number.isInteger(got), `${path}: integer arrived as non-integer ${String(got)}`);
      // exact for safe integers; beyond 2^53 a number can only be the nearest double
      assert.equal(got, Number(want.value), `${path}: integer ${want.value}`);
    }
    return;
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path}: expected a list, got ${typeof got}`);
    assert.equal(got.length, want.length, `${path}: list length`);
    want.forEach((w, i) => {
      assertReceived(kind, got[i], w, `${path}[${i}]`);
    });
    return;
  }
  if (want !== null && typeof want === 'object') {
    assert.ok(got !== null && typeof got === 'object' && !Array.isArray(got) && !(got instanceof Uint8Array), `${path}: expected a dict`);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${path}: dict keys`);
    for (const [k, w] of Object.entries(want)) assertReceived(kind, (got as Record<string, unknown>)[k], w, `${path}.${k}`);
    return;
  }
  if (typeof want === 'number') {
    assert.equal(typeof got, 'number', `${path}: expected a number`);
    assert.equal(got, want, `${path}: number`);
    return;
  }
  assert.equal(got, want, `${path}`);
}
