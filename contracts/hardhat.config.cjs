// Hardhat 2 (EDR) config for the in-process dev chain (contracts/devchain.ts) and `hardhat node`.
// Hardhat never compiles here: contracts are built by contracts/build.ts with solc-js. `paths.sources`
// points at an empty folder name so that even an accidental `hardhat compile` finds nothing to do.
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = {
  defaultNetwork: 'hardhat',
  paths: {
    sources: join(__dirname, 'no-hardhat-sources'),
    cache: join(tmpdir(), 'xbr-edge-hardhat-cache'),
    artifacts: join(tmpdir(), 'xbr-edge-hardhat-artifacts'),
  },
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
      mining: { auto: true },
      loggingEnabled: false,
      // A fixed genesis (DEVCHAIN_GENESIS_DATE in devchain.ts): the genesis block is the same on every start, so a
      // journal of the persistent dev chain replays onto it. startDevchain() moves the clock to the wall clock.
      initialDate: '2025-01-01T00:00:00Z',
    },
  },
};
