/**
 * How the fetcher learns of files: the hashes a replicated record names become `ipfs_files` entries (new
 * ones due now, or `invalid` with the reason), and known ones gain the record as a ref. Runs inside the
 * caller's write transaction (synchronous).
 */
import type { NsTime } from '../../schema/codec/index.js';
import type { WorkerDb } from '../../schema/db/index.js';
import type { Logger } from '../../schema/index.js';
import { checkCid } from './cid.js';
import { descriptionHashes } from './descriptions.js';
import { firstSeen, withRef } from './file-log.js';
import { fileKey, hashRefsOf, refText, shownHash, type ChainRecord, type RecordRef } from './refs.js';

/**
 * Records the hashes `rec` (the record `r`) names. Returns how many were new and the keys due now (new and
 * valid).
 */
export function learnRecord(db: WorkerDb, r: RecordRef, rec: ChainRecord, now: NsTime, log: Logger): { added: number; due: string[] } {
  const due: string[] = [];
  let added = 0;
  for (const { hash, ref } of hashRefsOf(r.kind, r.id, rec)) {
    const key = fileKey(hash);
    const cur = db.ipfsFiles.get(key);
    if (cur !== undefined) {
      const next = withRef(cur, ref);
      if (next !== cur) db.ipfsFiles.put(key, next);
      continue;
    }
    const check = checkCid(hash);
    db.ipfsFiles.put(key, firstSeen(key, ref, now, check.ok ? undefined : check.reason));
    added++;
    if (check.ok) due.push(key);
    else log.warn('invalid IPFS hash on chain; it is recorded and never fetched', { file_hash: shownHash(hash), ref: refText(ref), reason: check.reason });
  }
  return { added, due };
}

/**
 * Whether `rec` names a downloaded description file but may not carry its description yet: no description,
 * or one of another hash. An API always qualifies when one of its files is here, as its description
 * combines two files (meta and schema) that may arrive in either order; rewriting an unchanged description
 * is skipped further on.
 */
export function lacksDescription(db: WorkerDb, r: RecordRef, rec: ChainRecord): boolean {
  const hashes = descriptionHashes(r.kind, rec);
  const current = rec.description !== undefined && hashes.includes(rec.description.hash) && r.kind !== 'api';
  return !current && hashes.some((h) => db.ipfsFiles.get(fileKey(h))?.status === 'downloaded');
}
