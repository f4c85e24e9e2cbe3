/**
 * The ledger's refusals, each under its WAMP URI. Messages name the channel or transaction; kwargs carry
 * what a client needs to resync (the maker's current `seq` and `remaining`) — never key material. Amounts in
 * kwargs are 32-byte uint256 like every amount on the wire (docs/protocol.md#differences): a bigint beyond 64 bits has no
 * msgpack encoding, so the router could not deliver the error to a msgpack caller at all.
 */
import { formatUuid } from '../../../schema/codec/index.js';
import type { Address, Amount, Uuid } from '../../../schema/codec/index.js';
import { toHex } from '../../../schema/codec/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import { ChannelType, type Channel } from '../../../schema/db/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { XbrErrorUri, CrossbarErrorUri } from '../../../schema/index.js';

/** 1 → "payment", 2 → "paying". */
function channelKind(type: number): 'payment' | 'paying' {
  return type === ChannelType.PAYMENT ? 'payment' : 'paying';
}

/** `crossbar.error.no_such_object`: no channel of that type and id (docs/protocol.md#channel-getters wording). */
export function noSuchChannel(type: number, id: Uuid): WampError {
  return new WampError(CrossbarErrorUri.noSuchObject, `no ${channelKind(type)} channel ${formatUuid(id)} found`, { kwargs: { channel_oid: id } });
}

/** `crossbar.error.no_such_object`: the delegate has no usable payment channel. */
export function noActivePaymentChannel(delegateHex: string): WampError {
  return new WampError(CrossbarErrorUri.noSuchObject, `no active payment channel for delegate 0x${delegateHex}`, { kwargs: { delegate: delegateHex } });
}

/** `crossbar.error.no_such_object`: the payment channel is not OPEN (docs/protocol.md#buy-key-errors). */
export function paymentChannelNotOpen(id: Uuid, state: number): WampError {
  return new WampError(CrossbarErrorUri.noSuchObject, `payment channel at address "${formatUuid(id)}" not in state OPEN (state ${state})`, {
    kwargs: { channel_oid: id, state },
  });
}

/** `wamp.error.not_authorized`: the calling member is not the payment channel's actor (a member spends only from its own channels). */
export function notChannelActor(channel: Channel, member: Address): WampError {
  return new WampError(
    WampErrorUri.notAuthorized,
    `payment channel "${formatUuid(channel.channel_oid)}" is not yours: its actor is 0x${toHex(channel.actor)}, the caller is member 0x${toHex(member)}`,
    { kwargs: { channel_oid: channel.channel_oid } },
  );
}

/** `xbr.error.invalid_signature` with a message saying whose signature was expected. */
export function invalidSignature(message: string, cause?: unknown): WampError {
  return new WampError(XbrErrorUri.invalidSignature, message, cause === undefined ? {} : { cause });
}

/** `xbr.error.unexpected_channel_seq`: a signed state is not the next (or, for a close, the current) one. */
export function unexpectedSeq(id: Uuid, got: number, expected: number, remaining: Amount): WampError {
  return new WampError(XbrErrorUri.unexpectedChannelSeq, `channel ${formatUuid(id)}: channel_seq ${got} is not the expected ${expected}`, {
    kwargs: { channel_oid: id, channel_seq: got, expected_seq: expected, remaining: packUint256(remaining) },
  });
}

/** `xbr.error.unexpected_channel_balance`: a signed balance disagrees with the maker's ledger. */
export function unexpectedBalance(id: Uuid, got: Amount, expected: Amount, seq: number): WampError {
  return new WampError(XbrErrorUri.unexpectedChannelBalance, `channel ${formatUuid(id)}: balance ${got} is not the expected ${expected}`, {
    kwargs: { channel_oid: id, balance: packUint256(got), expected_balance: packUint256(expected), seq },
  });
}

/** `xbr.error.insufficient_amount` (docs/protocol.md#buy-key-errors). */
export function insufficientAmount(amount: Amount, price: Amount): WampError {
  return new WampError(XbrErrorUri.insufficientAmount, `amount ${amount} is less than the price ${price}`, { kwargs: { amount: packUint256(amount), price: packUint256(price) } });
}

/** `xbr.error.insufficient_payment_balance` (docs/protocol.md#buy-key-errors). */
export function insufficientPaymentBalance(id: Uuid, remaining: Amount, price: Amount): WampError {
  return new WampError(XbrErrorUri.insufficientPaymentBalance, `payment channel ${formatUuid(id)} has ${remaining} remaining, less than the price ${price}`, {
    kwargs: { channel_oid: id, remaining: packUint256(remaining), price: packUint256(price) },
  });
}

/** `xbr.error.insufficient_paying_balance` (docs/protocol.md#buy-key-errors). */
export function insufficientPayingBalance(sellerHex: string, message: string): WampError {
  return new WampError(XbrErrorUri.insufficientPayingBalance, `seller delegate 0x${sellerHex}: ${message}`, { kwargs: { seller: sellerHex } });
}

/** `xbr.error.invalid_transaction`: the transaction is unknown to this call's purpose (e.g. already resolved). */
export function invalidTransaction(tid: Uuid, message: string): WampError {
  return new WampError(XbrErrorUri.invalidTransaction, `transaction ${formatUuid(tid)}: ${message}`, { kwargs: { tid } });
}

/** `xbr.error.ledger_invariant`: the stored ledger contradicts itself; the maker must stop (fail closed). */
export function ledgerCorrupt(message: string, kwargs: Record<string, unknown> = {}): WampError {
  return new WampError(XbrErrorUri.ledgerInvariant, message, { kwargs });
}
