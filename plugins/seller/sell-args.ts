/**
 * The arguments the market maker sends to a seller: `sell` (docs/protocol.md#sell, plus keyword `close_at` — the
 * block the signed states carry, docs/protocol.md#differences) and `close_channel` (docs/protocol.md#provider-close-channel, plus keyword `close_at`).
 * Each bad argument is `wamp.error.invalid_argument` naming it.
 */
import { argumentError, describe } from '../../schema/codec/index.js';
import { addressArg, boolArg, bytesArg, intArg, signatureArg, uint256Arg, uuidArg } from '../../schema/codec/index.js';
import type { Address, Amount, Signature65, Uuid } from '../../schema/codec/index.js';

/** Largest `channelSeq` an EIP712ChannelClose can carry (uint32). */
const MAX_SEQ = 0xffff_ffff;

export interface SellRequest {
  readonly marketMaker: Address;
  /** The buyer's Ed25519 public key (the seal goes to its X25519 form). */
  readonly buyerPubkey: Uint8Array;
  readonly keyId: Uuid;
  /** `null`: a free key from a seller the maker sells without a paying leg. */
  readonly channelId: Uuid | null;
  readonly seq: number;
  readonly amount: Amount;
  readonly balance: Amount;
  readonly makerSignature: Signature65 | null;
  readonly closeAt: bigint;
}

export interface CloseRequest {
  readonly marketMaker: Address;
  readonly channelId: Uuid;
  readonly seq: number;
  readonly balance: Amount;
  readonly isFinal: boolean;
  readonly makerSignature: Signature65;
  readonly closeAt: bigint;
}

function closeAtArg(kwargs: Readonly<Record<string, unknown>>, required: boolean): bigint {
  const v = kwargs['close_at'];
  if (v === undefined || v === null) {
    if (required) throw argumentError('close_at', 'a block number (keyword argument)', 'none');
    return 1n; // what the Python maker signs
  }
  if (typeof v === 'bigint' && v >= 0n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw argumentError('close_at', 'a block number ≥ 0', describe(v));
}

function onlyKwargs(kwargs: Readonly<Record<string, unknown>>, allowed: string[]): void {
  for (const k of Object.keys(kwargs)) if (!allowed.includes(k)) throw argumentError(k, `no such keyword argument (only ${allowed.join(', ')})`, describe(kwargs[k]));
}

/** `sell(market_maker_adr, buyer_pubkey, key_id, channel_oid, channel_seq, amount, balance, signature, *, close_at)`. */
export function parseSellArgs(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): SellRequest {
  if (args.length !== 8) throw argumentError('args', '8 positional arguments', String(args.length));
  onlyKwargs(kwargs, ['close_at']);
  const channelId = args[3] === null ? null : uuidArg('channel_oid', args[3]);
  const amount = uint256Arg('amount', args[5]);
  const balance = uint256Arg('balance', args[6]);
  if (channelId === null && amount !== 0n) throw argumentError('amount', '0 when there is no paying channel', String(amount));
  return {
    marketMaker: addressArg('market_maker_adr', args[0]),
    buyerPubkey: bytesArg('buyer_pubkey', args[1], 32),
    keyId: uuidArg('key_id', args[2]),
    channelId,
    seq: channelId === null ? 0 : intArg('channel_seq', args[4], { min: 1, max: MAX_SEQ }),
    amount,
    balance,
    makerSignature: channelId === null ? null : signatureArg('signature', args[7]),
    closeAt: closeAtArg(kwargs, false),
  };
}

/** `close_channel(market_maker_adr, channel_oid, channel_seq, channel_balance, channel_is_final, marketmaker_signature, *, close_at)`. */
export function parseCloseArgs(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): CloseRequest {
  if (args.length !== 6) throw argumentError('args', '6 positional arguments', String(args.length));
  onlyKwargs(kwargs, ['close_at']);
  return {
    marketMaker: addressArg('market_maker_adr', args[0]),
    channelId: uuidArg('channel_oid', args[1]),
    seq: intArg('channel_seq', args[2], { min: 1, max: MAX_SEQ }),
    balance: uint256Arg('channel_balance', args[3]),
    isFinal: boolArg('channel_is_final', args[4]),
    makerSignature: signatureArg('marketmaker_signature', args[5]),
    closeAt: closeAtArg(kwargs, true),
  };
}
