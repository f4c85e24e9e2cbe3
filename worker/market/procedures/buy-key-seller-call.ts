/**
 * The maker's call to the seller delegate in `buy_key` (docs/protocol.md#seller-call): the maker signs the
 * reserved paying state — only now, after the reservation is on disk — and calls
 * `xbr.provider.<seller_authid>.sell` with the spec's positional arguments plus `close_at` (keyword; the
 * block the signed states carry). The seller's receipt is checked here (docs/protocol.md#maker-defect-20: `sealed_key` must
 * be a sealed 32-byte key, 80 bytes); its signature is verified by the ledger (`runPurchase`).
 *
 * A free key from a seller without a paying channel has no paying state: the channel, signature and seq
 * are sent as None / 0 and the seller need not sign.
 */
import { describe } from '../../../schema/codec/index.js';
import { normalizeSignature } from '../../../schema/codec/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { Address, Signature65 } from '../../../schema/codec/index.js';
import { SEALED_KEY_BYTES } from '../../../schema/crypto/index.js';
import { signDigest } from '../../../schema/eip712/index.js';
import { WampError } from '../../../schema/index.js';
import { XbrErrorUri, providerSellUri } from '../../../schema/index.js';
import type { MakerSession } from '../api/index.js';
import type { ReservedPurchase, SellResult } from '../ledger/index.js';
import type { BuyKeyInput } from './buy-key-args.js';
import { callSeller } from './seller-call.js';

/** What a successful `sell` delivers. */
export interface SoldKey extends SellResult {
  /** The data key sealed to the buyer's key (80 bytes). */
  readonly sealedKey: Uint8Array;
}

/** The docs/protocol.md#seller-call positional arguments of `sell` for `reserved`, signed by the maker when there is a paying leg. */
function sellArgs(makerAddress: Address, makerKey: Uint8Array, input: BuyKeyInput, reserved: ReservedPurchase): unknown[] {
  const paying = reserved.paying;
  if (paying === undefined) return [makerAddress, input.buyerPubkey, input.keyId, null, 0, packUint256(0n), packUint256(0n), null];
  return [
    makerAddress,
    input.buyerPubkey,
    input.keyId,
    paying.channel.channel_oid,
    paying.balance.seq,
    packUint256(reserved.price),
    packUint256(paying.balance.remaining),
    signDigest(paying.digest, makerKey),
  ];
}

function failed(sellerHex: string, what: string): WampError {
  return new WampError(XbrErrorUri.transactionFailed, `market maker could not buy key from seller delegate "0x${sellerHex}": ${what}`);
}

/**
 * The seller's receipt, checked: a dict with `sealed_key` (80 bytes) and, when `needSignature`, `signature` (65 bytes).
 * @throws WampError `xbr.error.transaction_failed` (docs/protocol.md#buy-key-errors).
 */
function parseSellReceipt(result: unknown, needSignature: boolean, sellerHex: string): SoldKey {
  if (result === null || typeof result !== 'object' || Array.isArray(result) || result instanceof Uint8Array) throw failed(sellerHex, `expected a receipt dict, got ${describe(result)}`);
  const r = result as Record<string, unknown>;
  const sealedKey = r['sealed_key'];
  if (!(sealedKey instanceof Uint8Array) || sealedKey.length !== SEALED_KEY_BYTES) throw failed(sellerHex, `sealed_key: expected ${SEALED_KEY_BYTES} bytes, got ${describe(sealedKey)}`);
  if (!needSignature) return { sealedKey };
  let sellerSignature: Signature65;
  try {
    sellerSignature = normalizeSignature(r['signature'], 'signature');
  } catch (err) {
    throw failed(sellerHex, err instanceof Error ? err.message : String(err));
  }
  return { sealedKey, sellerSignature };
}

/**
 * Signs the paying state and calls the seller of `reserved.offer`; resolves with its checked receipt.
 * @throws WampError the seller's error, or `xbr.error.transaction_failed` (no answer in `timeoutMs`, bad receipt).
 */
export async function sellReserved(
  session: MakerSession,
  makerAddress: Address,
  makerKey: Uint8Array,
  input: BuyKeyInput,
  reserved: ReservedPurchase,
  timeoutMs: number,
): Promise<SoldKey> {
  const args = sellArgs(makerAddress, makerKey, input, reserved);
  const result = await callSeller(session, reserved.offer.seller_authid, providerSellUri(reserved.offer.seller_authid), args, { close_at: input.closeAt }, timeoutMs);
  return parseSellReceipt(result, reserved.paying !== undefined, Buffer.from(reserved.offer.seller).toString('hex'));
}
