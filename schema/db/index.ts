/** LMDB storage of xbr-edge: environments, typed tables and indexes, maker/worker DBs, ledger checks. */
export { storageError } from '../storage-errors.js';
export { address, key, u64, uuid } from './keys.js';
export { SCHEMA_VERSIONS, type DbEnv, type DbKind, type ReadSnapshot } from './env.js';
export { fileTimestamp } from './migrations.js';
export { fsyncPath, inspectEnvCopy, lmdbLayout, snapshotEnv } from './env-copy.js';
export { Table } from './table.js';
export type { ConsentKey } from './consent-key.js';
export {
  categoryDigest,
  categoryPairDigest,
  MakerIndex,
  offerUriPrefix,
  WIDE_OFFER,
  channelTables,
  channelsByDelegate,
  offerByKey,
  openMakerDb,
  inflightTransactions,
  transactionsByPaymentSeq,
  type MakerDb,
} from './maker-db.js';
export { WorkerIndex, openWorkerDb, type WorkerDb } from './worker-db.js';
export { checkBalance } from './ledger-invariant.js';
export { initialBalance, type ChannelBalance } from './records/balance.js';
export { ChannelState, ChannelType, type Channel } from './records/channel.js';
export { TransactionState, type Transaction } from './records/transaction.js';
export type { Offer } from './records/offer.js';
export type { Consent } from './records/consent.js';
export { ActorType, MemberLevel, type Api, type Block, type Catalog, type Market, type Member } from './records/chain.js';
export type { IpfsFile, IpfsFileRef, IpfsFileStatus } from './records/ipfs-file.js';
export type { RdfDescription } from './records/description.js';
