/**
 * The `ipfs_files` log: how one file's record changes on each event. Pure functions (record in, record
 * out), run by the fetcher inside one synchronous write transaction each, so a crash leaves the record
 * either before or after an event, never half-way.
 *
 * - first seen: `pending` and due now, or `invalid` with the reason (never fetched);
 * - a failure worth retrying: `retries + 1`, `errored_at`, `last_error`, `next_retry_at` (backoff);
 * - a final failure (`malformed`, `too_large`): the same bookkeeping, no `next_retry_at`;
 * - a success: `downloaded`, `size`, `path`, `downloaded_at`; the error fields and the schedule are cleared
 *   and `retries` is reset (docs/protocol.md#worker-db: failed attempts so far);
 * - a malformed description: verified and stored, but `malformed` with the parser's message.
 */
import { msToNs } from '../../schema/codec/index.js';
import type { NsTime } from '../../schema/codec/index.js';
import { XbrErrorUri, isError } from '../../schema/index.js';
import { isRetryable } from './errors.js';
import type { IpfsFile, IpfsFileRef, IpfsFileStatus } from '../../schema/db/index.js';
import { sameRef } from './refs.js';

/** Longest `last_error` kept (a parser message can quote much of a file). */
const MAX_ERROR_TEXT = 500;

const clipError = (s: string): string => (s.length > MAX_ERROR_TEXT ? `${s.slice(0, MAX_ERROR_TEXT)}…` : s);

/** A record without the optional fields in `names` (exactOptionalPropertyTypes: absent, not undefined). */
function without(rec: IpfsFile, ...names: (keyof IpfsFile)[]): IpfsFile {
  const out = { ...rec };
  for (const n of names) delete out[n];
  return out;
}

/** `rec` with `ref` added to its refs (unchanged when already there). */
export function withRef(rec: IpfsFile, ref: IpfsFileRef): IpfsFile {
  const refs = rec.refs ?? [];
  if (refs.some((r) => sameRef(r, ref))) return rec;
  return { ...rec, refs: [...refs, ref] };
}

/** The record of a hash seen for the first time: due now, or invalid with `reason`. */
export function firstSeen(key: string, ref: IpfsFileRef, now: NsTime, invalidReason?: string): IpfsFile {
  const base: IpfsFile = { file_hash: key, status: 'pending', downloaded: false, retries: 0, created_at: now, refs: [ref] };
  if (invalidReason === undefined) return { ...base, next_retry_at: now };
  return { ...base, status: 'invalid', errored_at: now, last_error: clipError(`invalid IPFS hash: ${invalidReason}`) };
}

/** After a failed attempt that will be retried at `nextAt`. */
function failedRetry(rec: IpfsFile, error: string, now: NsTime, nextAt: NsTime): IpfsFile {
  return { ...rec, status: 'pending', retries: rec.retries + 1, errored_at: now, last_error: clipError(error), next_retry_at: nextAt };
}

/** After an attempt that failed for good (`malformed`, `too_large`). */
function failedFinal(rec: IpfsFile, status: Extract<IpfsFileStatus, 'malformed' | 'too_large'>, error: string, now: NsTime, sizeLimit?: number): IpfsFile {
  const out: IpfsFile = { ...without(rec, 'next_retry_at', 'size_limit'), status, retries: rec.retries + 1, errored_at: now, last_error: clipError(error) };
  return sizeLimit === undefined ? out : { ...out, size_limit: sizeLimit };
}

/**
 * After the content was fetched, verified and stored as `path`: `downloaded`, or `malformed` when it had to
 * be a description and did not parse (`parseError`).
 */
export function stored(rec: IpfsFile, r: { size: number; path: string; parseError?: string }, now: NsTime): IpfsFile {
  const done: IpfsFile = {
    ...without(rec, 'errored_at', 'last_error', 'next_retry_at', 'size_limit'),
    status: 'downloaded',
    downloaded: true,
    retries: 0,
    downloaded_at: now,
    size: r.size,
    path: r.path,
  };
  if (r.parseError === undefined) return done;
  return { ...done, status: 'malformed', errored_at: now, last_error: clipError(r.parseError) };
}

/**
 * After a failed attempt: retried `delayMs` after `nowMs` when the failure may go away by itself (timeout,
 * node unavailable, content mismatch, local write error), otherwise final — `too_large` (remembering the
 * limit) or `malformed`.
 */
export function afterFailure(rec: IpfsFile, err: unknown, at: { nowMs: number; delayMs: number; maxSize: number }): IpfsFile {
  const message = err instanceof Error ? err.message : String(err);
  const now = msToNs(at.nowMs);
  if (isRetryable(err)) return failedRetry(rec, message, now, msToNs(at.nowMs + at.delayMs));
  const tooLarge = isError(err, XbrErrorUri.ipfsTooLarge);
  return tooLarge ? failedFinal(rec, 'too_large', message, now, at.maxSize) : failedFinal(rec, 'malformed', message, now);
}

/** Scheduled for an attempt at `at` (`retryNow`, a restart with a larger `max_size`, a lost file). */
export function rescheduled(rec: IpfsFile, at: NsTime): IpfsFile {
  return { ...without(rec, 'size_limit'), status: 'pending', next_retry_at: at };
}
