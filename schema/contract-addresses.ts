/**
 * The set of XBR contract addresses: the one type the config (`blockchain.contracts`), the deployment
 * (`deployXbr`, `devchain.json`), the contract bindings and the chain monitor share.
 */

/** The five XBR contracts, in deployment order. */
export const XBR_CONTRACT_NAMES = ['token', 'network', 'catalog', 'market', 'channel'] as const;

type XbrContractName = (typeof XBR_CONTRACT_NAMES)[number];

/** The XBR contract addresses, EIP-55 checksummed `0x…` strings. */
export type XbrContractAddresses = Record<XbrContractName, string>;
