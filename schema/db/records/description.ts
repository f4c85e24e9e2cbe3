/**
 * What the maker understood of an RDF/Turtle description downloaded from IPFS (docs/protocol.md#ipfs): the human-facing
 * fields operators and buyers search by. Stored on the market, catalog, API or member record it describes.
 */
import type { NsTime } from '../../codec/types.js';

export interface RdfDescription {
  /** The IPFS hash (CID string as on chain) the description was parsed from. */
  hash: string;
  /** `dcterms:title` / `rdfs:label` (first found), when present. */
  title?: string;
  /** `dcterms:description` / `rdfs:comment` (first found), when present. */
  description?: string;
  /** Keywords (`dcat:keyword`, `dcterms:subject` literals), deduplicated, in document order. */
  tags: string[];
  /** For API descriptions: the schema documents / IRIs the API refers to. */
  schema_refs: string[];
  /** When parsed, ns. */
  parsed_at: NsTime;
}
