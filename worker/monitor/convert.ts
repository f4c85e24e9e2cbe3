/** From the decoders' hex strings (worker/chain) to the byte types of schema/codec used by the DB and the makers. */
import { getBytes } from 'ethers';
import { asAddress, asUuid, expectBytes, type Address, type Hash32, type Uuid } from '../../schema/codec/index.js';
import type { DecodedXbrEvent, EventOrigin } from '../chain/index.js';
import type { ChannelChainEvent, ChannelEventOrigin } from './channel-events.js';

export const uuidOf = (hex: string): Uuid => asUuid(getBytes(hex), 'uuid');
export const addressOf = (hex: string): Address => asAddress(getBytes(hex), 'address');
export const hash32Of = (hex: string): Hash32 => expectBytes('hash', getBytes(hex), 32) as Hash32;

function origin(o: EventOrigin): ChannelEventOrigin {
  return { blockNumber: BigInt(o.blockNumber), blockHash: hash32Of(o.blockHash), txHash: hash32Of(o.transactionHash), logIndex: o.logIndex };
}

/** The channel event of `ev`, or undefined for the other (replica) events. */
export function toChannelEvent(ev: DecodedXbrEvent): ChannelChainEvent | undefined {
  switch (ev.name) {
    case 'Opened':
      return {
        type: 'Opened', ...origin(ev.origin), ctype: ev.ctype, marketId: uuidOf(ev.marketId), channelId: uuidOf(ev.channelId), actor: addressOf(ev.actor),
        delegate: addressOf(ev.delegate), marketmaker: addressOf(ev.marketmaker), recipient: addressOf(ev.recipient), amount: ev.amount, signature: getBytes(ev.signature),
      };
    case 'Closing':
      return {
        type: 'Closing', ...origin(ev.origin), ctype: ev.ctype, marketId: uuidOf(ev.marketId), channelId: uuidOf(ev.channelId),
        payout: ev.payout, fee: ev.fee, refund: ev.refund, timeoutAt: ev.timeoutAt,
      };
    case 'Closed':
      return {
        type: 'Closed', ...origin(ev.origin), ctype: ev.ctype, marketId: uuidOf(ev.marketId), channelId: uuidOf(ev.channelId),
        payout: ev.payout, fee: ev.fee, refund: ev.refund, closedAt: ev.closedAt,
      };
    default:
      return undefined;
  }
}
