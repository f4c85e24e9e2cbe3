/**
 * A full consistency check of the ledger against its own transaction log, for start-up and tests:
 * for every channel, `amount == remaining + inflight + spent` (ledger-invariant.ts), `inflight` equals the
 * sum of its INFLIGHT purchases, `spent` the sum of its SUCCESS purchases, `sales` / `refunds` their counts
 * of SUCCESS / FAILED purchases, and `seq` is 1 plus the number of purchases that used the channel (every
 * reservation advances it by exactly 1, nothing else does).
 * Throws `xbr.error.ledger_invariant` naming the first channel that disagrees.
 */
import { formatUuid } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import { checkBalance } from '../../../schema/db/index.js';
import { TransactionState } from '../../../schema/db/index.js';
import type { Channel } from '../../../schema/db/index.js';
import type { ChannelBalance } from '../../../schema/db/index.js';
import type { Table } from '../../../schema/db/index.js';
import type { Uuid } from '../../../schema/codec/index.js';
import { ledgerCorrupt } from './errors.js';
import { hexOf } from './types.js';

interface Sums {
  inflight: bigint;
  spent: bigint;
  purchases: number;
  sales: number;
  refunds: number;
}

/** Summary of an audit. */
export interface LedgerAudit {
  readonly channels: number;
  readonly transactions: number;
  readonly inflight: number;
}

/**
 * Audits the whole maker ledger (reads only; call outside or inside a transaction).
 * @example auditLedger(db) // throws xbr.error.ledger_invariant on the first inconsistency
 */
export function auditLedger(db: MakerDb): LedgerAudit {
  const payment = new Map<string, Sums>();
  const paying = new Map<string, Sums>();
  const add = (m: Map<string, Sums>, id: Uint8Array, state: number, amount: bigint): void => {
    const k = hexOf(id);
    const s = m.get(k) ?? { inflight: 0n, spent: 0n, purchases: 0, sales: 0, refunds: 0 };
    s.purchases++;
    if (state === TransactionState.INFLIGHT) s.inflight += amount;
    if (state === TransactionState.SUCCESS) {
      s.spent += amount;
      s.sales++;
    }
    if (state === TransactionState.FAILED) s.refunds++;
    m.set(k, s);
  };
  let transactions = 0;
  let inflight = 0;
  for (const { value: tx } of db.transactions.range()) {
    transactions++;
    if (tx.state === TransactionState.INFLIGHT) inflight++;
    add(payment, tx.payment_channel, tx.state, tx.amount);
    if (tx.paying_channel.some((b) => b !== 0)) add(paying, tx.paying_channel, tx.state, tx.amount);
  }
  const check = (what: string, channels: Table<Uuid, Channel>, balances: Table<Uuid, ChannelBalance>, sums: Map<string, Sums>): number => {
    let n = 0;
    for (const { value: channel } of channels.range()) {
      n++;
      const id = formatUuid(channel.channel_oid);
      const b = balances.get(channel.channel_oid);
      if (b === undefined) throw ledgerCorrupt(`${what} channel ${id} has no balance record`, { channel: id });
      checkBalance(channel, b);
      const s = sums.get(hexOf(channel.channel_oid)) ?? { inflight: 0n, spent: 0n, purchases: 0, sales: 0, refunds: 0 };
      if (b.inflight !== s.inflight) throw ledgerCorrupt(`${what} channel ${id}: inflight ${b.inflight} but its INFLIGHT purchases sum to ${s.inflight}`, { channel: id });
      if (b.spent !== s.spent) throw ledgerCorrupt(`${what} channel ${id}: spent ${b.spent} but its SUCCESS purchases sum to ${s.spent}`, { channel: id });
      if (b.seq !== 1 + s.purchases) throw ledgerCorrupt(`${what} channel ${id}: seq ${b.seq} but ${s.purchases} purchases used it`, { channel: id });
      if ((b.sales ?? 0) !== s.sales) throw ledgerCorrupt(`${what} channel ${id}: ${b.sales ?? 0} sales counted but ${s.sales} purchases succeeded`, { channel: id });
      if ((b.refunds ?? 0) !== s.refunds) throw ledgerCorrupt(`${what} channel ${id}: ${b.refunds ?? 0} refunds counted but ${s.refunds} purchases were refunded`, { channel: id });
      sums.delete(hexOf(channel.channel_oid));
    }
    for (const k of sums.keys()) throw ledgerCorrupt(`a purchase refers to the unknown ${what} channel ${k}`, { channel: k });
    if (balances.count() !== n) throw ledgerCorrupt(`${what}: ${balances.count()} balance records for ${n} channels`);
    return n;
  };
  const channels = check('payment', db.paymentChannels, db.paymentBalances, payment) + check('paying', db.payingChannels, db.payingBalances, paying);
  return { channels, transactions, inflight };
}
