/**
 * The `gas` bench part: what a payment channel costs on chain, on a fresh dev chain with the project's contracts
 * (`deployXbr` + `setupDemo`, market fee 42 % and network contribution 30 % as in the docs/protocol.md#test-vectors
 * vectors, so a close pays all four parties):
 * - `gas.open_channel`: `openChannel` of a PAYMENT channel (100 XBR of the buyer), sent by the maker;
 * - `gas.close_channel`: its cooperative close after four off-chain payments, `closeChannel` at seq 5 with
 *   `isFinal`, co-signed by the buyer's delegate and the maker (four transfers; the case of the contracts/README.md
 *   table);
 * - `gas.open_channel_paying` / `gas.close_channel_paying`: the same for a PAYING channel (the maker's 100 XBR for
 *   the seller).
 * Gas is deterministic (fixed accounts, ids and blocks on a fresh chain), so `--quick` changes nothing.
 */
import { Contract, hexlify, type ContractTransactionResponse, type HDNodeWallet, type TransactionReceipt } from 'ethers';
import { DEMO_ACCOUNTS, deployXbr, devchainAccountKey, setupDemo, startDevchain, xbrChannelAbi } from '../contracts/index.js';
import { parseAddress, parseUuid } from '../schema/codec/index.js';
import { signChannelClose, signChannelOpen } from '../schema/eip712/index.js';
import { describe, figure, type BenchContext } from './util.js';

const XBR = 10n ** 18n;
/** 42 % of the XBR supply (10^9 XBR), the fee of the docs/protocol.md#test-vectors vectors. */
const MARKET_FEE = 420_000_000n * XBR;
const DEPOSIT = 100n * XBR;
/** Off-chain payments before the close: the final state is seq 1 + PAYMENTS. */
const PAYMENTS = 4;
const PRICE = 15n * XBR;
const PAYMENT = 1;
const PAYING = 2;
const CLOSED = 3n;
/** setupDemo's default maker (hardhat account #4). */
const MAKER = DEMO_ACCOUNTS.defaultMaker;

async function send(p: Promise<unknown>): Promise<TransactionReceipt> {
  const receipt = await (p as Promise<ContractTransactionResponse>).then((tx) => tx.wait());
  if (receipt === null || receipt.status !== 1) throw new Error('transaction failed');
  return receipt;
}

/** A channel as `openChannel` takes it; actor and delegate are dev chain account indexes. */
interface Channel {
  ctype: number;
  channelId: string;
  actor: number;
  delegate: number;
  recipient: string;
  amount: bigint;
}

export async function runGasBench(ctx: BenchContext): Promise<boolean> {
  const chain = await startDevchain();
  try {
    ctx.log('gas: deploying the contracts and the demo market');
    const deployment = await deployXbr(chain.signers[DEMO_ACCOUNTS.deployer]!);
    const demo = await setupDemo(chain, deployment, { marketFee: MARKET_FEE });
    const wallet = (i: number): HDNodeWallet => chain.wallets[i]!;
    const address = (i: number): string => wallet(i).address;
    const channels = (sender: number) => new Contract(deployment.addresses.channel, xbrChannelAbi, wallet(sender));
    const binding = { chainId: chain.chainId, verifyingContract: parseAddress(deployment.addresses.network) };
    const marketId = parseUuid(demo.marketId.slice(2));
    const block = async (): Promise<bigint> => BigInt(await chain.provider.getBlockNumber());

    const open = async (c: Channel, sender: number): Promise<TransactionReceipt> => {
      const openedAt = await block();
      const message = {
        ...binding,
        ctype: c.ctype,
        openedAt,
        marketId,
        channelId: parseUuid(c.channelId.slice(2)),
        actor: parseAddress(address(c.actor)),
        delegate: parseAddress(address(c.delegate)),
        marketmaker: parseAddress(address(MAKER)),
        recipient: parseAddress(c.recipient),
        amount: c.amount,
      };
      const signature = hexlify(signChannelOpen(message, devchainAccountKey(c.actor)));
      const args = [c.ctype, openedAt, demo.marketId, c.channelId, address(c.actor), address(c.delegate), address(MAKER), c.recipient, c.amount];
      return send(channels(sender).getFunction('openChannel')(...args, signature));
    };

    /** `closeChannel`'s arguments for the state after `paid` payments, co-signed by the delegate and the maker. */
    const coSigned = async (c: Channel, paid: number) => {
      const closeAt = await block();
      const seq = 1 + paid;
      const balance = c.amount - BigInt(paid) * PRICE;
      const isFinal = paid === PAYMENTS;
      const message = { ...binding, closeAt, marketId, channelId: parseUuid(c.channelId.slice(2)), channelSeq: seq, balance, isFinal };
      const signatures = [devchainAccountKey(c.delegate), devchainAccountKey(MAKER)].map((k) => hexlify(signChannelClose(message, k)));
      return [c.channelId, closeAt, seq, balance, isFinal, ...signatures] as const;
    };

    // Each payment is a newer state both sides sign (the buyer's purchases on PAYMENT, the maker's payouts on
    // PAYING); the maker submits the last, final one.
    const payAndClose = async (c: Channel): Promise<TransactionReceipt> => {
      let state = await coSigned(c, 1);
      for (let paid = 2; paid <= PAYMENTS; paid++) state = await coSigned(c, paid);
      const receipt = await send(channels(MAKER).getFunction('closeChannel')(...state));
      const [closedState] = (await channels(MAKER).getFunction('channelClosingStates')(c.channelId)) as unknown[];
      if (closedState !== CLOSED) throw new Error(`channel ${c.channelId} not CLOSED by its final state`);
      return receipt;
    };

    const channelId = (n: number): string => '0x' + n.toString(16).padStart(32, '0');
    const { buyer, buyerDelegate, seller, sellerDelegate } = DEMO_ACCOUNTS;
    const owner = demo.members.marketOwner.address;
    const payment: Channel = { ctype: PAYMENT, channelId: channelId(2), actor: buyer, delegate: buyerDelegate, recipient: owner, amount: DEPOSIT };
    const paying: Channel = { ctype: PAYING, channelId: channelId(3), actor: seller, delegate: sellerDelegate, recipient: address(seller), amount: DEPOSIT };

    ctx.log('gas: opening and closing a PAYMENT and a PAYING channel');
    // A first, small channel stays open, as in test/contracts/channel.test.ts: the measured open is not the one that
    // makes the contract's token balance non-zero, and no close empties it again (which would earn a refund).
    await open({ ...payment, channelId: channelId(1), amount: 1n * XBR }, buyer);
    const openPayment = await open(payment, MAKER);
    const openPaying = await open(paying, MAKER);
    const closePayment = await payAndClose(payment);
    const closePaying = await payAndClose(paying);

    figure(ctx, 'gas.open_channel', Number(openPayment.gasUsed), 'gas');
    figure(ctx, 'gas.close_channel', Number(closePayment.gasUsed), 'gas');
    figure(ctx, 'gas.open_channel_paying', Number(openPaying.gasUsed), 'gas');
    figure(ctx, 'gas.close_channel_paying', Number(closePaying.gasUsed), 'gas');
    ctx.out('# gas: original openChannel 485,025, closeChannel 250,932');
    return true;
  } catch (err) {
    ctx.out(`# ERROR gas: ${describe(err)}`);
    return false;
  } finally {
    await chain.stop();
  }
}

/** A dev chain and some thirty transactions, in either mode: seconds, with room for a loaded 2-core machine. */
export function gasBudgetMs(_quick: boolean): number {
  return 120_000;
}
