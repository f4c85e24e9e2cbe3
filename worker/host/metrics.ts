/**
 * The xbrmm worker's state as metrics, read when scraped: each market's ledger (channels by type and state,
 * remaining / in flight / spent token base units), offer book (offers for sale, the expiry sweep's lag) and pending transactions, the chain head and how far the
 * chain monitor is behind it, and the IPFS downloads. Nothing is counted on the hot path; a scrape reads the
 * maker DBs (one pass over the channels of each market).
 *
 * Amounts are token base units (10^-18 XBR) as Prometheus floats: exact up to 2^53, approximate beyond —
 * for dashboards and alerts, never for accounting (the ledger audit is for that).
 */
import type { Provider } from 'ethers';
import { gauge } from '../../process/index.js';
import { nowNs, nsToSeconds } from '../../schema/codec/index.js';
import { ChannelType, type MakerDb } from '../../schema/db/index.js';
import type { Logger } from '../../schema/index.js';
import type { IpfsFetcher } from '../ipfs/index.js';
import { CHANNEL_TYPE_NAMES, ledgerTotals } from './ledger-totals.js';
import { offerBookTotals } from './offer-book-totals.js';
import type { Maker } from './maker.js';
import type { RunningChainMonitor } from './monitor-hook.js';

/** What the worker's metrics are read from. */
export interface ObservedWorker {
  readonly makers: readonly Maker[];
  readonly provider: Provider;
  readonly monitor?: RunningChainMonitor;
  readonly fetcher?: IpfsFetcher;
  readonly log: Logger;
}

let observed: ObservedWorker | undefined;

/** Reports `w` in this process's metrics until the returned function is called. */
export function observeWorker(w: ObservedWorker): () => void {
  observed = w;
  return () => {
    if (observed === w) observed = undefined;
  };
}

/** Every market served here with its DB. */
function markets(): { market: string; maker: Maker; db: MakerDb }[] {
  const out: { market: string; maker: Maker; db: MakerDb }[] = [];
  for (const maker of observed?.makers ?? []) {
    const m = maker.market;
    const db = maker.db;
    if (m !== undefined && db !== undefined) out.push({ market: m.hex, maker, db });
  }
  return out;
}

const channels = gauge({ name: 'xbr_ledger_channels', help: 'Channels in the ledger by market, channel type (payment, paying) and state.', labelNames: ['market', 'type', 'state'] as const });
const remaining = gauge({ name: 'xbr_ledger_remaining_token_units', help: 'Remaining balance of channels not closed, token base units, by market and channel type.', labelNames: ['market', 'type'] as const });
const inflight = gauge({ name: 'xbr_ledger_inflight_token_units', help: 'Amounts reserved by purchases in flight, token base units, by market and channel type.', labelNames: ['market', 'type'] as const });
const spent = gauge({ name: 'xbr_ledger_spent_token_units', help: 'Amounts paid out of channels (deposit minus remaining and in flight), token base units, by market and channel type.', labelNames: ['market', 'type'] as const });

gauge({
  name: 'xbr_ledger_scrape_markets',
  help: 'Markets whose ledger this scrape read.',
  collect() {
    channels.reset();
    remaining.reset();
    inflight.reset();
    spent.reset();
    let n = 0;
    for (const { market, db } of markets()) {
      n++;
      for (const type of [ChannelType.PAYMENT, ChannelType.PAYING]) {
        const t = ledgerTotals(db, type);
        const typeName = CHANNEL_TYPE_NAMES[type]!;
        for (const [state, count] of t.channels) channels.set({ market, type: typeName, state }, count);
        remaining.set({ market, type: typeName }, Number(t.remaining));
        inflight.set({ market, type: typeName }, Number(t.inflight));
        spent.set({ market, type: typeName }, Number(t.spent));
      }
    }
    this.set(n);
  },
});

const offersForSale = gauge({ name: 'xbr_offers_for_sale', help: 'Offers for sale by market: not revoked, not sold out, not swept as expired.', labelNames: ['market'] as const });

gauge({
  name: 'xbr_offers_sweep_lag_seconds',
  help: 'How long the longest-expired offer not yet swept from the query indexes has been expired, by market (0: none waiting; the sweep runs every second).',
  labelNames: ['market'] as const,
  collect() {
    this.reset();
    offersForSale.reset();
    const now = nowNs();
    for (const { market, db } of markets()) {
      const book = offerBookTotals(db, now);
      offersForSale.set({ market }, book.forSale);
      this.set({ market }, nsToSeconds(book.sweepLagNs));
    }
  },
});

gauge({
  name: 'xbr_chain_pending_transactions',
  help: 'Transactions a market maker sent that are not settled yet, by market.',
  labelNames: ['market'] as const,
  collect() {
    this.reset();
    for (const { market, maker } of markets()) this.set({ market }, maker.pendingTransactions());
  },
});

const monitorBlock = gauge({ name: 'xbr_chain_monitor_block', help: 'The last block the chain monitor committed.', aggregator: 'max' });
const monitorLag = gauge({ name: 'xbr_chain_monitor_lag_blocks', help: 'Blocks between the chain head and the last block the chain monitor committed.', aggregator: 'max' });

gauge({
  name: 'xbr_chain_head_block',
  help: 'The chain head as the node reports it.',
  aggregator: 'max',
  async collect() {
    const w = observed;
    if (w === undefined) return;
    try {
      const head = await w.provider.getBlockNumber();
      this.set(head);
      const last = w.monitor?.lastBlock();
      if (last !== undefined) {
        monitorBlock.set(Number(last));
        monitorLag.set(Math.max(0, head - Number(last)));
      }
    } catch (err) {
      // The scrape still answers; the head is the last one read.
      w.log.warn('metrics: the chain node did not give its head', { error: err as Error });
    }
  },
});

const ipfsDownloads = gauge({ name: 'xbr_ipfs_downloads', help: 'IPFS downloads running (active) and queued (waiting).', labelNames: ['state'] as const });
const ipfsRetries = gauge({ name: 'xbr_ipfs_retries', help: 'Retries so far of the IPFS files not downloaded yet.' });

gauge({
  name: 'xbr_ipfs_files',
  help: 'IPFS files (catalog and API descriptions) by download state.',
  labelNames: ['state'] as const,
  collect() {
    const f = observed?.fetcher;
    if (f === undefined) return;
    const s = f.status(1);
    for (const [state, n] of Object.entries(s.counts)) this.set({ state }, n);
    ipfsDownloads.set({ state: 'active' }, s.active);
    ipfsDownloads.set({ state: 'waiting' }, s.waiting);
    ipfsRetries.set(f.pendingRetries());
  },
});
