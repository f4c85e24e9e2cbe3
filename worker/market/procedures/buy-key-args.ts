/**
 * The arguments of `buy_key(delegate_adr, buyer_pubkey, key_id, channel_oid, channel_seq, amount, balance,
 * signature, *, close_at)` (docs/protocol.md#buy-key), checked at the boundary: each bad one is
 * `wamp.error.invalid_argument` naming it (docs/protocol.md#differences), before the ledger is touched.
 *
 * `close_at` (ours): the block number the buyer put into its EIP712ChannelClose (docs/protocol.md#differences: the current
 * block, not 1). The spec's positional arguments do not carry it, so it is a keyword argument; absent, it
 * is 1 — what the Python buyer signs — which the ledger accepts only while the chain is younger than the
 * 1440-block window.
 */
import { argumentError, describe } from '../../../schema/codec/index.js';
import { addressArg, bytesArg, intArg, signatureArg, uint256Arg, uuidArg } from '../../../schema/codec/index.js';
import type { Address, Amount, Ed25519PublicKey, Signature65, Uuid } from '../../../schema/codec/index.js';
import { ed25519PublicKeyToX25519 } from '../../../schema/crypto/index.js';
import { MAX_CHANNEL_SEQ } from '../ledger/index.js';

/** `close_at` when the buyer sends none (the Python clients' hard-coded value). */
const DEFAULT_CLOSE_AT = 1n;

const KWARGS = new Set(['close_at']);

/** The checked `buy_key` request. */
export interface BuyKeyInput {
  readonly delegate: Address;
  readonly buyerPubkey: Ed25519PublicKey;
  readonly keyId: Uuid;
  readonly channelId: Uuid;
  readonly channelSeq: number;
  readonly amount: Amount;
  readonly balance: Amount;
  readonly signature: Signature65;
  readonly closeAt: bigint;
}

function blockArg(name: string, v: unknown): bigint {
  if (typeof v === 'bigint' && v >= 0n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw argumentError(name, 'a block number (integer ≥ 0)', typeof v === 'number' || typeof v === 'bigint' ? String(v) : describe(v));
}

/**
 * @throws WampError `wamp.error.invalid_argument` naming the argument (also for a `buyer_pubkey` that is
 * not a usable Ed25519 point: the seller could not seal to it).
 */
export function parseBuyKeyArgs(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>> = {}): BuyKeyInput {
  if (args.length !== 8) throw argumentError('args', '8 positional arguments (delegate_adr, buyer_pubkey, key_id, channel_oid, channel_seq, amount, balance, signature)', String(args.length));
  for (const k of Object.keys(kwargs)) if (!KWARGS.has(k)) throw argumentError(k, 'no such keyword argument of buy_key', describe(kwargs[k]));
  const delegate = addressArg('delegate_adr', args[0]);
  const buyerPubkey = bytesArg('buyer_pubkey', args[1], 32) as Ed25519PublicKey;
  ed25519PublicKeyToX25519(buyerPubkey, 'buyer_pubkey');
  return {
    delegate,
    buyerPubkey,
    keyId: uuidArg('key_id', args[2]),
    channelId: uuidArg('channel_oid', args[3]),
    channelSeq: intArg('channel_seq', args[4], { min: 1, max: MAX_CHANNEL_SEQ }),
    amount: uint256Arg('amount', args[5]),
    balance: uint256Arg('balance', args[6]),
    signature: signatureArg('signature', args[7]),
    closeAt: kwargs['close_at'] === undefined || kwargs['close_at'] === null ? DEFAULT_CLOSE_AT : blockArg('close_at', kwargs['close_at']),
  };
}
