/** Fixtures of the ledger tests: a real maker DB (ledger debug on), keys, channels via chain events, signed purchases. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Ed25519PublicKey, Hash32, Signature65, Uuid } from '../../../../schema/codec/types.js';
import { MAKER_SUBDBS, openMakerDb, type MakerDb } from '../../../../schema/db/maker-db.js';
import { ChannelType } from '../../../../schema/db/records/channel.js';
import type { Offer } from '../../../../schema/db/records/offer.js';
import { signChannelClose } from '../../../../schema/eip712/channelClose.js';
import { keccak256 } from '../../../../schema/eip712/keccak.js';
import { secp } from '../../../../schema/eip712/secp256k1.js';
import { WampError } from '../../../../schema/errors.js';
import { applyChannelEvent, type ReservePurchaseRequest } from '../../../../worker/market/ledger/index.js';
import { channelCloseMessage, type MarketBinding } from '../../../../schema/eip712/index.js';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

export interface Key {
  readonly priv: Uint8Array;
  readonly address: Address;
}

export function newKey(): Key {
  let priv = rnd(32);
  while (!secp.privateKeyVerify(priv)) priv = rnd(32);
  const pub = secp.publicKeyCreate(priv, false);
  return { priv, address: keccak256(pub.subarray(1)).slice(12) as Address };
}

export const MARKET: MarketBinding = {
  chainId: 31337n,
  verifyingContract: new Uint8Array(20).fill(0x77) as Address,
  marketId: new Uint8Array(16).fill(0x42) as Uuid,
};
export const MAKER = newKey();
export const BLOCK = 5000n;

/** Opens a fresh maker DB with the ledger debug checks on; `reopen` keeps the same path. */
export async function freshDb(): Promise<{ db: MakerDb; path: string; cleanup: () => Promise<void>; reopen: () => Promise<MakerDb> }> {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-ledger-'));
  const path = join(dir, 'maker');
  const state = { db: await openMakerDb({ path, ledgerDebug: true }) };
  return {
    get db() {
      return state.db;
    },
    path,
    reopen: async () => {
      await state.db.close();
      state.db = await openMakerDb({ path, ledgerDebug: true });
      return state.db;
    },
    cleanup: async () => {
      await state.db.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let clock = 1_700_000_000_000_000_000n;
/** A strictly increasing ns clock (channel timestamps decide the active channel). */
export const tick = (): bigint => (clock += 1000n);

/** Opens a channel through an `Opened` chain event; returns its id. */
export function openChannel(db: MakerDb, type: 1 | 2, delegate: Address, amount: bigint, over: { actor?: Address; marketId?: Uuid } = {}): Uuid {
  const channelId = rnd(16) as Uuid;
  const actor = over.actor ?? (rnd(20) as Address);
  applyChannelEvent(
    db,
    {
      type: 'Opened',
      ctype: type,
      marketId: over.marketId ?? MARKET.marketId,
      channelId,
      blockNumber: 100n,
      txHash: rnd(32) as Hash32,
      actor,
      delegate,
      marketmaker: MAKER.address,
      recipient: type === ChannelType.PAYING ? actor : (rnd(20) as Address),
      amount,
      signature: rnd(65),
    },
    { marketId: MARKET.marketId, now: tick() },
  );
  return channelId;
}

/** Stores an offer of `seller` at `price` (null: dynamic). */
export function putOffer(db: MakerDb, seller: Address, price: bigint | null, over: Partial<Offer> = {}): Offer {
  const offer: Offer = {
    timestamp: tick(),
    offer: rnd(16) as Uuid,
    seller,
    seller_session_id: 1,
    seller_authid: 'seller',
    key: rnd(16) as Uuid,
    api: rnd(16) as Uuid,
    uri: 'com.example.data',
    valid_from: 1n,
    signature: rnd(65) as Signature65,
    price,
    categories: {},
    ...over,
  };
  db.offers.put(offer.offer, offer);
  return offer;
}

/** A buy request signed by `signer` over (closeAt, channel, seq, balance). */
export function buyRequest(args: {
  offer: Offer;
  channelId: Uuid;
  buyer: Key;
  seq: number;
  balance: bigint;
  amount?: bigint;
  signer?: Key;
  closeAt?: bigint;
  binding?: MarketBinding;
  extra?: Partial<ReservePurchaseRequest>;
}): ReservePurchaseRequest {
  const closeAt = args.closeAt ?? BLOCK;
  const binding = args.binding ?? MARKET;
  const signature = signChannelClose(channelCloseMessage(binding, closeAt, args.channelId, args.seq, args.balance, false), (args.signer ?? args.buyer).priv);
  return {
    ...MARKET,
    offer: args.offer,
    paymentChannelId: args.channelId,
    buyerDelegate: args.buyer.address,
    buyerPubkey: rnd(32) as Ed25519PublicKey,
    amount: args.amount ?? (args.offer.price ?? 0n),
    channelSeq: args.seq,
    balance: args.balance,
    signature,
    closeAt,
    currentBlock: BLOCK,
    now: tick(),
    ...args.extra,
  };
}

/** Every key and value of every sub-database, for "changed nothing" comparisons. */
export function dump(db: MakerDb): Record<string, [string, unknown][]> {
  const out: Record<string, [string, unknown][]> = {};
  for (const name of Object.keys(MAKER_SUBDBS)) {
    const rows: [string, unknown][] = [];
    for (const { key, value } of db.env.sub(name).getRange({})) rows.push([hex(key as Uint8Array), value]);
    out[name] = rows;
  }
  return out;
}

/** An assert.throws/rejects matcher for a WampError with `uri`. */
export const wamp = (uri: string) => (e: unknown): boolean => {
  if (!(e instanceof WampError)) throw e;
  if (e.uri !== uri) throw new Error(`expected ${uri}, got ${e.uri}: ${e.message}`);
  return true;
};

export { prng as rng } from '../../../helpers/prng.js';
