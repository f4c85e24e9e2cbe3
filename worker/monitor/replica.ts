/**
 * Writes the replica records (docs/protocol.md#replica-records) of one decoded XBR event into the worker DB. Runs inside the
 * monitor's write transaction (synchronous, no I/O). Idempotent: an event whose record already carries its
 * transaction hash and values is left alone, and so is an event older than the one the record holds (a
 * member's registration, an actor's join or leave, a consent, by their block), so re-processing a range — or
 * every range from an older block, a rescan — changes nothing, not even timestamps.
 * Keys: members by address, markets / catalogs / APIs by id, actors by market ‖ address ‖ type, consents by
 * their 73-byte key (catalog ‖ member ‖ delegate ‖ type ‖ market).
 */
import { sameBytes, type NsTime } from '../../schema/codec/index.js';
import type { ActorType, MemberLevel } from '../../schema/db/index.js';
import type { WorkerDb } from '../../schema/db/index.js';
import type { Logger } from '../../schema/index.js';
import type { DecodedXbrEvent } from '../chain/index.js';
import { addressOf, hash32Of, uuidOf } from './convert.js';
import type { ReplicaWrite } from './types.js';

/** What a replica event did. */
export type ReplicaOutcome = 'written' | 'unchanged' | 'skipped';

/** The record naming IPFS files that `ev` writes (members, markets, catalogs, APIs), if any. */
export function replicaWriteOf(ev: DecodedXbrEvent): ReplicaWrite | undefined {
  switch (ev.name) {
    case 'MemberRegistered':
      return { kind: 'member', id: addressOf(ev.member) };
    case 'MarketCreated':
      return { kind: 'market', id: uuidOf(ev.marketId) };
    case 'CatalogCreated':
      return { kind: 'catalog', id: uuidOf(ev.catalogId) };
    case 'ApiPublished':
      return { kind: 'api', id: uuidOf(ev.apiId) };
    default:
      return undefined;
  }
}


/**
 * Applies `ev` to the replica; channel events (Opened / Closing / Closed) are not replica events and are
 * `skipped` (they go to the makers' sinks).
 */
export function applyReplicaEvent(db: WorkerDb, ev: DecodedXbrEvent, now: NsTime, log: Logger): ReplicaOutcome {
  const tid = hash32Of(ev.origin.transactionHash);
  switch (ev.name) {
    case 'MemberRegistered': {
      const address = addressOf(ev.member);
      const cur = db.members.get(address);
      if (cur !== undefined && sameBytes(cur.tid, tid) && cur.registered === ev.registered) return 'unchanged';
      // An older registration read again (a rescan): the newer record stays.
      if (cur !== undefined && cur.registered > ev.registered) return 'unchanged';
      db.members.put(address, { address, timestamp: now, registered: ev.registered, eula: ev.eula, profile: ev.profile, level: ev.level as MemberLevel, tid });
      return 'written';
    }
    case 'MarketCreated': {
      const market = uuidOf(ev.marketId);
      const cur = db.markets.get(market);
      if (cur !== undefined && sameBytes(cur.tid, tid)) return 'unchanged';
      db.markets.put(market, {
        market, timestamp: now, created: ev.created, seq: ev.marketSeq, owner: addressOf(ev.owner), coin: addressOf(ev.coin), terms: ev.terms, meta: ev.meta,
        maker: addressOf(ev.maker), provider_security: ev.providerSecurity, consumer_security: ev.consumerSecurity, market_fee: ev.marketFee, tid,
      });
      return 'written';
    }
    case 'ActorJoined': {
      const k = { market: uuidOf(ev.marketId), actor: addressOf(ev.actor), actor_type: ev.actorType as ActorType };
      const cur = db.actors.get(k);
      if (cur !== undefined && sameBytes(cur.tid, tid) && cur.joined === ev.joined) return 'unchanged';
      // A join before the current one, read again (a rescan): the later join (and its leave) stays.
      if (cur !== undefined && cur.joined > ev.joined) return 'unchanged';
      // A re-join after leaving replaces the record, so `left` is gone again.
      db.actors.put(k, { ...k, timestamp: now, joined: ev.joined, security: ev.security, meta: ev.meta, tid });
      return 'written';
    }
    case 'ActorLeft': {
      const k = { market: uuidOf(ev.marketId), actor: addressOf(ev.actor), actor_type: ev.actorType as ActorType };
      const cur = db.actors.get(k);
      if (cur === undefined) {
        // Joined before the monitor's first block: there is no record to mark, and inventing one would lie about joined/security.
        log.warn('ActorLeft for an actor the replica never saw join; ignored', { market: ev.marketId, actor: ev.actor, actor_type: ev.actorType, block: ev.origin.blockNumber });
        return 'skipped';
      }
      // The same leave, or one before the current join read again (a rescan: the contract orders join < leave < re-join).
      if (cur.left === ev.left || cur.joined > ev.left) return 'unchanged';
      db.actors.put(k, { ...cur, left: ev.left });
      return 'written';
    }
    case 'ConsentSet': {
      const k = {
        catalog_oid: uuidOf(ev.apiCatalog), member: addressOf(ev.member), delegate: addressOf(ev.delegate), delegate_type: ev.delegateType as ActorType,
        market_oid: uuidOf(ev.marketId),
      };
      const cur = db.consents.get(k);
      if (cur !== undefined && sameBytes(cur.tid, tid) && cur.updated === ev.updated && cur.consent === ev.consent && cur.service_prefix === ev.servicePrefix) return 'unchanged';
      // An older consent read again (a rescan): the newer one stays.
      if (cur?.updated !== undefined && cur.updated > ev.updated) return 'unchanged';
      db.consents.put(k, { ...k, timestamp: now, updated: ev.updated, consent: ev.consent, service_prefix: ev.servicePrefix, tid, synced: true });
      return 'written';
    }
    case 'CatalogCreated': {
      const oid = uuidOf(ev.catalogId);
      const cur = db.catalogs.get(oid);
      if (cur !== undefined && sameBytes(cur.tid, tid)) return 'unchanged';
      db.catalogs.put(oid, { oid, timestamp: now, created: ev.created, seq: ev.catalogSeq, owner: addressOf(ev.owner), terms: ev.terms, meta: ev.meta, tid });
      return 'written';
    }
    case 'ApiPublished': {
      const oid = uuidOf(ev.apiId);
      const cur = db.apis.get(oid);
      if (cur !== undefined && sameBytes(cur.tid, tid)) return 'unchanged';
      db.apis.put(oid, { oid, catalog_oid: uuidOf(ev.catalogId), timestamp: now, published: ev.published, schema: ev.schema, meta: ev.meta, tid });
      return 'written';
    }
    case 'Opened':
    case 'Closing':
    case 'Closed':
      return 'skipped';
  }
}
