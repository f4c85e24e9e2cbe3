/**
 * Publishing the maker's events (docs/protocol.md#maker-events). An event follows a committed write; if the router refuses
 * or the session is down, the write stands and the failure is logged — subscribers can always re-read
 * the state (`get_offer`, `get_payment_channel_balance`), so an event is a hint, never the record.
 */
import type { LogFields } from '../../../schema/index.js';
import type { MakerContext } from '../api/index.js';

/**
 * Publishes `args` to `topic` (acknowledged) without delaying the caller; a failure is logged with `fields`.
 * @example publishLogged(ctx, MarketMakerTopic.onOfferPlaced, [marshalOffer(offer)], { offer: formatUuid(offer.offer) });
 */
export function publishLogged(ctx: Pick<MakerContext, 'session' | 'log'>, topic: string, args: unknown[], fields: LogFields = {}): void {
  ctx.session.publish(topic, args).catch((err: unknown) => {
    ctx.log.warn('could not publish an event; the committed state stands', { topic, ...fields, error: err as Error });
  });
}
