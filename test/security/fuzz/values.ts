/**
 * The grammar of argument values the fuzzer sends: for a parameter's {@link Slot}, a right-looking value
 * (real ids and addresses of the running market, so a call gets past the first checks), a near miss (one
 * byte short, off by one, the right bytes as a hex string) or a hostile value of any shape — wrong types,
 * edge integers, floats, byte strings of wrong and right lengths, strings up to 100 kB, lists and dicts
 * nested up to 50 deep, dict keys such as `__proto__` and `constructor`.
 *
 * Only what the wire can carry is generated: bigints beyond 64 bits only for CBOR (msgpack has no
 * bignums), at most one ~100 kB value per call (the router's max_message_size is 1 MiB), nesting far
 * below the router's 1000 levels (deeper is the router's to refuse, not the maker's).
 */
import type { Slot } from './procedures.js';
import type { Rng } from './rng.js';

export type WireSerializer = 'msgpack' | 'cbor';

/** Right-looking values per slot: the running market's real ones and well-formed constants. */
export type SlotPools = Readonly<Record<Slot, readonly unknown[]>>;

/** Dict keys that mean something to JavaScript objects. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then'] as const;

/** Byte string lengths around the ones XBR uses (16 id, 20 address, 32 uint256/key, 65 signature, 80 sealed box). */
const BYTE_LENGTHS = [0, 1, 15, 16, 17, 19, 20, 21, 31, 32, 33, 64, 65, 66, 80] as const;

/** How long a "very long" string or byte string is: far above every argument's bound, far below 1 MiB. */
const LONG_VALUE_LENGTH = 100 * 1024;

/** Deepest list/dict nesting generated (the router refuses beyond 1000; that is not the maker's case). */
const MAX_GENERATED_DEPTH = 50;

const TWO_53 = 2 ** 53;
const MAX_UINT64 = 2n ** 64n - 1n;
const MIN_INT64 = -(2n ** 63n);

const INTEGERS: readonly number[] = [
  0, 1, -1, 2, 3, 4, 27, 28, 127, 128, 255, 256, -128, 65_535, 65_536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32,
  TWO_53 - 1, -(TWO_53 - 1), TWO_53,
];
const FLOATS: readonly number[] = [0.5, 1.5, -1.5, -0, 1e308, -1e308, 5e-324, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 2.000000001];
/** 64-bit integers beyond ±2^53: both encoders carry them. */
const BIGINTS_64: readonly bigint[] = [2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, -(2n ** 63n), -(2n ** 53n) - 1n];
/** Beyond 64 bits: CBOR bignums only. */
const BIGINTS_HUGE: readonly bigint[] = [2n ** 64n, 2n ** 100n, 2n ** 256n - 1n, 2n ** 256n, 2n ** 512n, -(2n ** 64n) - 1n, -(2n ** 300n)];
const STRINGS: readonly string[] = [
  '', ' ', 'a', '0', '-1', 'null', 'None', 'true', 'NaN', '0x', '0x00', `0x${'ab'.repeat(16)}`, `0x${'ab'.repeat(20)}`, `0x${'ab'.repeat(32)}`,
  'xbr.demo.data', 'XBR.Demo', 'a..b', 'a.#', 'realm1', 'member-0x', 'anonymous', '\u0000', '\u0000AAAA', 'é', '💥', '\u202e',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal template placeholder is one of the hostile strings
  'a'.repeat(513), 'b'.repeat(1001), 'c'.repeat(10_001), '__proto__', 'constructor', 'Qm', 'bafy', '%s%s%n', '${x}', '<script>',
];
const PLAIN_KEYS: readonly string[] = ['', ' ', 'a', '0', '1', 'key_id', 'channel_oid', 'price', 'privkey', 'limit', 'x'.repeat(300), '💥', 'a.b', '__proto_'];

/**
 * Sets an own, enumerable property (also for `__proto__`, which plain assignment would turn into a
 * prototype change): both encoders write it as an ordinary map key, so it really reaches the wire.
 */
export function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Values for one call. `rightness` is the share of right-looking values: a call of many parameters gets
 * deep into a procedure only when nearly all are right, so some calls are mostly right with one or two
 * wrong, others mostly wrong. Remembers whether the call already carries a ~100 kB value.
 */
export class ValueGrammar {
  private longUsed = false;

  constructor(
    private readonly rng: Rng,
    private readonly pools: SlotPools,
    private readonly serializer: WireSerializer,
    private readonly rightness = 0.5,
  ) {}

  /** A value for a parameter of kind `slot`: right-looking (`rightness`), else a near miss or anything. */
  forSlot(slot: Slot): unknown {
    const r = this.rng.float();
    if (r < this.rightness) return this.rightLooking(slot);
    if (r < this.rightness + (1 - this.rightness) * 0.3) return this.nearMiss(this.rightLooking(slot));
    return this.hostile(0);
  }

  rightLooking(slot: Slot): unknown {
    return this.rng.pick(this.pools[slot]);
  }

  /** `v` changed a little: one byte short or long, off by one, a hex string instead of bytes, one hostile key more. */
  nearMiss(v: unknown): unknown {
    const rng = this.rng;
    if (v instanceof Uint8Array) {
      const b = Buffer.from(v);
      switch (rng.int(6)) {
        case 0: return b.subarray(0, Math.max(0, b.length - 1));
        case 1: return Buffer.concat([b, Buffer.from([rng.int(256)])]);
        case 2: {
          const i = rng.int(b.length);
          if (b.length > 0) b[i] = (b[i] ?? 0) ^ (1 << rng.int(8));
          return b;
        }
        case 3: return `0x${b.toString('hex')}`;
        case 4: return Array.from(b);
        default: return Buffer.alloc(b.length, 0xff);
      }
    }
    if (typeof v === 'number') return this.sendable(rng.pick([v + 1, v - 1, -v, v + 0.5, String(v), BigInt(Math.trunc(v)) + 2n ** 53n, v * 2 ** 32]));
    if (typeof v === 'bigint') return this.sendable(rng.pick<unknown>([v + 1n, v - 1n, -v, Number(v) + 0.5, String(v), v * 2n ** 40n]));
    if (typeof v === 'string') return rng.pick([`${v}.`, v.toUpperCase(), `${v}#`, ` ${v}`, v.slice(1), `${v}\u0000`]);
    if (typeof v === 'boolean') return rng.pick<unknown>([v ? 1 : 0, String(v), null]);
    if (Array.isArray(v)) return [...v, this.hostile(1)];
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
      defineKey(out, rng.pick(PROTOTYPE_KEYS), this.hostile(1));
      return out;
    }
    return this.hostile(0);
  }

  /** `v`, or for msgpack (no bignums) a bigint beyond 64 bits pulled back to the nearest 64-bit one. */
  private sendable(v: unknown): unknown {
    if (typeof v !== 'bigint' || this.serializer === 'cbor') return v;
    if (v > MAX_UINT64) return MAX_UINT64;
    if (v < MIN_INT64) return MIN_INT64;
    return v;
  }

  /** Any value the wire can carry, with no regard for what the parameter wants. */
  hostile(depth: number): unknown {
    const rng = this.rng;
    const leafOnly = depth >= 3;
    switch (rng.int(leafOnly ? 10 : 14)) {
      case 0: return rng.pick<unknown>([null, undefined, true, false]);
      case 1: return rng.pick(INTEGERS);
      case 2: return rng.chance(0.5) ? rng.pick(INTEGERS) : rng.between(-1_000_000, 1_000_000);
      case 3: return rng.pick(FLOATS);
      case 4: return this.serializer === 'cbor' && rng.chance(0.5) ? rng.pick(BIGINTS_HUGE) : rng.pick(BIGINTS_64);
      case 5:
      case 6: return rng.pick(STRINGS);
      case 7:
      case 8: return this.bytesOf(rng.pick(BYTE_LENGTHS));
      case 9: return this.long();
      case 10: return Array.from({ length: rng.int(5) }, () => this.hostile(depth + 1));
      case 11: return this.dict(depth + 1);
      case 12: return this.nested(rng.between(3, MAX_GENERATED_DEPTH));
      default: return rng.chance(0.5) ? [] : {};
    }
  }

  /** A dict of up to 5 entries whose keys include prototype names. */
  dict(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = this.rng.int(6); i > 0; i--) defineKey(out, this.key(), this.hostile(depth));
    return out;
  }

  key(): string {
    return this.rng.chance(0.5) ? this.rng.pick(PROTOTYPE_KEYS) : this.rng.pick(PLAIN_KEYS);
  }

  /** Lists and dicts inside each other, `levels` deep, with a value at the bottom. */
  nested(levels: number): unknown {
    let v: unknown = this.rng.chance(0.5) ? this.bytesOf(this.rng.pick(BYTE_LENGTHS)) : this.rng.pick(INTEGERS);
    for (let i = 0; i < levels; i++) {
      if (this.rng.chance(0.5)) v = [v];
      else {
        const d: Record<string, unknown> = {};
        defineKey(d, this.key(), v);
        v = d;
      }
    }
    return v;
  }

  /**
   * A ~100 kB value, once per call (a short string after that): a string, a byte string, a list of
   * thousands of addresses (lists are bounded at 1000 items) or a dict of thousands of keys.
   */
  long(): unknown {
    if (this.longUsed) return this.rng.pick(STRINGS);
    this.longUsed = true;
    const r = this.rng.float();
    if (r < 0.2) return this.bytesOf(LONG_VALUE_LENGTH);
    if (r < 0.35) return Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? this.rightLooking('address') : this.bytesOf(20)));
    if (r < 0.45) {
      const d: Record<string, unknown> = {};
      for (let i = 0; i < 3000; i++) defineKey(d, `k${i}`, 'v');
      return d;
    }
    const unit = this.rng.pick(['x', 'é', '💥', 'xbr.', '0']);
    return unit.repeat(Math.floor(LONG_VALUE_LENGTH / Buffer.byteLength(unit)));
  }

  bytesOf(length: number): Buffer {
    switch (this.rng.int(3)) {
      case 0: return Buffer.alloc(length);
      case 1: return Buffer.alloc(length, 0xff);
      // Random content for the lengths XBR uses; a long one is filled with one random byte (cheaper, as hostile).
      default: return length <= 4096 ? this.rng.bytes(length) : Buffer.alloc(length, this.rng.int(256));
    }
  }
}
