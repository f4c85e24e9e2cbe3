/**
 * Wire dicts of catalogs, APIs and their parsed descriptions. Catalogs keep the original's
 * `Catalog.marshal()` keys (docs/protocol.md#replica-records) plus `description`; byte fields are fresh Uint8Arrays, block numbers
 * 32-byte uint256 as elsewhere on the wire, absent optional fields None.
 */
import { packUint256 } from '../../../schema/codec/index.js';
import type { Api, Catalog, RdfDescription } from '../../../schema/db/index.js';

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);
const copyOrNull = (b: Uint8Array | undefined): Uint8Array | null => (b === undefined ? null : new Uint8Array(b));

/** A parsed RDF description as sent over WAMP. */
export interface DescriptionWire {
  /** IPFS hash the description was read from. */
  hash: string;
  title: string | null;
  description: string | null;
  tags: string[];
  schema_refs: string[];
  /** When parsed, ns. */
  parsed_at: bigint;
}

function marshalDescription(d: RdfDescription | undefined): DescriptionWire | null {
  if (d === undefined) return null;
  return { hash: d.hash, title: d.title ?? null, description: d.description ?? null, tags: [...d.tags], schema_refs: [...d.schema_refs], parsed_at: d.parsed_at };
}

/** A catalog as `find_catalogs` returns it: `Catalog.marshal()` plus `description`. */
export interface CatalogWire {
  oid: Uint8Array;
  timestamp: bigint;
  seq: number;
  owner: Uint8Array;
  terms: string;
  meta: string;
  tid: Uint8Array | null;
  signature: Uint8Array | null;
  /** The parsed `meta` description (None until the file is downloaded and parsed). */
  description: DescriptionWire | null;
}

/** A catalog as `get_catalogs_by_owner` (docs/protocol.md#get-catalogs-by-owner) and `get_catalog` return it: with `meta_data`. */
export interface CatalogWithMetaWire extends CatalogWire {
  /** Text of the `meta` file once downloaded and verified, else `""` (as the original for a file it did not have). */
  meta_data: string;
}

export function marshalCatalog(c: Catalog): CatalogWire {
  return {
    oid: copy(c.oid),
    timestamp: c.timestamp,
    seq: c.seq,
    owner: copy(c.owner),
    terms: c.terms,
    meta: c.meta,
    tid: copyOrNull(c.tid),
    signature: copyOrNull(c.signature),
    description: marshalDescription(c.description),
  };
}

/** An API of a catalog as sent over WAMP. */
export interface ApiWire {
  oid: Uint8Array;
  catalog_oid: Uint8Array;
  timestamp: bigint;
  /** Block of publication (uint256, 32 bytes). */
  published: Uint8Array;
  schema: string;
  meta: string;
  tid: Uint8Array | null;
  signature: Uint8Array | null;
  /** Parsed `meta` (title, description, tags) with `schema_refs`; None until available. */
  description: DescriptionWire | null;
}

export function marshalApi(a: Api): ApiWire {
  return {
    oid: copy(a.oid),
    catalog_oid: copy(a.catalog_oid),
    timestamp: a.timestamp,
    published: new Uint8Array(packUint256(a.published)),
    schema: a.schema,
    meta: a.meta,
    tid: copyOrNull(a.tid),
    signature: copyOrNull(a.signature),
    description: marshalDescription(a.description),
  };
}
