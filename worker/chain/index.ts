/**
 * Chain transactions of the xbrmm worker: a {@link TransactionSender} that signs locally with one key,
 * allocates nonces itself, journals every transaction durably (hash and raw bytes) before broadcasting
 * it, waits for receipts and confirmations, and settles what a crash left open (`recover()`).
 */
export { ChainErrorUri, errorText, transactionFailed, type FailureStage } from './errors.js';
export { estimateGasLimit, lookupFees } from './gas.js';
export { BroadcastJournal, JOURNAL_KIND, JOURNAL_SCHEMA_VERSION, type JournalClose, type JournalEntry, type JournalOutcome } from './journal.js';
export { NonceAllocator } from './nonce.js';
export { probeTransaction, type Probe } from './probe.js';
export { TransactionSender } from './sender.js';
export type { FeeOverride, RecoveryReport, SendRequest, SendResult, SenderHooks, Submitted, TransactionSenderOptions } from './types.js';
export {
  ActorType,
  ChannelState,
  ChannelType,
  MemberLevel,
  XBR_EVENT_SOURCES,
  XBR_EVENT_TOPICS,
  connectXbr,
  decodeXbrEvent,
  decodeXbrEvents,
  encodeCall,
  findXbrEvents,
  toAddress,
  toHex16,
  xbrInterfaces,
  xbrLogFilter,
} from './contracts.js';
export type {
  ActorJoinedEvent, ActorLeftEvent, AddressLike, ApiPublishedEvent, ApiRecord, Bytes16Like, BytesInput, CatalogCreatedEvent, CatalogRecord,
  ChannelClosingState, ChannelRecord, CloseChannelArgs, ClosedEvent, ClosingEvent, ConsentRecord, ConsentSetEvent, DecodedXbrEvent,
  EncodedCall, EventOrigin, Hex, Hex16, LogLike, MarketCreatedEvent, MarketRecord, MemberRecord, MemberRegisteredEvent, OpenChannelArgs,
  OpenedEvent, XbrBindings, XbrCatalogBinding, XbrChannelBinding, XbrContractAddresses, XbrEvent, XbrEventName, XbrMarketBinding,
  XbrNetworkBinding, XbrTokenBinding,
} from './contracts.js';
