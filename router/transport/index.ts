export { startWebSocketTransport } from './websocket.js';
export { startRawSocketTransport } from './rawsocket.js';
export type { Listener, TransportHost } from './listener.js';
export type { BoundAddress } from './endpoint.js';
