/**
 * Ledger invariants of docs/protocol.md#ledger-rules as code. Each check throws a `xbr.error.ledger_invariant` WampError
 * naming the channel and the numbers; the maker treats it like a storage failure (fail closed).
 *
 * Debug mode (`XBR_LEDGER_DEBUG=1`, or `ledgerDebug: true` when opening the maker DB) runs
 * {@link checkBalanceWrite} inside every balance write, so a broken write aborts its transaction.
 */
import { WampError } from '../errors.js';
import type { ChannelBalance } from './records/balance.js';
import type { Channel } from './records/channel.js';
import { XbrErrorUri } from '../error-uris.js';

function hex(b: Uint8Array | undefined): string {
  return b === undefined ? '?' : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function fail(message: string, kwargs: Record<string, unknown>): never {
  throw new WampError(XbrErrorUri.ledgerInvariant, message, { kwargs });
}

/** True when debug checks are on by environment (`XBR_LEDGER_DEBUG=1`). */
export function ledgerDebugFromEnv(): boolean {
  return process.env['XBR_LEDGER_DEBUG'] === '1';
}

/**
 * Checks `channel.amount == remaining + inflight + spent` and that all four are ≥ 0 and `seq` is a
 * non-negative integer.
 * @example checkBalance(channel, { remaining: 90n, inflight: 10n, spent: 0n, seq: 2 })
 */
export function checkBalance(channel: Pick<Channel, 'channel_oid' | 'amount'>, balance: ChannelBalance): void {
  const id = hex(channel.channel_oid);
  const { remaining, inflight, spent, seq } = balance;
  for (const [name, v] of [['amount', channel.amount], ['remaining', remaining], ['inflight', inflight], ['spent', spent]] as const) {
    if (typeof v !== 'bigint') fail(`channel ${id}: ${name} is not a bigint (${typeof v})`, { channel: id, field: name });
    if (v < 0n) fail(`channel ${id}: ${name} is negative (${v})`, { channel: id, field: name, value: v.toString() });
  }
  if (!Number.isSafeInteger(seq) || seq < 0) fail(`channel ${id}: seq ${String(seq)} is not a non-negative integer`, { channel: id, seq });
  const sum = remaining + inflight + spent;
  if (sum !== channel.amount) {
    fail(`channel ${id}: amount ${channel.amount} != remaining ${remaining} + inflight ${inflight} + spent ${spent} (= ${sum})`, {
      channel: id,
      amount: channel.amount.toString(),
      remaining: remaining.toString(),
      inflight: inflight.toString(),
      spent: spent.toString(),
    });
  }
}

/**
 * Checks that `after.seq > before.seq` (every new signed balance has a new sequence number).
 * @example checkSeqAdvance({ ...b, seq: 3 }, { ...b, seq: 4 })
 */
export function checkSeqAdvance(before: Pick<ChannelBalance, 'seq'>, after: Pick<ChannelBalance, 'seq'>, channelId?: Uint8Array): void {
  if (!(after.seq > before.seq)) {
    const id = hex(channelId);
    fail(`channel ${id}: seq must increase, went from ${before.seq} to ${after.seq}`, { channel: id, before: before.seq, after: after.seq });
  }
}

/**
 * The check run after each balance write in debug mode: {@link checkBalance}; `seq` never decreases;
 * and `remaining` decreases only together with a seq advance (a new payment needs a new seq; resolving
 * a purchase — inflight → spent or inflight → remaining — keeps the seq).
 */
export function checkBalanceWrite(channel: Pick<Channel, 'channel_oid' | 'amount'> | undefined, before: ChannelBalance | undefined, after: ChannelBalance, channelId: Uint8Array): void {
  if (channel === undefined) fail(`balance of channel ${hex(channelId)} written without its channel record`, { channel: hex(channelId) });
  checkBalance(channel, after);
  if (before === undefined) return;
  if (after.seq < before.seq) checkSeqAdvance(before, after, channelId);
  if (after.seq === before.seq && after.remaining < before.remaining) {
    fail(`channel ${hex(channelId)}: remaining decreased from ${before.remaining} to ${after.remaining} without a seq advance (seq ${after.seq})`, {
      channel: hex(channelId),
      seq: after.seq,
    });
  }
}
