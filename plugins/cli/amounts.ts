/**
 * XBR amounts on the command line: decimal XBR (`0.001`, `10`) in, base units (18 decimals) as bigint;
 * and base units back to a short decimal for printing. Decimal strings, never floats: `0.1` must be
 * exactly 10^17 base units.
 */
import { UsageError } from './errors.js';

const DECIMALS = 18;
const UNIT = 10n ** BigInt(DECIMALS);

/** `"0.001"` → 10^15. @throws UsageError naming `flag` for anything but a non-negative decimal with ≤ 18 fraction digits */
export function parseXbr(flag: string, text: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) throw new UsageError(`${flag}: expected an amount of XBR like 10 or 0.001, got ${JSON.stringify(text)}`);
  const frac = m[2] ?? '';
  if (frac.length > DECIMALS) throw new UsageError(`${flag}: at most ${DECIMALS} decimal places, got ${JSON.stringify(text)}`);
  return BigInt(m[1]!) * UNIT + BigInt(frac.padEnd(DECIMALS, '0'));
}

/** 10^15 → `"0.001 XBR"` (trailing zeros dropped). */
export function formatXbr(amount: bigint): string {
  const neg = amount < 0n;
  const abs = neg ? -amount : amount;
  const whole = abs / UNIT;
  const frac = (abs % UNIT).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`} XBR`;
}
