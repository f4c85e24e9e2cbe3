/**
 * Many buyers and sellers on one edge, each buyer with its own payment channel and session, for the market
 * bench and the crash proof: buyer `i` has a random delegate consented by buyer member #3 and its own
 * session of that member (only a payment channel's actor may buy with it); seller `j` has a random delegate
 * consented by seller member #2, a paying channel the market owner opens for it (the maker funds it) and its
 * own member session (members #10, #11, …: one `xbr.provider.<authid>.sell` per authid), with offers placed.
 */
import { Contract, type Signer } from 'ethers';
import { xbrMarketAbi } from '../../../contracts/index.js';
import type { Uuid } from '../../../schema/codec/types.js';
import type { MarketEdge } from '../harness/market-edge.js';
import { addr, connectMember, openChannelOnChain, randomWallet, TestBuyer, TestSeller, untilKnown, type World } from './offers-purchase-helpers.js';

/** The buyer member (actor of every payment channel of `openChannelOnChain`). */
const BUYER_MEMBER = 3;
/** Seller `j` logs in as member `FIRST_SELLER_MEMBER + j` (hardhat accounts with a ticket principal: up to #19). */
const FIRST_SELLER_MEMBER = 10;
/** How many sellers can have a member of their own. */
export const MAX_SELLERS = 10;

/** One buyer and the offers it buys from (those of seller `i mod sellers`). */
export interface Lane {
  readonly buyer: TestBuyer;
  readonly offers: { keyId: Uuid; key: Uint8Array }[];
}

export interface LaneOptions {
  readonly buyers: number;
  readonly sellers: number;
  readonly price: bigint;
  readonly paymentDeposit: bigint;
  readonly payingDeposit: bigint;
  readonly offersPerSeller: number;
}

/** The member `member` consents on chain that `delegate` acts for it in `role` (1 provider, 2 consumer). */
async function consent(edge: MarketEdge, member: number, delegate: string, role: 1 | 2): Promise<void> {
  const market = new Contract(edge.devchain.contracts.market, xbrMarketAbi, edge.account(member) as Signer);
  const tx = await market.getFunction('setConsent')(edge.devchain.demo.marketId, delegate, role, edge.devchain.demo.catalogId, true, 'xbr.demo.');
  await tx.wait();
}

/** Sets up the lanes and makes one purchase on each (every channel replicated by the maker, every path warm). */
export async function setupLanes(edge: MarketEdge, w: World, o: LaneOptions): Promise<Lane[]> {
  if (o.sellers > MAX_SELLERS) throw new RangeError(`at most ${MAX_SELLERS} sellers (members #${FIRST_SELLER_MEMBER}..#${FIRST_SELLER_MEMBER + MAX_SELLERS - 1})`);
  const sellerOffers: { keyId: Uuid; key: Uint8Array }[][] = [];
  for (let i = 0; i < o.sellers; i++) {
    const delegate = randomWallet();
    await consent(edge, 2, delegate.address, 1);
    await openChannelOnChain(w, 2, o.payingDeposit, addr(delegate));
    const seller = await TestSeller.start(w, FIRST_SELLER_MEMBER + i, delegate);
    const offers = [];
    for (let k = 0; k < o.offersPerSeller; k++) offers.push(await seller.offer({ price: o.price }));
    sellerOffers.push(offers);
  }
  const lanes: Lane[] = [];
  for (let i = 0; i < o.buyers; i++) {
    const delegate = randomWallet();
    await consent(edge, BUYER_MEMBER, delegate.address, 2);
    const channel = await openChannelOnChain(w, 1, o.paymentDeposit, addr(delegate));
    const session = await connectMember(edge, BUYER_MEMBER);
    lanes.push({ buyer: new TestBuyer(w, session, delegate, channel, o.paymentDeposit), offers: sellerOffers[i % o.sellers]! });
  }
  await Promise.all(lanes.map((l) => untilKnown(() => l.buyer.buy(l.offers[0]!.keyId, o.price), 30_000)));
  return lanes;
}
