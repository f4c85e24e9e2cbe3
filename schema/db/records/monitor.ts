/** Progress of the chain monitor, worker DB `monitor` (single record per chain). */
import type { Hash32, NsTime } from '../../codec/types.js';

export interface MonitorState {
  /** Chain id the monitor follows. */
  chain_id: number;
  /** Last block whose events are all stored. */
  last_block: bigint;
  /** Hash of that block (to detect a reorg on restart). */
  last_block_hash: Hash32;
  /** When updated, ns. */
  updated: NsTime;
}
