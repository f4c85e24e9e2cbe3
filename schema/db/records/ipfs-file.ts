/** Download log of an IPFS file (spec §7.3 `IPFSFile` and §8, with retries), worker DB `ipfs_files`. */
import type { NsTime } from '../../codec/types.js';

export interface IpfsFile {
  /** CID / multihash string (primary key, UTF-8). */
  file_hash: string;
  /** True once the content was fetched and verified against the hash. */
  downloaded: boolean;
  /** Failed attempts so far. */
  retries: number;
  /** Time of the last failure, ns. */
  errored_at?: NsTime;
  /** Message of the last failure. */
  last_error?: string;
  /** Next attempt not before this time, ns (backoff). */
  next_retry_at?: NsTime;
  /** Content size in bytes, once downloaded. */
  size?: number;
  /** Where the content is stored, relative to the IPFS files directory (never the raw hash from chain). */
  path?: string;
}
