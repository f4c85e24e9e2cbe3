/**
 * `close_channel` (docs/protocol.md#close-channel, fixed per docs/protocol.md#maker-defect-24 and docs/protocol.md#differences): a cooperative close of a channel of
 * this market with the delegate's signed closing state.
 *
 * The ledger decides (`checkCooperativeClose`: the delegate's signature, state OPEN, nothing in flight, the
 * state equal to the ledger's current seq and remaining) and marks the channel CLOSING in the same durable
 * write; only then does the maker co-sign — final or not, the contract needs both signatures — and submit
 * `closeChannel` through its sender, waiting for the receipt. If the transaction certainly did not take
 * effect (refused, reverted, replaced) the channel is OPEN again (`abandonCooperativeClose`), so it is never
 * left falsely CLOSING; when the outcome is unknown (timeout) it stays CLOSING and the chain monitor settles
 * it from the chain's events. The on-chain `Closing` / `Closed` reach the ledger through the monitor.
 */
import { chainRead } from '../../chain/index.js';
import type { CloseChannelResult } from '../../../schema/api/index.js';
import { boolArg, intArg, signatureArg, uint256Arg, uuidArg } from '../../../schema/codec/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import { formatUuid, type Signature65 } from '../../../schema/codec/index.js';
import { channelTables } from '../../../schema/db/index.js';
import { ChannelType } from '../../../schema/db/index.js';
import { signChannelClose } from '../../../schema/eip712/index.js';
import { isError, type Logger } from '../../../schema/index.js';
import { MarketMakerTopic, XbrErrorUri } from '../../../schema/index.js';
import { addressArg } from '../../../schema/codec/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { abandonCooperativeClose, checkCooperativeClose, ledgerCorrupt, MAX_CHANNEL_SEQ, type CloseDecision } from '../ledger/index.js';
import { requireCallerMember } from './member-checks.js';
import { blockArg, checkBinding, verifyingContractBytes } from './signed-args.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

const NAMES = [
  'channel_oid', 'verifying_chain_id', 'current_block_number', 'verifying_contract_adr', 'closing_balance', 'closing_seq',
  'closing_is_final', 'delegate_signature',
] as const;

/** Records the maker's signature and the close transaction on the channel (unless the chain already moved it on). */
function recordSubmitted(ctx: MakerContext, d: CloseDecision, makerSig: Uint8Array, txHash: string): void {
  const { channels } = channelTables(ctx.makerDb, d.type);
  ctx.makerDb.env.writeSync(() => {
    const current = channels.get(d.channel.channel_oid);
    if (current === undefined) return;
    channels.put(d.channel.channel_oid, { ...current, close_mm_sig: makerSig as never, close_tx: Buffer.from(txHash.slice(2), 'hex') as never });
  });
}

/** Whether `err` says the transaction can never take effect (so the ledger may reopen the channel). */
function certainlyFailed(err: unknown): boolean {
  return isError(err, XbrErrorUri.transactionFailed);
}

/** Runs `close_channel`. */
async function closeChannel(ctx: MakerContext, call: ProcedureCall): Promise<CloseChannelResult> {
  const a = namedArgs('close_channel', call, NAMES);
  const channelId = uuidArg('channel_oid', a.channel_oid);
  const contract = addressArg('verifying_contract_adr', a.verifying_contract_adr);
  checkBinding(ctx, { chainId: a.verifying_chain_id, contract });
  const closeAt = blockArg('current_block_number', a.current_block_number);
  const balance = uint256Arg('closing_balance', a.closing_balance);
  const seq = intArg('closing_seq', a.closing_seq, { min: 1, max: MAX_CHANNEL_SEQ });
  const isFinal = boolArg('closing_is_final', a.closing_is_final);
  const delegateSignature = signatureArg('delegate_signature', a.delegate_signature);
  const currentBlock = BigInt(await chainRead('the current block', () => ctx.provider.getBlockNumber()));

  const member = requireCallerMember(call.details, undefined, 'close_channel');
  const decision = checkCooperativeClose(ctx.makerDb, channelId, {
    seq, balance, isFinal, delegateSignature, closeAt, currentBlock, member,
    chainId: ctx.verifyingChainId, verifyingContract: verifyingContractBytes(ctx), marketId: ctx.marketId,
  });
  const log = ctx.log.child({ channel: formatUuid(channelId), ctype: decision.type, seq, is_final: isFinal });
  // Signed only now: the CLOSING mark that justifies it is durable (no purchase can start on the channel).
  return submitClose(ctx, decision, signChannelClose(decision.message, ctx.privateKey), log);
}

/**
 * Submits an accepted close (`decision`, marked CLOSING and carrying the delegate's signature) with the maker's
 * signature, waits for the receipt, records it and publishes `on_*_channel_closing`. A transaction that
 * certainly failed opens the channel again; an unknown outcome leaves it CLOSING for the chain monitor.
 */
export async function submitClose(ctx: MakerContext, decision: CloseDecision, makerSig: Signature65, log: Logger): Promise<CloseChannelResult> {
  const { channel_oid: channelId, closing_at: closeAt, close_channel_seq: seq, close_balance: balance, close_is_final: isFinal, close_del_sig: delegateSignature } = decision.channel;
  if (closeAt === undefined || seq === undefined || balance === undefined || isFinal === undefined || delegateSignature === undefined) {
    throw ledgerCorrupt(`channel ${formatUuid(channelId)} is submitted for closing without its close fields`, { channel_oid: channelId });
  }
  let txHash: string;
  try {
    const { receipt } = await ctx.sender.send({
      ...ctx.xbr.channel.encodeCloseChannel({ channelId, closeAt, closingChannelSeq: seq, balance, isFinal, delegateSignature, marketmakerSignature: makerSig }),
      label: 'closeChannel',
    });
    txHash = receipt.hash;
  } catch (err) {
    if (certainlyFailed(err)) {
      const reopened = abandonCooperativeClose(ctx.makerDb, decision);
      log.warn('closeChannel failed; the channel is open again', { reopened, error: err as Error });
    } else {
      log.error('closeChannel outcome unknown; the channel stays CLOSING until the chain says more', { error: err as Error });
    }
    throw err;
  }
  recordSubmitted(ctx, decision, makerSig, txHash);
  ctx.triggerChainMonitor();
  log.info('channel close submitted', { tx: txHash, balance });

  const result: CloseChannelResult = {
    transaction: Buffer.from(txHash.slice(2), 'hex'),
    market_oid: new Uint8Array(ctx.marketId),
    channel_oid: new Uint8Array(channelId),
    // CLOSING as in the original: the chain's Closing/Closed reach the ledger through the monitor.
    state: 2,
    balance: new Uint8Array(packUint256(balance)),
    seq,
    is_final: isFinal,
  };
  const topic = decision.type === ChannelType.PAYMENT ? MarketMakerTopic.onPaymentChannelClosing : MarketMakerTopic.onPayingChannelClosing;
  await ctx.session.publish(topic, [result]).catch((err: unknown) => log.warn('could not publish the closing event', { topic, error: err as Error }));
  return result;
}

export function closeChannelProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.closeChannel> {
  return async (call) => closeChannel(ctx, call);
}
