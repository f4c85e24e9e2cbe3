/**
 * The IPFS fetcher of the xbrmm worker (issue 7): CID validation, block-level verified downloads, the
 * `ipfs_files` log with retries and backoff, Turtle descriptions on the chain records. The embedded IPFS node
 * of the default setup is `./node/` (imported separately: it loads js-ipfs).
 */
export { IpfsFetcher, type IpfsFetcherOptions } from './fetcher.js';
export { checkCid, MAX_HASH_LENGTH } from './cid.js';
export type { BlockSource } from './download.js';
export { describeTurtle, DESCRIBE_LIMITS } from './describe.js';
export { retryDelayMs } from './backoff.js';
export { fileKey } from './refs.js';
export type { IpfsStatusReport } from './status.js';
