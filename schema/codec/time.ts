/**
 * Time on the wire is integer nanoseconds since the Unix epoch (Python `time_ns()`), held as bigint.
 */
import { argumentError, describe } from './argument.js';
import type { NsTime } from './types.js';

/** Nanoseconds per millisecond. */
export const NS_PER_MS = 1_000_000n;
/** Nanoseconds per second. */
export const NS_PER_SECOND = 1_000_000_000n;

let lastNs = 0n;

/**
 * The current time in ns since the epoch: `Date.now()` ms plus the sub-millisecond part of
 * `process.hrtime.bigint()`. Strictly increasing within a process: a call that would not be later than
 * the previous one returns the previous value + 1 ns (so a wall clock stepped back is absorbed until it
 * catches up). Values are unique and usable as index keys; they are within about 1 ms of the wall clock.
 *
 * @example
 * const t = nowNs(); // e.g. 1763731353123456789n
 */
export function nowNs(): NsTime {
  let t = BigInt(Date.now()) * NS_PER_MS + (process.hrtime.bigint() % NS_PER_MS);
  if (t <= lastNs) t = lastNs + 1n;
  lastNs = t;
  return t;
}

/**
 * Nanoseconds to milliseconds (rounded down), as a number.
 *
 * @example
 * nsToMs(1_500_000n); // 1
 */
export function nsToMs(ns: NsTime): number {
  const q = ns / NS_PER_MS;
  return Number(ns < 0n && q * NS_PER_MS !== ns ? q - 1n : q);
}

/**
 * Milliseconds (an integer number, e.g. `Date.now()`) to nanoseconds.
 *
 * @throws WampError `wamp.error.invalid_argument` if `ms` is not a safe integer.
 * @example
 * msToNs(1_000); // 1_000_000_000n
 */
export function msToNs(ms: number): NsTime {
  if (!Number.isSafeInteger(ms)) throw argumentError('ms', 'a safe integer', typeof ms === 'number' ? String(ms) : describe(ms));
  return BigInt(ms) * NS_PER_MS;
}

/**
 * Nanoseconds to seconds, as a (fractional) number; exact to about a microsecond for current dates.
 *
 * @example
 * nsToSeconds(1_500_000_000n); // 1.5
 */
export function nsToSeconds(ns: NsTime): number {
  const whole = ns / NS_PER_SECOND;
  return Number(whole) + Number(ns - whole * NS_PER_SECOND) / 1e9;
}

/**
 * Seconds (a finite number, may be fractional) to nanoseconds, rounded to the nearest ns.
 *
 * @throws WampError `wamp.error.invalid_argument` if `seconds` is not finite.
 * @example
 * secondsToNs(300); // 300_000_000_000n (five minutes)
 */
export function secondsToNs(seconds: number): NsTime {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    throw argumentError('seconds', 'a finite number', typeof seconds === 'number' ? String(seconds) : describe(seconds));
  }
  const whole = Math.trunc(seconds);
  return BigInt(whole) * NS_PER_SECOND + BigInt(Math.round((seconds - whole) * 1e9));
}

/**
 * Formats ns as an ISO 8601 UTC string with nine fraction digits.
 *
 * @example
 * nsToIso(1_000_000_000_123_456_789n); // '2001-09-09T01:46:40.123456789Z'
 */
export function nsToIso(ns: NsTime): string {
  let secs = ns / NS_PER_SECOND;
  let frac = ns - secs * NS_PER_SECOND;
  if (frac < 0n) {
    secs -= 1n;
    frac += NS_PER_SECOND;
  }
  const base = new Date(Number(secs) * 1000).toISOString(); // 'YYYY-MM-DDTHH:MM:SS.000Z'
  return `${base.slice(0, -5)}.${frac.toString().padStart(9, '0')}Z`;
}

const ISO_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO 8601 date-time with a zone (`Z` or `±HH:MM`) and up to nine fraction digits into ns.
 *
 * @throws WampError `wamp.error.invalid_argument` for any other string.
 * @example
 * isoToNs('2001-09-09T01:46:40.123456789Z'); // 1_000_000_000_123_456_789n
 */
export function isoToNs(text: string, name = 'time'): NsTime {
  const m = typeof text === 'string' ? ISO_RE.exec(text) : null;
  const ms = m === null ? NaN : Date.parse(`${m[1] as string}${m[3] as string}`);
  if (m === null || Number.isNaN(ms)) {
    const got = typeof text === 'string' ? JSON.stringify(text.slice(0, 40)) : describe(text);
    throw argumentError(name, 'an ISO 8601 date-time with zone', got);
  }
  return BigInt(ms) * NS_PER_MS + BigInt((m[2] ?? '').padEnd(9, '0'));
}
