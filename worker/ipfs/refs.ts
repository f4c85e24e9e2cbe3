/**
 * Which chain records name which IPFS files: market `terms`/`meta`, catalog `terms`/`meta`, API
 * `schema`/`meta`, member `eula`/`profile` (issue 7). Empty strings name nothing. `meta`, `schema` and
 * `profile` files are descriptions and get parsed; `terms` and `eula` are only downloaded and verified.
 */
import { createHash } from 'node:crypto';
import { sameBytes } from '../../schema/codec/index.js';
import type { Address, Uuid } from '../../schema/codec/index.js';
import type { Api, Catalog, IpfsFileRef, Market, Member, WorkerDb } from '../../schema/db/index.js';
import type { ReplicaWrite } from '../monitor/index.js';
import { MAX_HASH_LENGTH } from './cid.js';

export type RecordKind = IpfsFileRef['kind'];
export type RefField = IpfsFileRef['field'];

/** A chain record that may name IPFS files: kind and key (16-byte id, or 20-byte member address) — what the monitor reports. */
export type RecordRef = ReplicaWrite;

/** One hash a record names, with the naming field. */
export interface HashRef {
  readonly hash: string;
  readonly ref: IpfsFileRef;
}

/** Fields whose file is an RDF description the fetcher parses. */
export const PARSED_FIELDS: ReadonlySet<RefField> = new Set<RefField>(['meta', 'schema', 'profile']);

/** The records among `refs` that a file describes (named through a parsed field). */
export function describedRecords(refs: readonly IpfsFileRef[] | undefined): RecordRef[] {
  return (refs ?? []).filter((r) => PARSED_FIELDS.has(r.field)).map((r) => ({ kind: r.kind, id: r.id }));
}

/** The fields of each kind that hold IPFS hashes. */
export const HASH_FIELDS: Readonly<Record<RecordKind, readonly RefField[]>> = {
  market: ['terms', 'meta'],
  catalog: ['terms', 'meta'],
  api: ['schema', 'meta'],
  member: ['eula', 'profile'],
};

export type ChainRecord = Market | Catalog | Api | Member;

/** The record `r` names, or undefined when it is not (or no longer) in the replica. */
export function readRecord(db: WorkerDb, r: RecordRef): ChainRecord | undefined {
  switch (r.kind) {
    case 'market':
      return db.markets.get(r.id as Uuid);
    case 'catalog':
      return db.catalogs.get(r.id as Uuid);
    case 'api':
      return db.apis.get(r.id as Uuid);
    case 'member':
      return db.members.get(r.id as Address);
  }
}

/** The value of hash field `field` of `rec` ('' when the record has no such field). */
export function fieldValue(rec: ChainRecord, field: RefField): string {
  const v = (rec as unknown as Record<string, unknown>)[field];
  return typeof v === 'string' ? v : '';
}

/** Every non-empty hash `rec` (of kind `kind`, key `id`) names. */
export function hashRefsOf(kind: RecordKind, id: Uint8Array, rec: ChainRecord): HashRef[] {
  const out: HashRef[] = [];
  for (const field of HASH_FIELDS[kind]) {
    const hash = fieldValue(rec, field);
    if (hash !== '') out.push({ hash, ref: { kind, id: new Uint8Array(id) as Uuid, field } });
  }
  return out;
}

/** Every record of the replica that may name IPFS files (for the catch-up scan at start). */
export function* allRecords(db: WorkerDb): Generator<RecordRef & { rec: ChainRecord }> {
  for (const { value } of db.markets.range()) yield { kind: 'market', id: value.market, rec: value };
  for (const { value } of db.catalogs.range()) yield { kind: 'catalog', id: value.oid, rec: value };
  for (const { value } of db.apis.range()) yield { kind: 'api', id: value.oid, rec: value };
  for (const { value } of db.members.range()) yield { kind: 'member', id: value.address, rec: value };
}

export function sameRef(a: IpfsFileRef, b: IpfsFileRef): boolean {
  return a.kind === b.kind && a.field === b.field && sameBytes(a.id, b.id);
}

/**
 * The `ipfs_files` key of a hash string: the string itself, or — for a string longer than any CID, which is
 * invalid anyway — `~long:<sha256 hex>`, so that LMDB's key size limit is never hit by hostile input.
 */
export function fileKey(hash: string): string {
  if (hash.length <= MAX_HASH_LENGTH) return hash;
  return `~long:${createHash('sha256').update(hash, 'utf8').digest('hex')}`;
}

/** A short printable form of a hash string for logs and errors (hostile strings can be long or odd). */
export function shownHash(hash: string): string {
  const s = JSON.stringify(hash.length > 80 ? `${hash.slice(0, 80)}…` : hash);
  return s.slice(1, -1);
}

/** A ref for logs: `catalog:0x…#meta`. */
export function refText(ref: IpfsFileRef): string {
  return `${ref.kind}:0x${Buffer.from(ref.id).toString('hex')}#${ref.field}`;
}
