/**
 * `open_channel` (docs/protocol.md#open-channel, with the fixes of docs/protocol.md#maker-defect-23): the maker submits a member-signed
 * `XBRChannel.openChannel` for its market.
 *
 * Everything the contract would revert on is checked first and refused with a clear error (and nothing
 * sent): the chain binding, market and maker of the signed open; the signer (= `member_adr`); a fresh
 * channel id (ledger and chain); the member's role (PAYMENT: consumer, PAYING: provider); the recipient rule
 * (PAYMENT: the market owner, PAYING: the member); the delegate's consent; the payer's tokens (PAYMENT: the
 * member's allowance to XBRChannel and balance; PAYING: the maker's balance — the maker approves XBRChannel
 * itself, through its own sender, when its allowance is short). The transaction goes through the maker's
 * {@link TransactionSender} (journaled) and the call returns once it is mined and confirmed; then the chain
 * monitor is triggered, so the `Opened` event reaches the ledger within one poll.
 */
import { chainRead } from '../../chain/index.js';
import { sleep } from '../../../process/index.js';
import type { OpenChannelResult } from '../../../schema/api/index.js';
import { toHex } from '../../../schema/codec/index.js';
import { sameBytes } from '../../../schema/codec/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { Address } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { ChannelType } from '../../../schema/db/index.js';
import { recoverChannelOpen } from '../../../schema/eip712/index.js';
import type { ChannelOpenMessage } from '../../../schema/eip712/index.js';
import { WampError } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import type { MakerContext, ProcedureCall, MakerHandler } from '../api/index.js';
import { activeChannel, invalidSignature, KeyedMutex } from '../ledger/index.js';
import { isActorInRole, requireCallerMember } from './member-checks.js';
import { parseOpenChannelArgs, type OpenChannelInput } from './open-channel-args.js';
import { checkBinding, checkPresignedBlock, expectSame, hex0x, makerAddressBytes } from './signed-args.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

/** The EIP712ChannelOpen the member signed. */
function openMessage(ctx: MakerContext, o: OpenChannelInput): ChannelOpenMessage {
  return {
    chainId: ctx.verifyingChainId, verifyingContract: o.contract, ctype: o.ctype, openedAt: o.openedAt, marketId: o.marketId, channelId: o.channelId,
    actor: o.member, delegate: o.delegate, marketmaker: o.marketmaker, recipient: o.recipient, amount: o.amount,
  };
}

/** Synchronous checks: binding, maker, signer. */
function checkSigned(ctx: MakerContext, o: OpenChannelInput): void {
  checkBinding(ctx, { chainId: o.chainId, contract: o.contract, market: o.marketId });
  expectSame('marketmaker', o.marketmaker, makerAddressBytes(ctx), "this market's maker");
  let signer: Address;
  try {
    signer = recoverChannelOpen(openMessage(ctx, o), o.signature);
  } catch (err) {
    throw invalidSignature(`EIP712 signature recovery failed (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (!sameBytes(signer, o.member)) throw invalidSignature(`EIP712 signature invalid: signed by ${hex0x(signer)}, not by the member ${hex0x(o.member)}`);
}

/** How long `open_channel` waits for the chain monitor to put the new channel into the ledger. */
const REPLICATION_WAIT_MS = 10_000;

/** Checks against the ledger and the chain: fresh id, block window, role, recipient, consent. */
async function checkMarket(ctx: MakerContext, o: OpenChannelInput): Promise<void> {
  const id = formatUuid(o.channelId);
  if (ctx.makerDb.paymentChannels.has(o.channelId) || ctx.makerDb.payingChannels.has(o.channelId)) {
    throw new WampError(XbrErrorUri.channelAlreadyExists, `channel ${id} already exists`, { kwargs: { channel_oid: o.channelId } });
  }
  const [onChain, current] = await chainRead(`channel ${id} and the current block`, () => Promise.all([ctx.xbr.channel.channels(o.channelId), ctx.provider.getBlockNumber()]));
  if (onChain.ctype !== 0) throw new WampError(XbrErrorUri.channelAlreadyExists, `channel ${id} already exists on chain`, { kwargs: { channel_oid: o.channelId } });
  checkPresignedBlock('current_block_number', o.openedAt, BigInt(current));

  // PAYMENT: the member buys (consumer); PAYING: the member sells (provider). Role numbers = actor types.
  const role = o.ctype === ChannelType.PAYMENT ? 2 : 1;
  const roleName = role === 2 ? 'consumer' : 'provider';
  if (!(await isActorInRole(ctx, o.member, role))) {
    throw new WampError(XbrErrorUri.memberNotActor, `member ${hex0x(o.member)} is not a ${roleName} of market ${ctx.marketIdHex}`, {
      kwargs: { member_adr: o.member, actor_type: role },
    });
  }
  const recipient = o.ctype === ChannelType.PAYMENT ? Buffer.from(ctx.marketOwner.slice(2), 'hex') : o.member;
  expectSame('recipient', o.recipient, recipient, o.ctype === ChannelType.PAYMENT ? 'the market owner' : 'the member (actor)');
  if (o.ctype === ChannelType.PAYING) {
    // The maker funds PAYING channels from its own tokens, on the provider's request alone: one live channel
    // per seller delegate at a time, so no provider can make the maker lock up its liquidity in many.
    const live = activeChannel(ctx.makerDb, ChannelType.PAYING, o.delegate, ctx.marketId);
    if (live !== undefined) {
      throw new WampError(
        XbrErrorUri.channelAlreadyExists,
        `delegate ${hex0x(o.delegate)} already has the open paying channel ${formatUuid(live.channel.channel_oid)} with ${live.balance.remaining} remaining: close it first`,
        { kwargs: { channel_oid: live.channel.channel_oid, delegate: o.delegate, remaining: packUint256(live.balance.remaining) } },
      );
    }
  }
  if (!(await ctx.xbr.market.hasDelegateConsent(ctx.marketId, o.member, o.delegate, role))) {
    throw new WampError(XbrErrorUri.delegateNotConsented, `member ${hex0x(o.member)} has not consented to delegate ${hex0x(o.delegate)} as ${roleName} in market ${ctx.marketIdHex}`, {
      kwargs: { member_adr: o.member, delegate: o.delegate, delegate_type: role },
    });
  }
}

/** The payer's balance and allowance; for PAYING the maker tops up its own allowance (serialized by the caller). */
async function ensureFunds(ctx: MakerContext, o: OpenChannelInput): Promise<void> {
  const channel = ctx.addresses.channel;
  const payer = o.ctype === ChannelType.PAYMENT ? hex0x(o.member) : ctx.address;
  const who = o.ctype === ChannelType.PAYMENT ? `member ${payer}` : `market maker ${payer}`;
  const [balance, allowance] = await Promise.all([ctx.xbr.token.balanceOf(payer), ctx.xbr.token.allowance(payer, channel)]);
  if (balance < o.amount) {
    throw new WampError(XbrErrorUri.insufficientTokenBalance, `${who} holds ${balance} tokens, less than the amount ${o.amount}`, { kwargs: { payer, balance: packUint256(balance), amount: packUint256(o.amount) } });
  }
  if (allowance >= o.amount) return;
  if (o.ctype === ChannelType.PAYMENT) {
    throw new WampError(XbrErrorUri.insufficientAllowance, `${who} allows XBRChannel ${channel} ${allowance} tokens, less than the amount ${o.amount}: approve first`, {
      kwargs: { payer, allowance: packUint256(allowance), amount: packUint256(o.amount), spender: channel },
    });
  }
  ctx.log.info('approving XBRChannel for a paying channel', { channel: formatUuid(o.channelId), allowance, amount: o.amount });
  await ctx.sender.send({ ...ctx.xbr.token.encodeApprove(channel, o.amount), label: 'approve' });
}

/**
 * Runs `open_channel`: checks (see the file comment), submits `openChannel`, waits for it to be mined,
 * triggers the monitor. `mutex` serializes opens of one channel id, and the maker's PAYING opens (its
 * allowance is shared by them).
 */
async function openChannel(ctx: MakerContext, call: ProcedureCall, mutex: KeyedMutex): Promise<OpenChannelResult> {
  const o = parseOpenChannelArgs(call);
  requireCallerMember(call.details, o.member, 'open_channel for this member');
  checkSigned(ctx, o);
  const keys = [`open:${toHex(o.channelId)}`, ...(o.ctype === ChannelType.PAYING ? ['maker-allowance'] : [])];
  return mutex.run(keys, async () => {
    await checkMarket(ctx, o);
    await ensureFunds(ctx, o);
    const log = ctx.log.child({ channel: formatUuid(o.channelId), ctype: o.ctype, member: hex0x(o.member) });
    const { receipt } = await ctx.sender.send({
      ...ctx.xbr.channel.encodeOpenChannel({
        ctype: o.ctype, openedAt: o.openedAt, marketId: o.marketId, channelId: o.channelId, actor: o.member, delegate: o.delegate,
        marketmaker: o.marketmaker, recipient: o.recipient, amount: o.amount, signature: o.signature,
      }),
      label: 'openChannel',
    });
    log.info('channel opened on chain', { tx: receipt.hash, block: receipt.blockNumber, amount: o.amount });
    ctx.triggerChainMonitor();
    // Return once the ledger has the channel (the monitor applies `Opened` within a poll): the caller can use
    // it right away, and — under the PAYING lock — the next PAYING open sees it (one live channel per seller).
    const table = o.ctype === ChannelType.PAYMENT ? ctx.makerDb.paymentChannels : ctx.makerDb.payingChannels;
    const deadline = Date.now() + REPLICATION_WAIT_MS;
    while (!table.has(o.channelId) && Date.now() < deadline) await sleep(50);
    if (!table.has(o.channelId)) log.warn('the opened channel is not in the ledger yet; it will be once the chain monitor applies it', { wait_ms: REPLICATION_WAIT_MS });
    return { transaction: Buffer.from(receipt.hash.slice(2), 'hex'), channel_oid: new Uint8Array(o.channelId), market_oid: new Uint8Array(o.marketId) };
  });
}

/** The `open_channel` handler of one maker, with the lock its opens share. */
export function openChannelProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.openChannel> {
  const mutex = new KeyedMutex();
  return async (call) => openChannel(ctx, call, mutex);
}
