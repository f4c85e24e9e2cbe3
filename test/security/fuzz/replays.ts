/**
 * Correctly signed calls the fuzzer replays with one argument changed, so hostile calls reach the checks
 * behind the signature. Each is built so that neither it nor any change of it can legitimately move money
 * or change the market: a signature covers every field that matters, so a changed call fails the signature
 * check, and the unchanged one is refused on its own:
 *
 * - `buy_key`: the purchase made at set-up (its `channel_seq` is used: `unexpected_channel_seq`);
 * - `place_offer`: the seller's first offer again (its key is offered already), sent by another member;
 * - `close_channel`: the payment channel's state before that purchase (stale: refused by the ledger);
 * - `open_channel`: the existing payment channel's id, signed by its actor (`channel_already_exists`);
 * - `set_consent`: a consent for a block 1000 ahead (no pre-signed block may lie in the future);
 * - a member login (`EIP712MarketMemberLogin` in a cryptosign HELLO): accepted, but the client never answers
 *   the challenge.
 */
import { packUint256 } from '../../../schema/codec/uint256.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { signChannelClose } from '../../../schema/eip712/channelClose.js';
import { signChannelOpen } from '../../../schema/eip712/channelOpen.js';
import { sign } from '../../../schema/eip712/sign.js';
import { channelCloseMessage } from '../../../schema/eip712/index.js';
import type { MarketEdge } from '../../e2e/harness/market-edge.js';
import { addr, bytesOf, type World } from '../../e2e/market/offers-purchase-helpers.js';
import type { MemberLogin, ReplayableCall } from './recorded.js';

const P = 'xbr.marketmaker.';

/** What the replays are built from. */
export interface ReplayFixtures {
  readonly edge: MarketEdge;
  readonly w: World;
  readonly block: bigint;
  readonly paymentId: Uint8Array;
  readonly deposit: bigint;
  /** The payment channel's actor, its delegate, and the market owner (the payment recipient). */
  readonly buyer: number;
  readonly buyerDelegate: number;
  readonly marketOwner: number;
  readonly sellerDelegate: number;
  readonly purchase: { readonly args: readonly unknown[]; readonly kwargs: Readonly<Record<string, unknown>> };
  /** The seller's first offer as get_offer returns it (placed with valid_from 0, no expiry, no copies). */
  readonly offer: { key: Uint8Array; api: Uint8Array; uri: string; signature: Uint8Array; price: Uint8Array | null };
}

/** A member login a cryptosign HELLO can carry (hex, as JSON clients send it). */
const buf = (b: Uint8Array): Buffer => Buffer.from(b);
/** Byte arrays as Buffers: the raw clients' CBOR encoder writes a plain Uint8Array with tag 64, a Buffer without. */
const wire = (v: unknown): unknown => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v);

export function signedReplays(f: ReplayFixtures): ReplayableCall[] {
  const { edge, w } = f;
  const account = (i: number): Buffer => buf(addr(edge.account(i)));
  const contract = buf(w.binding.verifyingContract);
  const chainId = Number(w.binding.chainId);
  const block = Number(f.block);

  const stale = signChannelClose(channelCloseMessage(w.binding, f.block, f.paymentId as Uuid, 1, f.deposit, false), bytesOf(edge.account(f.buyerDelegate)));

  const open = {
    chainId: w.binding.chainId, verifyingContract: w.binding.verifyingContract, ctype: 1, openedAt: f.block, marketId: w.marketId, channelId: f.paymentId as Uuid,
    actor: addr(edge.account(f.buyer)), delegate: addr(edge.account(f.buyerDelegate)), marketmaker: w.maker, recipient: addr(edge.account(f.marketOwner)), amount: f.deposit,
  };
  const openSig = signChannelOpen(open, bytesOf(edge.account(f.buyer)));

  const consentBlock = f.block + 1000n;
  const catalog = Buffer.from(edge.devchain.demo.catalogId.slice(2), 'hex');
  const consent = {
    chainId: w.binding.chainId, verifyingContract: w.binding.verifyingContract, member: addr(edge.account(f.buyer)), updated: consentBlock, marketId: w.marketId,
    delegate: addr(edge.account(f.buyerDelegate)), delegateType: 2, apiCatalog: catalog as unknown as Uuid, consent: true, servicePrefix: 'xbr.demo',
  } as const;
  const consentSig = sign('EIP712Consent', consent, bytesOf(edge.account(f.buyer)));

  return [
    { procedure: `${P}buy_key`, args: f.purchase.args.map(wire), kwargs: f.purchase.kwargs },
    {
      procedure: `${P}place_offer`,
      // valid_from 0 ("from now") is what the seller signed; the stored offer holds the time it was placed.
      args: [buf(f.offer.key), buf(f.offer.api), f.offer.uri, 0, account(f.sellerDelegate), buf(f.offer.signature)],
      kwargs: f.offer.price === null ? {} : { price: buf(f.offer.price) },
    },
    {
      procedure: `${P}close_channel`,
      args: [buf(f.paymentId), chainId, block, contract, buf(packUint256(f.deposit)), 1, false, buf(stale)],
      kwargs: {},
    },
    {
      procedure: `${P}open_channel`,
      args: [account(f.buyer), buf(w.marketId), buf(f.paymentId), chainId, block, contract, 1, account(f.buyerDelegate), buf(w.maker), account(f.marketOwner), buf(packUint256(f.deposit)), buf(openSig)],
      kwargs: {},
    },
    {
      procedure: `${P}set_consent`,
      args: [account(f.buyer), buf(w.marketId), chainId, Number(consentBlock), contract, account(f.buyerDelegate), 2, catalog, true, 'xbr.demo', buf(consentSig)],
      kwargs: {},
    },
  ];
}

/** A login of member `index` with `pubkeyHex` (the EIP712MarketMemberLogin the maker's authenticator checks). */
export function memberLogin(edge: MarketEdge, index: number, pubkeyHex: string): MemberLogin {
  const wallet = addr(edge.account(index));
  const signature = sign('EIP712MarketMemberLogin', { member: wallet, client_pubkey: Buffer.from(pubkeyHex, 'hex') }, bytesOf(edge.account(index)));
  return { pubkey: pubkeyHex, wallet: `0x${Buffer.from(wallet).toString('hex')}`, signature: `0x${Buffer.from(signature).toString('hex')}` };
}
