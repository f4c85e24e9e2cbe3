/**
 * Downloads one IPFS file block by block and verifies every block against its CID before using it
 * (docs/protocol.md#ipfs). `cat` would return whatever the node says the file
 * is; here the node is only a source of bytes, and the CID is the authority.
 *
 * The root and every linked block is fetched with `block/get` under its own timeout, hashed (sha2-256) and
 * compared with the digest its CID names. dag-pb blocks are decoded as UnixFS: only files (and legacy `raw`
 * nodes) are accepted; their data and then their links' content, in order, form the file. Directories,
 * symlinks, HAMT shards and anything that does not decode are `malformed`. `maxSize` is enforced while
 * assembling: the root's declared size is checked first, and the bytes collected so far after every block,
 * so an oversized file is dropped without being fetched to the end.
 */
import * as dagPB from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { equals } from 'multiformats/bytes';
import type { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { RAW_CODE, checkParsedCid } from './cid.js';
import { XbrErrorUri } from '../../schema/index.js';
import { ipfsError } from './errors.js';

/** Where blocks come from: kubo-rpc-client's `block` API fits (`create({ url }).block`). */
export interface BlockSource {
  get(cid: CID, options: { signal: AbortSignal }): Promise<Uint8Array>;
}

export interface DownloadOptions {
  /** Per-block timeout (ms): a CID nobody has must not hang the download. */
  timeoutMs: number;
  /** Largest accepted file (bytes). */
  maxSize: number;
  /** Aborts the whole download (the fetcher stops). */
  signal?: AbortSignal;
}

/** Deepest DAG followed (a balanced UnixFS tree of a 1 GiB file with 174 links per node is 4 levels deep). */
const MAX_DAG_DEPTH = 32;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * `err`'s message followed by its causes': Node's fetch says only "fetch failed" and keeps why (e.g.
 * `connect ECONNREFUSED 127.0.0.1:5001`, a reset) in its `cause`, which the operator needs to tell a node that
 * is down from one that answers badly.
 */
function withCauses(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const text = errorText(e) || (typeof code === 'string' ? code : '');
    if (text !== '' && !parts.some((p) => p.includes(text))) parts.push(text);
  }
  return parts.join(': ');
}

interface Walk {
  readonly source: BlockSource;
  readonly opts: DownloadOptions;
  readonly chunks: Uint8Array[];
  size: number;
  /** Bytes of blocks fetched so far (content plus dag-pb framing), bounded so a DAG of empty nodes cannot run forever. */
  fetched: number;
  readonly fetchLimit: number;
}

/**
 * Fetches `root` and returns the verified content of the file it names.
 *
 * @throws WampError `xbr.error.ipfs_timeout` / `ipfs_unavailable` / `ipfs_content_mismatch` (worth a retry),
 *   `ipfs_malformed` / `ipfs_too_large` (not), `ipfs_aborted` when `options.signal` fired.
 * @example
 * const bytes = await downloadVerified(create({ url }).block, CID.parse(hash), { timeoutMs: 10_000, maxSize: 1 << 20 });
 */
export async function downloadVerified(source: BlockSource, root: CID, opts: DownloadOptions): Promise<Uint8Array> {
  // Framing (links, UnixFS headers) is well under 1 % of a file; twice the limit plus 1 MiB is generous.
  const walk: Walk = { source, opts, chunks: [], size: 0, fetched: 0, fetchLimit: 2 * opts.maxSize + (1 << 20) };
  await visit(walk, root, 0);
  return concat(walk.chunks, walk.size);
}

async function visit(w: Walk, cid: CID, depth: number): Promise<void> {
  if (depth > MAX_DAG_DEPTH) throw ipfsError(XbrErrorUri.ipfsMalformed, `DAG deeper than ${MAX_DAG_DEPTH} levels`);
  const bytes = await fetchBlock(w, cid);
  if (cid.code === RAW_CODE) {
    append(w, bytes);
    return;
  }
  let node: dagPB.PBNode;
  let fs: UnixFS;
  try {
    node = dagPB.decode(bytes);
    if (node.Data === undefined) throw new Error('dag-pb node without UnixFS data');
    fs = UnixFS.unmarshal(node.Data);
  } catch (err) {
    throw ipfsError(XbrErrorUri.ipfsMalformed, `block ${cid.toString()} is not a UnixFS node: ${errorText(err)}`, {}, err);
  }
  if (fs.type !== 'file' && fs.type !== 'raw') throw ipfsError(XbrErrorUri.ipfsMalformed, `UnixFS ${fs.type} (only files are accepted)`, { unixfs_type: fs.type });
  if (node.Links.length > 0 && node.Links.length !== fs.blockSizes.length) {
    throw ipfsError(XbrErrorUri.ipfsMalformed, `UnixFS file node with ${node.Links.length} links but ${fs.blockSizes.length} block sizes`);
  }
  const declared = fs.fileSize();
  // The root's declared size lets an oversized file be refused before its content is fetched.
  if (declared > BigInt(w.opts.maxSize) - BigInt(w.size)) {
    throw ipfsError(XbrErrorUri.ipfsTooLarge, `file of ${declared} bytes is larger than max_size ${w.opts.maxSize}`, { declared_size: declared });
  }
  const start = w.size;
  if (fs.data !== undefined) append(w, fs.data);
  for (const link of node.Links) {
    const check = checkParsedCid(link.Hash);
    if (!check.ok) throw ipfsError(XbrErrorUri.ipfsMalformed, `link to ${link.Hash.toString()}: ${check.reason}`);
    await visit(w, link.Hash, depth + 1);
  }
  if (BigInt(w.size - start) !== declared) {
    throw ipfsError(XbrErrorUri.ipfsMalformed, `UnixFS node ${cid.toString()} declares ${declared} bytes but its content has ${w.size - start}`);
  }
}

/** One block, fetched under its own timeout and verified against `cid`. */
async function fetchBlock(w: Walk, cid: CID): Promise<Uint8Array> {
  const stop = w.opts.signal;
  // A function, so TypeScript does not narrow `aborted` across the await below.
  const stopped = (): boolean => stop?.aborted === true;
  if (stopped()) throw ipfsError(XbrErrorUri.ipfsAborted, 'download aborted');
  const timeout = AbortSignal.timeout(w.opts.timeoutMs);
  const signal = stop === undefined ? timeout : AbortSignal.any([stop, timeout]);
  let bytes: Uint8Array;
  try {
    bytes = await w.source.get(cid, { signal });
  } catch (err) {
    if (stopped()) throw ipfsError(XbrErrorUri.ipfsAborted, 'download aborted', {}, err);
    if (timeout.aborted) throw ipfsError(XbrErrorUri.ipfsTimeout, `block ${cid.toString()} not received within ${w.opts.timeoutMs} ms`, { block: cid.toString() }, err);
    throw ipfsError(XbrErrorUri.ipfsUnavailable, `block/get ${cid.toString()} failed: ${withCauses(err)}`, { block: cid.toString() }, err);
  }
  const digest = (await sha256.digest(bytes)).digest;
  if (!equals(digest, cid.multihash.digest)) {
    throw ipfsError(XbrErrorUri.ipfsContentMismatch, `block ${cid.toString()}: the node returned ${bytes.length} bytes whose sha2-256 does not match the CID`, { block: cid.toString() });
  }
  w.fetched += bytes.length;
  if (w.fetched > w.fetchLimit) throw ipfsError(XbrErrorUri.ipfsTooLarge, `more than ${w.fetchLimit} bytes of blocks for a file of at most ${w.opts.maxSize} bytes`);
  return bytes;
}

function append(w: Walk, chunk: Uint8Array): void {
  if (w.size + chunk.length > w.opts.maxSize) throw ipfsError(XbrErrorUri.ipfsTooLarge, `file larger than max_size ${w.opts.maxSize}`);
  if (chunk.length === 0) return;
  w.chunks.push(chunk);
  w.size += chunk.length;
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
