/** What `get_ipfs_status` reports: files by status, attempts running and waiting, the soonest retries. */
import type { NsTime } from '../../schema/codec/index.js';
import type { IpfsFileStatus, WorkerDb } from '../../schema/db/index.js';

/** Counts and schedule of the worker's IPFS downloads. */
export interface IpfsStatusReport {
  /** Files by status; every status is present (0 when none). */
  counts: Record<IpfsFileStatus, number>;
  /** Downloads running right now. */
  active: number;
  /** Downloads due now that wait for a free slot (`concurrency`). */
  waiting: number;
  /** The soonest scheduled attempts, earliest first. */
  next_retries: { file_hash: string; next_retry_at: NsTime; retries: number; last_error?: string }[];
}

/** Default and largest number of `next_retries` entries. */
const STATUS_DEFAULT_LIMIT = 10;
const STATUS_MAX_LIMIT = 1000;

/** Reads the report from `ipfs_files`; `active` and `waiting` come from the running scheduler. */
export function ipfsStatus(db: WorkerDb, live: { active: number; waiting: number; limit?: number }): IpfsStatusReport {
  const limit = Math.min(Math.max(1, live.limit ?? STATUS_DEFAULT_LIMIT), STATUS_MAX_LIMIT);
  const counts: Record<IpfsFileStatus, number> = { pending: 0, downloaded: 0, invalid: 0, malformed: 0, too_large: 0 };
  const scheduled: IpfsStatusReport['next_retries'] = [];
  for (const { value: f } of db.ipfsFiles.range()) {
    counts[f.status] = (counts[f.status] ?? 0) + 1;
    if (f.status !== 'pending' || f.next_retry_at === undefined) continue;
    scheduled.push({ file_hash: f.file_hash, next_retry_at: f.next_retry_at, retries: f.retries, ...(f.last_error === undefined ? {} : { last_error: f.last_error }) });
  }
  scheduled.sort((a, b) => (a.next_retry_at < b.next_retry_at ? -1 : a.next_retry_at > b.next_retry_at ? 1 : 0));
  return { counts, active: live.active, waiting: live.waiting, next_retries: scheduled.slice(0, limit) };
}
