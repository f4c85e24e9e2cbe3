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
  const active = (await session.call(MarketMakerProcedure.getActivePayingChannel, [p.delegate])) as { channel_oid?: Uint8Array } | null;
  let channelId: Uuid;
  let opened = false;
  if (active !== null && active !== undefined && active.channel_oid instanceof Uint8Array) {
    channelId = new Uint8Array(active.channel_oid) as Uuid;
  } else {
    const status = (await session.call(MarketMakerProcedure.getStatus)) as { block?: { number?: number | bigint } };
    const block = BigInt(status.block?.number ?? 0);
    channelId = new Uint8Array(randomBytes(16)) as Uuid;
    const member = parseAddress(p.member);
    const b = config.binding;
    const signature = signChannelOpen(
      { chainId: b.chainId, verifyingContract: b.verifyingContract, ctype: 2, openedAt: block, marketId: b.marketId, channelId, actor: member, delegate: p.delegate as never, marketmaker: config.maker, recipient: member, amount: p.amount },
      p.memberKey,
    );
    await session.call(MarketMakerProcedure.openChannel, [member, b.marketId, channelId, Number(b.chainId), Number(block), b.verifyingContract, 2, p.delegate, config.maker, member, packUint256(p.amount), signature]);
    opened = true;
  }
  const balance = (await session.call(MarketMakerProcedure.getPayingChannelBalance, [channelId])) as { remaining: Uint8Array };
  return { channelId, remaining: unpackUint256(balance.remaining), opened };
}
