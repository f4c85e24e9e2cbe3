/**
 * Prints a fuzz call exactly enough to replay it by hand: byte strings as hex with their length, bigints
 * with an `n`, the values JSON has no words for (undefined, NaN, ±Infinity, -0) named, long strings and
 * byte strings cut with their length, `__proto__` keys as they were sent.
 */
import type { FuzzCall } from './generate.js';

const SHOWN = 160;

function printable(v: unknown, depth = 0): unknown {
  if (depth > 60) return '…';
  if (v instanceof Uint8Array) {
    const hex = Buffer.from(v.buffer, v.byteOffset, Math.min(v.byteLength, SHOWN)).toString('hex');
    return `<${v.byteLength} bytes ${hex}${v.byteLength > SHOWN ? '…' : ''}>`;
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return '<undefined>';
  if (typeof v === 'number') {
    if (Number.isNaN(v) || !Number.isFinite(v)) return `<${v}>`;
    if (Object.is(v, -0)) return '<-0>';
    return v;
  }
  if (typeof v === 'string') return v.length > SHOWN ? `<string of ${v.length}: ${JSON.stringify(v.slice(0, 40)).slice(1, -1)}…>` : v;
  if (Array.isArray(v)) return v.map((x) => printable(x, depth + 1));
  if (v !== null && typeof v === 'object') {
    // Own keys only, `__proto__` included (it is an own property here, as sent).
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: printable((v as Record<string, unknown>)[k], depth + 1), enumerable: true });
    return out;
  }
  return v;
}

/** One value as compact JSON-like text. */
export function describeValue(v: unknown): string {
  return JSON.stringify(printable(v));
}

/** The call in full, one line: index, procedure, caller, serializer, shape, args, kwargs (or the HELLO). */
export function describeCall(c: FuzzCall): string {
  const who = c.caller === 'member' ? `member #${c.member ?? '?'}` : c.caller;
  const payload = c.hello !== undefined
    ? `HELLO ${describeValue(c.hello)}`
    : `args ${c.args === undefined ? '<absent>' : describeValue(c.args)} kwargs ${c.kwargs === undefined ? '<absent>' : describeValue(c.kwargs)}`;
  const options = c.options === undefined ? '' : ` options ${describeValue(c.options)}`;
  return `#${c.index} ${c.procedure} as ${who} (${c.serializer}, ${c.shape}): ${payload}${options}`;
}
