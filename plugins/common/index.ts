/** Helpers shared by the seller and buyer delegates. */
export { isUnanswered, wampCall, type WampCaller } from './wamp-call.js';
export { callMaker, fromMaker, type CallFn } from './call-maker.js';
export { SerialQueue } from './serial-queue.js';
export { closeCooperatively, makerBlockNumber, type CloseResult, type ClosingState } from './channel-close.js';
