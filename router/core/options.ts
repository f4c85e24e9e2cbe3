import { WampError, WampErrorUri } from '../../schema/index.js';
import { showValue } from '../../schema/codec/index.js';
import type { MatchPolicy } from '../../config/index.js';
import type { Dict } from '../wamp/messages.js';

/** Readers for the option dictionaries of SUBSCRIBE/REGISTER/PUBLISH/CALL: wrong types are errors, not ignored. */

export function readMatch(options: Dict): MatchPolicy {
  const match = options['match'];
  if (match === undefined) return 'exact';
  if (match === 'exact' || match === 'prefix' || match === 'wildcard') return match;
  throw new WampError(WampErrorUri.invalidArgument, `option "match" must be "exact", "prefix" or "wildcard", got ${showValue(match, 'wamp')}`);
}

export function readIdList(options: Dict, name: string): Set<number> | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
    throw new WampError(WampErrorUri.invalidArgument, `option "${name}" must be a list of session ids`);
  }
  return new Set(value as number[]);
}

export function readStringList(options: Dict, name: string): Set<string> | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new WampError(WampErrorUri.invalidArgument, `option "${name}" must be a list of strings`);
  }
  return new Set(value as string[]);
}

export function readOneOf<T extends string>(options: Dict, name: string, allowed: readonly T[], fallback: T): T {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new WampError(WampErrorUri.invalidArgument, `option "${name}" must be one of ${allowed.join(', ')}, got ${showValue(value, 'wamp')}`);
}

export function readTimeoutMs(options: Dict): number {
  const value = options['timeout'];
  if (value === undefined || value === 0) return 0;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 2 ** 31 - 1) return value;
  throw new WampError(WampErrorUri.invalidArgument, `option "timeout" must be a positive number of milliseconds, got ${showValue(value, 'wamp')}`);
}
