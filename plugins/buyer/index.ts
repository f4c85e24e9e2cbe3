/** Buyer delegate: `SimpleBuyer` buys data keys over its payment channel and decrypts what sellers publish. */
export { SimpleBuyer, type BuyerBalance, type CloseResult, type SimpleBuyerOptions } from './simple-buyer.js';
export { type OpenChannelOptions, openChannelArgs } from './open-channel.js';
export { refundState, signedByMaker, verifyReceipt, type ChannelState, type VerifiedReceipt } from './channel-state.js';
export { loadBuyerConfig, parseBuyerConfig, type BuyerConfig } from './config.js';
export type { MarketBinding } from '../../schema/eip712/index.js';
export { toBuyerSession, wampySession, type BuyerSession, type WampyLike } from './session.js';
