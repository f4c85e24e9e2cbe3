/**
 * `xbr-edge seller --status` and `--request-close`: what the seller member sees of its delegate's paying
 * channels without selling — earned, unclaimed, sales, refunds and the close state of each
 * (`get_paying_channel`) — and the close of the active one that the market maker starts and the running seller
 * delegate co-signs (`close_paying_channel`, docs/protocol.md#seller-earnings).
 */
import { computeAddress, hexlify } from 'ethers';
import type { PayingChannelResult } from '../../schema/api/index.js';
import { parseAddress, toHex, unpackUint256 } from '../../schema/codec/index.js';
import { MarketMakerChannelProcedure, MarketMakerProcedure } from '../../schema/index.js';
import { wampySession } from '../buyer/index.js';
import { callMaker } from '../common/index.js';
import { formatXbr } from './amounts.js';
import { CliError, describeError } from './errors.js';
import { loginMember, type MemberLogin } from './login.js';
import type { Output } from './output.js';

const STATES: Record<number, string> = { 1: 'open', 2: 'closing', 3: 'closed' };

export interface SellerStatusOptions extends MemberLogin {
  readonly delegateKey: Uint8Array;
  readonly output: Output;
}

/** One paying channel as the status shows it (amounts in base units). */
interface ChannelStatus {
  channel: string;
  state: string;
  amount: bigint;
  earned: bigint;
  unclaimed: bigint;
  remaining: bigint;
  inflight: bigint;
  sales: number;
  refunds: number;
  seq: number;
  close_tx: string | null;
}

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;

function statusOf(c: PayingChannelResult): ChannelStatus {
  const e = c.earnings;
  return {
    channel: hex(c.channel_oid),
    state: STATES[c.state] ?? String(c.state),
    amount: unpackUint256(c.amount),
    earned: unpackUint256(e.earned),
    unclaimed: unpackUint256(e.unclaimed),
    remaining: unpackUint256(e.remaining),
    inflight: unpackUint256(e.inflight),
    sales: e.sales,
    refunds: e.refunds,
    seq: e.seq,
    close_tx: c.closed_tx === null ? null : hex(c.closed_tx),
  };
}

function line(s: ChannelStatus): string {
  const close = s.close_tx === null ? '' : `, close tx ${s.close_tx}`;
  return `paying channel ${s.channel} ${s.state}: earned ${formatXbr(s.earned)} (${formatXbr(s.unclaimed)} unclaimed) from ${s.sales} sales, ${s.refunds} refunded; ${formatXbr(s.remaining)} left to earn of ${formatXbr(s.amount)}, seq ${s.seq}${close}`;
}

async function withMember<T>(o: SellerStatusOptions, run: (call: ReturnType<typeof wampySession>['call'], delegate: Uint8Array) => Promise<T>): Promise<T> {
  const session = await loginMember({ url: o.url, realm: o.realm, memberKey: o.memberKey, loginSeed: o.loginSeed });
  try {
    const s = wampySession(session.client);
    return await run(s.call.bind(s), parseAddress(computeAddress(hexlify(o.delegateKey))));
  } finally {
    await session.client.disconnect().catch(() => undefined);
  }
}

/** Prints every paying channel of the seller's delegate with its earnings, oldest first. */
export async function showSellerStatus(o: SellerStatusOptions, json: boolean): Promise<void> {
  const rows = await withMember(o, async (call, delegate) => {
    const ids = await callMaker(call, MarketMakerProcedure.getChannelsByDelegate, [delegate, 2, false]);
    const out: ChannelStatus[] = [];
    for (const id of ids) out.push(statusOf(await callMaker(call, MarketMakerProcedure.getPayingChannel, [id])));
    return out;
  });
  if (json) {
    o.output.out(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
    return;
  }
  if (rows.length === 0) o.output.out('seller: the delegate has no paying channel in this market');
  for (const r of rows) o.output.out(`seller: ${line(r)}`);
}

/**
 * Asks the market maker to close the delegate's active paying channel; the seller delegate (running
 * elsewhere, e.g. `xbr-edge seller`) co-signs it. Prints the submitted close.
 * @throws CliError when there is no active channel or the maker refused (the channel then stays open)
 */
export async function requestPayingChannelClose(o: SellerStatusOptions): Promise<void> {
  await withMember(o, async (call, delegate) => {
    const active = await callMaker(call, MarketMakerProcedure.getActivePayingChannel, [delegate]);
    if (active === null) throw new CliError('the delegate has no open paying channel with anything left in it to close');
    try {
      const r = await callMaker(call, MarketMakerChannelProcedure.closePayingChannel, [active.channel_oid]);
      o.output.out(`seller: paying channel ${hex(r.channel_oid)} closing at seq ${r.seq}: ${formatXbr(unpackUint256(r.balance))} back to the market maker (tx ${hex(r.transaction)})`);
    } catch (err) {
      throw new CliError(`the market maker did not close paying channel ${hex(active.channel_oid)}: ${describeError(err)}`, undefined, { cause: err });
    }
  });
}
