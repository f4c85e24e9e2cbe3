/**
 * Opening the buyer's payment channel through the maker (`open_channel`, docs/protocol.md#open-channel): the buyer member
 * allows XBRChannel to take the amount (an ERC-20 `approve`, sent by the member itself — only it may), signs
 * EIP712ChannelOpen (actor = member, delegate = this buyer delegate, recipient = the market owner) and the
 * maker submits `openChannel`. The maker answers once the channel is mined and in its ledger, so the buyer
 * can buy on it right away.
 */
import { randomBytes } from 'node:crypto';
import { Contract, hexlify, JsonRpcProvider, Wallet, type Provider } from 'ethers';
import { packUint256 } from '../../schema/codec/index.js';
import type { Address, Uuid } from '../../schema/codec/index.js';
import { signChannelOpen } from '../../schema/eip712/index.js';
import { MarketMakerProcedure, WampError, XbrErrorUri } from '../../schema/index.js';
import type { MakerArgs } from '../../schema/api/index.js';
import { callMaker } from '../common/index.js';
import type { BuyerConfig } from './config.js';
import type { BuyerSession } from './session.js';

/** How the buyer opens a payment channel when it has none. */
export interface OpenChannelOptions {
  /** Tokens (base units) to put into the channel. */
  readonly amount: bigint;
  /**
   * The buyer member's 32-byte Ethereum key: signs EIP712ChannelOpen and, with `provider`, approves the
   * tokens. Absent, the delegate key is taken as the member's (a member acting as its own delegate).
   */
  readonly memberKey?: Uint8Array;
  /** Chain access (an ethers provider or a JSON-RPC URL) for the `approve`; without it the member must have approved already. */
  readonly provider?: Provider | string;
}

const TOKEN_ABI = ['function allowance(address owner, address spender) view returns (uint256)', 'function approve(address spender, uint256 amount) returns (bool)'];

/** An ethers provider for `p`, and whether the buyer made it (and so must destroy it). */
export function providerOf(p: Provider | string): { provider: Provider; owned: boolean } {
  return typeof p === 'string' ? { provider: new JsonRpcProvider(p, undefined, { staticNetwork: true, cacheTimeout: -1 }), owned: true } : { provider: p, owned: false };
}

/** Raises the member's allowance to XBRChannel to `amount` if it is lower; returns whether it sent a transaction. */
export async function ensureAllowance(provider: Provider, memberKey: Uint8Array, config: BuyerConfig, amount: bigint): Promise<boolean> {
  const member = new Wallet(hexlify(memberKey), provider);
  const token = new Contract(config.token, TOKEN_ABI, member);
  const allowance = (await token.getFunction('allowance')(member.address, config.channelContract)) as bigint;
  if (allowance >= amount) return false;
  const tx = await token.getFunction('approve')(config.channelContract, amount);
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) {
    throw new WampError(XbrErrorUri.transactionFailed, `approve(${config.channelContract}, ${amount}) by ${member.address} failed (tx ${tx.hash as string})`, { kwargs: { stage: 'approve' } });
  }
  return true;
}

/** The signed `open_channel` request of a fresh PAYMENT channel of `delegate` funded by the member. */
export function openChannelArgs(
  config: BuyerConfig,
  p: { member: Address; memberKey: Uint8Array; delegate: Address; amount: bigint; block: bigint; channelId?: Uuid },
): { channelId: Uuid; args: MakerArgs<typeof MarketMakerProcedure.openChannel> } {
  const channelId = p.channelId ?? (new Uint8Array(randomBytes(16)) as Uuid);
  const b = config.binding;
  const signature = signChannelOpen(
    { chainId: b.chainId, verifyingContract: b.verifyingContract, ctype: 1, openedAt: p.block, marketId: b.marketId, channelId, actor: p.member, delegate: p.delegate, marketmaker: config.maker, recipient: config.owner, amount: p.amount },
    p.memberKey,
  );
  return {
    channelId,
    // Small integers go as plain ints: every WAMP serializer carries them the same way.
    args: [p.member, b.marketId, channelId, Number(b.chainId), Number(p.block), b.verifyingContract, 1, p.delegate, config.maker, config.owner, packUint256(p.amount), signature],
  };
}

/** Sends `open_channel`; resolves with the channel id once the maker reports it opened. */
export async function openPaymentChannel(session: BuyerSession, config: BuyerConfig, p: { member: Address; memberKey: Uint8Array; delegate: Address; amount: bigint; block: bigint }): Promise<Uuid> {
  const { channelId, args } = openChannelArgs(config, p);
  await callMaker(session.call.bind(session), MarketMakerProcedure.openChannel, args);
  return channelId;
}
