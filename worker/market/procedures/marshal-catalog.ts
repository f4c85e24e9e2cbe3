/**
 * Wire dicts of catalogs, APIs and their parsed descriptions. Catalogs keep the original's
 * `Catalog.marshal()` keys (docs/protocol.md#replica-records) plus `description`; byte fields are fresh Uint8Arrays, block numbers
 * 32-byte uint256 as elsewhere on the wire, absent optional fields None.
 */
import type { ApiResult, CatalogResult, DescriptionResult } from '../../../schema/api/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { Api, Catalog, RdfDescription } from '../../../schema/db/index.js';

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);
const copyOrNull = (b: Uint8Array | undefined): Uint8Array | null => (b === undefined ? null : new Uint8Array(b));

function marshalDescription(d: RdfDescription | undefined): DescriptionResult | null {
  if (d === undefined) return null;
  return { hash: d.hash, title: d.title ?? null, description: d.description ?? null, tags: [...d.tags], schema_refs: [...d.schema_refs], parsed_at: d.parsed_at };
}

export function marshalCatalog(c: Catalog): CatalogResult {
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

export function marshalApi(a: Api): ApiResult {
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
