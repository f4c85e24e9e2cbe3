import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoToNs, msToNs, nowNs, nsToIso, nsToMs, nsToSeconds, secondsToNs } from '../../../schema/codec/time.js';
import { invalidArgument } from './vectors.js';

describe('time', () => {
  it('nowNs is strictly increasing and close to Date.now()', () => {
    let prev = nowNs();
    for (let i = 0; i < 100_000; i++) {
      const t = nowNs();
      assert.ok(t > prev, `${t} <= ${prev}`);
      prev = t;
    }
    const drift = Number(nowNs() / 1_000_000n) - Date.now();
    assert.ok(Math.abs(drift) <= 50, `drift ${drift} ms`);
  });

  it('converts ms and seconds', () => {
    assert.equal(msToNs(1_700_000_000_123), 1_700_000_000_123_000_000n);
    assert.equal(nsToMs(1_700_000_000_123_999_999n), 1_700_000_000_123);
    assert.equal(nsToMs(-1n), -1);
    assert.equal(nsToSeconds(1_500_000_000n), 1.5);
    assert.equal(secondsToNs(300), 300_000_000_000n);
    assert.equal(secondsToNs(0.000000001), 1n);
    assert.equal(secondsToNs(-1.5), -1_500_000_000n);
    assert.throws(() => msToNs(1.5), invalidArgument('ms: expected a safe integer, got 1.5'));
    assert.throws(() => secondsToNs(Number.NaN), invalidArgument('seconds: expected a finite number, got NaN'));
  });

  it('formats and parses ISO strings with nanoseconds', () => {
    assert.equal(nsToIso(1_000_000_000_123_456_789n), '2001-09-09T01:46:40.123456789Z');
    assert.equal(nsToIso(0n), '1970-01-01T00:00:00.000000000Z');
    assert.equal(isoToNs('2001-09-09T01:46:40.123456789Z'), 1_000_000_000_123_456_789n);
    assert.equal(isoToNs('2001-09-09T01:46:40Z'), 1_000_000_000_000_000_000n);
    assert.equal(isoToNs('2001-09-09T03:46:40.5+02:00'), 1_000_000_000_500_000_000n);
    const t = nowNs();
    assert.equal(isoToNs(nsToIso(t)), t);
    assert.equal(nsToIso(-1n), '1969-12-31T23:59:59.999999999Z');
  });

  it('rejects other ISO forms', () => {
    assert.throws(() => isoToNs('2001-09-09 01:46:40Z', 'expires'), invalidArgument('expires: expected an ISO 8601 date-time with zone, got "2001-09-09 01:46:40Z"'));
    assert.throws(() => isoToNs('2001-09-09T01:46:40'), { uri: 'wamp.error.invalid_argument' });
    assert.throws(() => isoToNs('2001-13-09T01:46:40Z'), { uri: 'wamp.error.invalid_argument' });
    assert.throws(() => isoToNs('2001-09-09T01:46:40.1234567890Z'), { uri: 'wamp.error.invalid_argument' });
  });
});
