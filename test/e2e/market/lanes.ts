/**
 * Many buyers and sellers on one edge, each buyer with its own payment channel and session, for the market
 * bench and the crash proof: buyer `i` has a random delegate consented by buyer member #3 and its own
 * session of that member (only a payment channel's actor may buy with it); seller `j` has a random delegate
 * consented by seller member #2, a paying channel the market owner opens for it (the maker funds it) and its
 * own member session (members #10, #11, …: one `xbr.provider.<authid>.sell` per authid), with offers placed.
 */
import { Contract, hexlify, type Signer } from 'ethers';
import { xbrMarketAbi } from '../../../contracts/index.js';
import type { Uuid } from '../../../schema/codec/types.js';
import type { MarketEdge } from '../harness/market-edge.js';
import { addr, connectMember, openChannelOnChain, randomWallet, realmOf, TestBuyer, TestSeller, untilKnown, type World } from './offers-purchase-helpers.js';

/** The buyer member (actor of every payment channel of `openChannelOnChain`). */
const BUYER_MEMBER = 3;
/** Seller `j` logs in as member `FIRST_SELLER_MEMBER + j` (hardhat accounts with a ticket principal: up to #19). */
export const FIRST_SELLER_MEMBER = 10;
/** How many sellers can have a member of their own. */
export const MAX_SELLERS = 10;

/** An offer a lane buys, and how its buyer tells that a bought key is the one offered. */
export interface LaneOffer {
  readonly keyId: Uuid;
  readonly isKey: (key: Uint8Array) => boolean;
}

/** One buyer and the offers it buys from (those of seller `i mod sellers`). */
export interface Lane {
  readonly buyer: TestBuyer;
  readonly offers: readonly LaneOffer[];
}

export interface BuyerOptions {
  readonly buyers: number;
  readonly price: bigint;
  readonly paymentDeposit: bigint;
  /**
   * Buyer sessions that reconnect by themselves after the router went away (their calls then fail with
   * wampy's `WebsocketError` and calls made meanwhile wait for the new session). Default false.
   */
  readonly reconnect?: boolean;
}

export interface LaneOptions extends BuyerOptions {
  readonly sellers: number;
  readonly payingDeposit: bigint;
  readonly offersPerSeller: number;
}

/**
 * The member `member` consents on chain that `delegate` acts for it in `role` (1 provider, 2 consumer), in the
 * demo market or the market `marketId` (hex).
 */
export async function consent(edge: MarketEdge, member: number, delegate: string, role: 1 | 2, marketId: string = edge.devchain.demo.marketId): Promise<void> {
  const market = new Contract(edge.devchain.contracts.market, xbrMarketAbi, edge.account(member) as Signer);
  const tx = await market.getFunction('setConsent')(marketId, delegate, role, edge.devchain.demo.catalogId, true, 'xbr.demo.');
  await tx.wait();
}

/** Sets up the lanes and makes one purchase on each (every channel replicated by the maker, every path warm). */
export async function setupLanes(edge: MarketEdge, w: World, o: LaneOptions): Promise<Lane[]> {
  if (o.sellers > MAX_SELLERS) throw new RangeError(`at most ${MAX_SELLERS} sellers (members #${FIRST_SELLER_MEMBER}..#${FIRST_SELLER_MEMBER + MAX_SELLERS - 1})`);
  const sellerOffers: LaneOffer[][] = [];
  for (let i = 0; i < o.sellers; i++) {
    const delegate = randomWallet();
    await consent(edge, 2, delegate.address, 1, hexlify(w.marketId));
    await openChannelOnChain(w, 2, o.payingDeposit, addr(delegate));
    const seller = await TestSeller.start(w, FIRST_SELLER_MEMBER + i, delegate);
    const offers: LaneOffer[] = [];
    for (let k = 0; k < o.offersPerSeller; k++) {
      const { keyId, key } = await seller.offer({ price: o.price });
      offers.push({ keyId, isKey: (k2) => Buffer.from(k2).equals(key) });
    }
    sellerOffers.push(offers);
  }
  return setupBuyers(edge, w, sellerOffers, o);
}

/**
 * Buyer `i` buys the offers of `sellerOffers[i mod sellers]`: a random delegate consented by the buyer member,
 * a payment channel for it and a session of its own; each lane makes one purchase before it is returned.
 */
export async function setupBuyers(edge: MarketEdge, w: World, sellerOffers: readonly (readonly LaneOffer[])[], o: BuyerOptions): Promise<Lane[]> {
  const lanes: Lane[] = [];
  for (let i = 0; i < o.buyers; i++) {
    const delegate = randomWallet();
    await consent(edge, BUYER_MEMBER, delegate.address, 2, hexlify(w.marketId));
    const channel = await openChannelOnChain(w, 1, o.paymentDeposit, addr(delegate));
    const session = await connectMember(edge, BUYER_MEMBER, 'cbor', { ...realmOf(w), ...(o.reconnect === true ? RECONNECTING : {}) });
    lanes.push({ buyer: new TestBuyer(w, session, delegate, channel, o.paymentDeposit), offers: sellerOffers[i % sellerOffers.length]! });
  }
  await Promise.all(lanes.map((l) => untilKnown(() => l.buyer.buy(l.offers[0]!.keyId, o.price), 30_000)));
  return lanes;
}

/** wampy options of a session that rejoins by itself, every 500 ms, for as long as it takes. */
export const RECONNECTING = { autoReconnect: true, reconnectInterval: 500, maxRetries: 0 } as const;
