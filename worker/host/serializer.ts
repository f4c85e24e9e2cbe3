/**
 * The serializers a maker's session speaks. Whatever the serializer, integers must reach callers as
 * integers: wampy's CBOR and msgpack encoders write JS numbers beyond 32 bits as float64 (a Python
 * caller then gets a float for `get_gas_price`), so those are sent as bigint, which both encode as
 * 64-bit integers (CBOR: bignums beyond that). Incoming integers beyond 32 bits arrive as bigint with
 * every binary serializer (msgpackr's and cbor-x's defaults), so procedures accept number | bigint.
 */
import { Encoder } from 'cbor-x';
import type { Wampy } from 'wampy';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import type { MakerSerializerName } from '../../config/index.js';

/** wampy's serializer interface (not exported by name). */
export type Serializer = NonNullable<NonNullable<ConstructorParameters<typeof Wampy>[1]>['serializer']>;

const TWO_32 = 2 ** 32;

const isWide = (x: number): boolean => Number.isSafeInteger(x) && Math.abs(x) >= TWO_32;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** Whether `v` holds an integral number of 32 bits or more (plain objects and arrays only). */
function hasWideInt(v: unknown): boolean {
  if (typeof v === 'number') return isWide(v);
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (hasWideInt(v[i])) return true;
    return false;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) if (hasWideInt((v as Record<string, unknown>)[k])) return true;
  return false;
}

function convert(v: unknown): unknown {
  if (typeof v === 'number') return isWide(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(convert);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = convert(x);
    return out;
  }
  return v;
}

/**
 * `v` with every integral number of 32 bits or more turned into a bigint (plain objects and arrays
 * only). Every message passes here and almost none holds such a number: `v` itself is returned then,
 * so the common case allocates nothing.
 */
export function wideIntsAsBigint(v: unknown): unknown {
  return hasWideInt(v) ? convert(v) : v;
}

class CborWire implements Serializer {
  protocol = 'cbor';
  isBinary = true;
  private readonly cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true, useTag259ForMaps: false, pack: false } as never);
  encode(data: unknown): Uint8Array {
    return this.cbor.encode(wideIntsAsBigint(data));
  }
  decode(data: string | ArrayBuffer | Uint8Array): unknown {
    return this.cbor.decode(typeof data === 'string' ? Buffer.from(data) : new Uint8Array(data));
  }
}

class MsgpackWire extends MsgpackSerializer {
  override encode(data: unknown): ReturnType<MsgpackSerializer['encode']> {
    return super.encode(wideIntsAsBigint(data));
  }
}

/** A wampy serializer for `name` (JSON is refused by the config: XBR values are raw bytes). */
export function makeSerializer(name: MakerSerializerName): Serializer {
  return name === 'cbor' ? new CborWire() : new MsgpackWire();
}
