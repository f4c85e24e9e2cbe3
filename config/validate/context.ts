/**
 * The error collector of config validation: JSON paths, how found values are described in messages,
 * and `Ctx`, which reads objects, fields and arrays while collecting one error per problem.
 */
import { isAbsolute, resolve } from 'node:path';
import { showValue } from '../../schema/codec/index.js';

export interface ConfigError {
  /** JSON path of the offending value, e.g. `$.workers[0].transports[1].endpoint.port`. */
  path: string;
  message: string;
}

export type Rec = Record<string, unknown>;

/** A scalar check: returns the (possibly normalised) value, or undefined when `v` does not fit. */
export interface Check<T> {
  expected: string;
  test(v: unknown): T | undefined;
}

export const REQUIRED: unique symbol = Symbol('required');

/** `$.a.b` for identifier-like keys, `$.a["odd key"]` otherwise. */
export function pathKey(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const quoteList = (xs: readonly string[]): string => xs.map((x) => JSON.stringify(x)).join(', ');

export class Ctx {
  readonly errors: ConfigError[] = [];
  constructor(readonly cbdir: string) {}

  fail(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  mismatch(path: string, expected: string, found: unknown): void {
    this.fail(path, `expected ${expected}, got ${showValue(found, 'json')}`);
  }

  /**
   * An object whose keys are all in `allowed`; unknown keys are reported one by one at their own
   * path. Returns undefined (after reporting) when `v` is not an object at all.
   */
  object(v: unknown, path: string, allowed: readonly string[], hints: Record<string, string> = {}): Rec | undefined {
    if (!isRec(v)) {
      this.mismatch(path, 'an object', v);
      return undefined;
    }
    for (const key of Object.keys(v)) {
      if (!allowed.includes(key)) {
        const hint = hints[key] === undefined ? '' : `; ${hints[key]}`;
        this.fail(pathKey(path, key), `unknown key ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})${hint}`);
      }
    }
    return v;
  }

  /** A scalar field of `o`, checked with `check`, with a default or REQUIRED. */
  field<T>(o: Rec, key: string, path: string, check: Check<T>, dflt: T | typeof REQUIRED): T | undefined {
    const p = pathKey(path, key);
    const v = o[key];
    if (v === undefined) {
      if (dflt === REQUIRED) {
        this.fail(p, `missing required key ${JSON.stringify(key)}: expected ${check.expected}`);
        return undefined;
      }
      return dflt;
    }
    const ok = check.test(v);
    if (ok === undefined) this.mismatch(p, check.expected, v);
    return ok;
  }

  /** The value of a required key that the caller checks itself; reports when missing. */
  required(o: Rec, key: string, path: string, expected: string): unknown {
    const v = o[key];
    if (v === undefined) this.fail(pathKey(path, key), `missing required key ${JSON.stringify(key)}: expected ${expected}`);
    return v;
  }

  /** An array of `v`, or undefined after reporting. */
  array(v: unknown, path: string, expected = 'an array'): unknown[] | undefined {
    if (!Array.isArray(v)) {
      this.mismatch(path, expected, v);
      return undefined;
    }
    return v;
  }

  /** Resolves a filesystem path against cbdir. */
  resolvePath(p: string): string {
    return isAbsolute(p) ? resolve(p) : resolve(this.cbdir, p);
  }
}
