/**
 * Deterministic demo data on a fresh dev chain (after {@link deployXbr}): members, one market whose maker is
 * the given maker key's address, a catalog with one API, funded and joined seller and buyer. Every id is
 * fixed (UUID v5 of fixed names), every account is a hardhat default-mnemonic account (public dev keys)
 * except the maker, whose key is passed in (default {@link DEFAULT_MAKER_KEY} = hardhat account #4).
 * So a fresh chain + `deployXbr(signers[0])` + `setupDemo(…)` yields the same addresses and ids every time.
 *
 * Accounts (hardhat default mnemonic, m/44'/60'/0'/0/<index>):
 * 0 deployer (whole XBR supply, network organization, VERIFIED member), 1 market owner (ACTIVE member),
 * 2 seller / data provider (ACTIVE, catalog + API owner, joined as PROVIDER), 3 buyer / data consumer (ACTIVE,
 * joined as CONSUMER), maker = the maker key (not a member; the contracts do not require it), 5 the seller's
 * delegate and 6 the buyer's delegate (not members: keys the delegate processes sign with; the seller and the buyer
 * consent to them for the demo catalog, which XBRChannel requires to open their channels).
 *
 * @example
 * const chain = await startDevchain();
 * const deployment = await deployXbr(chain.signers[0]!);
 * const demo = await setupDemo(chain, deployment);
 */
import { createHash } from 'node:crypto';
import { Contract, HDNodeWallet, Wallet, hexlify, type ContractTransactionResponse, type Signer } from 'ethers';
import { xbrCatalogAbi, xbrMarketAbi, xbrNetworkAbi, xbrTokenAbi } from './build/index.js';
import { DEVCHAIN_MNEMONIC, type Devchain } from './devchain.js';
import type { XbrDeployment } from './deploy.js';

const XBR = 10n ** 18n;
const ETHER = 10n ** 18n;

/** Hardhat account indexes the demo uses. */
export const DEMO_ACCOUNTS = { deployer: 0, marketOwner: 1, seller: 2, buyer: 3, defaultMaker: 4, sellerDelegate: 5, buyerDelegate: 6 } as const;

/** Service prefix of the demo consents (the URI prefix the delegates serve under). */
export const DEMO_SERVICE_PREFIX = 'xbr.demo.';

/** The private key (32 bytes) of hardhat default-mnemonic account `index` (public dev keys). */
export function devchainAccountKey(index: number): Uint8Array {
  return Uint8Array.from(Buffer.from(HDNodeWallet.fromPhrase(DEVCHAIN_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey.slice(2), 'hex'));
}

/**
 * The default market maker key of the embedded chain: hardhat default-mnemonic account #4 (public knowledge —
 * for the dev chain only). `devchain-main.ts --maker-key <file>` writes it into the key file when missing.
 */
export const DEFAULT_MAKER_KEY: Uint8Array = devchainAccountKey(DEMO_ACCOUNTS.defaultMaker);

/** UUID v5 (RFC 4122, SHA-1) of `name` in the URL namespace, as `0x` + 32 hex (a `bytes16`). */
function uuid5Hex(name: string): string {
  const ns = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const h = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest().subarray(0, 16);
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  return '0x' + h.toString('hex');
}

/** Fixed ids of the demo. */
export const DEMO_IDS = {
  marketId: uuid5Hex('https://xbr-edge.local/devchain/demo/market'),
  catalogId: uuid5Hex('https://xbr-edge.local/devchain/demo/catalog'),
  apiId: uuid5Hex('https://xbr-edge.local/devchain/demo/api'),
} as const;
/**
 * IPFS hashes (CIDv0, as js-ipfs and Kubo `add` compute them with default settings) of the demo descriptions in
 * `contracts/demo-rdf/` — the embedded IPFS node (`worker/ipfs/node/main.ts --seed contracts/demo-rdf`) serves
 * them. Editing a file changes its CID: update it here (test/worker/ipfs/node/embedded.test.ts checks), and
 * for the terms files and the API schema also the `ipfs://` IRI in the meta file that refers to them.
 */
export const DEMO_CIDS = {
  /** market-terms.ttl */
  marketTerms: 'QmevcTysESJTMoUgvy9PBEEZKoXvie5ajUQDZzyCDkAzaf',
  /** market-meta.ttl */
  marketMeta: 'QmebJ74kM9DFuBAULUrz7t9snx4iNR3TXDxj2Wmx4jiJBT',
  /** catalog-terms.ttl */
  catalogTerms: 'QmWSfYXRBWkVhuEoqPCySeQLFz3nysbmm6fbv5nBcTB7wq',
  /** catalog-meta.ttl */
  catalogMeta: 'QmRVp1QQjy5sq8n18TrGLcBujVxGpgEPxe3dDvcn2vjsDz',
  /** api-schema.ttl */
  apiSchema: 'QmTKZ7nXWeYn9hXJkGGDmDVzw8tKdJMNtPtU3PN1BYi4tW',
  /** api-meta.ttl */
  apiMeta: 'QmcXSphw3onMYwd1aqGjH6TCvK1MvWQR5EXxny63mx4f3s',
} as const;

/** Options of {@link setupDemo}. */
export interface DemoOptions {
  /** The market maker's private key (32 bytes). Default {@link DEFAULT_MAKER_KEY}. */
  readonly makerKey?: Uint8Array;
  /** Market fee (in coin units per coin total supply, as XBRMarket). Default 0. */
  readonly marketFee?: bigint;
  /** Securities to join (escrowed by XBRMarket). Default 0 / 0. */
  readonly providerSecurity?: bigint;
  readonly consumerSecurity?: bigint;
  /** XBR given to seller, buyer and market owner. Default 10,000 XBR. */
  readonly memberFunding?: bigint;
  /** XBR given to the maker (it funds PAYING channels). Default 100,000 XBR. */
  readonly makerFunding?: bigint;
  /** ETH given to the maker when it is not a funded hardhat account (balance below 1 ETH). Default 100 ETH. */
  readonly makerEth?: bigint;
}

/** One demo account: its address and, when it is a hardhat default account, its index. */
export interface DemoAccount {
  readonly address: string;
  readonly accountIndex: number | null;
}

/** Result of {@link setupDemo}. */
export interface Demo {
  readonly marketId: string;
  readonly catalogId: string;
  readonly apiId: string;
  readonly marketFee: bigint;
  readonly providerSecurity: bigint;
  readonly consumerSecurity: bigint;
  readonly members: {
    readonly deployer: DemoAccount;
    readonly marketOwner: DemoAccount;
    readonly seller: DemoAccount;
    readonly buyer: DemoAccount;
    readonly maker: DemoAccount;
    readonly sellerDelegate: DemoAccount;
    readonly buyerDelegate: DemoAccount;
  };
  /** Block of the last demo transaction. */
  readonly block: number;
}

async function send(p: Promise<unknown>): Promise<number> {
  const receipt = await (p as Promise<ContractTransactionResponse>).then((tx) => tx.wait());
  if (receipt === null || receipt.status !== 1) throw new Error('demo transaction failed');
  return receipt.blockNumber;
}

/**
 * Registers the members, creates the catalog + API and the market, funds and joins seller and buyer, funds the
 * maker, and approves the XBRChannel contract for the buyer's and the maker's XBR (PAYMENT deposits come from
 * the buyer, PAYING deposits from the maker).
 * @example const demo = await setupDemo(chain, deployment, { makerKey })
 */
export async function setupDemo(chain: Devchain, deployment: XbrDeployment, options: DemoOptions = {}): Promise<Demo> {
  const signer = (i: number): Signer => {
    const s = chain.signers[i];
    if (s === undefined) throw new Error(`no dev chain account ${i}`);
    return s;
  };
  const a = deployment.addresses;
  const deployer = signer(DEMO_ACCOUNTS.deployer);
  const owner = signer(DEMO_ACCOUNTS.marketOwner);
  const seller = signer(DEMO_ACCOUNTS.seller);
  const buyer = signer(DEMO_ACCOUNTS.buyer);
  const makerKey = options.makerKey ?? DEFAULT_MAKER_KEY;
  if (makerKey.length !== 32) throw new Error('setupDemo: the maker key must be 32 bytes');
  const maker = new Wallet(hexlify(makerKey), chain.provider);
  const makerIndex = chain.wallets.findIndex((w) => w.address === maker.address);

  const marketFee = options.marketFee ?? 0n;
  const providerSecurity = options.providerSecurity ?? 0n;
  const consumerSecurity = options.consumerSecurity ?? 0n;
  const memberFunding = options.memberFunding ?? 10_000n * XBR;
  const makerFunding = options.makerFunding ?? 100_000n * XBR;

  const token = (s: Signer) => new Contract(a.token, xbrTokenAbi, s);
  const network = (s: Signer) => new Contract(a.network, xbrNetworkAbi, s);
  const catalog = (s: Signer) => new Contract(a.catalog, xbrCatalogAbi, s);
  const market = (s: Signer) => new Contract(a.market, xbrMarketAbi, s);

  const eula = (await network(deployer).getFunction('eula')()) as string;
  for (const m of [owner, seller, buyer]) {
    await send(network(m).getFunction('registerMember')(eula, ''));
    await send(token(deployer).getFunction('transfer')(await m.getAddress(), memberFunding));
  }
  // the maker: ETH only when it is not a (funded) hardhat account, XBR always
  if ((await chain.provider.getBalance(maker.address)) < ETHER) {
    await send(deployer.sendTransaction({ to: maker.address, value: options.makerEth ?? 100n * ETHER }));
  }
  await send(token(deployer).getFunction('transfer')(maker.address, makerFunding));

  await send(catalog(seller).getFunction('createCatalog')(DEMO_IDS.catalogId, DEMO_CIDS.catalogTerms, DEMO_CIDS.catalogMeta));
  await send(catalog(seller).getFunction('publishApi')(DEMO_IDS.catalogId, DEMO_IDS.apiId, DEMO_CIDS.apiSchema, DEMO_CIDS.apiMeta));
  await send(
    market(owner).getFunction('createMarket')(
      DEMO_IDS.marketId, a.token, DEMO_CIDS.marketTerms, DEMO_CIDS.marketMeta, maker.address, providerSecurity, consumerSecurity, marketFee,
    ),
  );
  if (providerSecurity > 0n) await send(token(seller).getFunction('approve')(a.market, providerSecurity));
  await send(market(seller).getFunction('joinMarket')(DEMO_IDS.marketId, 1, ''));
  if (consumerSecurity > 0n) await send(token(buyer).getFunction('approve')(a.market, consumerSecurity));
  await send(market(buyer).getFunction('joinMarket')(DEMO_IDS.marketId, 2, ''));

  const sellerDelegate = signer(DEMO_ACCOUNTS.sellerDelegate);
  const buyerDelegate = signer(DEMO_ACCOUNTS.buyerDelegate);
  await send(market(seller).getFunction('setConsent')(DEMO_IDS.marketId, await sellerDelegate.getAddress(), 1, DEMO_IDS.catalogId, true, DEMO_SERVICE_PREFIX));
  await send(market(buyer).getFunction('setConsent')(DEMO_IDS.marketId, await buyerDelegate.getAddress(), 2, DEMO_IDS.catalogId, true, DEMO_SERVICE_PREFIX));

  await send(token(buyer).getFunction('approve')(a.channel, memberFunding > consumerSecurity ? memberFunding - consumerSecurity : 0n));
  const block = await send(token(maker).getFunction('approve')(a.channel, makerFunding));

  const account = async (s: Signer, index: number): Promise<DemoAccount> => ({ address: await s.getAddress(), accountIndex: index });
  return {
    ...DEMO_IDS,
    marketFee,
    providerSecurity,
    consumerSecurity,
    members: {
      deployer: await account(deployer, DEMO_ACCOUNTS.deployer),
      marketOwner: await account(owner, DEMO_ACCOUNTS.marketOwner),
      seller: await account(seller, DEMO_ACCOUNTS.seller),
      buyer: await account(buyer, DEMO_ACCOUNTS.buyer),
      maker: { address: maker.address, accountIndex: makerIndex < 0 ? null : makerIndex },
      sellerDelegate: await account(sellerDelegate, DEMO_ACCOUNTS.sellerDelegate),
      buyerDelegate: await account(buyerDelegate, DEMO_ACCOUNTS.buyerDelegate),
    },
    block,
  };
}
