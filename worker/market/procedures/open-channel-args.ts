/**
 * The arguments of `open_channel(member_adr, market_oid, channel_oid, verifying_chain_id, current_block_number,
 * verifying_contract_adr, channel_type, delegate, marketmaker, recipient, amount, signature, attributes)`
 * (docs/protocol.md#open-channel), checked at the boundary: each bad one is `wamp.error.invalid_argument` naming it.
 */
import { argumentError, describe } from '../../../schema/codec/index.js';
import { addressArg, signatureArg, uint256Arg, uuidArg } from '../../../schema/codec/index.js';
import type { Address, Amount, Signature65, Uuid } from '../../../schema/codec/index.js';
import { ChannelType } from '../../../schema/db/index.js';
import { namedArgs, type ProcedureCall } from '../api/index.js';
import { blockArg } from './signed-args.js';

const NAMES = [
  'member_adr', 'market_oid', 'channel_oid', 'verifying_chain_id', 'current_block_number', 'verifying_contract_adr',
  'channel_type', 'delegate', 'marketmaker', 'recipient', 'amount', 'signature', 'attributes',
] as const;

/** The checked arguments of `open_channel`. */
export interface OpenChannelInput {
  readonly member: Address;
  readonly marketId: Uuid;
  readonly channelId: Uuid;
  readonly chainId: unknown;
  readonly openedAt: bigint;
  readonly contract: Address;
  readonly ctype: 1 | 2;
  readonly delegate: Address;
  readonly marketmaker: Address;
  readonly recipient: Address;
  readonly amount: Amount;
  readonly signature: Signature65;
}

/** Parses and type-checks the arguments (`wamp.error.invalid_argument` naming the bad one). */
export function parseOpenChannelArgs(call: ProcedureCall): OpenChannelInput {
  const a = namedArgs('open_channel', call, NAMES);
  const ctype = typeof a.channel_type === 'bigint' ? Number(a.channel_type) : a.channel_type;
  if (ctype !== ChannelType.PAYMENT && ctype !== ChannelType.PAYING) throw argumentError('channel_type', '1 (payment) or 2 (paying)', typeof ctype === 'number' ? String(ctype) : describe(ctype));
  const attributes = a.attributes;
  if (attributes !== undefined && attributes !== null && (typeof attributes !== 'object' || Array.isArray(attributes) || attributes instanceof Uint8Array)) {
    throw argumentError('attributes', 'a dict or None', describe(attributes));
  }
  const amount = uint256Arg('amount', a.amount);
  if (amount === 0n) throw argumentError('amount', 'a positive amount', '0');
  const delegate = addressArg('delegate', a.delegate);
  if (delegate.every((b) => b === 0)) throw argumentError('delegate', 'a non-zero address', 'the zero address');
  return {
    member: addressArg('member_adr', a.member_adr),
    marketId: uuidArg('market_oid', a.market_oid),
    channelId: uuidArg('channel_oid', a.channel_oid),
    chainId: a.verifying_chain_id,
    openedAt: blockArg('current_block_number', a.current_block_number),
    contract: addressArg('verifying_contract_adr', a.verifying_contract_adr),
    ctype,
    delegate,
    marketmaker: addressArg('marketmaker', a.marketmaker),
    recipient: addressArg('recipient', a.recipient),
    amount,
    signature: signatureArg('signature', a.signature),
  };
}
