/**
 * Chain transactions of the xbrmm worker: a {@link TransactionSender} that signs locally with one key,
 * allocates nonces itself, journals every transaction durably (hash and raw bytes) before broadcasting
 * it, waits for receipts and confirmations, and settles what a crash left open (`recover()`).
 */
export { chainRead, errorText } from './errors.js';
export { BroadcastJournal, type JournalEntry } from './journal.js';
export { NonceAllocator } from './nonce.js';
export { TransactionSender } from './sender.js';
export type { SenderHooks, TransactionSenderOptions } from './types.js';
export {
  XBR_EVENT_TOPICS,
  connectXbr,
  decodeXbrEvent,
  decodeXbrEvents,
  encodeCall,
  findXbrEvents,
  toHex16,
  xbrInterfaces,
  xbrLogFilter,
} from './contracts.js';
export type { DecodedXbrEvent, EventOrigin, XbrBindings } from './contracts.js';
