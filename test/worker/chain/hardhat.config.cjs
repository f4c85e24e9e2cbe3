// Minimal config for the in-process EDR chain of the chain-sender tests. Never compiles (contracts are
// compiled by solc-js in the tests).
module.exports = {
  networks: { hardhat: { chainId: 31337, hardfork: 'cancun', mining: { auto: true } } },
};
