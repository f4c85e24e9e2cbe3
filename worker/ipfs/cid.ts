/**
 * Which hash strings from chain the fetcher accepts as IPFS content ids, and the file name their content is
 * stored under. Chain strings are hostile input (spec weak spot 38: the original used them as file names):
 * only a parsed CID is ever used, and the name on disk is derived from the parsed CID, never the string.
 *
 * Accepted: CIDv0 (`Qm…`, base58btc) and CIDv1 in base58btc (`z`), base32 (`b`), base36 (`k`) or base16
 * (`f`); codec dag-pb or raw; multihash sha2-256 with a 32-byte digest (the only hash we verify content
 * against); at most {@link MAX_HASH_LENGTH} characters.
 */
import { CID } from 'multiformats/cid';
import { base16 } from 'multiformats/bases/base16';
import { base32 } from 'multiformats/bases/base32';
import { base36 } from 'multiformats/bases/base36';
import { base58btc } from 'multiformats/bases/base58';

/** Longest hash string considered (a CIDv1 in base16 is 73 characters; nothing valid comes close). */
export const MAX_HASH_LENGTH = 128;

/** Multicodec codes of the block formats we can decode. */
const DAG_PB_CODE = 0x70;
export const RAW_CODE = 0x55;
/** Multihash code of sha2-256. */
const SHA2_256_CODE = 0x12;

const decoder = base58btc.decoder.or(base32.decoder).or(base36.decoder).or(base16.decoder);

// What a derived file name may look like: the base32 multibase prefix, then lowercase base32 only — no
// separator, dot or other character a path could be built from.
const FILE_NAME_RE = /^b[a-z2-7]{20,200}$/;

/** A CID the fetcher accepts. */
export interface AcceptedCid {
  readonly cid: CID;
  /** Name of the content file in the IPFS files directory: the CIDv1 in base32 (`bafy…` / `bafk…`). */
  readonly fileName: string;
}

export type CidCheck = ({ ok: true } & AcceptedCid) | { ok: false; reason: string };

/** Whether a parsed CID (e.g. a dag-pb link) has a codec and hash we can verify and decode. */
export function checkParsedCid(cid: CID): CidCheck {
  if (cid.code !== DAG_PB_CODE && cid.code !== RAW_CODE) return { ok: false, reason: `unsupported codec 0x${cid.code.toString(16)} (only dag-pb 0x70 and raw 0x55)` };
  if (cid.multihash.code !== SHA2_256_CODE) return { ok: false, reason: `unsupported multihash 0x${cid.multihash.code.toString(16)} (only sha2-256 0x12)` };
  if (cid.multihash.digest.length !== 32) return { ok: false, reason: `sha2-256 digest of ${cid.multihash.digest.length} bytes (expected 32)` };
  const fileName = cid.toV1().toString(base32);
  // Defence in depth: the encoder cannot produce anything else, but a path is built from this.
  if (!FILE_NAME_RE.test(fileName)) return { ok: false, reason: 'derived file name is not plain base32' };
  return { ok: true, cid, fileName };
}

/**
 * Parses a hash string from chain. Never throws: a string that is not an accepted CID gives the reason.
 *
 * @example
 * checkCid('QmNhtAgd5yoyTUn3eYjUm1Z2bqs8Z2UMCfvftDLbf1UuZK'); // { ok: true, cid, fileName: 'bafybei…' }
 * checkCid('../etc/passwd'); // { ok: false, reason: 'not a CID: …' }
 */
export function checkCid(hash: unknown): CidCheck {
  if (typeof hash !== 'string') return { ok: false, reason: `not a string (${typeof hash})` };
  if (hash.length === 0) return { ok: false, reason: 'empty' };
  if (hash.length > MAX_HASH_LENGTH) return { ok: false, reason: `${hash.length} characters (at most ${MAX_HASH_LENGTH})` };
  if (!/^[A-Za-z0-9]+$/.test(hash)) return { ok: false, reason: 'not a CID: characters outside the multibase alphabets' };
  let cid: CID;
  try {
    cid = CID.parse(hash, decoder);
  } catch (err) {
    return { ok: false, reason: `not a CID: ${err instanceof Error ? err.message : String(err)}` };
  }
  return checkParsedCid(cid);
}
