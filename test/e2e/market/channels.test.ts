/**
 * End to end (real controller, router, xbrmm worker, dev chain): open_channel for a buyer (PAYMENT) and a
 * seller (PAYING, funded by the maker, which approves XBRChannel itself when short), each asked for by the
 * member itself (logged in with WAMP-cryptosign); the channels reach the ledger through the chain monitor and
 * show in every getter of their own member, and in no other member's (docs/protocol.md#trust-model); each refusal of
 * open_channel; cooperative close refused for a stale state, a wrong signer or a caller that is not the
 * channel's actor, accepted for the ledger's state → Closed on chain and in the ledger, with the
 * on_payment_channel_closing event. Anonymous sessions may use none of these procedures.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Contract, parseEther } from 'ethers';
import type { Wampy } from 'wampy';
import { xbrChannelAbi, xbrTokenAbi } from '../../../contracts/index.js';
import { packUint256, unpackUint256 } from '../../../schema/codec/uint256.js';
import { signChannelClose } from '../../../schema/eip712/channelClose.js';
import { signChannelOpen } from '../../../schema/eip712/channelOpen.js';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import { adr, call, eventually, id16, keyOf, login, rejectsWith } from './channels-helpers.js';
import { connectMember, e2eConfig, type BalanceResult, type ChannelResult } from './offers-purchase-helpers.js';

const MM = 'xbr.marketmaker.';
const BUYER = 3;
const BUYER_DELEGATE = 6;
const SELLER = 2;
const SELLER_DELEGATE = 5;
const OUTSIDER = 7;

let edge: MarketEdge;
/** The buyer member (#3), the seller member (#2): cryptosign logins through the maker's authenticator. */
let buyer: Wampy;
let seller: Wampy;
let anonymous: Wampy;
let chainId: bigint;
let network: Uint8Array;
let market: Uint8Array;
let maker: Uint8Array;
let owner: Uint8Array;

before(async () => {
  // e2eConfig: the shipped config plus ticket principals, for a member session of a non-actor (#5) below.
  edge = await startMarketEdge({ configure: e2eConfig });
  buyer = (await login(edge, { wallet: BUYER, serializer: 'cbor' })).client;
  seller = (await login(edge, { wallet: SELLER, serializer: 'cbor' })).client;
  anonymous = await edge.connect({ serializer: 'cbor' });
  chainId = BigInt(edge.devchain.chainId);
  network = adr(edge.devchain.contracts.network);
  market = id16(edge.devchain.demo.marketId);
  maker = adr(edge.makerAddress);
  owner = adr(edge.devchain.demo.members.marketOwner.address);
});
after(async () => {
  await edge?.stop();
});

interface OpenSpec {
  ctype: 1 | 2;
  member: number;
  delegate: number;
  amount: bigint;
  signer?: number;
  market?: Uint8Array;
  marketmaker?: Uint8Array;
  recipient?: Uint8Array;
  channelId?: Uint8Array;
}

/** open_channel's positional arguments, signed as the spec's client does. */
async function openArgs(s: OpenSpec): Promise<{ args: unknown[]; channelId: Uint8Array }> {
  const channelId = s.channelId ?? new Uint8Array(randomBytes(16));
  const openedAt = BigInt(await edge.provider().getBlockNumber());
  const member = adr(edge.account(s.member).address);
  const delegate = adr(edge.account(s.delegate).address);
  const recipient = s.recipient ?? (s.ctype === 1 ? owner : member);
  const m = s.market ?? market;
  const mm = s.marketmaker ?? maker;
  const signature = signChannelOpen(
    { chainId, verifyingContract: network as never, ctype: s.ctype, openedAt, marketId: m as never, channelId: channelId as never, actor: member, delegate, marketmaker: mm as never, recipient: recipient as never, amount: s.amount },
    keyOf(s.signer ?? s.member),
  );
  return { channelId, args: [member, m, channelId, chainId, openedAt, network, s.ctype, delegate, mm, recipient, packUint256(s.amount), signature] };
}

async function closeArgs(channelId: Uint8Array, seq: number, balance: bigint, signer: number, isFinal = true): Promise<unknown[]> {
  const closeAt = BigInt(await edge.provider().getBlockNumber());
  const sig = signChannelClose({ chainId, verifyingContract: network as never, closeAt, marketId: market as never, channelId: channelId as never, channelSeq: seq, balance, isFinal }, keyOf(signer));
  return [channelId, chainId, closeAt, network, packUint256(balance), seq, isFinal, sig];
}

const token = () => new Contract(edge.devchain.contracts.token, xbrTokenAbi, edge.account(0));
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

let paymentId: Uint8Array;
const PAYMENT_AMOUNT = parseEther('100');

const MEMBERS_ONLY = /is for market members/;

test('open_channel PAYMENT: the buyer signs, the maker submits; the channel is in every getter of the buyer, of no one else', async () => {
  const { args, channelId } = await openArgs({ ctype: 1, member: BUYER, delegate: BUYER_DELEGATE, amount: PAYMENT_AMOUNT });
  // Only the member itself asks for its channel: not an anonymous session, not another member.
  await rejectsWith(call(anonymous, MM + 'open_channel', args), 'wamp.error.not_authorized', MEMBERS_ONLY);
  await rejectsWith(call(seller, MM + 'open_channel', args), 'wamp.error.not_authorized', /open_channel for this member: the caller 0x[0-9a-f]{40} is not the member 0x[0-9a-f]{40}/);
  const r = await call<{ transaction: Uint8Array; channel_oid: Uint8Array; market_oid: Uint8Array }>(buyer, MM + 'open_channel', args);
  assert.equal(r.transaction.length, 32);
  assert.equal(hexOf(r.channel_oid), hexOf(channelId));
  assert.equal(hexOf(r.market_oid), hexOf(market));
  paymentId = channelId;
  const receipt = await edge.provider().getTransactionReceipt('0x' + hexOf(r.transaction));
  assert.equal(receipt?.status, 1);

  const ch = await eventually(() => call<ChannelResult>(buyer, MM + 'get_payment_channel', [channelId]), 'the Opened event reached the ledger');
  assert.equal(ch.state, 1);
  assert.equal(ch.channel_type, 1);
  assert.equal(hexOf(ch.actor), hexOf(adr(edge.account(BUYER).address)));
  assert.equal(hexOf(ch.delegate), hexOf(adr(edge.account(BUYER_DELEGATE).address)));
  assert.equal(unpackUint256(ch.amount), PAYMENT_AMOUNT);
  const bal = await call<BalanceResult>(buyer, MM + 'get_payment_channel_balance', [channelId]);
  assert.equal(unpackUint256(bal.remaining), PAYMENT_AMOUNT);
  assert.equal(unpackUint256(bal.inflight), 0n);
  assert.equal(bal.seq, 1);
  const delegate = adr(edge.account(BUYER_DELEGATE).address);
  const active = await call(buyer, MM + 'get_active_payment_channel', [delegate]);
  assert.ok(active !== null, 'the delegate has an active payment channel');
  const byDelegate: Uint8Array[] = await call(buyer, MM + 'get_channels_by_delegate', [delegate, 1]);
  assert.ok(byDelegate.some((c) => hexOf(c) === hexOf(channelId)));
  const byActor: Uint8Array[] = await call(buyer, MM + 'get_channels_by_actor', [adr(edge.account(BUYER).address), 1]);
  assert.ok(byActor.some((c) => hexOf(c) === hexOf(channelId)));
  // It is a payment channel, not a paying one.
  await rejectsWith(call(buyer, MM + 'get_paying_channel', [channelId]), 'crossbar.error.no_such_object', /no paying channel/);
  await rejectsWith(call(buyer, MM + 'get_channels_by_delegate', [delegate, 5]), 'xbr.marketmaker.error.invalid_channel_type');
  await rejectsWith(call(buyer, MM + 'get_channels_by_actor', [new Uint8Array(19), 1]), 'xbr.marketmaker.error.invalid_member_adr');

  // Another member does not see it (who buys how much is the buyer's business) ...
  await rejectsWith(call(seller, MM + 'get_payment_channel', [channelId]), 'wamp.error.not_authorized', /is not yours/);
  await rejectsWith(call(seller, MM + 'get_payment_channel_balance', [channelId]), 'wamp.error.not_authorized', /is not yours/);
  await rejectsWith(call(seller, MM + 'get_active_payment_channel', [delegate]), 'wamp.error.not_authorized', /is not yours/);
  assert.deepEqual(await call(seller, MM + 'get_channels_by_delegate', [delegate, 1]), [], 'another member\'s channels are left out');
  await rejectsWith(call(seller, MM + 'get_channels_by_actor', [adr(edge.account(BUYER).address), 1]), 'wamp.error.not_authorized', /a member lists its own channels/);
  // ... nor does an anonymous session.
  for (const [uri, a] of [['get_payment_channel', [channelId]], ['get_payment_channel_balance', [channelId]], ['get_active_payment_channel', [delegate]], ['get_channels_by_delegate', [delegate, 1]], ['get_channels_by_actor', [adr(edge.account(BUYER).address), 1]]] as const) {
    await rejectsWith(call(anonymous, MM + uri, [...a]), 'wamp.error.not_authorized', MEMBERS_ONLY);
  }
});

test('open_channel PAYING: the seller signs, the maker funds it and approves XBRChannel itself when its allowance is short', async () => {
  const channelAddress = edge.devchain.contracts.channel;
  const makerAddress = edge.makerAddress;
  const allowance: bigint = await token().getFunction('allowance')(makerAddress, channelAddress);
  // More tokens than the maker's allowance: the maker must approve before opening.
  await (await token().getFunction('transfer')(makerAddress, parseEther('1000'))).wait();
  const amount = allowance + parseEther('500');
  // The maker's balance must cover a paying channel.
  const balance: bigint = await token().getFunction('balanceOf')(makerAddress);
  const big = await openArgs({ ctype: 2, member: SELLER, delegate: SELLER_DELEGATE, amount: balance + 1n });
  await rejectsWith(call(seller, MM + 'open_channel', big.args), 'xbr.error.insufficient_token_balance', /market maker/);
  const { args, channelId } = await openArgs({ ctype: 2, member: SELLER, delegate: SELLER_DELEGATE, amount });
  // The maker's money is spent for the seller alone: the buyer may not ask for the seller's paying channel.
  await rejectsWith(call(buyer, MM + 'open_channel', args), 'wamp.error.not_authorized', /is not the member/);
  await call(seller, MM + 'open_channel', args);
  const ch = await eventually(() => call<ChannelResult>(seller, MM + 'get_paying_channel', [channelId]), 'the paying channel reached the ledger');
  assert.equal(ch.channel_type, 2);
  assert.equal(hexOf(ch.recipient), hexOf(adr(edge.account(SELLER).address)));
  assert.equal(unpackUint256(ch.amount), amount);
  const active = await call(seller, MM + 'get_active_paying_channel', [adr(edge.account(SELLER_DELEGATE).address)]);
  assert.ok(active !== null);
  const byRecipient: Uint8Array[] = await call(seller, MM + 'get_channels_by_actor', [adr(edge.account(SELLER).address), 2]);
  assert.ok(byRecipient.some((c) => hexOf(c) === hexOf(channelId)));
  await rejectsWith(call(buyer, MM + 'get_paying_channel_balance', [channelId]), 'wamp.error.not_authorized', /is not yours/);
  await rejectsWith(call(buyer, MM + 'get_active_paying_channel', [adr(edge.account(SELLER_DELEGATE).address)]), 'wamp.error.not_authorized', /is not yours/);

  // One live paying channel per seller delegate: the maker's liquidity is not the provider's to lock up.
  const second = await openArgs({ ctype: 2, member: SELLER, delegate: SELLER_DELEGATE, amount: parseEther('1') });
  const refused = await rejectsWith(call(seller, MM + 'open_channel', second.args), 'xbr.error.channel_already_exists', /already has the open paying channel/);
  assert.equal(hexOf(refused.argsDict?.['channel_oid'] as Uint8Array), hexOf(channelId));
});

test('open_channel refuses what the contract would revert, with a clear error, and sends nothing', async () => {
  const base = { ctype: 1 as const, member: BUYER, delegate: BUYER_DELEGATE, amount: parseEther('1') };
  const makerNonce = await edge.provider().getTransactionCount(edge.makerAddress);
  // A member session (a principal of the router config) of #5, which is no consumer of the market.
  const nonConsumer = await connectMember(edge, SELLER_DELEGATE);
  const cases: [string, Partial<OpenSpec>, string, RegExp, Wampy?][] = [
    ['wrong market', { market: new Uint8Array(randomBytes(16)) }, 'wamp.error.invalid_argument', /market_oid/],
    ['wrong maker', { marketmaker: adr(edge.account(OUTSIDER).address) }, 'wamp.error.invalid_argument', /marketmaker/],
    ['wrong recipient', { recipient: adr(edge.account(OUTSIDER).address) }, 'wamp.error.invalid_argument', /recipient/],
    ['signed by someone else', { signer: BUYER_DELEGATE }, 'xbr.error.invalid_signature', /not by the member/],
    ['member not a consumer', { member: SELLER_DELEGATE }, 'xbr.error.member_not_actor', /consumer/, nonConsumer],
    ['delegate not consented', { delegate: OUTSIDER }, 'xbr.error.delegate_not_consented', /consented/],
    ['channel id in use', { channelId: paymentId }, 'xbr.error.channel_already_exists', /exists/],
  ];
  for (const [what, change, uri, message, as] of cases) {
    const { args } = await openArgs({ ...base, ...change });
    await rejectsWith(call(as ?? buyer, MM + 'open_channel', args), uri, message).catch((err: Error) => assert.fail(`${what}: ${err.message}`));
  }
  // A wrong verifying chain and a malformed argument.
  const { args } = await openArgs(base);
  await rejectsWith(call(buyer, MM + 'open_channel', [...args.slice(0, 3), chainId + 1n, ...args.slice(4)]), 'wamp.error.invalid_argument', /verifying_chain_id/);
  await rejectsWith(call(buyer, MM + 'open_channel', [...args.slice(0, 6), 3, ...args.slice(7)]), 'wamp.error.invalid_argument', /channel_type/);
  // Insufficient allowance: the buyer holds more than it allowed XBRChannel.
  const buyerAddress = edge.account(BUYER).address;
  const allowed: bigint = await token().getFunction('allowance')(buyerAddress, edge.devchain.contracts.channel);
  await (await token().getFunction('transfer')(buyerAddress, allowed + parseEther('10'))).wait();
  const over = await openArgs({ ...base, amount: allowed + parseEther('1') });
  await rejectsWith(call(buyer, MM + 'open_channel', over.args), 'xbr.error.insufficient_allowance', /approve/);
  assert.equal(await edge.provider().getTransactionCount(edge.makerAddress), makerNonce, 'no refused open sent a transaction');
});

test('close_channel: stale, foreign or not-the-actor\'s closes are refused; the ledger state closes the channel on chain and in the ledger', async () => {
  const closing: unknown[] = [];
  await buyer.subscribe(MM + 'on_payment_channel_closing', (e: { argsList?: unknown[] }) => void closing.push(e.argsList?.[0]));
  await rejectsWith(call(buyer, MM + 'close_channel', await closeArgs(paymentId, 2, PAYMENT_AMOUNT, BUYER_DELEGATE)), 'xbr.error.unexpected_channel_seq');
  await rejectsWith(call(buyer, MM + 'close_channel', await closeArgs(paymentId, 1, PAYMENT_AMOUNT - 1n, BUYER_DELEGATE)), 'xbr.error.unexpected_channel_balance');
  await rejectsWith(call(buyer, MM + 'close_channel', await closeArgs(paymentId, 1, PAYMENT_AMOUNT, BUYER)), 'xbr.error.invalid_signature');
  await rejectsWith(call(buyer, MM + 'close_channel', await closeArgs(new Uint8Array(randomBytes(16)), 1, PAYMENT_AMOUNT, BUYER_DELEGATE)), 'xbr.error.invalid_channel');
  // The delegate's valid close, sent by someone who is not the channel's actor: refused.
  const valid = await closeArgs(paymentId, 1, PAYMENT_AMOUNT, BUYER_DELEGATE);
  await rejectsWith(call(seller, MM + 'close_channel', valid), 'wamp.error.not_authorized', /is not yours: its actor is 0x[0-9a-f]{40}, the caller is member 0x[0-9a-f]{40}/);
  await rejectsWith(call(anonymous, MM + 'close_channel', valid), 'wamp.error.not_authorized', MEMBERS_ONLY);
  // Still open after the refusals.
  assert.equal((await call<ChannelResult>(buyer, MM + 'get_payment_channel', [paymentId])).state, 1);

  const r = await call<{ state: number; seq: number; is_final: boolean; balance: Uint8Array; channel_oid: Uint8Array }>(buyer, MM + 'close_channel', await closeArgs(paymentId, 1, PAYMENT_AMOUNT, BUYER_DELEGATE));
  assert.equal(r.state, 2);
  assert.equal(r.seq, 1);
  assert.equal(r.is_final, true);
  assert.equal(unpackUint256(r.balance), PAYMENT_AMOUNT);
  assert.equal(hexOf(r.channel_oid), hexOf(paymentId));
  const onChain = new Contract(edge.devchain.contracts.channel, xbrChannelAbi, edge.provider());
  const state = await onChain.getFunction('channelClosingStates')('0x' + hexOf(paymentId));
  assert.equal(Number(state[0]), 3, 'Closed on chain');
  const closed = await eventually(async () => {
    const ch = await call<ChannelResult>(buyer, MM + 'get_payment_channel', [paymentId]);
    return ch.state === 3 ? ch : undefined;
  }, 'the Closed event reached the ledger');
  assert.equal(closed.close_channel_seq, 1);
  assert.equal(await call(buyer, MM + 'get_active_payment_channel', [adr(edge.account(BUYER_DELEGATE).address)]), null);
  await eventually(async () => (closing.length > 0 ? true : undefined), 'on_payment_channel_closing was published');
  assert.equal(hexOf((closing[0] as { channel_oid: Uint8Array }).channel_oid), hexOf(paymentId));
  await rejectsWith(call(buyer, MM + 'close_channel', await closeArgs(paymentId, 1, PAYMENT_AMOUNT, BUYER_DELEGATE)), 'xbr.error.channel_not_open');
});
