/** Download log of an IPFS file (docs/protocol.md#worker-db `IPFSFile` and docs/protocol.md#ipfs, with retries), worker DB `ipfs_files`. */
import type { NsTime, Uuid, Address } from '../../codec/types.js';

/**
 * Where a file stands:
 * - `pending`: not yet fetched, or failed and waiting for `next_retry_at`;
 * - `downloaded`: fetched, verified against the CID, stored (and parsed, when it is a description);
 * - `invalid`: the hash from chain is not a CID we accept; never fetched, never used as a path;
 * - `malformed`: fetched and verified, but not parseable Turtle (kept, recorded, not retried);
 * - `too_large`: larger than the configured limit (not retried until the limit changes).
 */
export type IpfsFileStatus = 'pending' | 'downloaded' | 'invalid' | 'malformed' | 'too_large';

/** A chain record field that names this file (one file may be named by several). */
export interface IpfsFileRef {
  kind: 'market' | 'catalog' | 'api' | 'member';
  /** Market / catalog / API id (16 bytes) or member address (20 bytes). */
  id: Uuid | Address;
  field: 'terms' | 'meta' | 'schema' | 'eula' | 'profile';
}

export interface IpfsFile {
  /**
   * CID / multihash string as on chain (primary key, UTF-8). A string longer than any CID (over 128
   * characters) is kept as `~long:<sha256 hex of the string>` instead: it is `invalid` anyway, and LMDB keys are
   * bounded.
   */
  file_hash: string;
  status: IpfsFileStatus;
  /** True once the content was fetched and verified against the hash (spec field). */
  downloaded: boolean;
  /** Failed attempts so far (reset by a success). */
  retries: number;
  /** When first seen, ns. */
  created_at?: NsTime;
  /** Time of the last failure, ns (cleared by a success). */
  errored_at?: NsTime;
  /** Message of the last failure (cleared by a success). */
  last_error?: string;
  /** Next attempt not before this time, ns (backoff); absent when nothing is scheduled. */
  next_retry_at?: NsTime;
  /** When downloaded, ns. */
  downloaded_at?: NsTime;
  /** Content size in bytes, once downloaded. */
  size?: number;
  /** For `too_large`: the `max_size` it exceeded (a restart with a larger limit tries it again). */
  size_limit?: number;
  /** Where the content is stored, relative to the IPFS files directory (never the raw hash from chain). */
  path?: string;
  /** Chain records that name this file. */
  refs?: IpfsFileRef[];
}
