/**
 * Entry of the router worker process, started by the controller: runs the WAMP router of one
 * `type: "router"` worker of router-config.json.
 */
import { createLogger } from '../../schema/index.js';
import { WampError, WampErrorUri } from '../../schema/index.js';
import { startRouter, type RunningRouter } from '../core/start.js';
import { runWorker } from '../../process/index.js';

let running: RunningRouter | undefined;

runWorker({
  async start(msg) {
    if (msg.worker.type !== 'router') throw new WampError(WampErrorUri.invalidArgument, `router worker started with a "${msg.worker.type}" config`);
    const log = createLogger({ component: 'router', node: msg.nodeId, worker: msg.worker.id });
    running = await startRouter(msg.worker, log);
    return { listeners: running.listeners, realms: msg.worker.realms.map((r) => r.name) };
  },
  async stop() {
    await running?.stop();
  },
});
