/**
 * The `offers` bench part: the offer book of one market at scale, on the maker DB's own write and query path
 * (real LMDB in a temp dir, `storeOffers` / `queryOffers` / the expiry sweep, all as the maker runs them).
 *
 * The book: 1,000 sellers across 100 APIs, 2 URIs per seller, three categories derived from the seller and the
 * offer (20 category values); every other round of offers expires 5–6 min after it is placed. Offers are placed
 * in batches (`BENCH_OFFERS_BATCH`, default 10,000: one write each, as a busy group commit would gather them)
 * along a simulated clock (2 h for the whole book), and after each batch the expired ones are swept, as the
 * maker's timer does. At the end the book holds `BENCH_OFFERS` live offers (default 1,000,000) and as many
 * expired ones. Each offer writes 11 or 12 index entries; a batch shares the B-tree pages it touches, so the rate
 * depends on the batch size (about 1.6× from 1,000 to 10,000 here).
 *
 * The records go straight to `storeOffers` with a placeholder signature: signing and recovering millions of EIP712
 * signatures would measure secp256k1, not the book. `checkOffer` (caller, times, signature recovery) is measured
 * on its own over a sample, as `offers.check_per_s`.
 *
 * Figures: `offers.count`, `offers.live`, `offers.place_per_s` (the store path, over the last 10 % of the
 * placements: the rate at the full size), `offers.sweep_per_s`, `offers.check_per_s`, `offers.db_bytes_per_offer`,
 * `offers.query_p50_ms.<shape>` / `offers.query_p99_ms.<shape>` / `offers.query_cpu_us.<shape>` for each query shape (limit 10, 300 queries with
 * drawn arguments each) and `offers.query_p99_ms`, the worst shape's p99.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type { Address, Uuid } from '../schema/codec/index.js';
import { MakerIndex, openMakerDb, type MakerDb, type Offer } from '../schema/db/index.js';
import { offerMessage, signOffer } from '../schema/eip712/index.js';
import { checkOffer, expiredOfferIds, markLapsed, queryOffers, storeOffers } from '../worker/market/offers/index.js';
import type { PlaceOfferInput, QueryOffersFilter } from '../worker/market/offers/types.js';
import { describe, figure, percentile, positiveIntFromEnv, type BenchContext } from './util.js';

const APIS = 100;
const SELLERS = 1000;
const NS_PER_MS = 1_000_000n;
const MIN = 60_000n * NS_PER_MS;
const START = 1_800_000_000_000n * NS_PER_MS;
/** The simulated span over which the whole book is placed. */
const SPAN_NS = 2n * 60n * MIN;
const REGIONS = ['eu', 'us', 'apac', 'latam', 'mena', 'nordics', 'baltics', 'iberia', 'alps', 'balkans'];
const KINDS = ['temp', 'wind', 'rain', 'load', 'price', 'count'];
const UNITS = ['si', 'imperial', 'index', 'raw'];
const QUERIES_PER_SHAPE = 300;

function idBytes(n: number, tag: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  b[0] = tag;
  new DataView(b.buffer).setUint32(length - 4, n);
  return b;
}
const apiId = (a: number): Uuid => idBytes(a, 0xa1, 16) as Uuid;
const sellerAdr = (s: number): Address => idBytes(s, 0x5e, 20) as Address;
const uriOf = (s: number, j: number): string => `io.xbr.s${s}.t${j}`;
/** A seller sells in 10 APIs; its offer of round `i` goes to one of them (odd rounds: the live offers). */
const apiOf = (s: number, i: number): number => (s + (i % 10) * 11) % APIS;
/**
 * The region follows the seller, kind and unit the offer's round among the seller's live (or expiring) rounds,
 * so that an even kind and an odd unit never meet on one offer although each is common in every API.
 */
const categoriesOf = (s: number, i: number): Record<string, string> => ({
  region: REGIONS[s % 10] as string,
  kind: KINDS[(i >> 1) % 6] as string,
  unit: UNITS[(i >> 1) % 4] as string,
});

/** Offer `n` of the book (its seller, API, URI and categories follow from n), placed at `now`. */
function bookOffer(n: number, now: bigint): Offer {
  const s = n % SELLERS;
  const i = Math.floor(n / SELLERS);
  const expiring = i % 2 === 0;
  const key = idBytes(n, 0x4b, 16) as Uuid;
  const offer = idBytes(n, 0, 16) as Uuid;
  // Time-ordered like the maker's own ids (checkOffer): the ms of `now` first.
  new DataView(offer.buffer).setBigUint64(0, (now / NS_PER_MS) << 16n);
  return {
    timestamp: now,
    offer,
    seller: sellerAdr(s),
    seller_session_id: 1 + s,
    seller_authid: `member-${Buffer.from(sellerAdr(s)).toString('hex')}`,
    key,
    api: apiId(apiOf(s, i)),
    uri: uriOf(s, i % 2),
    valid_from: now,
    signature: new Uint8Array(65) as Offer['signature'],
    price: 1_000_000_000_000_000n,
    categories: categoriesOf(s, i),
    ...(expiring ? { expires: now + 5n * MIN + BigInt(n % 60) * 1_000_000_000n } : {}),
  };
}

interface Built {
  placePerS: number;
  sweepPerS: number;
  swept: number;
  end: bigint;
}

/** Places `total` offers in batches along the simulated clock, sweeping after each batch. */
function build(db: MakerDb, total: number, batchSize: number, log: (line: string) => void): Built {
  const step = SPAN_NS / BigInt(total);
  let now = START;
  let tailStoreMs = 0;
  let tailPlaced = 0;
  let sweepMs = 0;
  let swept = 0;
  const tailFrom = Math.floor(total * 0.9);
  for (let n = 0; n < total; n += batchSize) {
    const batch: Offer[] = [];
    for (let k = n; k < Math.min(n + batchSize, total); k++) {
      batch.push(bookOffer(k, now));
      now += step;
    }
    const t0 = performance.now();
    storeOffers(db, batch);
    const t1 = performance.now();
    if (n + batch.length > tailFrom) {
      tailStoreMs += t1 - t0;
      tailPlaced += batch.length;
    }
    for (;;) {
      const ids = expiredOfferIds(db, now, 500);
      if (ids.length === 0) break;
      swept += db.env.writeSync(() => markLapsed(db, ids, now));
    }
    sweepMs += performance.now() - t1;
    if (n % 200_000 === 0) log(`offers: ${n.toLocaleString('en')} placed`);
  }
  return { placePerS: (tailPlaced * 1000) / tailStoreMs, sweepPerS: (swept * 1000) / sweepMs, swept, end: now };
}

/** `checkOffer` over `count` signed placements: the caller, the times and the EIP712 signature recovery. */
function checkRate(count: number, now: bigint): number {
  const wallet = Wallet.createRandom();
  const delegate = Buffer.from(wallet.address.slice(2), 'hex') as unknown as Address;
  const ctx = { now, caller: { authid: `member-${wallet.address.slice(2).toLowerCase()}`, sessionId: 1, authrole: 'user' }, chainId: 31337n, verifyingContract: sellerAdr(0), marketId: apiId(0) };
  const inputs: PlaceOfferInput[] = [];
  for (let k = 0; k < count; k++) {
    const base = { keyId: idBytes(k, 0x77, 16) as Uuid, apiId: apiId(k % APIS), uri: uriOf(k, 0), validFrom: 0n, delegate, price: 1n, expires: undefined, copies: undefined };
    const signature = signOffer(offerMessage({ ...ctx, ...base }), Buffer.from(wallet.privateKey.slice(2), 'hex'));
    inputs.push({ keyId: base.keyId, apiId: base.apiId, uri: base.uri, validFrom: 0n, delegate, signature, price: 1n, categories: {} });
  }
  const t0 = performance.now();
  for (const input of inputs) checkOffer(input, ctx);
  return (count * 1000) / (performance.now() - t0);
}

type Shape = (r: () => number) => QueryOffersFilter;

/** The query shapes, each drawing its arguments (a seller that sells in the API asked for where it matters). */
const SHAPES: Record<string, Shape> = {
  api: (r) => ({ apiId: apiId(r() % APIS), fromTs: 0n, limit: 10 }),
  seller: (r) => ({ sellerId: sellerAdr(r() % SELLERS), fromTs: 0n, limit: 10 }),
  api_seller: (r) => {
    const s = r() % SELLERS;
    return { apiId: apiId(apiOf(s, 2 * r() + 1)), sellerId: sellerAdr(s), fromTs: 0n, limit: 10 };
  },
  api_category: (r) => ({ apiId: apiId(r() % APIS), categories: { region: REGIONS[r() % 10] as string }, fromTs: 0n, limit: 10 }),
  api_two_categories: (r) => {
    const round = r();
    return { apiId: apiId(r() % APIS), categories: { kind: KINDS[round % 6] as string, unit: UNITS[round % 4] as string }, fromTs: 0n, limit: 10 };
  },
  uri_prefix: (r) => {
    const s = r() % SELLERS;
    return { apiId: apiId(apiOf(s, 2 * r() + 1)), uri: `io.xbr.s${s}.`, fromTs: 0n, limit: 10 };
  },
  uri_prefix_broad: (r) => ({ apiId: apiId(r() % APIS), uri: `io.xbr.s${1 + (r() % 9)}`, fromTs: 0n, limit: 10 }),
  time_range: (r) => {
    const from = START + (BigInt(r() % 1000) * SPAN_NS) / 1000n;
    return { apiId: apiId(r() % APIS), fromTs: from, untilTs: from + MIN, limit: 10 };
  },
  // Filters that match nothing: an unknown category value, a seller outside the API, an unknown URI prefix, a
  // time before the book, and two categories each common in the API that never meet on one offer.
  none_category: (r) => ({ apiId: apiId(r() % APIS), categories: { region: 'atlantis' }, fromTs: 0n, limit: 10 }),
  none_api_seller: (r) => {
    const s = r() % SELLERS;
    return { apiId: apiId((apiOf(s, 0) + 1) % APIS), sellerId: sellerAdr(s), fromTs: 0n, limit: 10 };
  },
  none_uri: (r) => ({ apiId: apiId(r() % APIS), uri: `io.other.${r() % 100}.`, fromTs: 0n, limit: 10 }),
  none_time: (r) => ({ apiId: apiId(r() % APIS), fromTs: START - 2n * MIN, untilTs: START - MIN, limit: 10 }),
  none_two_categories: (r) => ({ apiId: apiId(r() % APIS), categories: { kind: KINDS[2 * (r() % 3)] as string, unit: UNITS[1 + 2 * (r() % 2)] as string }, fromTs: 0n, limit: 10 }),
};

/** A small deterministic generator, so every run asks the same queries. */
function draws(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
}

export async function runOffersBench(ctx: BenchContext): Promise<boolean> {
  const live = positiveIntFromEnv('BENCH_OFFERS', ctx.quick ? 100_000 : 1_000_000);
  const batchSize = positiveIntFromEnv('BENCH_OFFERS_BATCH', 10_000);
  const total = live * 2;
  const dir = mkdtempSync(join(tmpdir(), 'xbr-bench-offers-'));
  let db: MakerDb | undefined;
  try {
    db = await openMakerDb({ path: join(dir, 'maker.db') });
    ctx.out(`# offers: ${live.toLocaleString('en')} live + ${live.toLocaleString('en')} expired offers, ${APIS} APIs, ${SELLERS} sellers, batches of ${batchSize}, sweep after each batch; queries limit 10, ${QUERIES_PER_SHAPE} per shape`);
    const built = build(db, total, batchSize, ctx.log);
    const now = built.end + 6n * MIN;
    // What expired after the last batch is swept too, before the queries (the maker's timer runs every second).
    for (;;) {
      const ids = expiredOfferIds(db, now, 500);
      if (ids.length === 0) break;
      built.swept += db.env.writeSync(() => markLapsed(db as MakerDb, ids, now));
    }
    figure(ctx, 'offers.count', db.offers.count(), 'offers');
    figure(ctx, 'offers.live', db.env.sub(MakerIndex.offerByApi).getKeysCount(), 'offers (in the query indexes)');
    figure(ctx, 'offers.place_per_s', built.placePerS, 'offers/s (store path, last 10 % of the book)');
    figure(ctx, 'offers.sweep_per_s', built.sweepPerS, 'offers/s');
    figure(ctx, 'offers.db_bytes_per_offer', statSync(join(dir, 'maker.db')).size / total, 'bytes');
    figure(ctx, 'offers.check_per_s', checkRate(ctx.quick ? 500 : 3000, now), 'offers/s (caller, times, EIP712 recovery)');

    let worst = 0;
    let seed = 1;
    for (const [name, shape] of Object.entries(SHAPES)) {
      const r = draws(seed++);
      const times: number[] = [];
      let answered = 0;
      let cpuUs = 0;
      // The first 30 warm the code and the pages; they are not counted.
      for (let q = 0; q < QUERIES_PER_SHAPE + 30; q++) {
        const filter = shape(r);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const found = queryOffers(db, filter, { now });
        const dt = performance.now() - t0;
        if (q >= 30) {
          times.push(dt);
          answered += found.length;
          const c = process.cpuUsage(c0);
          cpuUs += c.user + c.system;
        }
        if (name.startsWith('none_') && found.length > 0) throw new Error(`offers: shape ${name} was meant to match nothing`);
      }
      times.sort((a, b) => a - b);
      const p99 = percentile(times, 0.99);
      worst = Math.max(worst, p99);
      figure(ctx, `offers.query_p50_ms.${name}`, percentile(times, 0.5), 'ms', 3);
      // CPU time does not count waiting for a core, so it stays readable on a busy machine.
      figure(ctx, `offers.query_cpu_us.${name}`, cpuUs / QUERIES_PER_SHAPE, 'us (mean CPU per query)');
      figure(ctx, `offers.query_p99_ms.${name}`, p99, `ms (${(answered / QUERIES_PER_SHAPE).toFixed(1)} offers per answer)`, 3);
    }
    figure(ctx, 'offers.query_p99_ms', worst, 'ms (worst shape)', 3);
    return true;
  } catch (err) {
    ctx.out(`# ERROR offers: ${describe(err)}`);
    return false;
  } finally {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Upper bound for the watchdog: placing and sweeping the book, the check sample and the queries. */
export function offersBudgetMs(quick: boolean): number {
  return quick ? 180_000 : 900_000;
}
