/**
 * Chaos: clock skew (issue "Step 5"). Sellers whose clocks are off from the maker's by +2 min, −2 min, +1 day
 * and −1 day, on a real edge (controller, router, dev chain, xbrmm worker).
 *
 * What depends on whose clock: the maker checks an offer's `valid_from` and `expires` with its own clock
 * (docs/protocol.md#place-offer-rules) and sells an offer only between them; a seller stamps those times with
 * its clock; nothing about money does — a purchase's `close_at` is a block number, channel states count by
 * `seq`, and the sellers' key rotation counts intervals. So two kinds of seller are run per skew:
 * - the project's `SimpleSeller` in a process of its own whose wall clock is shifted (skewed-seller.ts with the
 *   skew-clock.ts preload): it sends `valid_from` 0 ("from when the maker stores it") and, with a lifetime,
 *   `expires` = its clock + 1 h. Expected: with ±2 min it places its offer and sells (its buyers buy, it
 *   co-signs every sale, its state file equals the maker's ledger); with ±1 day its offer is refused with a
 *   clear error that names the times (`expires` already past / more than 24 h ahead) and nothing is stored;
 *   without a lifetime it depends on no clock and sells even a day off;
 * - a seller that stamps `valid_from` (and `expires` = + 1 h) with its own clock, as a seller implementation
 *   may: `valid_from` = its now. Expected: −2 min is accepted and sold; +2 min is accepted but not sellable
 *   until the maker's clock reaches it (a purchase is refused with `xbr.error.offer_not_yet_valid` naming the
 *   time, nothing charged); ±1 day is refused with the times named; a day ahead without `expires` lies within
 *   the documented window (now + 24 h) and is recorded as what happened.
 * Finally the ledger must be exactly what the buyers hold (no INFLIGHT, balances equal, audit clean).
 *
 * Used by `clock-skew.test.ts` in CI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { Contract, type Signer, type Wallet } from 'ethers';
import type { Wampy } from 'wampy';
import { xbrMarketAbi, xbrNetworkAbi } from '../../../contracts/index.js';
import { FileSellerStateStore } from '../../../plugins/seller/index.js';
import type { MakerResult } from '../../../schema/api/index.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import { decryptPayload } from '../../../schema/crypto/index.js';
import { MarketMakerAdminProcedure, MarketMakerProcedure } from '../../../schema/uris.js';
import { logLines, startMarketEdge, type MarketEdge } from '../../e2e/harness/market-edge.js';
import { consent, FIRST_SELLER_MEMBER, setupBuyers, type Lane, type LaneOffer } from '../../e2e/market/lanes.js';
import { addr, call, connectMember, e2eConfig, openChannelOnChain, randomWallet, TestSeller, untilKnown, world, XBR, type World } from '../../e2e/market/offers-purchase-helpers.js';
import { buyOnce, callOn, checkLedger, describeError, receiptsOf } from './buying.js';
import type { SkewedSellerArgs } from './skewed-seller.js';
import type { ScenarioResult } from './scenario.js';


export interface ClockSkewOptions {
  /** Purchases of each sellable offer after the first. Default 3. */
  readonly purchasesPerOffer?: number;
  /** Where to write the node's output (controller and workers) at the end, to read what happened. */
  readonly outputFile?: string;
}

interface Skew {
  readonly label: string;
  readonly ms: number;
  /** Beyond what the maker's windows take: an offer with an expiry must be refused. */
  readonly large: boolean;
}

const SKEWS: readonly Skew[] = [
  { label: '+2 min', ms: 120_000, large: false },
  { label: '-2 min', ms: -120_000, large: false },
  { label: '+1 day', ms: 86_400_000, large: true },
  { label: '-1 day', ms: -86_400_000, large: true },
];

const NAME = 'clock skew between sellers and the maker';
const PRICE = XBR / 1000n;
const PAYING_DEPOSIT = 100n * XBR;
/** Each offer's lifetime (s): an hour, as a seller rotating keys hourly would give. */
const LIFETIME_S = 3600;
const NS_PER_MS = 1_000_000n;
const INVALID = 'wamp.error.invalid_argument';
const NOT_YET_VALID = 'xbr.error.offer_not_yet_valid';
/** An ISO 8601 time in a message (the maker's now, the refused time). */
const ISO_RE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g;
const SPAWN_BOUND_MS = 120_000;

/** What a skewed seller process printed. */
type SellerLine = { selling: { clock_ms: number; probe: { key_id: string; serializer: string; ciphertext: string } } } | { refused: { clock_ms: number; uri: string; cause_uri: string | null; message: string } };

interface SellerCase {
  readonly skew: Skew;
  readonly lifetime: number | null;
  readonly member: number;
  readonly delegate: Wallet;
  channelId?: Uuid;
  dir?: string;
  child?: ChildProcess;
  offer?: LaneOffer;
}

const what = (c: SellerCase): string => `SimpleSeller ${c.skew.label}${c.lifetime === null ? ' without expiry' : ` with ${c.lifetime} s offers`}`;

/** Account `member` becomes a network member and a seller (provider) of the demo market. */
async function joinAsSeller(edge: MarketEdge, member: number): Promise<void> {
  const signer = edge.account(member) as Signer;
  const network = new Contract(edge.devchain.contracts.network, xbrNetworkAbi, signer);
  const eula = (await network.getFunction('eula')()) as string;
  await (await network.getFunction('registerMember')(eula, '')).wait();
  const market = new Contract(edge.devchain.contracts.market, xbrMarketAbi, signer);
  await (await market.getFunction('joinMarket')(edge.devchain.demo.marketId, 1, '')).wait();
}

/** A seller member with a consented delegate and a paying channel the maker knows (the seller reads it at start). */
async function prepareSeller(edge: MarketEdge, w: World, c: SellerCase): Promise<void> {
  await joinAsSeller(edge, c.member);
  await consent(edge, c.member, c.delegate.address, 1);
  const channelId = await openChannelOnChain(w, 2, PAYING_DEPOSIT, addr(c.delegate), c.member);
  const session = await connectMember(edge, c.member);
  try {
    await untilKnown(() => call(session, MarketMakerProcedure.getPayingChannel, [channelId]), 60_000);
  } finally {
    await session.disconnect();
  }
  c.channelId = channelId;
}

function spawnSeller(edge: MarketEdge, w: World, c: SellerCase, root: string): Promise<SellerLine> {
  c.dir = join(root, `seller-${c.member}`);
  const args: SkewedSellerArgs = {
    wsUrl: edge.wsUrl,
    member: c.member,
    delegateKey: c.delegate.privateKey.slice(2),
    maker: edge.makerAddress.slice(2),
    apiId: Buffer.from(w.apiId).toString('hex'),
    price: PRICE.toString(),
    dir: c.dir,
    lifetime: c.lifetime,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', join(import.meta.dirname, 'skew-clock.ts'), join(import.meta.dirname, 'skewed-seller.ts'), JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XBR_LOG_LEVEL: 'warn', XBR_TEST_CLOCK_SKEW_MS: String(c.skew.ms) },
  });
  c.child = child;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise<SellerLine>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what(c)}: no answer within ${SPAWN_BOUND_MS} ms: ${stderr}`)), SPAWN_BOUND_MS);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as SellerLine);
      } catch (err) {
        reject(new Error(`${what(c)} printed ${JSON.stringify(line)}: ${describeError(err)}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what(c)} exited (${code ?? signal}) before answering: ${stderr}`));
    });
  });
}

function probeOffer(member: number, probe: { key_id: string; serializer: string; ciphertext: string }): LaneOffer {
  const ct = Buffer.from(probe.ciphertext, 'hex');
  return {
    keyId: new Uint8Array(Buffer.from(probe.key_id, 'hex')) as Uuid,
    isKey: (key) => {
      try {
        return isDeepStrictEqual(decryptPayload(key, ct, probe.serializer), { probe: member });
      } catch {
        return false; // another key does not open it: that is the answer, not an error
      }
    },
  };
}

/**
 * Checks the maker's refusal of an offer time: the URI, the argument named, the maker's now and the refused
 * time as ISO times. `message` may carry the seller's own words before the maker's.
 */
function checkTimeRefusal(label: string, uri: string, message: string, names: readonly string[], problems: string[]): void {
  if (uri !== INVALID) problems.push(`${label}: refused with ${uri}, expected ${INVALID}: ${message}`);
  if (!names.some((n) => message.includes(`${n}: expected `))) problems.push(`${label}: the refusal does not name ${names.join(' or ')}: ${message}`);
  const times = message.match(ISO_RE) ?? [];
  if (times.length < 2 || !message.includes("market maker's clock")) problems.push(`${label}: the refusal does not show the maker's now and the refused time: ${message}`);
}

/** The ledger's paying channel: seq and remaining. */
async function payingLedger(op: Wampy, channelId: Uuid): Promise<{ seq: number; remaining: bigint; spent: bigint } | undefined> {
  let cursor: Uint8Array | null = null;
  do {
    const page: MakerResult<typeof MarketMakerAdminProcedure.listChannels> = await callOn(op, MarketMakerAdminProcedure.listChannels, [2, null, null, null, 1000, cursor]);
    const ch = page.channels.find((x) => Buffer.from(x.channel_oid).equals(channelId));
    if (ch !== undefined) return { seq: ch.seq, remaining: unpackUint256(ch.remaining), spent: unpackUint256(ch.spent) };
    cursor = page.next_cursor;
  } while (cursor !== null);
  return undefined;
}

/** Offers the maker logged as placed by `delegate` (lines of the `offers` component). */
const placedBy = (edge: MarketEdge, delegate: string): number => logLines(edge).filter((l) => l.msg === 'offer placed' && String(l['seller']).toLowerCase() === delegate.toLowerCase()).length;

/**
 * The scenario (see the module comment): resolves with what it found; throws only when the edge cannot be set
 * up at all.
 */
export async function clockSkew(options: ClockSkewOptions = {}): Promise<ScenarioResult> {
  const purchasesPerOffer = options.purchasesPerOffer ?? 3;
  const problems: string[] = [];
  const facts: string[] = [];
  const edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_LOG_LEVEL: 'info' } });
  const root = mkdtempSync(join(tmpdir(), 'xbr-clock-skew-'));
  const cases: SellerCase[] = [];
  try {
    const client = await edge.connect({ serializer: 'cbor' });
    const w = await world(edge, client);
    let member = FIRST_SELLER_MEMBER;
    for (const skew of SKEWS) for (const lifetime of skew.large ? [LIFETIME_S, null] : [LIFETIME_S]) cases.push({ skew, lifetime, member: member++, delegate: randomWallet() });
    for (const c of cases) await prepareSeller(edge, w, c);

    // 1. SimpleSellers with skewed clocks, all at once.
    const lines = await Promise.allSettled(cases.map((c) => spawnSeller(edge, w, c, root)));
    const sellable: { label: string; offer: LaneOffer }[] = [];
    for (const [i, c] of cases.entries()) {
      const r = lines[i]!;
      if (r.status === 'rejected') {
        problems.push(describeError(r.reason));
        continue;
      }
      const line = r.value;
      const clock = 'selling' in line ? line.selling.clock_ms : line.refused.clock_ms;
      // The process's clock, against this one's: the skew is in force (a generous margin for a loaded machine).
      if (Math.abs(clock - Date.now() - c.skew.ms) > 60_000) problems.push(`${what(c)}: its clock reads ${new Date(clock).toISOString()}, not ${c.skew.label} off`);
      const expectSelling = !c.skew.large || c.lifetime === null;
      if ('selling' in line) {
        c.offer = probeOffer(c.member, line.selling.probe);
        sellable.push({ label: what(c), offer: c.offer });
        const q = await callOn(client, MarketMakerProcedure.getQuote, [c.offer.keyId]);
        const left = q.expires === 0n ? 'no expiry' : `expires ${((Number(q.expires / NS_PER_MS) - Date.now()) / 60_000).toFixed(1)} min from the maker's now`;
        facts.push(`${what(c)}: offer placed, ${left}`);
        if (!expectSelling) problems.push(`${what(c)}: its offer was accepted (${left}); an expiry of its clock + ${LIFETIME_S} s is ${c.skew.label} off the maker's`);
      } else {
        const { uri, cause_uri: cause, message } = line.refused;
        facts.push(`${what(c)}: refused: ${uri} (the maker's ${cause ?? 'none'}): ${message}`);
        if (expectSelling) problems.push(`${what(c)}: refused: ${uri}: ${message}`);
        else checkTimeRefusal(what(c), cause ?? uri, message, ['expires'], problems);
        if (placedBy(edge, c.delegate.address) !== 0) problems.push(`${what(c)}: the maker logged an offer placed by its delegate although it refused it`);
      }
    }

    // 2. A seller that stamps valid_from with its own clock (an offer per skew, and a day ahead without expiry).
    const stamper = { member: member++, delegate: randomWallet() };
    await consent(edge, 2, stamper.delegate.address, 1);
    const stamperChannel = await openChannelOnChain(w, 2, PAYING_DEPOSIT, addr(stamper.delegate));
    const seller = await TestSeller.start(w, stamper.member, stamper.delegate);
    const stamped: { label: string; keyId: Uuid; accepted: boolean; validFrom: bigint; expires: bigint | undefined; isKey: (k: Uint8Array) => boolean }[] = [];
    const stampedCases = [...SKEWS.map((s) => ({ skew: s, expiry: true })), { skew: SKEWS[2]!, expiry: false }];
    for (const { skew, expiry } of stampedCases) {
      const label = `stamped ${skew.label}${expiry ? ` with ${LIFETIME_S} s offers` : ' without expiry'}`;
      const validFrom = BigInt(Date.now() + skew.ms) * NS_PER_MS;
      const expires = expiry ? validFrom + BigInt(LIFETIME_S) * 1_000_000_000n : undefined;
      try {
        const { keyId, key } = await seller.offer({ price: PRICE, validFrom, ...(expires === undefined ? {} : { expires }) });
        stamped.push({ label, keyId, accepted: true, validFrom, expires, isKey: (k) => Buffer.from(k).equals(key) });
        facts.push(`${label}: offer placed, valid from ${((Number(validFrom / NS_PER_MS) - Date.now()) / 60_000).toFixed(1)} min from the maker's now`);
        if (skew.large && expiry) problems.push(`${label}: accepted although its times are ${skew.label} off the maker's clock`);
      } catch (err) {
        const e = err as { errorUri?: string; argsList?: unknown[] };
        if (typeof e.errorUri !== 'string') throw err;
        const message = String(e.argsList?.[0] ?? '');
        facts.push(`${label}: refused: ${e.errorUri}: ${message}`);
        if (!skew.large) problems.push(`${label}: refused: ${e.errorUri}: ${message}`);
        else checkTimeRefusal(label, e.errorUri, message, ['valid_from', 'expires'], problems);
      }
    }
    for (const s of stamped.filter((x) => x.validFrom <= BigInt(Date.now()) * NS_PER_MS)) sellable.push({ label: s.label, offer: { keyId: s.keyId, isKey: s.isKey } });

    // 3. Buyers: one lane per sellable offer; each buys it once at set-up and `purchasesPerOffer` times more.
    if (sellable.length === 0) throw new Error('no offer could be bought');
    const lanes: Lane[] = await setupBuyers(edge, w, sellable.map((s) => [s.offer]), { buyers: sellable.length, price: PRICE, paymentDeposit: 10n * XBR });
    const receipts = receiptsOf(lanes);
    for (const [i, lane] of lanes.entries()) {
      for (let k = 0; k < purchasesPerOffer; k++) {
        try {
          problems.push(...(await buyOnce(edge, lane, lane.offers[0]!, PRICE, receipts)));
        } catch (err) {
          problems.push(`${sellable[i]!.label}: a purchase failed: ${describeError(err)}`);
          break;
        }
      }
    }
    facts.push(`sold: ${sellable.map((s, i) => `${s.label} ${lanes[i]!.buyer.seq - 1}`).join(', ')}`);

    // Not yet valid by the maker's clock: refused before anything is reserved.
    for (const s of stamped.filter((x) => x.validFrom > BigInt(Date.now()) * NS_PER_MS)) {
      const lane = lanes[0]!;
      const before = { seq: lane.buyer.seq, remaining: lane.buyer.remaining };
      try {
        await buyOnce(edge, lane, { keyId: s.keyId, isKey: s.isKey }, PRICE, receipts);
        problems.push(`${s.label}: bought before its valid_from (${new Date(Number(s.validFrom / NS_PER_MS)).toISOString()})`);
      } catch (err) {
        const e = err as { errorUri?: string; argsList?: unknown[] };
        const message = String(e.argsList?.[0] ?? '');
        facts.push(`${s.label}: a purchase now: ${e.errorUri ?? 'no WAMP error'}: ${message}`);
        if (e.errorUri !== NOT_YET_VALID || (message.match(ISO_RE) ?? []).length < 1) problems.push(`${s.label}: a purchase before valid_from was refused with ${describeError(err)}, expected ${NOT_YET_VALID} naming the time`);
      }
      if (lane.buyer.seq !== before.seq || lane.buyer.remaining !== before.remaining) problems.push(`${s.label}: the refused purchase moved the buyer's state`);
    }

    // 4. The sellers' side: every sale co-signed, the seller's state file equal to the ledger, whatever its clock.
    const op = await edge.connectOperator({ serializer: 'cbor' });
    try {
      for (const c of cases) {
        const ledger = await payingLedger(op, c.channelId!);
        if (ledger === undefined) {
          problems.push(`${what(c)}: the maker does not know its paying channel`);
          continue;
        }
        if (c.offer === undefined) {
          if (ledger.spent !== 0n) problems.push(`${what(c)}: refused, yet its paying channel spent ${ledger.spent}`);
          continue;
        }
        const state = FileSellerStateStore.open(join(c.dir!, 'paying.json')).load(c.channelId!);
        if (state === undefined || state.seq !== ledger.seq || state.balance !== ledger.remaining) {
          problems.push(`${what(c)}: its co-signed state is ${state === undefined ? 'missing' : `seq ${state.seq} / ${state.balance}`}, the ledger seq ${ledger.seq} / ${ledger.remaining}`);
        }
        if (ledger.spent === 0n) problems.push(`${what(c)}: nothing sold`);
      }
      const stamperLedger = await payingLedger(op, stamperChannel);
      facts.push(`paying channels: ${cases.filter((c) => c.offer !== undefined).length} skewed sellers paid; the stamping seller's channel at seq ${stamperLedger?.seq ?? '?'}`);
    } finally {
      await op.disconnect();
    }
    problems.push(...(await checkLedger(edge, lanes, receipts)));
  } catch (err) {
    problems.push(`the scenario failed: ${describeError(err)}`);
  } finally {
    for (const c of cases) if (c.child !== undefined && c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    if (options.outputFile !== undefined) writeFileSync(options.outputFile, edge.output());
    await edge.stop().catch((err: unknown) => problems.push(`stopping the edge: ${describeError(err)}`));
    rmSync(root, { recursive: true, force: true });
  }
  return { name: NAME, ok: problems.length === 0, problems, facts };
}

