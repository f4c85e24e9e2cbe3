/**
 * The chaos scenarios of `npm run proof -- chaos`, each on an edge of its own, in this order: the chain node
 * down, the IPFS node down, the router worker restarted, clock skew, the disk full for the maker DB.
 */
import { chainDown } from './chain-down.js';
import { clockSkew } from './clock-skew.js';
import { diskFull } from './disk-full.js';
import { ipfsDown } from './ipfs-down.js';
import { routerRestart } from './router-restart.js';
import type { ScenarioResult } from './scenario.js';

export { formatScenario, type ScenarioResult } from './scenario.js';

export const SCENARIOS: Readonly<Record<string, () => Promise<ScenarioResult>>> = {
  chain: () => chainDown(),
  ipfs: () => ipfsDown(),
  router: () => routerRestart(),
  clock: () => clockSkew(),
  disk: () => diskFull(),
};
