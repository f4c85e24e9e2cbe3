/**
 * The operator's audit of a maker (`admin.audit`, docs/api.md#admin): every stored purchase is replayed against
 * the channels it used, and every channel is compared with the chain. Unlike `auditLedger` (a start-up check
 * that throws at the first inconsistency), it never stops at a problem: each difference is collected (the list
 * capped, all counted) and the answer says what was checked.
 *
 * 1. **Signatures.** Each purchase's EIP712ChannelClose signatures (schema/eip712) are recovered over the
 *    state they must cover (docs/protocol.md#signature-chain) and compared with their signer: the buyer
 *    delegate's (`payment_del_sig`) over (payment channel, seq, remaining after the reserve) — the channel's
 *    delegate; the seller delegate's (`paying_del_sig`, required of a SUCCESS with a paying leg) over the paying
 *    state — the paying channel's delegate; the maker's own (`payment_mm_sig`: the payment state after the
 *    resolve; `paying_mm_sig`: the paying state) — the maker, where a record holds them.
 * 2. **History.** A channel's purchases, in seq order, must use seqs 2, 3, … without gap or repeat, and each
 *    must record as "remaining after" the remaining before it minus its price (a refunded one gives it back).
 * 3. **Balances.** From the purchases alone: `inflight` = Σ INFLIGHT prices, `spent` = Σ SUCCESS prices,
 *    `seq` = 1 + purchases, `remaining` = amount − inflight − spent (and the sale / refund counts where the
 *    record keeps them); each is compared with the channel's balance record.
 * 4. **Chain.** For every channel, XBRChannel's `channels(id)` and `channelClosingStates(id)`: the channel
 *    exists, with the ledger's type, market, actor, delegate, recipient and deposit, in the ledger's state, and
 *    no closing seq above the ledger's (a state the maker never recorded).
 *
 * Steps 1–3 read ONE LMDB read snapshot (`env.readSnapshot()`): a consistent view while purchases go on. The
 * purchases are read in slices of `sliceSize`, and the event loop is given back between slices, so a purchase
 * waits at most one slice (`longest_slice_ms` of the answer). Step 4 runs after the snapshot is released.
 */
import type { AuditMismatchResult, AuditResult } from '../../../schema/api/index.js';
import { formatUuid, toHex } from '../../../schema/codec/index.js';
import type { Address, Uuid } from '../../../schema/codec/index.js';
import type { ChannelBalance, MakerDb, ReadSnapshot } from '../../../schema/db/index.js';
import { ChannelState, ChannelType, type Channel } from '../../../schema/db/index.js';
import { TransactionState, type Transaction } from '../../../schema/db/index.js';
import { channelCloseMessage, hashChannelClose, recoverDigestSigner, type MarketBinding } from '../../../schema/eip712/index.js';
import { NO_PAYING_CHANNEL } from './reserve-purchase.js';
import { sameBytes } from './types.js';

/** What XBRChannel reports of a channel (`channels(id)` with `channelClosingStates(id)`). */
export interface ChainChannelView {
  /** `openedAt`; 0 when the contract does not know the id. */
  readonly created: bigint;
  readonly ctype: number;
  readonly marketId: Uint8Array;
  readonly actor: Uint8Array;
  readonly delegate: Uint8Array;
  readonly recipient: Uint8Array;
  readonly amount: bigint;
  /** schema/db `ChannelState`: 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly state: number;
  readonly closingSeq: number;
  readonly closedSeq: number;
}

/** The chain as the audit reads it. */
export interface AuditChain {
  /** The chain head now. */
  head(): Promise<bigint>;
  channel(id: Uuid): Promise<ChainChannelView>;
}

export interface ReplayAuditOptions {
  /** The maker's market and the EIP712 chain binding every channel signature carries. */
  readonly binding: MarketBinding;
  /** The maker's address: signer of `payment_mm_sig` / `paying_mm_sig`. */
  readonly maker: Address;
  /** Compare each channel with the chain; left out: not compared (`chain_block` null). */
  readonly chain?: AuditChain;
  /** Most mismatches listed (all are counted); default 100. */
  readonly limit?: number;
  /** Purchases per synchronous slice; default 64. */
  readonly sliceSize?: number;
  /** Channels read from the chain at once; default 8. */
  readonly chainConcurrency?: number;
}

/** One purchase as a channel's history needs it. */
interface Step {
  readonly tid: Uuid;
  readonly seq: number;
  readonly after: bigint;
  readonly amount: bigint;
  readonly state: number;
}

interface Known {
  readonly type: 1 | 2;
  readonly channel: Channel;
  readonly balance: ChannelBalance | undefined;
  readonly steps: Step[];
}

const kindName = (type: number): string => (type === ChannelType.PAYMENT ? 'payment' : 'paying');
const hex0x = (b: Uint8Array): string => `0x${toHex(b)}`;
const yieldLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class Findings {
  readonly list: AuditMismatchResult[] = [];
  total = 0;
  constructor(private readonly limit: number) {}

  add(m: { kind: string; channel?: Uint8Array; tid?: Uint8Array; field: string; stored?: string; expected?: string; message: string }): void {
    this.total++;
    if (this.list.length >= this.limit) return;
    this.list.push({
      kind: m.kind,
      channel_oid: m.channel === undefined ? null : new Uint8Array(m.channel),
      tid: m.tid === undefined ? null : new Uint8Array(m.tid),
      field: m.field,
      stored: m.stored ?? null,
      expected: m.expected ?? null,
      message: m.message,
    });
  }
}

/**
 * Audits the maker DB `db` (and the chain, with `options.chain`); never throws for what it finds.
 * @example const report = await replayAudit(ctx.makerDb, { binding, maker, chain }); if (!report.ok) …
 */
export async function replayAudit(db: MakerDb, options: ReplayAuditOptions): Promise<AuditResult> {
  const t0 = performance.now();
  const sliceSize = options.sliceSize ?? 64;
  const found = new Findings(options.limit ?? 100);
  let longestSlice = 0;
  const timed = <T>(fn: () => T): T => {
    const s = performance.now();
    try {
      return fn();
    } finally {
      longestSlice = Math.max(longestSlice, performance.now() - s);
    }
  };
  const signatures = { checked: 0, absent: 0 };
  const known = new Map<string, Known>();
  let transactions = 0;

  const snapshot = db.env.readSnapshot();
  try {
    timed(() => loadChannels(db, snapshot, known, found));
    let start: Buffer | undefined;
    for (;;) {
      await yieldLoop();
      const n = timed(() => {
        const chunk = db.transactions.range({ ...(start === undefined ? {} : { start }), limit: sliceSize, snapshot });
        for (const { value: tx } of chunk) replayTransaction(tx, known, options, found, signatures);
        const last = chunk[chunk.length - 1];
        if (last !== undefined) start = Buffer.concat([last.key, Buffer.alloc(1)]);
        return chunk.length;
      });
      transactions += n;
      if (n < sliceSize) break;
    }
  } finally {
    snapshot.done();
  }
  await yieldLoop();
  timed(() => {
    for (const k of known.values()) checkHistory(k, found);
  });

  let chainBlock: number | null = null;
  let chainChecked = 0;
  if (options.chain !== undefined) {
    const chain = options.chain;
    try {
      chainBlock = Number(await chain.head());
    } catch (err) {
      found.add({ kind: 'chain', field: 'head', message: `the chain cannot be read, no channel was compared with it: ${errorText(err)}` });
    }
    if (chainBlock !== null) {
      const all = [...known.values()];
      const width = Math.max(1, options.chainConcurrency ?? 8);
      for (let i = 0; i < all.length; i += width) {
        await Promise.all(all.slice(i, i + width).map((k) => compareWithChain(k, chain, found)));
        chainChecked += Math.min(width, all.length - i);
      }
    }
  }

  return {
    ok: found.total === 0,
    channels: known.size,
    transactions,
    signatures_checked: signatures.checked,
    signatures_absent: signatures.absent,
    chain_checked: chainChecked,
    chain_block: chainBlock,
    mismatches_total: found.total,
    mismatches: found.list,
    truncated: found.total > found.list.length,
    duration_ms: Math.round(performance.now() - t0),
    longest_slice_ms: Math.ceil(longestSlice),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Every channel with its balance record; balance records without a channel are findings. */
function loadChannels(db: MakerDb, snapshot: ReadSnapshot, known: Map<string, Known>, found: Findings): void {
  const kinds = [
    { type: ChannelType.PAYMENT, channels: db.paymentChannels, balances: db.paymentBalances },
    { type: ChannelType.PAYING, channels: db.payingChannels, balances: db.payingBalances },
  ] as const;
  for (const { type, channels, balances } of kinds) {
    for (const { value: channel } of channels.range({ snapshot })) {
      const balance = balances.get(channel.channel_oid, snapshot);
      const id = formatUuid(channel.channel_oid);
      if (balance === undefined) found.add({ kind: 'record', channel: channel.channel_oid, field: 'balance', message: `${kindName(type)} channel ${id} has no balance record` });
      known.set(toHex(channel.channel_oid), { type, channel, balance, steps: [] });
    }
    for (const { key } of balances.range({ snapshot })) {
      if (!known.has(toHex(key))) found.add({ kind: 'record', channel: key, field: 'channel', message: `a ${kindName(type)} balance record has no channel: ${formatUuid(key)}` });
    }
  }
}

/** Checks the signatures of one purchase and files it under the channels it used. */
function replayTransaction(tx: Transaction, known: Map<string, Known>, o: ReplayAuditOptions, found: Findings, signatures: { checked: number; absent: number }): void {
  const tid = formatUuid(tx.tid);
  const payment = known.get(toHex(tx.payment_channel));
  const hasPaying = !sameBytes(tx.paying_channel, NO_PAYING_CHANNEL);
  const paying = hasPaying ? known.get(toHex(tx.paying_channel)) : undefined;
  if (payment === undefined || payment.type !== ChannelType.PAYMENT) {
    found.add({ kind: 'record', tid: tx.tid, channel: tx.payment_channel, field: 'payment_channel', message: `purchase ${tid} used payment channel ${formatUuid(tx.payment_channel)}, which this maker does not have` });
  } else {
    payment.steps.push({ tid: tx.tid, seq: tx.created_payment_channel_seq + 1, after: tx.payment_channel_after, amount: tx.amount, state: tx.state });
  }
  if (hasPaying && (paying === undefined || paying.type !== ChannelType.PAYING)) {
    found.add({ kind: 'record', tid: tx.tid, channel: tx.paying_channel, field: 'paying_channel', message: `purchase ${tid} used paying channel ${formatUuid(tx.paying_channel)}, which this maker does not have` });
  } else if (paying !== undefined) {
    paying.steps.push({ tid: tx.tid, seq: tx.created_paying_channel_seq + 1, after: tx.paying_channel_after, amount: tx.amount, state: tx.state });
  }

  const closeAt = tx.close_at;
  const check = (field: keyof Transaction, who: string, signer: Uint8Array, channel: Uint8Array, seq: number, balance: bigint, required: boolean): void => {
    const sig = tx[field] as Uint8Array | undefined;
    if (sig === undefined) {
      if (required) found.add({ kind: 'signature', tid: tx.tid, channel, field, expected: hex0x(signer), message: `purchase ${tid}: no ${who} signature (${field}) is stored` });
      else signatures.absent++;
      return;
    }
    if (closeAt === undefined) {
      // A record written before `close_at` was kept: the signed message is not known.
      signatures.absent++;
      return;
    }
    signatures.checked++;
    const over = `channel ${formatUuid(channel)} seq ${seq} balance ${balance} at block ${closeAt}`;
    let got: Uint8Array;
    try {
      got = recoverDigestSigner(hashChannelClose(channelCloseMessage(o.binding, closeAt, channel as Uuid, seq, balance, false)), sig);
    } catch (err) {
      found.add({ kind: 'signature', tid: tx.tid, channel, field, stored: hex0x(sig), expected: hex0x(signer), message: `purchase ${tid}: the ${who} signature (${field}) over ${over} is not valid: ${errorText(err)}` });
      return;
    }
    if (!sameBytes(got, signer)) {
      found.add({
        kind: 'signature', tid: tx.tid, channel, field, stored: hex0x(got), expected: hex0x(signer),
        message: `purchase ${tid}: the ${who} signature (${field}) over ${over} is by ${hex0x(got)}, not by ${hex0x(signer)}`,
      });
    }
  };

  if (payment !== undefined && payment.type === ChannelType.PAYMENT) {
    const seq = tx.created_payment_channel_seq + 1;
    check('payment_del_sig', 'buyer delegate\'s', payment.channel.delegate, tx.payment_channel, seq, tx.payment_channel_after, true);
    const resolved = tx.state === TransactionState.SUCCESS || tx.state === TransactionState.FAILED;
    if (resolved && tx.completed_payment_channel_seq !== undefined) {
      const remaining = tx.completed_payment_remaining ?? tx.payment_channel_after + (tx.state === TransactionState.FAILED ? tx.amount : 0n);
      check('payment_mm_sig', 'maker\'s', o.maker, tx.payment_channel, tx.completed_payment_channel_seq, remaining, false);
    } else if (tx.payment_mm_sig !== undefined) {
      check('payment_mm_sig', 'maker\'s', o.maker, tx.payment_channel, seq, tx.payment_channel_after, false);
    }
  }
  if (paying !== undefined && paying.type === ChannelType.PAYING) {
    const seq = tx.created_paying_channel_seq + 1;
    check('paying_del_sig', 'seller delegate\'s', paying.channel.delegate, tx.paying_channel, seq, tx.paying_channel_after, tx.state === TransactionState.SUCCESS);
    check('paying_mm_sig', 'maker\'s', o.maker, tx.paying_channel, seq, tx.paying_channel_after, false);
  }
}

/** A channel's purchases in seq order, and its balance record against what they make it. */
function checkHistory(k: Known, found: Findings): void {
  const { channel, balance, type } = k;
  const id = formatUuid(channel.channel_oid);
  const what = `${kindName(type)} channel ${id}`;
  const steps = [...k.steps].sort((a, b) => a.seq - b.seq);
  const afterField = type === ChannelType.PAYMENT ? 'payment_channel_after' : 'paying_channel_after';

  // seqs 2, 3, …: a repeat or a gap
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const prev = steps[i - 1];
    if (prev !== undefined && prev.seq === s.seq) {
      found.add({ kind: 'transaction', channel: channel.channel_oid, tid: s.tid, field: 'seq', stored: String(s.seq), message: `${what}: purchases ${formatUuid(prev.tid)} and ${formatUuid(s.tid)} both reserved seq ${s.seq}` });
    } else if (s.seq !== (prev?.seq ?? 1) + 1) {
      found.add({
        kind: 'transaction', channel: channel.channel_oid, tid: s.tid, field: 'seq', stored: String(s.seq), expected: String((prev?.seq ?? 1) + 1),
        message: `${what}: purchase ${formatUuid(s.tid)} reserved seq ${s.seq}, but no purchase holds seq ${(prev?.seq ?? 1) + 1}`,
      });
    }
  }
  // remaining after each purchase = remaining before − price (+ price again when refunded)
  let remaining = channel.amount;
  for (const s of steps) {
    const expected = remaining - s.amount;
    if (s.after !== expected) {
      found.add({
        kind: 'transaction', channel: channel.channel_oid, tid: s.tid, field: afterField, stored: String(s.after), expected: String(expected),
        message: `${what}: purchase ${formatUuid(s.tid)} recorded remaining ${s.after} after it, but ${remaining} before it less its price ${s.amount} is ${expected}`,
      });
    }
    remaining = s.after + (s.state === TransactionState.FAILED ? s.amount : 0n);
  }

  if (balance === undefined) return;
  let inflight = 0n;
  let spent = 0n;
  let sales = 0;
  let refunds = 0;
  for (const s of steps) {
    if (s.state === TransactionState.INFLIGHT) inflight += s.amount;
    else if (s.state === TransactionState.SUCCESS) {
      spent += s.amount;
      sales++;
    } else if (s.state === TransactionState.FAILED) refunds++;
  }
  const expected: [string, bigint | number, bigint | number | undefined, string][] = [
    ['remaining', channel.amount - inflight - spent, balance.remaining, `the deposit ${channel.amount} less what is in flight and spent`],
    ['inflight', inflight, balance.inflight, `its ${steps.filter((s) => s.state === TransactionState.INFLIGHT).length} purchase(s) in flight sum to it`],
    ['spent', spent, balance.spent, `its ${sales} sold purchase(s) sum to it`],
    ['seq', 1 + steps.length, balance.seq, `1 + its ${steps.length} purchase(s)`],
    ['sales', sales, balance.sales, `purchases resolved SUCCESS`],
    ['refunds', refunds, balance.refunds, `purchases resolved FAILED`],
  ];
  for (const [field, want, stored, why] of expected) {
    if (stored === undefined || stored === want) continue;
    found.add({
      kind: 'balance', channel: channel.channel_oid, field, stored: String(stored), expected: String(want),
      message: `${what}: ${field} is ${stored} in the balance record, but ${want} from its purchases (${why})`,
    });
  }
}

const STATE_NAMES: Record<number, string> = { [ChannelState.NONE]: 'NONE', [ChannelState.OPEN]: 'OPEN', [ChannelState.CLOSING]: 'CLOSING', [ChannelState.CLOSED]: 'CLOSED', [ChannelState.FAILED]: 'FAILED' };
const stateName = (s: number): string => STATE_NAMES[s] ?? String(s);

/** The ledger's channel against XBRChannel's. */
async function compareWithChain(k: Known, chain: AuditChain, found: Findings): Promise<void> {
  const c = k.channel;
  const what = `${kindName(k.type)} channel ${formatUuid(c.channel_oid)}`;
  let v: ChainChannelView;
  try {
    v = await chain.channel(c.channel_oid);
  } catch (err) {
    found.add({ kind: 'chain', channel: c.channel_oid, field: 'read', message: `${what}: XBRChannel could not be read: ${errorText(err)}` });
    return;
  }
  if (v.created === 0n) {
    found.add({ kind: 'chain', channel: c.channel_oid, field: 'exists', stored: 'a channel', expected: 'none', message: `${what} is in the ledger, but XBRChannel has no channel with this id` });
    return;
  }
  const diff = (field: string, stored: string, chainValue: string): void => {
    if (stored === chainValue) return;
    found.add({ kind: 'chain', channel: c.channel_oid, field, stored, expected: chainValue, message: `${what}: ${field} is ${stored} in the ledger, ${chainValue} on chain` });
  };
  diff('channel_type', String(c.channel_type), String(v.ctype));
  diff('market_oid', hex0x(c.market_oid), hex0x(v.marketId));
  diff('actor', hex0x(c.actor), hex0x(v.actor));
  diff('delegate', hex0x(c.delegate), hex0x(v.delegate));
  diff('recipient', hex0x(c.recipient), hex0x(v.recipient));
  diff('amount', String(c.amount), String(v.amount));
  diff('state', stateName(c.state), stateName(v.state));
  const chainSeq = v.state === ChannelState.CLOSED ? v.closedSeq : v.state === ChannelState.CLOSING ? v.closingSeq : 0;
  const ledgerSeq = k.balance?.seq;
  if (ledgerSeq !== undefined && chainSeq > ledgerSeq) {
    found.add({
      kind: 'chain', channel: c.channel_oid, field: 'close_channel_seq', stored: String(ledgerSeq), expected: String(chainSeq),
      message: `${what}: the chain closes it at seq ${chainSeq}, above the ledger's seq ${ledgerSeq} (a state the maker never recorded)`,
    });
  }
}
