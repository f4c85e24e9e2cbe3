/**
 * One pass over a maker's channels of one type: how many are in each state, and the remaining, in-flight and
 * spent amounts in token base units (exact bigints). Read by the metrics (as Prometheus floats) and by the
 * worker's health details (as decimal strings, for the status page).
 */
import { ChannelState, ChannelType, type MakerDb } from '../../schema/db/index.js';

export const CHANNEL_TYPE_NAMES: Readonly<Record<number, 'payment' | 'paying'>> = { [ChannelType.PAYMENT]: 'payment', [ChannelType.PAYING]: 'paying' };
const STATE_NAMES: Readonly<Record<number, string>> = { [ChannelState.OPEN]: 'open', [ChannelState.CLOSING]: 'closing', [ChannelState.CLOSED]: 'closed', [ChannelState.FAILED]: 'failed' };

export interface LedgerTotals {
  /** Channels by state name. */
  channels: Map<string, number>;
  /** Of the channels not closed. */
  remaining: bigint;
  inflight: bigint;
  /** Of all channels: deposit − remaining − in flight. */
  spent: bigint;
}

/**
 * The last totals per DB and channel type with the DB's write count they were read at: a report reads them for
 * its metrics and again for its health details, and the second read is free unless something was written.
 */
const lastRead = new WeakMap<MakerDb, Map<number, { writes: number; totals: LedgerTotals }>>();

/** The totals of `db`'s channels of `type` (`ChannelType.PAYMENT` or `ChannelType.PAYING`); reused while nothing was written. */
export function ledgerTotals(db: MakerDb, type: number): LedgerTotals {
  const writes = db.env.writes();
  const byType = lastRead.get(db) ?? new Map<number, { writes: number; totals: LedgerTotals }>();
  const last = byType.get(type);
  if (last !== undefined && last.writes === writes) return last.totals;
  const totals = readTotals(db, type);
  byType.set(type, { writes, totals });
  lastRead.set(db, byType);
  return totals;
}

function readTotals(db: MakerDb, type: number): LedgerTotals {
  const channels = type === ChannelType.PAYMENT ? db.paymentChannels : db.payingChannels;
  const balances = type === ChannelType.PAYMENT ? db.paymentBalances : db.payingBalances;
  const t: LedgerTotals = { channels: new Map(), remaining: 0n, inflight: 0n, spent: 0n };
  for (const { value: ch } of channels.range()) {
    const state = STATE_NAMES[ch.state] ?? 'none';
    t.channels.set(state, (t.channels.get(state) ?? 0) + 1);
    const b = balances.get(ch.channel_oid);
    if (b === undefined) continue;
    t.spent += ch.amount - b.remaining - b.inflight;
    if (ch.state === ChannelState.CLOSED) continue;
    t.remaining += b.remaining;
    t.inflight += b.inflight;
  }
  return t;
}
