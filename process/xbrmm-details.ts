/**
 * What an xbrmm worker shows about itself in its health report (`WorkerHealth.details`): each maker's status,
 * offers, ledger and pending transactions, and the worker's IPFS downloads. The worker (worker/host) writes it,
 * the controller's status page (`/status.json`, router/controller/observe) reads it: the shape is shared here.
 *
 * Amounts are token base units (10^-18 XBR) as decimal strings: exact (the ledger is bigint) and valid JSON.
 */

/** One side of a maker's ledger: its payment channels (buyers) or its paying channels (sellers). */
export interface LedgerSideDetails {
  /** Channels by state: `open`, `closing`, `closed`, `failed` (only states that occur). */
  channels: Record<string, number>;
  /** Remaining balance of the channels not closed. */
  remaining: string;
  /** Reserved by purchases in flight, of the channels not closed. */
  inflight: string;
  /** Paid out of all channels: deposit − remaining − in flight. */
  spent: string;
}

/** A maker as the worker reports it (its status always; offers, ledger and transactions once its DB is open). */
export interface MakerDetails {
  id: string;
  realm: string;
  /** `NONE`, `RUNNING`, `SHUTDOWN_IN_PROGRESS`, `STOPPED`, `FAILED`. */
  status: string;
  address?: string;
  /** Market id, `0x` + 32 hex digits. */
  market?: string;
  error?: { uri: string; message: string };
  /** Offers that can be bought now (`live`), and those that could but whose seller is not connected (`suspended`). */
  offers?: { live: number; suspended: number };
  ledger?: { payment: LedgerSideDetails; paying: LedgerSideDetails };
  /** The maker's transactions not settled yet. */
  pending_transactions?: number;
}

/** The worker's IPFS downloads (catalog and API descriptions). */
export interface IpfsDetails {
  /** Files by state: `pending`, `downloaded`, `invalid`, `malformed`, `too_large`. */
  files: Record<string, number>;
  /** Downloads running now, and due but waiting for a free slot. */
  active: number;
  waiting: number;
  /** The soonest scheduled retries, earliest first (at most 10). */
  next_retries: { file_hash: string; next_retry_at: string; retries: number; last_error?: string }[];
}

/** `WorkerHealth.details` of an xbrmm worker. */
export interface XbrmmDetails {
  makers: MakerDetails[];
  ipfs?: IpfsDetails;
}
