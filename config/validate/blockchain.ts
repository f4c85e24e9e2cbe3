/**
 * The xbrmm worker's `options.extra.blockchain`: an Ethereum JSON-RPC gateway (`user` only; the
 * original's `infura`/`auto` gateways are rejected), chain id, start block, confirmations, and the XBR
 * contract addresses — given inline (`contracts`) or as a dev chain's `devchain.json` (`deployment`).
 */
import { parseAddress, toChecksumAddress } from '../../schema/codec/index.js';
import type { BlockchainConfig } from '../types.js';
import { XBR_CONTRACT_NAMES, type XbrContractAddresses } from '../../schema/index.js';
import { integer, nonEmptyString, number, oneOf } from './checks.js';
import { isRec, REQUIRED, type Check, type Ctx } from './context.js';

const GATEWAY_URL = 'an http(s) or ws(s) JSON-RPC URL';

const rpcUrl: Check<string> = {
  expected: GATEWAY_URL,
  test: (v) => {
    if (typeof v !== 'string') return undefined;
    try {
      const u = new URL(v);
      return ['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && u.hostname !== '' ? v : undefined;
    } catch {
      return undefined;
    }
  },
};

/** A `0x` address, all-lowercase or with a valid EIP-55 checksum; normalised to its checksummed form. */
const ethAddress: Check<string> = {
  expected: 'a 0x-prefixed 40-digit hex address, all-lowercase or with a valid EIP-55 checksum',
  test: (v) => {
    if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(v)) return undefined;
    const checksummed = toChecksumAddress(parseAddress(v.toLowerCase()));
    return v === v.toLowerCase() || v === checksummed ? checksummed : undefined;
  },
};

export function checkBlockchain(c: Ctx, v: unknown, path: string): BlockchainConfig | undefined {
  const b = c.object(v, path, ['type', 'gateway', 'chain_id', 'from_block', 'confirmations', 'poll_interval', 'contracts', 'deployment']);
  if (b === undefined) return undefined;
  const type = c.field(b, 'type', path, oneOf(['ethereum'] as const), REQUIRED);
  const gateway = checkGateway(c, c.required(b, 'gateway', path, `an object {type: "user", http: <${GATEWAY_URL}>}`), `${path}.gateway`);
  const chainId = c.field(b, 'chain_id', path, integer(1), undefined);
  const fromBlock = c.field(b, 'from_block', path, integer(0), undefined);
  const confirmations = c.field(b, 'confirmations', path, integer(1), 1);
  // Seconds; the dev chain mines on demand, so a short poll keeps receipts and the replica current.
  const pollInterval = c.field(b, 'poll_interval', path, number(0.05, 3600), 1);
  const hasContracts = b['contracts'] !== undefined;
  const hasDeployment = b['deployment'] !== undefined;
  if (hasContracts === hasDeployment) {
    c.fail(
      path,
      `exactly one of "contracts" (the XBR contract addresses) or "deployment" (a devchain.json path) is required, got ${hasContracts ? 'both' : 'neither'}`,
    );
  }
  const contracts = hasContracts ? checkContracts(c, b['contracts'], `${path}.contracts`) : undefined;
  const deployment = hasDeployment ? c.field(b, 'deployment', path, nonEmptyString, undefined) : undefined;
  if (
    type === undefined || gateway === undefined || confirmations === undefined || pollInterval === undefined || hasContracts === hasDeployment ||
    (b['chain_id'] !== undefined && chainId === undefined) || (b['from_block'] !== undefined && fromBlock === undefined)
  ) {
    return undefined;
  }
  const common = {
    type,
    gateway,
    confirmations,
    poll_interval: pollInterval,
    ...(chainId === undefined ? {} : { chain_id: chainId }),
    ...(fromBlock === undefined ? {} : { from_block: fromBlock }),
  };
  if (contracts !== undefined) return { ...common, contracts };
  if (deployment !== undefined) return { ...common, deployment: c.resolvePath(deployment) };
  return undefined;
}

function checkGateway(c: Ctx, v: unknown, path: string): BlockchainConfig['gateway'] | undefined {
  if (v === undefined) return undefined;
  // The type first: an infura/auto gateway gets one clear error, not one per key it carries.
  if (isRec(v) && typeof v['type'] === 'string' && v['type'] !== 'user') {
    c.fail(
      `${path}.type`,
      `unsupported gateway type ${JSON.stringify(v['type'])}: only "user" gateways (a JSON-RPC URL in "http") are supported`,
    );
    return undefined;
  }
  const g = c.object(v, path, ['type', 'http']);
  if (g === undefined) return undefined;
  const type = c.field(g, 'type', path, oneOf(['user'] as const), REQUIRED);
  if (type === undefined) return undefined;
  const http = c.field(g, 'http', path, rpcUrl, REQUIRED);
  return http === undefined ? undefined : { type: 'user', http };
}

function checkContracts(c: Ctx, v: unknown, path: string): XbrContractAddresses | undefined {
  const o = c.object(v, path, XBR_CONTRACT_NAMES);
  if (o === undefined) return undefined;
  const out: Partial<XbrContractAddresses> = {};
  let ok = true;
  for (const name of XBR_CONTRACT_NAMES) {
    const adr = c.field(o, name, path, ethAddress, REQUIRED);
    if (adr === undefined) ok = false;
    else out[name] = adr;
  }
  return ok ? (out as XbrContractAddresses) : undefined;
}
