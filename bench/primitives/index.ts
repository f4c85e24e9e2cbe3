/**
 * The `primitives` bench part: the schema/ building blocks on their hot paths (codecs, EIP712,
 * sealed boxes, payload encryption, durable ledger commits), each figure beside its pure-JS or one-commit-per-step
 * baseline measured in the same run.
 */
import { describe, type BenchContext } from '../util.js';
import { benchCodec } from './codec.js';
import { benchCrypto } from './crypto.js';
import { benchEip712 } from './eip712.js';
import { benchLedger } from './ledger.js';

type Print = (name: string, value: number, unit: string) => void;
type Area = (print: Print, quick: boolean) => Promise<void>;

const GOAL_FIGURES = new Set(['ed2x.first_sight_vs_libsodium']);

const AREAS: Record<string, Area> = { codec: benchCodec, eip712: benchEip712, crypto: benchCrypto, ledger: benchLedger };

export async function runPrimitivesBench(ctx: BenchContext): Promise<boolean> {
  // A goal figure keeps the name it is tracked by across parts; the others are named after this part.
  const print: Print = (name, value, unit) =>
    ctx.out(`${GOAL_FIGURES.has(name) ? '' : 'primitives.'}${name} ${Number.isInteger(value) || Math.abs(value) >= 100 ? Math.round(value) : value.toFixed(2)} ${unit}`);
  let ok = true;
  for (const [name, run] of Object.entries(AREAS)) {
    ctx.log(`primitives: ${name}`);
    try {
      await run(print, ctx.quick);
    } catch (err) {
      ctx.out(`# ERROR primitives.${name}: ${describe(err)}`);
      ok = false;
    }
  }
  return ok;
}

/** Generous upper bound for the watchdog: each area runs a few seconds (quick: well under one). */
export function primitivesBudgetMs(quick: boolean): number {
  return quick ? 90_000 : 300_000;
}
