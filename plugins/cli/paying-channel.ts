/**
 * The seller's paying channel (maker → seller delegate; docs/protocol.md#open-channel): found with
 * `get_active_paying_channel`, or opened through the maker's `open_channel` — signed EIP712ChannelOpen by
 * the seller member (actor), recipient = the member, funded by the maker. The maker allows one live paying
 * channel per delegate, so an existing one is reused, never replaced.
 */
import { randomBytes } from 'node:crypto';
import type { Wampy } from 'wampy';
import type { BuyerConfig } from '../buyer/index.js';
import { wampySession } from '../buyer/index.js';
import { parseAddress } from '../../schema/codec/index.js';
import { packUint256, unpackUint256 } from '../../schema/codec/index.js';
import type { Uuid } from '../../schema/codec/index.js';
import { signChannelOpen } from '../../schema/eip712/index.js';
import { MarketMakerProcedure } from '../../schema/index.js';
import { callMaker, makerBlockNumber } from '../common/index.js';

export interface PayingChannel {
  readonly channelId: Uuid;
  /** What the maker's ledger has left in it (base units). */
  readonly remaining: bigint;
  /** Whether this call opened it. */
  readonly opened: boolean;
}

/** An active paying channel of `delegate`, opening one of `amount` when there is none. */
export async function ensurePayingChannel(
  client: Wampy,
  config: BuyerConfig,
  p: { memberKey: Uint8Array; member: string; delegate: Uint8Array; amount: bigint },
): Promise<PayingChannel> {
  const session = wampySession(client);
  const call = session.call.bind(session);
  const active = await callMaker(call, MarketMakerProcedure.getActivePayingChannel, [p.delegate]);
  let channelId: Uuid;
  let opened = false;
  if (active !== null) {
    channelId = active.channel_oid as Uuid;
  } else {
    const block = await makerBlockNumber(call);
    channelId = new Uint8Array(randomBytes(16)) as Uuid;
    const member = parseAddress(p.member);
    const b = config.binding;
    const signature = signChannelOpen(
      { chainId: b.chainId, verifyingContract: b.verifyingContract, ctype: 2, openedAt: block, marketId: b.marketId, channelId, actor: member, delegate: p.delegate as never, marketmaker: config.maker, recipient: member, amount: p.amount },
      p.memberKey,
    );
    await callMaker(call, MarketMakerProcedure.openChannel, [member, b.marketId, channelId, Number(b.chainId), Number(block), b.verifyingContract, 2, p.delegate, config.maker, member, packUint256(p.amount), signature]);
    opened = true;
  }
  const balance = await callMaker(call, MarketMakerProcedure.getPayingChannelBalance, [channelId]);
  return { channelId, remaining: unpackUint256(balance.remaining), opened };
}
