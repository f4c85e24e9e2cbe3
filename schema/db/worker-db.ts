/**
 * The worker DB (one per xbrmm worker, docs/protocol.md#worker-db): the blockchain replica (docs/protocol.md#replica-records), user keys, the IPFS
 * download log and the chain monitor's progress. Keys and indexes:
 *
 * | table / index | key |
 * |---|---|
 * | `blocks` | u64be(block number) |
 * | `members` | address[20] |
 * | `markets`, `catalogs`, `apis` | id[16] |
 * | `idx_markets_by_owner`, `idx_catalogs_by_owner` | address[20] ‖ u64be(timestamp) ‖ id |
 * | `idx_markets_by_maker` | address[20] ‖ id (a maker may serve several markets over time) |
 * | `idx_apis_by_catalog` | catalog[16] ‖ u64be(timestamp) ‖ id |
 * | `actors` | market[16] ‖ actor[20] ‖ u8(actor_type) (37 bytes) |
 * | `idx_actors_by_address` | actor[20] ‖ u64be(timestamp) ‖ actors key (markets of an actor) |
 * | `consents` | see `consent-key.ts` (73 bytes) |
 * | `idx_consent_by_member` | member[20] ‖ u64be(timestamp) ‖ consent key |
 * | `token_transfers`, `token_approvals` | tx hash[32] ‖ u32be(log index) |
 * | `user_keys` | pubkey[32] |
 * | `idx_user_key_by_member` | owner address[20] ‖ u64be(created) ‖ pubkey |
 * | `ipfs_files` | UTF-8 hash |
 * | `monitor` | u32be(chain id) |
 */
import type { Address, Ed25519PublicKey, Hash32, Uuid } from '../codec/types.js';
import { consentKey, type ConsentKey } from './consent-key.js';
import type { Logger } from '../log.js';
import { openDbEnv, type DbEnv, type SubDbEncoding } from './env.js';
import { address, bytes32, key, stringKey, u32, u64, u8, uuid } from './keys.js';
import type { ActorType, Actor, Api, Block, Catalog, Market, Member, TokenApproval, TokenTransfer } from './records/chain.js';
import type { Consent } from './records/consent.js';
import type { IpfsFile } from './records/ipfs-file.js';
import type { MonitorState } from './records/monitor.js';
import type { UserKey } from './records/user-key.js';
import { Table } from './table.js';
import { WORKER_MIGRATIONS } from './worker-migrations.js';

/** Index names of the worker DB. */
export const WorkerIndex = {
  marketsByOwner: 'idx_markets_by_owner',
  marketsByMaker: 'idx_markets_by_maker',
  catalogsByOwner: 'idx_catalogs_by_owner',
  apisByCatalog: 'idx_apis_by_catalog',
  actorsByAddress: 'idx_actors_by_address',
  consentByMember: 'idx_consent_by_member',
  userKeyByMember: 'idx_user_key_by_member',
} as const;

/** Sub-databases of a worker DB and how they store values. */
const WORKER_SUBDBS: Readonly<Record<string, SubDbEncoding>> = {
  blocks: 'msgpack',
  members: 'msgpack',
  markets: 'msgpack',
  [WorkerIndex.marketsByOwner]: 'binary',
  [WorkerIndex.marketsByMaker]: 'binary',
  catalogs: 'msgpack',
  [WorkerIndex.catalogsByOwner]: 'binary',
  apis: 'msgpack',
  [WorkerIndex.apisByCatalog]: 'binary',
  actors: 'msgpack',
  [WorkerIndex.actorsByAddress]: 'binary',
  consents: 'msgpack',
  [WorkerIndex.consentByMember]: 'binary',
  token_transfers: 'msgpack',
  token_approvals: 'msgpack',
  user_keys: 'msgpack',
  [WorkerIndex.userKeyByMember]: 'binary',
  ipfs_files: 'msgpack',
  monitor: 'msgpack',
};

/** Primary key of an actor. */
export interface ActorKey {
  market: Uuid;
  actor: Address;
  actor_type: ActorType;
}

/** Primary key of a token transfer or approval. */
export interface TokenEventKey {
  tx_hash: Hash32;
  log_index: number;
}

export interface OpenWorkerDbOptions {
  path: string;
  /** Map size in bytes (default 1 GiB). */
  maxsize?: number;
  /** Receives the lines of a migration at open (`{path, from, to, …}`). */
  log?: Logger;
}

/** An open worker DB. */
export interface WorkerDb {
  readonly env: DbEnv;
  readonly blocks: Table<bigint, Block>;
  readonly members: Table<Address, Member>;
  readonly markets: Table<Uuid, Market>;
  readonly catalogs: Table<Uuid, Catalog>;
  readonly apis: Table<Uuid, Api>;
  readonly actors: Table<ActorKey, Actor>;
  readonly consents: Table<ConsentKey, Consent>;
  readonly tokenTransfers: Table<TokenEventKey, TokenTransfer>;
  readonly tokenApprovals: Table<TokenEventKey, TokenApproval>;
  readonly userKeys: Table<Ed25519PublicKey, UserKey>;
  readonly ipfsFiles: Table<string, IpfsFile>;
  readonly monitor: Table<number, MonitorState>;
  close(): Promise<void>;
}

const byId = (id: Uuid): Buffer => key(uuid(id));
const tokenEventKey = (k: TokenEventKey): Buffer => key(bytes32(k.tx_hash), u32(k.log_index));

/** Encodes an actor key (37 bytes). */
export function actorKey(k: ActorKey): Buffer {
  return key(uuid(k.market), address(k.actor), u8(k.actor_type));
}

/**
 * Opens (or creates) a worker DB at `options.path`.
 * @example const wdb = await openWorkerDb({ path: './.xbrmm-worker1-db' });
 */
export async function openWorkerDb(options: OpenWorkerDbOptions): Promise<WorkerDb> {
  const env = await openDbEnv({
    path: options.path,
    kind: 'worker',
    ...(options.maxsize === undefined ? {} : { maxsize: options.maxsize }),
    subDbs: WORKER_SUBDBS,
    migrations: WORKER_MIGRATIONS,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return {
    env,
    blocks: new Table<bigint, Block>({ env, name: 'blocks', key: (n) => key(u64(n)) }),
    members: new Table<Address, Member>({ env, name: 'members', key: (a) => key(address(a)) }),
    markets: new Table<Uuid, Market>({
      env,
      name: 'markets',
      key: byId,
      indexes: [
        { name: WorkerIndex.marketsByOwner, key: (m) => key(address(m.owner), u64(m.timestamp)) },
        { name: WorkerIndex.marketsByMaker, key: (m) => key(address(m.maker)) },
      ],
    }),
    catalogs: new Table<Uuid, Catalog>({ env, name: 'catalogs', key: byId, indexes: [{ name: WorkerIndex.catalogsByOwner, key: (c) => key(address(c.owner), u64(c.timestamp)) }] }),
    apis: new Table<Uuid, Api>({ env, name: 'apis', key: byId, indexes: [{ name: WorkerIndex.apisByCatalog, key: (a) => key(uuid(a.catalog_oid), u64(a.timestamp)) }] }),
    actors: new Table<ActorKey, Actor>({ env, name: 'actors', key: actorKey, indexes: [{ name: WorkerIndex.actorsByAddress, key: (a) => key(address(a.actor), u64(a.timestamp)) }] }),
    consents: new Table<ConsentKey, Consent>({ env, name: 'consents', key: consentKey, indexes: [{ name: WorkerIndex.consentByMember, key: (c) => key(address(c.member), u64(c.timestamp)) }] }),
    tokenTransfers: new Table<TokenEventKey, TokenTransfer>({ env, name: 'token_transfers', key: tokenEventKey }),
    tokenApprovals: new Table<TokenEventKey, TokenApproval>({ env, name: 'token_approvals', key: tokenEventKey }),
    userKeys: new Table<Ed25519PublicKey, UserKey>({
      env,
      name: 'user_keys',
      key: (k) => key(bytes32(k)),
      indexes: [{ name: WorkerIndex.userKeyByMember, key: (u) => key(address(u.owner), u64(u.created)) }],
    }),
    ipfsFiles: new Table<string, IpfsFile>({ env, name: 'ipfs_files', key: stringKey }),
    monitor: new Table<number, MonitorState>({ env, name: 'monitor', key: (chainId) => key(u32(chainId)) }),
    close: () => env.close(),
  };
}
