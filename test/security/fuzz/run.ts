/**
 * Runs a fuzz campaign against one real edge (see market.ts): calls `start … start+calls-1` of `seed`, each
 * sent by a raw session of its caller kind, each answer judged (oracle.ts); every `checkEvery` calls and at
 * the end, the market must be as it was (snapshot: ledger balances, channel state, offers, maker RUNNING,
 * the same worker process). The first violation stops the run with a {@link FuzzViolation} that carries
 * the seed, the call index and the call as sent.
 *
 * @example
 * const summary = await runFuzz({ seed: 1, calls: 2000 });
 */
import { isDeepStrictEqual } from 'node:util';
import { logLines, type LogLine } from '../../e2e/harness/market-edge.js';
import { MEMBER_TICKET, memberAuthidOf } from '../../e2e/market/offers-purchase-helpers.js';
import { helloProbe, RawSession, type CallOutcome, type HelloOutcome, type Serializer } from './clients.js';
import { describeCall, describeValue } from './describe.js';
import { generateCall, type FuzzCall } from './generate.js';
import { judgeCall, judgeHello, mayCall } from './oracle.js';
import { startFuzzMarket, type FuzzMarket, type MarketSnapshot } from './market.js';
import { assertCoversEveryProcedure, procedureSpec, PROCEDURES } from './procedures.js';

export interface FuzzOptions {
  readonly seed: number;
  readonly calls: number;
  /** Index of the first call (to replay call I alone: `start: I, calls: 1`). Default 0. */
  readonly start?: number;
  /** Calls between two checks of the market's state and liveness. Default 250. */
  readonly checkEvery?: number;
  /** How long a call may take before it counts as a hang. Default 10 s. */
  readonly callTimeoutMs?: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
  /** Every call and its outcome, one line each (default: none). */
  readonly trace?: (line: string) => void;
}

export interface FuzzSummary {
  readonly seed: number;
  readonly start: number;
  readonly calls: number;
  readonly setupMs: number;
  readonly fuzzMs: number;
  readonly byProcedure: Readonly<Record<string, number>>;
  readonly byCaller: Readonly<Record<string, number>>;
  readonly byOutcome: Readonly<Record<string, number>>;
  /** Outcomes of each procedure's authorized calls (how deep the fuzzer got past the access check). */
  readonly byProcedureOutcome: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly checks: number;
}

/** A call the maker answered wrongly, or a check of the market that failed; its message says how to replay. */
export class FuzzViolation extends Error {
  constructor(
    readonly seed: number,
    readonly index: number,
    readonly reason: string,
    readonly call?: FuzzCall,
  ) {
    super(
      `fuzz violation at seed ${seed}, call #${index}: ${reason}` +
        (call === undefined ? '' : `\n  call: ${describeCall(call)}`) +
        `\n  replay: npm run fuzz -- --seed ${seed} --start ${call === undefined ? 0 : index} --calls ${call === undefined ? index + 1 : 1}${call === undefined ? ' --check-every 1' : ''}`,
    );
    this.name = 'FuzzViolation';
  }
}

const count = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

function outcomeKey(o: CallOutcome | HelloOutcome): string {
  switch (o.kind) {
    case 'result': return 'RESULT';
    case 'error': return o.uri;
    case 'challenge': return 'HELLO→CHALLENGE';
    case 'welcome': return 'HELLO→WELCOME';
    case 'abort': return `HELLO→ABORT ${o.uri}`;
    default: return o.kind.toUpperCase();
  }
}

function describeOutcome(o: CallOutcome | HelloOutcome): string {
  switch (o.kind) {
    case 'result': return `RESULT ${describeValue(o.args).slice(0, 300)}`;
    case 'error': return `${o.uri} ${o.message.slice(0, 300)}`;
    case 'abort': return `ABORT ${o.uri} ${o.message.slice(0, 300)}`;
    default: return outcomeKey(o);
  }
}

/** The raw sessions of the run, one per caller identity and serializer, opened on first use. */
class Sessions {
  private readonly open = new Map<string, Promise<RawSession>>();

  constructor(private readonly market: FuzzMarket) {}

  of(call: FuzzCall): Promise<RawSession> {
    const key = `${call.caller}:${call.member ?? ''}:${call.serializer}`;
    let s = this.open.get(key);
    if (s === undefined) {
      s = this.connect(call.caller, call.member, call.serializer);
      this.open.set(key, s);
    }
    return s;
  }

  private async connect(caller: FuzzCall['caller'], member: number | undefined, serializer: Serializer): Promise<RawSession> {
    const { edge, operatorSocket } = this.market;
    let s: RawSession;
    let role: string;
    if (caller === 'member') {
      const authid = memberAuthidOf(member!);
      s = await RawSession.open(edge.wsUrl, serializer, { authmethods: ['ticket'], authid }, MEMBER_TICKET);
      role = 'user';
      if (s.welcome['authid'] !== authid) throw new Error(`member session welcomed as ${String(s.welcome['authid'])}, not ${authid}`);
    } else if (caller === 'operator') {
      s = await RawSession.open({ unix: operatorSocket, path: '/' }, serializer);
      role = 'operator';
    } else {
      s = await RawSession.open(edge.wsUrl, serializer);
      role = 'anonymous';
    }
    // The fuzzer's own premise: each session is who it claims to be, or every verdict would be wrong.
    if (s.welcome['authrole'] !== role) throw new Error(`${caller} session welcomed with role ${String(s.welcome['authrole'])}, not ${role}`);
    return s;
  }

  async closeAll(): Promise<void> {
    for (const s of this.open.values()) (await s.catch(() => undefined))?.close();
  }
}

/** Error-level log lines of the node from line `from` on (a maker's unexpected error carries its stack). */
function errorLines(market: FuzzMarket, from: number): LogLine[] {
  return logLines(market.edge).slice(from).filter((l) => l['level'] === 'error' || l['level'] === 'fatal');
}

function shown(lines: readonly LogLine[]): string {
  return lines.slice(-3).map((l) => JSON.stringify(l).slice(0, 2000)).join('\n  ');
}

function diff(before: MarketSnapshot, after: MarketSnapshot): string {
  const keys = Object.keys(before) as (keyof MarketSnapshot)[];
  return keys.filter((k) => !isDeepStrictEqual(before[k], after[k])).map((k) => `${k}: ${JSON.stringify(before[k])} → ${JSON.stringify(after[k])}`).join('; ');
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  assertCoversEveryProcedure();
  const { seed, calls } = options;
  const start = options.start ?? 0;
  const checkEvery = Math.max(1, options.checkEvery ?? 250);
  const timeoutMs = options.callTimeoutMs ?? 10_000;
  const log = options.log ?? (() => undefined);
  const t0 = performance.now();
  const market = await startFuzzMarket();
  const setupMs = performance.now() - t0;
  log(`fuzz: edge and market ready in ${(setupMs / 1000).toFixed(1)} s; seed ${seed}, calls ${start}…${start + calls - 1}`);
  const sessions = new Sessions(market);
  const byProcedure: Record<string, number> = Object.fromEntries(PROCEDURES.map((p) => [p.uri, 0]));
  const byCaller: Record<string, number> = {};
  const byOutcome: Record<string, number> = {};
  const byProcedureOutcome: Record<string, Record<string, number>> = {};
  let checks = 0;
  let summary: FuzzSummary;
  let stopError: unknown;
  try {
    const before = await market.snapshot();
    if (before.makerStatus !== 'RUNNING') throw new Error(`the maker is ${before.makerStatus} before the fuzz run`);
    const logFrom = logLines(market.edge).length;
    const check = async (index: number): Promise<void> => {
      checks++;
      let after: MarketSnapshot;
      try {
        after = await market.snapshot();
      } catch (err) {
        throw new FuzzViolation(seed, index, `the market could not be read after call #${index}: ${(err as Error).message}\n  ${shown(errorLines(market, logFrom))}`);
      }
      const changed = diff(before, after);
      if (changed !== '') throw new FuzzViolation(seed, index, `the market changed by call #${index} at the latest (since the last check): ${changed}\n  ${shown(errorLines(market, logFrom))}`);
      // An error the caller never saw (after its result went out, or in the background) is still the fuzz's doing.
      const errors = errorLines(market, logFrom);
      if (errors.length > 0) throw new FuzzViolation(seed, index, `the node logged ${errors.length} error(s) by call #${index} at the latest:\n  ${shown(errors)}`);
    };
    const f0 = performance.now();
    for (let index = start; index < start + calls; index++) {
      const call = generateCall(seed, index, market.world);
      count(byProcedure, call.procedure);
      count(byCaller, call.caller === 'member' ? `member #${call.member}` : call.caller);
      const record = (outcome: CallOutcome | HelloOutcome): void => {
        options.trace?.(`${describeCall(call)}\n    → ${describeOutcome(outcome)}`);
        count(byOutcome, outcomeKey(outcome));
        if (mayCall(call.caller, procedureSpec(call.procedure).access)) {
          let perOutcome = byProcedureOutcome[call.procedure];
          if (perOutcome === undefined) {
            perOutcome = {};
            byProcedureOutcome[call.procedure] = perOutcome;
          }
          count(perOutcome, outcomeKey(outcome));
        }
      };
      let verdict: string | undefined;
      try {
        if (call.caller === 'router') {
          const outcome = await helloProbe(market.edge.wsUrl, call.serializer, call.hello ?? {}, timeoutMs);
          record(outcome);
          verdict = judgeHello(outcome);
        } else {
          const outcome = await (await sessions.of(call)).call(call.procedure, call.args, call.kwargs, timeoutMs, call.options);
          record(outcome);
          verdict = judgeCall(call, outcome);
        }
      } catch (err) {
        // Not the maker's answer: the call could not be sent (a generator bug) or a session could not be opened.
        throw new Error(`fuzz harness failed on seed ${seed}, call #${index}: ${(err as Error).message}\n  call: ${describeCall(call)}`, { cause: err });
      }
      if (verdict !== undefined) throw new FuzzViolation(seed, index, `${verdict}\n  ${shown(errorLines(market, logFrom))}`, call);
      const done = index - start + 1;
      if (done % checkEvery === 0 || done === calls) {
        await check(index);
        if (done % (checkEvery * 4) === 0) log(`fuzz: ${done}/${calls} calls, ${((performance.now() - f0) / 1000).toFixed(1)} s`);
      }
    }
    const fuzzMs = performance.now() - f0;
    summary = { seed, start, calls, setupMs, fuzzMs, byProcedure, byCaller, byOutcome, byProcedureOutcome, checks };
  } finally {
    await sessions.closeAll();
    stopError = await market.stop().then(() => undefined, (err: unknown) => err ?? new Error('the edge did not stop'));
  }
  // Only after a run that ended well: a failure to stop must not hide the violation that ended the run.
  if (stopError !== undefined) throw stopError;
  return summary;
}

/**
 * The summary as printable lines: time, outcomes by URI, and unless `brief`, calls per procedure and per
 * caller and the outcomes of each procedure's authorized calls (how deep the run got).
 */
export function formatSummary(s: FuzzSummary, brief = false): string {
  const uncalled = Object.entries(s.byProcedure).filter(([, v]) => v === 0).map(([k]) => k);
  const table = (m: Readonly<Record<string, number>>): string =>
    Object.entries(m).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => `  ${String(v).padStart(7)}  ${k}`).join('\n');
  const head = [
    `fuzz summary: seed ${s.seed}, calls ${s.start}…${s.start + s.calls - 1} (${s.calls}), ${s.checks} market checks`,
    `time: setup ${(s.setupMs / 1000).toFixed(1)} s, fuzz ${(s.fuzzMs / 1000).toFixed(1)} s (${(s.calls / (s.fuzzMs / 1000)).toFixed(0)} calls/s)`,
  ];
  if (brief) return [...head, 'outcomes:', table(s.byOutcome)].join('\n');
  return [
    ...head,
    'calls per procedure:', table(s.byProcedure),
    ...(uncalled.length > 0 && s.calls >= PROCEDURES.length * 10 ? [`never called: ${uncalled.join(', ')}`] : []),
    'calls per caller:', table(s.byCaller),
    'outcomes:', table(s.byOutcome),
    'outcomes of authorized calls, per procedure:',
    ...Object.entries(s.byProcedureOutcome).sort((a, b) => a[0].localeCompare(b[0])).map(([p, m]) =>
      `  ${p.replace('xbr.marketmaker.', '')}: ${Object.entries(m).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k.replace(/^(wamp|xbr|crossbar)\.(error\.|marketmaker\.error\.)?/, '')} ${v}`).join(', ')}`),
  ].join('\n');
}
