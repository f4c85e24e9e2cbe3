/**
 * `close_paying_channel(channel_oid)` (ours, docs/protocol.md#seller-earnings): the seller member asks the maker
 * to close its paying channel, so it is paid what it earned without holding the delegate's key. The maker
 * marks the channel CLOSING at the ledger's current state and signs it (final), asks the seller delegate to
 * co-sign through `xbr.provider.<authid>.close_channel` (docs/protocol.md#provider-close-channel), checks that
 * the channel's delegate signed exactly that state, and submits `closeChannel` as `close_channel` does.
 * If the seller does not co-sign, the channel is OPEN again and its error is the answer.
 */
import { chainRead } from '../../chain/index.js';
import type { CloseChannelResult } from '../../../schema/api/index.js';
import { uuidArg } from '../../../schema/codec/index.js';
import { formatUuid, packUint256, parseAddress, type Address } from '../../../schema/codec/index.js';
import { MakerIndex, key, address } from '../../../schema/db/index.js';
import { signChannelClose } from '../../../schema/eip712/index.js';
import { providerCloseChannelUri, type MarketMakerChannelProcedure } from '../../../schema/index.js';
import { onlyArg, type MakerContext, type MakerHandler, type ProcedureCall } from '../api/index.js';
import { abandonCooperativeClose, beginMakerClose, recordSellerCoSignature } from '../ledger/index.js';
import { submitClose } from './close-channel.js';
import { memberAuthid, requireCallerMember } from './member-checks.js';
import { callSeller, DEFAULT_SELLER_TIMEOUT_MS } from './seller-call.js';
import { verifyingContractBytes } from './signed-args.js';

/**
 * The authid the seller delegate of `delegate` sells under: that of its newest offer for sale (the router
 * authenticated it when the offer was placed), else the member's own (`member-0x<actor>`), which is how a
 * seller logged in through the market's authenticator is known.
 */
function sellerAuthid(ctx: MakerContext, delegate: Address, actor: Address): string {
  const newest = ctx.makerDb.offers.byIndex(MakerIndex.offerBySeller, { prefix: key(address(delegate)), reverse: true, limit: 1 })[0];
  return newest?.value.seller_authid ?? memberAuthid(actor);
}

/** The seller's co-signature from its answer (`{signature, …}`), or undefined. */
function coSignature(answer: unknown): unknown {
  return answer !== null && typeof answer === 'object' ? (answer as { signature?: unknown }).signature : undefined;
}

async function closePayingChannel(ctx: MakerContext, call: ProcedureCall): Promise<CloseChannelResult> {
  const channelId = uuidArg('channel_oid', onlyArg('close_paying_channel', call, 'channel_oid'));
  const member = requireCallerMember(call.details, undefined, 'close_paying_channel');
  const currentBlock = BigInt(await chainRead('the current block', () => ctx.provider.getBlockNumber()));
  let decision = beginMakerClose(ctx.makerDb, channelId, {
    chainId: ctx.verifyingChainId, verifyingContract: verifyingContractBytes(ctx), marketId: ctx.marketId, closeAt: currentBlock, currentBlock, member,
  });
  const { channel, balance } = decision;
  const authid = sellerAuthid(ctx, channel.delegate, channel.actor);
  const log = ctx.log.child({ channel: formatUuid(channelId), ctype: decision.type, seq: balance.seq, seller: authid });
  // Signed only now: the CLOSING mark that justifies it is durable (no purchase can start on the channel).
  const makerSig = signChannelClose(decision.message, ctx.privateKey);
  try {
    const answer = await callSeller(
      ctx.session, authid, providerCloseChannelUri(authid),
      [parseAddress(ctx.address), new Uint8Array(channelId), balance.seq, packUint256(balance.remaining), true, makerSig], { close_at: currentBlock },
      DEFAULT_SELLER_TIMEOUT_MS,
    );
    decision = recordSellerCoSignature(ctx.makerDb, decision, coSignature(answer));
  } catch (err) {
    const reopened = abandonCooperativeClose(ctx.makerDb, decision);
    log.warn('the seller did not co-sign the close of its paying channel; the channel is open again', { reopened, error: err as Error });
    throw err;
  }
  log.info('paying channel close co-signed by the seller', { remaining: balance.remaining, earned: balance.spent });
  return submitClose(ctx, decision, makerSig, log);
}

export function closePayingChannelProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerChannelProcedure.closePayingChannel> {
  return async (call) => closePayingChannel(ctx, call);
}
