/**
 * The market the fuzzer attacks: one real edge (controller, dev chain, IPFS, router, maker) with a seller
 * (member #2, delegate #5) holding offers and a paying channel, and a buyer (member #3, delegate #6) with a
 * payment channel that has already paid for one key — so real ids, a non-initial ledger state and a real
 * signed purchase exist to mix into hostile calls. The fuzzing members are #3 (the payment channel's actor:
 * its calls pass the ownership checks) and #4 (a member owning nothing); neither owns an offer, so no call
 * of theirs may legitimately revoke one.
 *
 * {@link FuzzMarket.snapshot} reads what no refused call may change: both channels' ledger balances (as their
 * own members), the payment channel's state, every placed offer, the offer count, the maker's status and the
 * xbrmm worker's pid (a worker the controller restarted has crashed).
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import type { Wampy } from 'wampy';
import { packUint256 } from '../../../schema/codec/uint256.js';
import { startMarketEdge, workerPid, type MarketEdge } from '../../e2e/harness/market-edge.js';
import {
  addr, call, connectMember, e2eConfig, memberAuthidOf, openChannelOnChain, TestBuyer, TestSeller, untilKnown, world, XBR, type BalanceResult, type ChannelResult, type OfferResult, type World,
} from '../../e2e/market/offers-purchase-helpers.js';
import type { FuzzWorld } from './generate.js';
import type { Slot } from './procedures.js';
import { memberLogin, signedReplays } from './replays.js';

const MARKET_OWNER = 1;
const SELLER = 2;
const BUYER = 3;
const STRANGER = 4;
const SELLER_DELEGATE = 5;
const BUYER_DELEGATE = 6;
const PRICE = 5n * XBR;
const DEPOSIT = 1000n * XBR;
const PAYING_DEPOSIT = 500n * XBR;

const P = 'xbr.marketmaker.';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** What the fuzz run must leave exactly as it found it. */
export interface MarketSnapshot {
  payment: { seq: number; remaining: string; inflight: string; state: unknown };
  paying: { seq: number; remaining: string; inflight: string };
  offers: { offer: string; revoked: unknown; remaining: unknown }[];
  offerCount: number;
  makerStatus: string;
  workerPid: number | undefined;
}

export interface FuzzMarket {
  readonly edge: MarketEdge;
  readonly world: FuzzWorld;
  readonly operatorSocket: string;
  snapshot(): Promise<MarketSnapshot>;
  stop(): Promise<void>;
}

/** Starts the edge and sets the market up; on failure everything started is stopped again. */
export async function startFuzzMarket(): Promise<FuzzMarket> {
  const edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_MM_SELLER_TIMEOUT_MS: '1500' } });
  try {
    return await setUp(edge);
  } catch (err) {
    await edge.stop().catch(() => undefined);
    throw err;
  }
}

async function setUp(edge: MarketEdge): Promise<FuzzMarket> {
  const probe = await edge.connect({ serializer: 'cbor' });
  const w = await world(edge, probe);
  const seller = await TestSeller.start(w, SELLER, edge.account(SELLER_DELEGATE));
  const payingId = await openChannelOnChain(w, 2, PAYING_DEPOSIT, addr(edge.account(SELLER_DELEGATE)));
  const paymentId = await openChannelOnChain(w, 1, DEPOSIT, addr(edge.account(BUYER_DELEGATE)));
  const buyer = new TestBuyer(w, await connectMember(edge, BUYER), edge.account(BUYER_DELEGATE), paymentId, DEPOSIT);
  const offers = [
    await seller.offer({ price: PRICE }),
    await seller.offer({ price: null }), // dynamic: get_quote asks the seller
    await seller.offer({ price: PRICE, copies: 3, expires: BigInt(Date.now() + 3_600_000) * 1_000_000n }),
  ];
  // One purchase: the ledger is past its initial state, and its signed arguments become a replay (seq used).
  const sold = await seller.offer({ price: PRICE });
  offers.push(sold);
  const purchase = await buyer.buyArgs(sold.keyId, PRICE);
  await untilKnown(() => call(buyer.session, `${P}buy_key`, purchase.args, purchase.kwargs));
  buyer.seq += 1;
  buyer.remaining -= PRICE;
  await untilKnown(() => call(seller.session, `${P}get_paying_channel_balance`, [payingId]));

  const fuzzWorld = await worldOf(edge, w, probe, { offers, paymentId, payingId, purchase, buyerPubkey: buyer.edPublic });
  const operatorSocket = join(edge.cbdir, '.xbr-edge/operator.sock');
  const snapshot = async (): Promise<MarketSnapshot> => {
    const pay = await call<BalanceResult>(buyer.session, `${P}get_payment_channel_balance`, [paymentId]);
    const payChannel = await call<ChannelResult>(buyer.session, `${P}get_payment_channel`, [paymentId]);
    const paying = await call<BalanceResult>(seller.session, `${P}get_paying_channel_balance`, [payingId]);
    const placed = [];
    for (const o of offers) {
      const got = await call<OfferResult>(probe, `${P}get_offer`, [o.offer.offer]);
      placed.push({ offer: hex(got.offer), revoked: got.revoked, remaining: got.remaining });
    }
    const listed = (await call(probe, `${P}query_offers`, [w.apiId, 0], { limit: 1000 })) as unknown[];
    const status = (await call(probe, `${P}status`)) as { status: string };
    return {
      payment: { seq: Number(pay.seq), remaining: hex(pay.remaining), inflight: hex(pay.inflight), state: payChannel.state },
      paying: { seq: Number(paying.seq), remaining: hex(paying.remaining), inflight: hex(paying.inflight) },
      offers: placed,
      offerCount: listed.length,
      makerStatus: status.status,
      workerPid: workerPid(edge, 'xbrmm1'),
    };
  };
  return { edge, world: fuzzWorld, operatorSocket, snapshot, stop: async () => void (await edge.stop()) };
}

interface Fixtures {
  offers: { keyId: Uint8Array; offer: { offer: Uint8Array; key: Uint8Array; api: Uint8Array; uri: string; valid_from: bigint | number; signature: Uint8Array; price: Uint8Array | null } }[];
  paymentId: Uint8Array;
  payingId: Uint8Array;
  purchase: { args: unknown[]; kwargs: Record<string, unknown> };
  buyerPubkey: Uint8Array;
}

/** The pools of right-looking values and the replayable calls, from the running market. */
async function worldOf(edge: MarketEdge, w: World, probe: Wampy, f: Fixtures): Promise<FuzzWorld> {
  const b = (x: Uint8Array | string): Buffer => (typeof x === 'string' ? Buffer.from(x.replace(/^0x/, ''), 'hex') : Buffer.from(x));
  const account = (i: number): Buffer => b(addr(edge.account(i)));
  const demo = edge.devchain.demo;
  const block = await edge.provider().getBlockNumber();
  const latest = await edge.provider().getBlock(block);
  const txHash = latest?.transactions[0] ?? `0x${'11'.repeat(32)}`;
  const catalog = (await call(probe, `${P}get_catalog`, [b(demo.catalogId)])) as { meta: string; terms: string };
  const now = BigInt(Date.now()) * 1_000_000n;
  const purchaseSeq = Number(f.purchase.args[4]);
  const remaining = DEPOSIT - PRICE;
  const offer0 = f.offers[0]!.offer;

  const pools: Record<Slot, readonly unknown[]> = {
    uuid: [...f.offers.flatMap((o) => [b(o.keyId), b(o.offer.offer)]), b(f.paymentId), b(f.payingId), b(w.marketId), b(w.apiId), b(demo.catalogId), Buffer.alloc(16), Buffer.alloc(16, 0xab)],
    address: [
      b(edge.makerAddress), ...[MARKET_OWNER, SELLER, BUYER, STRANGER, SELLER_DELEGATE, BUYER_DELEGATE].map(account), b(w.binding.verifyingContract),
      ...Object.values(edge.devchain.contracts).map((a) => b(a)), Buffer.alloc(20),
    ],
    bytes32: [b(txHash), Buffer.alloc(32), Buffer.alloc(32, 0xff)],
    uint256: [0n, 1n, PRICE, DEPOSIT, remaining, remaining - PRICE, PAYING_DEPOSIT, 2n ** 256n - 1n].map((v) => Buffer.from(packUint256(v))),
    signature: [b(offer0.signature), b(f.purchase.args[7] as Uint8Array), sigWithV(27), sigWithV(28), sigWithV(0), sigWithV(1), sigWithV(99), Buffer.alloc(65)],
    pubkey: [b(f.buyerPubkey), Buffer.alloc(32), Buffer.alloc(32, 0xff), Buffer.alloc(32, 0x01)],
    int: [0, 1, 2, 3, 1000, 2 ** 32],
    seq: [purchaseSeq, purchaseSeq + 1, purchaseSeq - 1, 0, 1, 2 ** 31],
    ctype: [1, 2],
    actorType: [1, 2, 3],
    limit: [1, 10, 1000, 1001, 0],
    chainId: [Number(w.binding.chainId), 1, 31337],
    block: [block, block - 1, block + 1, 0, 1, block + 100_000],
    ns: [now, 0n, BigInt(offer0.valid_from), now + 3_600_000_000_000n, 1],
    bool: [true, false],
    string: ['x', 'xbr.demo', 'com.example.service', 'demo', 'Demo'],
    offerUri: [offer0.uri, '', 'xbr.', 'xbr.demo', 'a.b.c'],
    cid: [catalog.meta, catalog.terms, 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', 'bafkqaaa', 'not-a-cid'].filter((s) => typeof s === 'string'),
    realm: ['realm1', 'realm2', ''],
    authid: [memberAuthidOf(BUYER), 'anonymous', '', null],
    categories: [{}, { a: 'b' }, { topic: 'x'.repeat(256) }],
    attributes: [{}, null, { a: 1 }],
    authDetails: [
      { authmethod: 'cryptosign', session: 1, authextra: { pubkey: 'ab'.repeat(32) } },
      { authmethod: 'cryptosign', session: 2n ** 53n, authextra: { pubkey: Buffer.alloc(32), wallet_address: account(BUYER), signature: sigWithV(27) } },
      { authmethod: 'ticket', session: 1, authextra: {} },
    ],
    addressList: [[account(BUYER)], [account(STRANGER)], [], [account(BUYER), account(SELLER)]],
    uuidList: [[b(w.marketId)], [b(w.apiId)], [b(demo.catalogId)], []],
    stringList: [['demo'], [], ['x', 'y'], ['']],
    nothing: [null],
  };

  const replays = signedReplays({
    edge, w, block: BigInt(block), paymentId: f.paymentId, deposit: DEPOSIT, buyer: BUYER, buyerDelegate: BUYER_DELEGATE, marketOwner: MARKET_OWNER,
    sellerDelegate: SELLER_DELEGATE, purchase: f.purchase, offer: offer0,
  });
  const pubkeys = [pubkeyHex(), pubkeyHex(), '00'.repeat(32), 'ff'.repeat(32), `0x${pubkeyHex()}`];
  // Logins of a market actor (the buyer) and of a member that is no actor (the stranger).
  const logins = [memberLogin(edge, BUYER, pubkeyHex()), memberLogin(edge, STRANGER, pubkeyHex())];
  return { pools, memberCallers: [BUYER, STRANGER], replays, pubkeys, logins };
}

function sigWithV(v: number): Buffer {
  const s = Buffer.alloc(65, 0x5a);
  s[64] = v;
  return s;
}

function pubkeyHex(): string {
  const spki = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32).toString('hex');
}
