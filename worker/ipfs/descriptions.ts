/**
 * Puts parsed descriptions on the chain records that name them: market and catalog `meta`, member
 * `profile`, and for an API its `meta` (title, description, tags) plus `schema_refs` — the API's own `schema`
 * hash and every `dcterms:conformsTo` of its meta and schema files.
 *
 * Two steps, so that no file I/O happens inside a write transaction: {@link loadDescriptions} reads and
 * parses the stored files a set of records needs (async), then {@link applyDescriptions} writes each
 * record's description (synchronous, inside the caller's transaction). A record whose field no longer names
 * the file (re-created on chain meanwhile) is left alone; an unchanged description is not rewritten.
 */
import type { Address, NsTime, Uuid } from '../../schema/codec/index.js';
import type { Api, Catalog, Market, Member, RdfDescription, WorkerDb } from '../../schema/db/index.js';
import { checkCid } from './cid.js';
import { describeTurtle, type TurtleDescription } from './describe.js';
import { fieldValue, fileKey, HASH_FIELDS, PARSED_FIELDS, readRecord, type ChainRecord, type RecordRef } from './refs.js';
import { readStored } from './store.js';

/** Parsed descriptions by hash string; `null` = not available (not downloaded, lost, or not Turtle). */
export type ParsedByHash = Map<string, TurtleDescription | null>;

/** The description hashes `rec` names (its parsed fields, non-empty). */
export function descriptionHashes(kind: RecordRef['kind'], rec: ChainRecord): string[] {
  return HASH_FIELDS[kind].filter((f) => PARSED_FIELDS.has(f)).map((f) => fieldValue(rec, f)).filter((h) => h !== '');
}

/**
 * Reads and parses, for every record of `targets`, the description files it names that are downloaded.
 * Hashes already in `parsed` are not read again (e.g. the file just fetched, parsed from memory).
 */
export async function loadDescriptions(db: WorkerDb, dir: string, targets: readonly RecordRef[], parsed: ParsedByHash = new Map()): Promise<ParsedByHash> {
  for (const t of targets) {
    const rec = readRecord(db, t);
    if (rec === undefined) continue;
    for (const hash of descriptionHashes(t.kind, rec)) {
      if (parsed.has(hash)) continue;
      const f = db.ipfsFiles.get(fileKey(hash));
      if (f === undefined || f.status !== 'downloaded' || f.path === undefined) {
        parsed.set(hash, null);
        continue;
      }
      const bytes = await readStored(dir, f.path);
      if (bytes === undefined) {
        parsed.set(hash, null);
        continue;
      }
      try {
        parsed.set(hash, describeTurtle(bytes, `ipfs://${f.path}/`));
      } catch {
        parsed.set(hash, null); // recorded as malformed when it was fetched; nothing to add here
      }
    }
  }
  return parsed;
}

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/**
 * A schema reference as stored: `ipfs://<cid>` (and `/ipfs/<cid>`) IRIs become the bare CID, so a meta file
 * pointing at the API's own schema hash does not list it twice.
 */
function schemaRef(ref: string): string {
  const m = /^(?:ipfs:\/\/|\/ipfs\/)([A-Za-z0-9]+)\/?$/.exec(ref);
  return m !== null && checkCid(m[1]).ok ? m[1]! : ref;
}

/** The description of `rec` from the parsed files, or undefined when none of its description files is available. */
function buildDescription(kind: RecordRef['kind'], rec: ChainRecord, parsed: ParsedByHash, now: NsTime): RdfDescription | undefined {
  const of = (h: string): TurtleDescription | undefined => (h === '' ? undefined : (parsed.get(h) ?? undefined));
  const make = (hash: string, d: TurtleDescription, schemaRefs: string[]): RdfDescription => ({
    hash,
    ...(d.title === undefined ? {} : { title: d.title }),
    ...(d.description === undefined ? {} : { description: d.description }),
    tags: d.tags,
    schema_refs: schemaRefs,
    parsed_at: now,
  });
  if (kind === 'api') {
    const api = rec as Api;
    const meta = of(api.meta);
    const schema = of(api.schema);
    const main = meta ?? schema;
    if (main === undefined) return undefined;
    const refs = uniq([...(api.schema === '' ? [] : [api.schema]), ...(meta?.conformsTo ?? []), ...(schema?.conformsTo ?? [])].map(schemaRef));
    return make(meta !== undefined ? api.meta : api.schema, main, refs);
  }
  const field = kind === 'member' ? 'profile' : 'meta';
  const hash = fieldValue(rec, field);
  const d = of(hash);
  return d === undefined ? undefined : make(hash, d, []);
}

const sameDescription = (a: RdfDescription | undefined, b: RdfDescription): boolean =>
  a !== undefined && JSON.stringify({ ...a, parsed_at: 0 }) === JSON.stringify({ ...b, parsed_at: 0 });

/**
 * Writes the description of every record of `targets` that has one available; run inside a write
 * transaction. Returns how many records changed.
 */
export function applyDescriptions(db: WorkerDb, targets: readonly RecordRef[], parsed: ParsedByHash, now: NsTime): number {
  let changed = 0;
  for (const t of targets) {
    const rec = readRecord(db, t);
    if (rec === undefined) continue;
    const d = buildDescription(t.kind, rec, parsed, now);
    if (d === undefined || sameDescription(rec.description, d)) continue;
    switch (t.kind) {
      case 'market':
        db.markets.put(t.id as Uuid, { ...(rec as Market), description: d });
        break;
      case 'catalog':
        db.catalogs.put(t.id as Uuid, { ...(rec as Catalog), description: d });
        break;
      case 'api':
        db.apis.put(t.id as Uuid, { ...(rec as Api), description: d });
        break;
      case 'member':
        db.members.put(t.id as Address, { ...(rec as Member), description: d });
        break;
    }
    changed++;
  }
  return changed;
}
