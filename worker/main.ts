/**
 * Entry of the xbrmm worker process, started by the controller: runs the market makers of one
 * `type: "xbrmm"` worker of router-config.json (worker/host), reporting its status over IPC.
 */
import { WampError, WampErrorUri } from '../schema/index.js';
import { createLogger } from '../schema/index.js';
import { runWorker } from '../process/index.js';
import { chainMonitorStarter, startXbrmmWorker, type RunningXbrmmWorker } from './host/index.js';

let running: RunningXbrmmWorker | undefined;

runWorker({
  async start(msg) {
    if (msg.worker.type !== 'xbrmm') throw new WampError(WampErrorUri.invalidArgument, `xbrmm worker started with a "${msg.worker.type}" config`);
    const log = createLogger({ component: 'xbrmm', node: msg.nodeId, worker: msg.worker.id });
    running = await startXbrmmWorker(msg.worker, {
      log,
      startChainMonitor: chainMonitorStarter(),
      onStatus: (status, details) => {
        if (process.send !== undefined && process.connected) process.send({ kind: 'status', status, details });
      },
    });
    return { makers: running.summary() };
  },
  async stop() {
    await running?.stop();
  },
  // Each maker's status, offers, ledger totals and pending transactions, and the IPFS downloads: what `/ready`
  // and the controller's status page (`/status.json`) show of this worker (process/xbrmm-details.ts).
  health() {
    const details = running?.details() ?? { makers: [] };
    const problems = details.makers.filter((m) => m.status !== 'RUNNING').map((m) => `maker ${m.id} (realm ${m.realm}) is ${m.status}${m.error === undefined ? '' : `: ${m.error.message}`}`);
    return { ready: problems.length === 0, problems, details: { ...details } };
  },
});
