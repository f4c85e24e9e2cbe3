/**
 * The IPFS fetcher of the xbrmm worker (issue 7): CID validation, block-level verified downloads, the
 * `ipfs_files` log with retries and backoff, Turtle descriptions on the chain records. The embedded IPFS node
 * of the default setup is `./node/` (imported separately: it loads js-ipfs).
 */
export { IpfsFetcher, type IpfsFetcherOptions } from './fetcher.js';
export { checkCid, checkParsedCid, MAX_HASH_LENGTH, type AcceptedCid, type CidCheck } from './cid.js';
export { downloadVerified, MAX_DAG_DEPTH, type BlockSource, type DownloadOptions } from './download.js';
export { describeTurtle, DESCRIBE_LIMITS, type TurtleDescription } from './describe.js';
export { baseDelayMs, retryDelayMs, type BackoffPolicy } from './backoff.js';
export { IpfsErrorUri, isRetryable, type IpfsErrorUriValue } from './errors.js';
export { fileKey, HASH_FIELDS, PARSED_FIELDS, type RecordKind, type RecordRef } from './refs.js';
export { ipfsStatus, STATUS_DEFAULT_LIMIT, STATUS_MAX_LIMIT, type IpfsStatusReport } from './status.js';
