/**
 * Why an IPFS download failed. These never reach a WAMP peer directly: the fetcher records them in the
 * file's `ipfs_files` entry (`last_error`) and decides from the URI whether to retry.
 *
 * | URI | raised when | retried |
 * |---|---|---|
 * | `xbr.error.ipfs_invalid_hash` | the chain's hash string is not a CID we accept (never fetched) | no |
 * | `xbr.error.ipfs_timeout` | a block did not arrive within `timeout` (e.g. nobody has the CID) | yes |
 * | `xbr.error.ipfs_unavailable` | the IPFS RPC API refused or failed the request (node down, HTTP error) | yes |
 * | `xbr.error.ipfs_content_mismatch` | a block's sha2-256 digest is not the one its CID names | yes |
 * | `xbr.error.ipfs_malformed` | verified content that is not a UnixFS file, or not Turtle where a description is expected | no |
 * | `xbr.error.ipfs_too_large` | the file is larger than `max_size` | no (until the limit grows) |
 * | `xbr.error.ipfs_aborted` | the fetcher stopped while the download ran | on next start |
 */
import { WampError, XbrErrorUri } from '../../schema/index.js';

/** The URIs a download fails with. */
type IpfsFailureUri = (typeof XbrErrorUri)['ipfsInvalidHash' | 'ipfsTimeout' | 'ipfsUnavailable' | 'ipfsContentMismatch' | 'ipfsMalformed' | 'ipfsTooLarge' | 'ipfsAborted'];

/** A download failure under one of the `XbrErrorUri.ipfs*` URIs. */
export function ipfsError(uri: IpfsFailureUri, message: string, kwargs: Record<string, unknown> = {}, cause?: unknown): WampError {
  return new WampError(uri, message, cause === undefined ? { kwargs } : { kwargs, cause });
}

/** Whether a failure may go away by itself (node back, file added, honest node), so a retry makes sense. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof WampError)) return true; // an unexpected failure: retrying is the safe side
  return err.uri === XbrErrorUri.ipfsTimeout || err.uri === XbrErrorUri.ipfsUnavailable || err.uri === XbrErrorUri.ipfsContentMismatch || err.uri === XbrErrorUri.ipfsAborted;
}
