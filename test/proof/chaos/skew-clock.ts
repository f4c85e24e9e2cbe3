/**
 * Preload of a process whose wall clock is off by `XBR_TEST_CLOCK_SKEW_MS` milliseconds (positive: ahead):
 * `node --import tsx --import ./test/proof/chaos/skew-clock.ts …`. It runs before any module of the program
 * reads the time, so everything that asks for the wall clock — `Date.now()`, `new Date()` and
 * `performance.timeOrigin` (+ `performance.now()`) — sees the skewed time, as on a host whose clock is wrong.
 * `process.hrtime` is left alone: it is monotonic, counted from an arbitrary origin, never a wall time (the
 * project's `nowNs` only takes the sub-millisecond digits from it).
 */
const raw = process.env['XBR_TEST_CLOCK_SKEW_MS'] ?? '0';
const skew = Number(raw);
if (!Number.isSafeInteger(skew)) throw new Error(`XBR_TEST_CLOCK_SKEW_MS: expected an integer number of milliseconds, got ${JSON.stringify(raw)}`);

const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
const skewedNow = (): number => realNow() + skew;

// A proxy rather than a subclass: `Date()` called as a function keeps working, and `instanceof Date`, subclasses
// and the statics other than `now` are the real ones. Only "now" is skewed; a Date of a given time is that time.
globalThis.Date = new Proxy(RealDate, {
  construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [skewedNow()] : args, newTarget) as object,
  apply: () => new RealDate(skewedNow()).toString(),
  get: (target, prop, receiver) => (prop === 'now' ? skewedNow : Reflect.get(target, prop, receiver)),
});
Object.defineProperty(performance, 'timeOrigin', { value: performance.timeOrigin + skew, configurable: true, enumerable: true });
