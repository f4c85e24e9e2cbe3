/** LMDB storage of xbr-edge: environments, typed tables and indexes, maker/worker DBs, ledger checks. */
export { DbErrorUri, storageError } from '../storage-errors.js';
export { address, bytes, bytes32, key, prefixRange, readU64, stringKey, u32, u64, u8, uuid, type KeyPart } from './keys.js';
export {
  DEFAULT_MAXSIZE,
  SCHEMA_VERSIONS,
  currentSchemaVersion,
  openDbEnv,
  type DbEnv,
  type DbEnvOptions,
  type DbKind,
  type DbMeta,
  type SubDbEncoding,
} from './env.js';
export { fileTimestamp, migrationSteps, openableVersions, type AppliedMigration, type Migration, type MigrationTxn } from './migrations.js';
export { MAKER_MIGRATIONS } from './maker-migrations.js';
export { WORKER_MIGRATIONS } from './worker-migrations.js';
export { copyOpenEnv, fsyncPath, inspectEnvCopy, lmdbLayout, snapshotEnv, type EnvCopyInfo, type LmdbLayout } from './env-copy.js';
export { Table, rebuildIndex, type AfterWriteHook, type Entry, type IndexDef, type RangeOptions, type TableOptions } from './table.js';
export { consentKey, type ConsentKey } from './consent-key.js';
export {
  MAKER_SUBDBS,
  MakerIndex,
  channelTables,
  channelsByDelegate,
  offerByKey,
  openMakerDb,
  inflightTransactions,
  transactionsByPaymentSeq,
  type MakerDb,
  type OpenMakerDbOptions,
} from './maker-db.js';
export { WORKER_SUBDBS, WorkerIndex, actorKey, openWorkerDb, type ActorKey, type OpenWorkerDbOptions, type TokenEventKey, type WorkerDb } from './worker-db.js';
export { checkBalance, checkBalanceWrite, checkSeqAdvance, ledgerDebugFromEnv } from './ledger-invariant.js';
export { initialBalance, type ChannelBalance } from './records/balance.js';
export { ChannelState, ChannelType, type Channel } from './records/channel.js';
export { TransactionState, type Transaction } from './records/transaction.js';
export type { Offer } from './records/offer.js';
export type { Consent } from './records/consent.js';
export { ActorType, MemberLevel, type Actor, type Api, type Block, type Catalog, type Market, type Member, type TokenApproval, type TokenTransfer } from './records/chain.js';
export type { UserKey } from './records/user-key.js';
export type { IpfsFile, IpfsFileRef, IpfsFileStatus } from './records/ipfs-file.js';
export type { RdfDescription } from './records/description.js';
export type { MonitorState } from './records/monitor.js';
