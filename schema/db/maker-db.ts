/**
 * The maker DB (one per market maker, docs/protocol.md#maker-db): offers, payment/paying channels and their ledger
 * balances, purchase transactions, consents, with the indexes of docs/protocol.md#key-layouts. Index keys:
 *
 * | index | key | record |
 * |---|---|---|
 * | `idx_offer_by_key` (unique) | key id[16] | offer |
 * | `idx_offer_by_api` | api id[16] ‖ u64be(valid_from) ‖ offer id | offer, only while for sale (not revoked, copies left, not lapsed) |
 * | `idx_offer_by_seller` | seller delegate[20] ‖ u64be(valid_from) ‖ offer id | offer, same subset as `idx_offer_by_api` |
 * | `idx_offer_by_api_seller` | api id[16] ‖ seller delegate[20] ‖ u64be(valid_from) ‖ offer id | offer, same subset |
 * | `idx_offer_by_category` | api id[16] ‖ sha256(name ‖ 0x00 ‖ value)[0..8] ‖ u64be(valid_from) ‖ offer id | offer, one entry per category, same subset |
 * | `idx_offer_by_category_pair` | api id[16] ‖ sha256(name ‖ 0x00 ‖ value ‖ 0x00 ‖ name ‖ 0x00 ‖ value)[0..8] ‖ u64be(valid_from) ‖ offer id | offer, one entry per two categories (names in order), or one under ff×8 with more than 8 categories; same subset |
 * | `idx_offer_by_uri` | api id[16] ‖ uri ‖ 0x00 ‖ u64be(valid_from) ‖ offer id | offer, same subset |
 * | `idx_offer_by_expiry` | u64be(expires) ‖ offer id | offer, same subset, only those with `expires` (the sweep's work list) |
 * | `idx_payment_channel_by_delegate` / `_by_actor` | address[20] ‖ u64be(timestamp) ‖ channel id | payment channel |
 * | `idx_paying_channel_by_delegate` / `_by_recipient` | address[20] ‖ u64be(timestamp) ‖ channel id | paying channel |
 * | `idx_transaction_by_state` | u8(state) ‖ u64be(created) ‖ tid | transaction, INFLIGHT ones only (found on start) |
 * | `idx_transaction_by_payment_seq` | payment channel id[16] ‖ u32be(payment seq after the reserve) ‖ tid | transaction, all of them (a `buy_key` asked again, audits) |
 *
 * Consents live here under their own table (fixing the cross-DB slot mix-up of docs/protocol.md#consents). Names, encodings
 * and the transactions' index keys are in `maker-schema.ts`; the schema history in `maker-migrations.ts`.
 */
import type { Address, Uuid } from '../codec/types.js';
import type { Logger } from '../log.js';
import { openDbEnv, type DbEnv } from './env.js';
import { checkBalanceWrite, ledgerDebugFromEnv } from './ledger-invariant.js';
import { address, key, u64, u8, uuid } from './keys.js';
import { MAKER_MIGRATIONS } from './maker-migrations.js';
import { MAKER_SUBDBS, MakerIndex, offerIndexes, paymentSeqKey, transactionByPaymentSeq, transactionByState } from './maker-schema.js';
import type { ChannelBalance } from './records/balance.js';
import { ChannelType, type Channel } from './records/channel.js';
import type { Consent } from './records/consent.js';
import type { Offer } from './records/offer.js';
import { TransactionState, type Transaction } from './records/transaction.js';
import { consentKey, type ConsentKey } from './consent-key.js';
import { Table } from './table.js';

export { categoryDigest, categoryPairDigest, MAKER_SUBDBS, MakerIndex, offerUriPrefix, WIDE_OFFER } from './maker-schema.js';

export interface OpenMakerDbOptions {
  path: string;
  /** Map size in bytes (default 1 GiB). */
  maxsize?: number;
  /** Check the ledger invariant inside every balance write (default: `XBR_LEDGER_DEBUG=1`). */
  ledgerDebug?: boolean;
  /** Receives the lines of a migration at open (`{path, from, to, …}`). */
  log?: Logger;
}

/** An open maker DB. Writes: `env.writeSync(fn)` (durable on return) or `env.write(fn)` (batched). */
export interface MakerDb {
  readonly env: DbEnv;
  readonly offers: Table<Uuid, Offer>;
  readonly paymentChannels: Table<Uuid, Channel>;
  readonly payingChannels: Table<Uuid, Channel>;
  readonly paymentBalances: Table<Uuid, ChannelBalance>;
  readonly payingBalances: Table<Uuid, ChannelBalance>;
  readonly transactions: Table<Uuid, Transaction>;
  readonly consents: Table<ConsentKey, Consent>;
  /** True when balance writes are checked (debug mode). */
  readonly ledgerDebug: boolean;
  close(): Promise<void>;
}

const byId = (id: Uuid): Buffer => key(uuid(id));
const addrTime = (adr: Address, channel: Channel): Uint8Array => key(address(adr), u64(channel.timestamp));

/**
 * Opens (or creates) a maker DB at `options.path`.
 * @example
 * const db = await openMakerDb({ path: './.xbrmm-maker1' });
 * db.env.writeSync(() => { db.paymentChannels.put(ch.channel_oid, ch); db.paymentBalances.put(ch.channel_oid, initialBalance(ch.amount)); });
 */
export async function openMakerDb(options: OpenMakerDbOptions): Promise<MakerDb> {
  const env = await openDbEnv({
    path: options.path,
    kind: 'maker',
    ...(options.maxsize === undefined ? {} : { maxsize: options.maxsize }),
    subDbs: MAKER_SUBDBS,
    migrations: MAKER_MIGRATIONS,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const offers = new Table<Uuid, Offer>({
    env,
    name: 'offers',
    key: byId,
    // The offer-book indexes, with why each exists, are in maker-schema.ts (the migrations build the same entries).
    indexes: Object.values(offerIndexes),
  });
  const paymentChannels = new Table<Uuid, Channel>({
    env,
    name: 'payment_channels',
    key: byId,
    indexes: [
      { name: MakerIndex.paymentChannelByDelegate, key: (c) => addrTime(c.delegate, c) },
      { name: MakerIndex.paymentChannelByActor, key: (c) => addrTime(c.actor, c) },
    ],
  });
  const payingChannels = new Table<Uuid, Channel>({
    env,
    name: 'paying_channels',
    key: byId,
    indexes: [
      { name: MakerIndex.payingChannelByDelegate, key: (c) => addrTime(c.delegate, c) },
      { name: MakerIndex.payingChannelByRecipient, key: (c) => addrTime(c.recipient, c) },
    ],
  });
  const paymentBalances = new Table<Uuid, ChannelBalance>({ env, name: 'payment_balances', key: byId });
  const payingBalances = new Table<Uuid, ChannelBalance>({ env, name: 'paying_balances', key: byId });
  const transactions = new Table<Uuid, Transaction>({
    env,
    name: 'transactions',
    key: byId,
    // Both index definitions, with why, are in maker-schema.ts (the migrations build the same entries).
    indexes: [transactionByState, transactionByPaymentSeq],
  });
  const consents = new Table<ConsentKey, Consent>({ env, name: 'consents', key: consentKey });
  const ledgerDebug = options.ledgerDebug ?? ledgerDebugFromEnv();
  if (ledgerDebug) {
    paymentBalances.addAfterWrite((k, before, after) => {
      if (after !== undefined) checkBalanceWrite(paymentChannels.getByKey(k), before, after, k);
    });
    payingBalances.addAfterWrite((k, before, after) => {
      if (after !== undefined) checkBalanceWrite(payingChannels.getByKey(k), before, after, k);
    });
  }
  return { env, offers, paymentChannels, payingChannels, paymentBalances, payingBalances, transactions, consents, ledgerDebug, close: () => env.close() };
}

/** The channel and balance tables of a channel type. */
export function channelTables(db: MakerDb, type: typeof ChannelType.PAYMENT | typeof ChannelType.PAYING): { channels: Table<Uuid, Channel>; balances: Table<Uuid, ChannelBalance> } {
  return type === ChannelType.PAYMENT ? { channels: db.paymentChannels, balances: db.paymentBalances } : { channels: db.payingChannels, balances: db.payingBalances };
}

/** The offer for data-key `keyId`, via `idx_offer_by_key`. */
export function offerByKey(db: MakerDb, keyId: Uuid): Offer | undefined {
  return db.offers.getUnique(MakerIndex.offerByKey, key(uuid(keyId)))?.value;
}

/** Channels of `type` whose delegate is `delegate`, oldest first (docs/protocol.md#active-channel). */
export function channelsByDelegate(db: MakerDb, type: typeof ChannelType.PAYMENT | typeof ChannelType.PAYING, delegate: Address): Channel[] {
  const { channels } = channelTables(db, type);
  const index = type === ChannelType.PAYMENT ? MakerIndex.paymentChannelByDelegate : MakerIndex.payingChannelByDelegate;
  return channels.byIndex(index, { prefix: key(address(delegate)) }).map((e) => e.value);
}

/** The transactions that reserved payment seq `seq` on payment channel `channelId` (one, unless the DB is corrupt), via `idx_transaction_by_payment_seq`. */
export function transactionsByPaymentSeq(db: MakerDb, channelId: Uuid, seq: number): Transaction[] {
  return db.transactions.byIndex(MakerIndex.transactionByPaymentSeq, { prefix: paymentSeqKey(channelId, seq) }).map((e) => e.value);
}

/** INFLIGHT transactions (reserved, not yet resolved), oldest first: what a start must resolve. */
export function inflightTransactions(db: MakerDb): Transaction[] {
  return db.transactions.byIndex(MakerIndex.transactionByState, { prefix: key(u8(TransactionState.INFLIGHT)) }).map((e) => e.value);
}
