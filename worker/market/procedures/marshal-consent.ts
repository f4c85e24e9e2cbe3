/**
 * Wire dicts of consents (docs/protocol.md#replica-records `Consent.marshal()`): the original's keys; uint256 values as 32 bytes,
 * byte fields as fresh Uint8Arrays, absent optional fields as None. Catalogs: `marshal-catalog.ts`.
 */
import type { ConsentResult } from '../../../schema/api/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { Consent } from '../../../schema/db/index.js';

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);
const copyOrNull = (b: Uint8Array | undefined): Uint8Array | null => (b === undefined ? null : new Uint8Array(b));

/** `Consent.marshal()`. */
export function marshalConsent(c: Consent): ConsentResult {
  return {
    market_oid: copy(c.market_oid),
    member: copy(c.member),
    delegate: copy(c.delegate),
    delegate_type: c.delegate_type === 0 ? null : c.delegate_type,
    catalog_oid: copy(c.catalog_oid),
    timestamp: c.timestamp,
    updated: c.updated === undefined ? null : new Uint8Array(packUint256(c.updated)),
    consent: c.consent,
    service_prefix: c.service_prefix,
    tid: copyOrNull(c.tid),
    signature: copyOrNull(c.signature),
    synced: c.synced,
  };
}
