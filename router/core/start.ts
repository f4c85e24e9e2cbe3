import { createLogger, type Logger } from '../../schema/index.js';
import { sleep } from '../../process/index.js';
import type { RouterWorkerConfig, TransportConfig } from '../../config/index.js';
import type { BoundAddress } from '../transport/endpoint.js';
import type { Listener } from '../transport/listener.js';
import { startRawSocketTransport } from '../transport/rawsocket.js';
import { startWebSocketTransport } from '../transport/websocket.js';
import { Router } from './router.js';

export interface RunningRouter {
  readonly router: Router;
  readonly listeners: readonly { id: string; type: TransportConfig['type']; address: BoundAddress }[];
  /** Ends all sessions (GOODBYE system_shutdown), closes every transport. */
  stop(): Promise<void>;
}

/** Starts a router with all its transports, as the router worker does; usable in-process (tests, embedding). */
export async function startRouter(config: RouterWorkerConfig, log: Logger = createLogger({ component: 'router', worker: config.id })): Promise<RunningRouter> {
  const router = new Router(config, log);
  const listeners: Listener[] = [];
  try {
    for (const transport of config.transports) {
      listeners.push(
        transport.type === 'rawsocket'
          ? await startRawSocketTransport(transport, router, log)
          : await startWebSocketTransport(transport, router, log),
      );
    }
  } catch (err) {
    await Promise.allSettled(listeners.map((l) => l.close()));
    throw err;
  }
  let stopped = false;
  return {
    router,
    listeners: listeners.map((l) => ({ id: l.id, type: l.type, address: l.address })),
    async stop() {
      if (stopped) return;
      stopped = true;
      router.shutdown();
      // Give GOODBYEs a moment to leave before the sockets go.
      await sleep(50);
      await Promise.allSettled(listeners.map((l) => l.close()));
    },
  };
}
