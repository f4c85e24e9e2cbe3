/** Scalar checks for `Ctx.field`: integers, numbers, booleans, strings, enums, WAMP URIs and ids. */
import { LOG_LEVELS } from '../../schema/index.js';
import { quoteList, type Check } from './context.js';

export const integer = (min: number, max?: number): Check<number> => ({
  expected: max === undefined ? `an integer >= ${min}` : `an integer in ${min}..${max}`,
  test: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && (max === undefined || v <= max) ? v : undefined),
});

/** A finite number with `min` (inclusive unless `minExclusive`) and an optional inclusive `max`. */
export const number = (min: number, max?: number, minExclusive = false): Check<number> => ({
  expected:
    max === undefined
      ? `a number ${minExclusive ? '>' : '>='} ${min}`
      : minExclusive
        ? `a number > ${min} and <= ${max}`
        : `a number in ${min}..${max}`,
  test: (v) =>
    typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && (max === undefined || v <= max)
      ? v
      : undefined,
});

export const boolean: Check<boolean> = { expected: 'a boolean', test: (v) => (typeof v === 'boolean' ? v : undefined) };

export const string = (opts: { nonEmpty?: boolean; pattern?: RegExp; what?: string } = {}): Check<string> => ({
  expected: opts.what ?? (opts.nonEmpty ? 'a non-empty string' : 'a string'),
  test: (v) =>
    typeof v === 'string' && (!opts.nonEmpty || v.length > 0) && (opts.pattern === undefined || opts.pattern.test(v))
      ? v
      : undefined,
});

export const nonEmptyString = string({ nonEmpty: true });

export const oneOf = <T extends string>(values: readonly T[]): Check<T> => ({
  expected: `one of ${quoteList(values)}`,
  test: (v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : undefined),
});

/** `log_level` of the controller and of every worker. */
export const logLevel = oneOf(LOG_LEVELS);

/** WAMP URI rules (loose): dot-separated non-empty components without whitespace, '.' or '#'. */
export const URI_LOOSE = /^([^\s.#]+\.)*[^\s.#]+$/;
/** A prefix may end in '.' (or be empty). */
export const URI_PREFIX = /^([^\s.#]+\.)*[^\s.#]*$/;
/** Wildcard patterns may have empty components. */
export const URI_WILDCARD = /^([^\s.#]*\.)*[^\s.#]*$/;

export const wampUri = string({
  pattern: URI_LOOSE,
  what: 'a WAMP URI (dot-separated, non-empty components without whitespace or "#")',
});

const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
export const idString = string({ pattern: ID_PATTERN, what: 'an id (letters, digits, "_", "-", "." ; not starting with "-" or ".")' });
