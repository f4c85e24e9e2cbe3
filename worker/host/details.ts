/**
 * The xbrmm worker's health details (process/xbrmm-details.ts), read on every report the controller asks for
 * (`/ready`, `/status.json`, the status page's history): each maker's status, its offers for sale, its ledger
 * totals (one pass over its channels) and pending transactions, and the IPFS downloads. A maker whose DB
 * cannot be read is reported with its status only (and the failure logged): a report always answers.
 */
import { nowNs, type NsTime } from '../../schema/codec/index.js';
import { ChannelType } from '../../schema/db/index.js';
import type { Logger } from '../../schema/index.js';
import type { IpfsDetails, LedgerSideDetails, MakerDetails } from '../../process/index.js';
import { makerStatusName } from '../market/index.js';
import type { IpfsFetcher } from '../ipfs/index.js';
import { ledgerTotals } from './ledger-totals.js';
import type { Maker } from './maker.js';

/** How many of the soonest IPFS retries are reported. */
const IPFS_RETRIES_SHOWN = 10;
/** A download error is shown up to this many characters. */
const ERROR_TEXT_MAX = 200;

/** What every report says of a maker: id, realm, status, address, market, why it failed. */
export function makerSummary(m: Maker): MakerDetails {
  return {
    id: m.id,
    realm: m.config.connection.realm,
    status: makerStatusName(m.status()),
    ...(m.address === undefined ? {} : { address: m.address }),
    ...(m.market === undefined ? {} : { market: m.market.hex }),
    ...(m.error === undefined ? {} : { error: { uri: m.error.uri, message: m.error.message } }),
  };
}

function side(m: Maker, type: number): LedgerSideDetails {
  const db = m.db;
  if (db === undefined) return { channels: {}, remaining: '0', inflight: '0', spent: '0' };
  const t = ledgerTotals(db, type);
  return { channels: Object.fromEntries(t.channels), remaining: t.remaining.toString(), inflight: t.inflight.toString(), spent: t.spent.toString() };
}

/** The summary plus, once the maker's DB is open, its offers, ledger and pending transactions at `now`. */
export function makerDetails(m: Maker, log: Logger, now: NsTime = nowNs()): MakerDetails {
  const summary = makerSummary(m);
  if (m.db === undefined || m.market === undefined) return summary;
  try {
    return {
      ...summary,
      offers: m.offerCounts(now),
      ledger: { payment: side(m, ChannelType.PAYMENT), paying: side(m, ChannelType.PAYING) },
      pending_transactions: m.pendingTransactions(),
    };
  } catch (err) {
    log.warn('health details: the maker DB could not be read', { maker: m.id, error: err as Error });
    return summary;
  }
}

const isoOfNs = (ns: NsTime): string => new Date(Number(ns / 1_000_000n)).toISOString();

/** Files by state, downloads running and waiting, and the soonest retries with their last error. */
export function ipfsDetails(fetcher: IpfsFetcher): IpfsDetails {
  const s = fetcher.status(IPFS_RETRIES_SHOWN);
  return {
    files: { ...s.counts },
    active: s.active,
    waiting: s.waiting,
    next_retries: s.next_retries.map((r) => ({
      file_hash: r.file_hash,
      next_retry_at: isoOfNs(r.next_retry_at),
      retries: r.retries,
      ...(r.last_error === undefined ? {} : { last_error: r.last_error.slice(0, ERROR_TEXT_MAX) }),
    })),
  };
}
