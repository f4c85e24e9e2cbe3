/**
 * Where the monitor delivers channel events: one sink per market, registered by that market's maker.
 * Delivery contract (see {@link ChannelSink.apply}): at least once, in chain order, before the block range
 * is committed as processed — so a sink must be idempotent.
 */
import { toHex, type Uuid } from '../../schema/codec/index.js';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { ChannelChainEvent } from './channel-events.js';

/** A market maker's receiver of its market's channel events. */
export interface ChannelSink {
  readonly marketId: Uuid;
  /**
   * Applies one event. Called in (block, logIndex) order, awaited one at a time, before the monitor commits
   * the range containing it. A crash (or a throw here) before that commit makes the monitor deliver the whole
   * uncommitted range again, so applying an event twice must change nothing. A throw is logged and the range
   * is retried after a backoff; nothing of the range is committed meanwhile. It may resolve `true` when the
   * event changed the maker's ledger (a rescan counts those; `false` or nothing: it changed nothing).
   */
  apply(ev: ChannelChainEvent): Promise<unknown>;
}

/**
 * The registry the monitor reads before each event: makers add and remove their sink at runtime.
 * @example
 * const sinks = new ChannelSinkRegistry();
 * const remove = sinks.add({ marketId, apply: async (ev) => maker.onChannelEvent(ev) });
 */
export class ChannelSinkRegistry {
  private readonly sinks = new Map<string, ChannelSink>();

  /** Registers `sink`; returns its remover. A market has at most one sink (one maker per market). */
  add(sink: ChannelSink): () => void {
    const id = toHex(sink.marketId);
    if (this.sinks.has(id)) {
      throw new WampError(WampErrorUri.invalidArgument, `sink.marketId: market 0x${id} already has a channel sink`, { kwargs: { market: id } });
    }
    this.sinks.set(id, sink);
    return () => {
      if (this.sinks.get(id) === sink) this.sinks.delete(id);
    };
  }

  /** Removes the sink of `marketId`; false if there was none. */
  remove(marketId: Uuid): boolean {
    return this.sinks.delete(toHex(marketId));
  }

  /** The sink of `marketId`, if any. */
  get(marketId: Uuid): ChannelSink | undefined {
    return this.sinks.get(toHex(marketId));
  }

  get size(): number {
    return this.sinks.size;
  }
}
