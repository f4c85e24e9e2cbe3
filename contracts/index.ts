/**
 * XBR contracts: generated ABIs/bytecode (`contracts/build/`, made by `npm run build:contracts`), deployment + demo, and the
 * in-process dev chain (persistent with `startDevchain({ state })`). The compiler itself (`contracts/build.ts`) is not re-exported: it loads
 * solc-js (a large wasm module) and is only needed to rebuild.
 */
export * from './build/index.js';
export { startDevchain, type Devchain } from './devchain.js';
export { deployXbr, type XbrDeployment } from './deploy.js';
export type { DevchainFile } from './devchain-file.js';
export {
  DEFAULT_MAKER_KEY,
  DEMO_ACCOUNTS,
  DEMO_CIDS,
  DEMO_IDS,
  DEMO_SERVICE_PREFIX,
  devchainAccountKey,
  setupDemo,
  type Demo,
} from './demo.js';
export { JOURNAL_FILE, JOURNAL_KIND } from './devchain-journal.js';
