/**
 * Buying and checking for the chaos scenarios whose fault never touches the maker's ledger (the IPFS node
 * down, a seller's clock off): buyers buy back to back and every call must simply succeed, each receipt
 * checked as a buyer checks it; afterwards the ledger must be exactly what the buyers hold.
 */
import { hexlify } from 'ethers';
import type { Wampy } from 'wampy';
import { readMakerResult, type AdminTransactionResult, type MakerArgs, type MakerProcedureUri, type MakerResult } from '../../../schema/api/index.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { unpackUint256 } from '../../../schema/codec/uint256.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { MarketMakerAdminProcedure, MarketMakerProcedure } from '../../../schema/uris.js';
import type { MarketEdge } from '../../e2e/harness/market-edge.js';
import type { Lane, LaneOffer } from '../../e2e/market/lanes.js';
import { sleep } from '../../e2e/market/offers-purchase-helpers.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';

/** Ledger purchase states (admin results). */
const TX_INFLIGHT = 1;
const TX_SUCCESS = 3;

/** A WAMP error as `URI: message`, or the error's own text for anything else. */
export function describeError(err: unknown): string {
  const e = err as { errorUri?: unknown; argsList?: unknown[]; message?: unknown } | null;
  if (typeof e?.errorUri === 'string') return `${e.errorUri}: ${String(e.argsList?.[0] ?? '')}`;
  return err instanceof Error ? err.message : String(err);
}

export async function callOn<P extends MakerProcedureUri>(session: Wampy, uri: P, args: MakerArgs<P>, kwargs?: Record<string, unknown>): Promise<MakerResult<P>> {
  const r = await session.call(uri, { argsList: [...(args as readonly unknown[])], ...(kwargs === undefined ? {} : { argsDict: kwargs }) });
  return readMakerResult(uri, r.argsList?.[0]);
}

/** The payment channel seqs each lane holds a receipt for (the setup purchase, seq 2, included). */
export type Receipts = Map<string, number[]>;

export function receiptsOf(lanes: readonly Lane[]): Receipts {
  return new Map(lanes.map((l) => [formatUuid(l.buyer.channelId), [2]]));
}

/**
 * Buys `offer` once on `lane` and checks the receipt (seq, remaining, the maker's signature, the key opens to
 * the offered one); the receipt is recorded in `receipts`. Throws the maker's refusal unchanged.
 */
export async function buyOnce(edge: MarketEdge, lane: Lane, offer: LaneOffer, price: bigint, receipts: Receipts): Promise<string[]> {
  const problems: string[] = [];
  const id = formatUuid(lane.buyer.channelId);
  const closeAt = BigInt(await edge.provider().getBlockNumber());
  const { args, kwargs } = await lane.buyer.buyArgs(offer.keyId, price, { closeAt });
  const seq = lane.buyer.seq + 1;
  const remaining = lane.buyer.remaining - price;
  const receipt = await callOn(lane.buyer.session, MarketMakerProcedure.buyKey, args as unknown as MakerArgs<typeof MarketMakerProcedure.buyKey>, kwargs);
  if (receipt.channel_seq !== seq || unpackUint256(receipt.remaining) !== remaining) problems.push(`channel ${id}: receipt for seq ${receipt.channel_seq} / ${unpackUint256(receipt.remaining)}, asked seq ${seq} / ${remaining}`);
  if (hexlify(lane.buyer.signerOf(seq, remaining, closeAt, receipt.signature)).toLowerCase() !== edge.makerAddress.toLowerCase()) problems.push(`channel ${id} seq ${seq}: receipt not signed by the maker`);
  if (!offer.isKey(lane.buyer.open(receipt.sealed_key))) problems.push(`channel ${id} seq ${seq}: the sealed key does not open to the offered key`);
  lane.buyer.seq = seq;
  lane.buyer.remaining = remaining;
  receipts.get(id)?.push(seq);
  return problems;
}

/**
 * One lane buying its offers round robin until `running()` is false. Nothing is expected to fail: a refusal
 * is a problem (the lane reads its channel's state from the maker and goes on, so one refusal does not hide
 * what follows).
 */
export async function buyLoop(edge: MarketEdge, lane: Lane, price: bigint, receipts: Receipts, running: () => boolean, bought: () => void, problems: string[]): Promise<void> {
  let n = lane.buyer.seq;
  while (running()) {
    const offer = lane.offers[n++ % lane.offers.length]!;
    try {
      problems.push(...(await buyOnce(edge, lane, offer, price, receipts)));
      bought();
    } catch (err) {
      problems.push(`channel ${formatUuid(lane.buyer.channelId)}: a purchase failed: ${describeError(err)}`);
      const b = await callOn(lane.buyer.session, MarketMakerProcedure.getPaymentChannelBalance, [lane.buyer.channelId]);
      lane.buyer.seq = b.seq;
      lane.buyer.remaining = unpackUint256(b.remaining);
      await sleep(200);
    }
  }
}

async function transactionsOf(op: Wampy, channelId: Uuid): Promise<AdminTransactionResult[]> {
  const txs: AdminTransactionResult[] = [];
  let cursor: Uint8Array | null = null;
  do {
    const page: MakerResult<typeof MarketMakerAdminProcedure.listTransactions> = await callOn(op, MarketMakerAdminProcedure.listTransactions, [channelId, 1000, cursor]);
    txs.push(...page.transactions);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return txs;
}

/**
 * With every lane stopped: every receipt a buyer holds is a SUCCESS purchase of its channel, exactly once,
 * and every SUCCESS purchase is a receipt it holds; nothing INFLIGHT; the maker's balance of each payment
 * channel is its buyer's last signed state; `xbr-edge admin audit` finds nothing.
 */
export async function checkLedger(edge: MarketEdge, lanes: readonly Lane[], receipts: Receipts): Promise<string[]> {
  const problems: string[] = [];
  const op = await edge.connectOperator({ serializer: 'cbor' });
  try {
    for (const lane of lanes) {
      const id = formatUuid(lane.buyer.channelId);
      const txs = await transactionsOf(op, lane.buyer.channelId);
      const inflight = txs.filter((t) => t.state === TX_INFLIGHT).length;
      if (inflight > 0) problems.push(`channel ${id}: ${inflight} purchases still INFLIGHT`);
      const sold = txs.filter((t) => t.state === TX_SUCCESS).map((t) => t.payment_seq).sort((a, b) => a - b);
      const held = [...(receipts.get(id) ?? [])].sort((a, b) => a - b);
      const doubled = held.filter((s, i) => held[i - 1] === s);
      if (doubled.length > 0) problems.push(`channel ${id}: receipts held twice for seqs ${doubled.join(', ')}`);
      const lost = sold.filter((s) => !held.includes(s));
      if (lost.length > 0) problems.push(`channel ${id}: the ledger charged seqs ${lost.join(', ')} whose receipt the buyer does not hold`);
      const unknown = held.filter((s) => !sold.includes(s));
      if (unknown.length > 0) problems.push(`channel ${id}: the buyer holds receipts for seqs ${unknown.join(', ')} the ledger has not sold`);
      const b = await callOn(lane.buyer.session, MarketMakerProcedure.getPaymentChannelBalance, [lane.buyer.channelId]);
      const inflightAmount = unpackUint256(b.inflight);
      if (b.seq !== lane.buyer.seq || unpackUint256(b.remaining) !== lane.buyer.remaining || inflightAmount !== 0n) {
        problems.push(`channel ${id}: the maker has seq ${b.seq} / ${unpackUint256(b.remaining)} (${inflightAmount} in flight), the buyer's last signed state is seq ${lane.buyer.seq} / ${lane.buyer.remaining}`);
      }
    }
  } finally {
    await op.disconnect().catch(() => undefined);
  }
  const r = await runXbrEdge('admin', 'audit', '--cbdir', edge.cbdir, '--json');
  if (r.status !== 0 && r.status !== 4) {
    problems.push(`xbr-edge admin audit exited ${r.status}: ${r.stderr}`);
  } else {
    const [a] = JSON.parse(r.stdout) as { ok: boolean; mismatches_total: number; mismatches: { message: string }[] }[];
    if (a?.ok !== true) problems.push(`the audit found ${a?.mismatches_total} mismatches: ${a?.mismatches.map((m) => m.message).join('; ')}`);
  }
  return problems;
}

/** Polls `probe` until it returns a value (errors count as "not yet"); undefined after `withinMs`. */
export async function until<T>(withinMs: number, probe: () => Promise<T | undefined>, everyMs = 200): Promise<{ value: T; ms: number } | undefined> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return { value: v, ms: Date.now() - t0 };
    if (Date.now() - t0 > withinMs) return undefined;
    await sleep(everyMs);
  }
}
