/**
 * Router benchmark: routed calls through our router and through fox-wamp (peer), side by side.
 *
 * - calls/s: one caller and one callee session; the callee registers `bench.echo` and yields its args
 *   back; the caller keeps W CALLs outstanding. Runs are interleaved across routers/serializers so
 *   drift on the machine hits all of them alike; the median of the runs is reported.
 * - p50/p99: a fixed offered rate (open loop): CALLs go out on a schedule at R calls/s, the same R for
 *   every router (half of fox-wamp's measured calls/s), whether or not earlier ones were answered, and
 *   each call's latency counts from its scheduled send time, so a router that stalls is charged for
 *   every call that waited behind the stall (no coordinated omission).
 * - seq_p50/seq_p99: one outstanding CALL at a time (round-trip time of an idle pipeline).
 * Both sessions live in this process and use bench/wamp-bench-client.ts; each router runs in its own
 * process (ours: the controller, which forks the router worker; fox-wamp: bench/peers/fox-router.cjs).
 */
import { Worker } from 'node:worker_threads';
import { BenchClient, type BenchSerializer, type CallCallback } from './wamp-bench-client.js';
import {
  INSTALL_TIMEOUT_MS,
  REALM,
  STARTUP_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  routerTargets,
  routerUrl,
  routersNote,
  startRouters,
  stopRouters,
  type RouterTarget,
} from './routers.js';
import {
  type ManagedProcess,
  OTHER_LOAD_PCT,
  describe,
  figure,
  loadWarnings,
  median,
  percentile,
  ratio,
  startCpuWindow,
  systemBusySeconds,
  type BenchContext,
  type CpuShares,
  positiveIntFromEnv,
} from './util.js';

/** Every router hosts the json and the msgpack sessions side by side, so each serializer gets its own procedure: bench.echo.json, bench.echo.msgpack. */
const PROCEDURE = 'bench.echo';
const PAYLOAD: unknown[] = [1, 'hello', { a: 1 }];

/** Time for WebSocket open + HELLO/WELCOME, REGISTER, the first CALL. */
const SESSION_TIMEOUT_MS = 5_000;
/** A measurement fails if no RESULT arrives for this long. */
const STALL_MS = 5_000;
/** Time for the outstanding window to drain after a run. */
const DRAIN_MS = 5_000;

interface Settings {
  window: number;
  warmupMs: number;
  runMs: number;
  runs: number;
  latWarmupMs: number;
  latMs: number;
  /** Fixed-rate calls per second; 0 = half of fox-wamp's measured calls/s (ours JSON when fox-wamp is unavailable). */
  rate: number;
  rateWarmupMs: number;
  /** Measured fixed-rate time per config, split into `runs` segments. */
  rateMs: number;
}

/** The fixed rate, as a share of the peer's peak: a load both routers sustain with room to spare. */
const RATE_SHARE = 0.5;
/** A fixed-rate backlog of more than this many seconds of calls means the offered rate was not sustained. */
const BACKLOG_WARN_S = 0.1;

function settings(quick: boolean): Settings {
  // 1024 outstanding calls saturate the router under test; with 64, both sides of the pipeline sit
  // idle between loopback wake-ups and the figure measures round trips rather than routing capacity.
  const window = positiveIntFromEnv('BENCH_ROUTER_WINDOW', 1024);
  const rate = process.env.BENCH_ROUTER_RATE === undefined ? 0 : positiveIntFromEnv('BENCH_ROUTER_RATE', 1);
  return quick
    ? { window, warmupMs: 300, runMs: 1000, runs: 3, latWarmupMs: 200, latMs: 1000, rate, rateWarmupMs: 300, rateMs: 3000 }
    : { window, warmupMs: 1000, runMs: 5000, runs: 3, latWarmupMs: 500, latMs: 3000, rate, rateWarmupMs: 500, rateMs: 9000 };
}

interface Config {
  target: RouterTarget;
  serializer: BenchSerializer;
  key: string;
  procedure: string;
  error: string | null;
  caller: BenchClient | null;
  callee: BenchClient | null;
  rates: number[];
  routerCpu: number[];
  clientCpu: number[];
  otherCpu: number[];
  /** Router CPU microseconds per routed call, per run. */
  cpuPerCall: number[];
  /** Sequential round trips, microseconds. */
  latencies: number[];
  seqP50: number | null;
  seqP99: number | null;
  /** Fixed-rate latencies from the scheduled send time, microseconds. */
  rateLatencies: number[];
  /** Fixed-rate send lag (actual send − scheduled send), microseconds: what the bench client itself adds. */
  sendLags: number[];
  maxOutstanding: number;
  p50: number | null;
  p99: number | null;
}

// ---------------------------------------------------------------------------------------------
// Sessions and measurements

async function setupConfig(cfg: Config): Promise<void> {
  const url = routerUrl(cfg.target);
  const opts = { url, realm: REALM, serializer: cfg.serializer, timeoutMs: SESSION_TIMEOUT_MS };
  cfg.callee = await BenchClient.connect(opts);
  await cfg.callee.register(cfg.procedure, (args) => args ?? [], SESSION_TIMEOUT_MS);
  cfg.caller = await BenchClient.connect(opts);
  const caller = cfg.caller;
  const result = await new Promise<unknown[] | undefined>((resolveCall, rejectCall) => {
    const timer = setTimeout(() => rejectCall(new Error(`no RESULT for the first CALL within ${SESSION_TIMEOUT_MS} ms`)), SESSION_TIMEOUT_MS);
    caller.call(cfg.procedure, PAYLOAD, (err, args) => {
      clearTimeout(timer);
      if (err) rejectCall(err);
      else resolveCall(args);
    });
  });
  if (JSON.stringify(result) !== JSON.stringify(PAYLOAD)) {
    throw new Error(`echo mismatch: sent ${JSON.stringify(PAYLOAD)}, got ${JSON.stringify(result)}`);
  }
}

interface ThroughputResult {
  rate: number;
  /** Percent of one core, during the measured interval. */
  routerCpu: number;
  clientCpu: number;
  /** Busy CPU of the whole machine minus router and client: other processes (and some kernel time). */
  otherCpu: number;
}

/** Keeps `window` CALLs outstanding: warm-up, then a measured interval, then drains the window. */
function throughputRun(caller: BenchClient, procedure: string, router: ManagedProcess, s: Settings): Promise<ThroughputResult> {
  return new Promise((resolveRun, rejectRun) => {
    let phase: 'warmup' | 'measure' | 'drain' | 'done' = 'warmup';
    let completed = 0;
    let t0 = 0;
    let c0 = 0;
    let endCpu: ((secs: number) => CpuShares) | null = null;
    let result: ThroughputResult | null = null;
    let lastSeen = -1;
    let lastChange = performance.now();
    const timers: NodeJS.Timeout[] = [];
    const finish = (err: Error | null): void => {
      if (phase === 'done') return;
      phase = 'done';
      for (const t of timers) clearTimeout(t);
      if (err) rejectRun(err);
      else if (result) resolveRun(result);
      else rejectRun(new Error('internal: run finished without a result'));
    };
    const onResult: CallCallback = (err) => {
      if (err) {
        finish(err);
        return;
      }
      completed++;
      if (phase === 'warmup' || phase === 'measure') caller.call(procedure, PAYLOAD, onResult);
      else if (phase === 'drain' && caller.outstandingCalls === 0) finish(null);
    };
    timers.push(
      setTimeout(() => {
        endCpu = startCpuWindow(router);
        c0 = completed;
        t0 = performance.now();
        phase = 'measure';
      }, s.warmupMs),
    );
    timers.push(
      setTimeout(() => {
        const t1 = performance.now();
        const c1 = completed;
        const secs = (t1 - t0) / 1000;
        const cpu = (endCpu as (secs: number) => CpuShares)(secs);
        result = { rate: (c1 - c0) / secs, routerCpu: cpu.router, clientCpu: cpu.client, otherCpu: cpu.other };
        phase = 'drain';
        if (caller.outstandingCalls === 0) finish(null);
        else timers.push(setTimeout(() => finish(new Error(`${caller.outstandingCalls} calls still outstanding ${DRAIN_MS / 1000} s after the run`)), DRAIN_MS));
      }, s.warmupMs + s.runMs),
    );
    const stall = setInterval(() => {
      if (completed !== lastSeen) {
        lastSeen = completed;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > STALL_MS) {
        finish(new Error(`no RESULT for ${STALL_MS / 1000} s (${caller.outstandingCalls} calls outstanding, ${completed} completed)`));
      }
    }, 250);
    timers.push(stall);
    for (let i = 0; i < s.window; i++) caller.call(procedure, PAYLOAD, onResult);
  });
}

/** Sequential calls for `durationMs` after `warmupMs`: returns the round-trip times in microseconds. */
function latencyRun(caller: BenchClient, procedure: string, warmupMs: number, durationMs: number): Promise<number[]> {
  return new Promise((resolveRun, rejectRun) => {
    const samples: number[] = [];
    let done = false;
    const start = performance.now();
    let measureStart = -1;
    let sent = 0;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearInterval(watch);
      if (err) rejectRun(err);
      else resolveRun(samples);
    };
    const onResult: CallCallback = (err) => {
      const now = performance.now();
      if (err) {
        finish(err);
        return;
      }
      if (measureStart >= 0) {
        samples.push((now - sent) * 1000);
        if (now - measureStart >= durationMs) {
          finish(null);
          return;
        }
      } else if (now - start >= warmupMs) {
        measureStart = now;
      }
      next();
    };
    const next = (): void => {
      if (done) return;
      sent = performance.now();
      caller.call(procedure, PAYLOAD, onResult);
    };
    const watch = setInterval(() => {
      if (performance.now() - sent > STALL_MS) finish(new Error(`no RESULT for ${STALL_MS / 1000} s`));
    }, 250);
    next();
  });
}

/**
 * The clock of a fixed-rate run, in a worker thread: it sleeps until the next call is due (Atomics.wait,
 * sub-millisecond) and then posts a tick, which wakes the main thread's event loop at once. The main
 * thread thus sleeps in its poll for I/O and ticks alike. Its first message is the schedule's start.
 * Timers cannot wait less than a millisecond,
 * and waiting in the main thread (Atomics.wait) would hold back RESULTs that arrive meanwhile (that
 * added about 0.5 ms to every call at 10,000 calls/s); polling with setImmediate would burn a core that
 * the routers under test need. Times are `performance.timeOrigin + performance.now()`, which both
 * threads share.
 */
const CLOCK_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { intervalMs, total } = workerData;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const now = () => performance.timeOrigin + performance.now();
const start = now() + 1;
parentPort.postMessage(start);
for (let i = 0; i < total; ) {
  const wait = start + i * intervalMs - now();
  if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
  parentPort.postMessage(0);
  i = Math.max(i + 1, Math.floor((now() - start) / intervalMs) + 1);
}
`;

const clockNow = (): number => performance.timeOrigin + performance.now();

interface FixedRateResult {
  /** Microseconds from each measured call's scheduled send time to its RESULT. */
  latencies: Float64Array;
  /** Microseconds from each measured call's scheduled send time to when it was handed to the socket. */
  sendLags: Float64Array;
  maxOutstanding: number;
}

/**
 * Open loop at `rate` calls/s: call i is due at start + i/rate and goes out at the first tick of the
 * clock (CLOCK_SOURCE) after that, however many calls are still unanswered. Calls due during the first
 * `warmupMs` are not measured. Resolves once every call is answered.
 */
function fixedRateRun(caller: BenchClient, procedure: string, rate: number, warmupMs: number, durationMs: number): Promise<FixedRateResult> {
  return new Promise((resolveRun, rejectRun) => {
    const intervalMs = 1000 / rate;
    const first = Math.ceil(warmupMs / intervalMs);
    const total = first + Math.max(1, Math.floor(durationMs / intervalMs));
    const latencies = new Float64Array(total - first);
    const sendLags = new Float64Array(total - first);
    let next = 0;
    let answered = 0;
    let maxOutstanding = 0;
    let done = false;
    let lastAnswer = performance.now();
    let start = Number.NaN;
    // No tsx in the clock: it is plain JavaScript and must start fast.
    const clock = new Worker(CLOCK_SOURCE, { eval: true, execArgv: [], workerData: { intervalMs, total } });
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearInterval(watch);
      void clock.terminate();
      if (err) rejectRun(err);
      else resolveRun({ latencies, sendLags, maxOutstanding });
    };
    const send = (i: number, due: number): void => {
      const slot = i - first;
      caller.call(procedure, PAYLOAD, (err) => {
        if (err) {
          finish(err);
          return;
        }
        lastAnswer = performance.now();
        if (slot >= 0) latencies[slot] = (clockNow() - due) * 1000;
        if (++answered === total) finish(null);
      });
      if (slot >= 0) sendLags[slot] = (clockNow() - due) * 1000;
    };
    const sendDue = (): void => {
      if (done) return;
      const now = clockNow();
      for (let due = start + next * intervalMs; next < total && due <= now; due = start + next * intervalMs) {
        send(next, due);
        next++;
      }
      if (next - answered > maxOutstanding) maxOutstanding = next - answered;
    };
    clock.on('message', (msg: number) => {
      if (Number.isNaN(start)) start = msg;
      sendDue();
    });
    // The clock ends after the tick of the last call; that tick may come after its exit.
    clock.on('exit', () => {
      if (!done && !Number.isNaN(start)) sendDue();
    });
    clock.on('error', (err) => finish(err));
    const watch = setInterval(() => {
      if (next > answered && performance.now() - lastAnswer > STALL_MS) {
        finish(new Error(`no RESULT for ${STALL_MS / 1000} s (${next - answered} calls outstanding, ${answered} answered)`));
      }
    }, 250);
  });
}

/** What a latency phase started from, for the other-load note at its end. */
interface PhaseStart {
  t: number;
  /** systemBusySeconds() */
  busy: number;
  /** CPU seconds of the routers and the bench process. */
  own: number;
}

/** The `# router <phase>: other processes used N % CPU` note, and a warning when the machine was busy. */
function otherLoadNote(ctx: BenchContext, phase: string, start: PhaseStart, ownCpu: () => number): void {
  const secs = (performance.now() - start.t) / 1000;
  const other = Math.max(0, ((systemBusySeconds() - start.busy - (ownCpu() - start.own)) / secs) * 100);
  if (!Number.isFinite(other)) return;
  ctx.out(`# router ${phase} phase: other processes used ${Math.round(other)} % CPU`);
  if (other >= OTHER_LOAD_PCT) ctx.out(`# WARNING router ${phase}: other processes used ${Math.round(other)} % CPU: the machine was not quiet, the latencies are unreliable`);
}

// ---------------------------------------------------------------------------------------------

export async function runRouterBench(ctx: BenchContext): Promise<boolean> {
  const s = settings(ctx.quick);
  const fmt = (ms: number): string => `${Number((ms / 1000).toFixed(2))} s`;
  ctx.out(`# router: procedure ${PROCEDURE}.<serializer>, args ${JSON.stringify(PAYLOAD)}; the callee yields its args back`);
  ctx.out('# router: caller and callee sessions in the bench process (bench/wamp-bench-client.ts on ws, anonymous); each router in its own process on 127.0.0.1');
  ctx.out(
    `# router: calls_per_s = ${s.window} CALLs outstanding, ${fmt(s.warmupMs)} warm-up + ${fmt(s.runMs)}, median of ${s.runs} runs interleaved across routers; ` +
      'router_cpu / client_cpu = CPU of the router process tree / of the bench process (both sessions) during those runs, 100 % = one core; ' +
      '"other" = busy CPU of the machine minus those two; router_cpu_per_call = router CPU time per routed call (less sensitive to other load than calls/s)',
  );
  ctx.out(
    `# router: p50 / p99 = fixed offered rate (open loop, the same for every router; see the rate line below), latency from each call's scheduled send time, ` +
      `${s.runs} segments of ${fmt(s.rateWarmupMs)} warm-up + ${fmt(s.rateMs / s.runs)} interleaved across routers, percentiles over all samples; ` +
      'send_lag = scheduled to actual send (the bench client\'s own share of those latencies)',
  );
  ctx.out(
    `# router: seq_p50 / seq_p99 = one outstanding CALL, ${s.runs} segments of ${fmt(s.latWarmupMs)} warm-up + ${fmt(s.latMs / s.runs)} interleaved across routers, percentiles over all samples`,
  );
  ctx.out(`# router: ${routersNote()}; fox-wamp does no authorization on call/register`);
  ctx.out('# router: ratios: calls_per_s ours / fox (higher is better); cpu_per_call, p50, p99, seq_p50, seq_p99 ours / fox (lower is better)');

  const targets = routerTargets();
  const configs: Config[] = [];
  for (const target of targets) {
    for (const serializer of target.serializers) {
      configs.push({
        target,
        serializer,
        key: `router.${target.name}.${serializer}`,
        procedure: `${PROCEDURE}.${serializer}`,
        error: null,
        caller: null,
        callee: null,
        rates: [],
        routerCpu: [],
        clientCpu: [],
        otherCpu: [],
        cpuPerCall: [],
        latencies: [],
        seqP50: null,
        seqP99: null,
        rateLatencies: [],
        sendLags: [],
        maxOutstanding: 0,
        p50: null,
        p99: null,
      });
    }
  }
  const fail = (cfg: Config, err: unknown): void => {
    if (cfg.error !== null) return;
    cfg.error = describe(err);
    ctx.out(`# ERROR ${cfg.key}: ${cfg.error}`);
  };
  const usable = (): Config[] => configs.filter((c) => c.error === null);

  try {
    await startRouters(targets, ctx, 'router');
    for (const cfg of configs) if (cfg.target.error !== null) cfg.error = 'router failed to start';

    for (const cfg of usable()) {
      try {
        await setupConfig(cfg);
        cfg.target.proc?.snapshotTree();
      } catch (err) {
        fail(cfg, `session setup: ${describe(err)}`);
      }
    }

    for (let run = 0; run < s.runs; run++) {
      for (const cfg of usable()) {
        ctx.log(`# ${cfg.key}: calls/s run ${run + 1}/${s.runs} ...`);
        try {
          const r = await throughputRun(cfg.caller as BenchClient, cfg.procedure, cfg.target.proc as ManagedProcess, s);
          cfg.rates.push(r.rate);
          cfg.routerCpu.push(r.routerCpu);
          cfg.clientCpu.push(r.clientCpu);
          cfg.otherCpu.push(r.otherCpu);
          cfg.cpuPerCall.push(r.rate > 0 ? ((r.routerCpu / 100) * 1e6) / r.rate : Number.NaN);
        } catch (err) {
          fail(cfg, `calls/s run ${run + 1}: ${describe(err)}`);
        }
      }
    }
    for (const cfg of configs) {
      const ok = cfg.error === null && cfg.rates.length > 0;
      if (ok) {
        const list = (xs: number[]): string => xs.map((x) => Math.round(x)).join(' ');
        ctx.out(`# ${cfg.key} runs: ${list(cfg.rates)} calls/s; router ${list(cfg.routerCpu)} %, client ${list(cfg.clientCpu)} %, other ${list(cfg.otherCpu)} % CPU`);
        loadWarnings(ctx, cfg.key, cfg.clientCpu, cfg.otherCpu);
      }
      figure(ctx, `${cfg.key}.calls_per_s`, ok ? median(cfg.rates) : null, 'calls/s');
      figure(ctx, `${cfg.key}.router_cpu`, ok ? median(cfg.routerCpu) : null, '%');
      figure(ctx, `${cfg.key}.client_cpu`, ok ? median(cfg.clientCpu) : null, '%');
      figure(ctx, `${cfg.key}.router_cpu_per_call`, ok ? median(cfg.cpuPerCall) : null, 'us', 1);
    }

    // Latency: the same interleaving, in `runs` segments per config; percentiles over all samples.
    const procs = targets.flatMap((t) => (t.proc ? [t.proc] : []));
    const ownCpu = (): number => {
      const u = process.cpuUsage();
      return procs.reduce((sum, p) => sum + (p.cpuSeconds() || 0), 0) + (u.user + u.system) / 1e6;
    };
    const lat0 = { t: performance.now(), busy: systemBusySeconds(), own: ownCpu() };
    for (let run = 0; run < s.runs; run++) {
      for (const cfg of usable()) {
        ctx.log(`# ${cfg.key}: latency segment ${run + 1}/${s.runs} ...`);
        try {
          const samples = await latencyRun(cfg.caller as BenchClient, cfg.procedure, s.latWarmupMs, s.latMs / s.runs);
          for (const x of samples) cfg.latencies.push(x);
        } catch (err) {
          fail(cfg, `latency segment ${run + 1}: ${describe(err)}`);
        }
      }
    }
    otherLoadNote(ctx, 'sequential latency', lat0, ownCpu);
    for (const cfg of configs) {
      const ok = cfg.error === null && cfg.latencies.length > 0;
      if (ok) {
        const sorted = Float64Array.from(cfg.latencies).sort();
        cfg.seqP50 = percentile(sorted, 0.5);
        cfg.seqP99 = percentile(sorted, 0.99);
        ctx.out(`# ${cfg.key} latency: ${sorted.length} sequential calls, min ${Math.round(sorted[0] as number)} us, max ${Math.round(sorted[sorted.length - 1] as number)} us`);
      }
      figure(ctx, `${cfg.key}.seq_p50`, ok ? cfg.seqP50 : null, 'us');
      figure(ctx, `${cfg.key}.seq_p99`, ok ? cfg.seqP99 : null, 'us');
    }

    const get = (name: string): Config | undefined => configs.find((c) => c.key === `router.${name}` && c.error === null);
    const oursJson = get('ours.json');
    const oursMsgpack = get('ours.msgpack');
    const foxJson = get('fox.json');
    const rate = (c: Config | undefined): number | null => (c?.rates.length ? median(c.rates) : null);

    // Fixed rate: the same offered load for every router, interleaved like the phases above.
    const peak = rate(foxJson) ?? rate(oursJson);
    const offered = s.rate > 0 ? s.rate : peak === null ? null : Math.max(100, Math.round((peak * RATE_SHARE) / 100) * 100);
    if (offered === null) {
      ctx.out('# router: fixed rate skipped: neither fox-wamp nor our JSON calls/s was measured');
    } else {
      ctx.out(
        `# router: fixed rate = ${offered} calls/s for every router (${s.rate > 0 ? 'BENCH_ROUTER_RATE' : `${RATE_SHARE * 100} % of ${rate(foxJson) !== null ? "fox-wamp's" : "our JSON (fox-wamp unavailable)"} measured ${Math.round(peak as number)} calls/s`})`,
      );
      const rate0 = { t: performance.now(), busy: systemBusySeconds(), own: ownCpu() };
      for (let run = 0; run < s.runs; run++) {
        for (const cfg of usable()) {
          ctx.log(`# ${cfg.key}: fixed-rate segment ${run + 1}/${s.runs} ...`);
          try {
            const r = await fixedRateRun(cfg.caller as BenchClient, cfg.procedure, offered, s.rateWarmupMs, s.rateMs / s.runs);
            for (const x of r.latencies) cfg.rateLatencies.push(x);
            for (const x of r.sendLags) cfg.sendLags.push(x);
            cfg.maxOutstanding = Math.max(cfg.maxOutstanding, r.maxOutstanding);
          } catch (err) {
            fail(cfg, `fixed-rate segment ${run + 1}: ${describe(err)}`);
          }
        }
      }
      otherLoadNote(ctx, 'fixed-rate latency', rate0, ownCpu);
    }
    for (const cfg of configs) {
      const ok = cfg.error === null && cfg.rateLatencies.length > 0;
      if (ok) {
        const sorted = Float64Array.from(cfg.rateLatencies).sort();
        const lags = Float64Array.from(cfg.sendLags).sort();
        cfg.p50 = percentile(sorted, 0.5);
        cfg.p99 = percentile(sorted, 0.99);
        const us = (x: number): string => `${Math.round(x)} us`;
        ctx.out(
          `# ${cfg.key} fixed rate: ${sorted.length} calls, p99.9 ${us(percentile(sorted, 0.999))}, max ${us(sorted[sorted.length - 1] as number)}, ` +
            `at most ${cfg.maxOutstanding} outstanding; send_lag p50 ${us(percentile(lags, 0.5))}, p99 ${us(percentile(lags, 0.99))}`,
        );
        if (offered !== null && cfg.maxOutstanding > offered * BACKLOG_WARN_S) {
          ctx.out(
            `# WARNING ${cfg.key} fixed rate: up to ${cfg.maxOutstanding} calls outstanding, more than ${BACKLOG_WARN_S * 1000} ms of the offered rate: ` +
              'the router (or the machine) fell behind, so its latencies are mostly queueing',
          );
        }
      }
      figure(ctx, `${cfg.key}.p50`, ok ? cfg.p50 : null, 'us');
      figure(ctx, `${cfg.key}.p99`, ok ? cfg.p99 : null, 'us');
    }

    figure(ctx, 'router.ratio.json_vs_fox', ratio(rate(oursJson), rate(foxJson)), 'x', 2);
    figure(ctx, 'router.ratio.msgpack_vs_fox', ratio(rate(oursMsgpack), rate(foxJson)), 'x', 2);
    const cpc = (c: Config | undefined): number | null => (c?.cpuPerCall.length ? median(c.cpuPerCall) : null);
    figure(ctx, 'router.ratio.json_cpu_per_call_vs_fox', ratio(cpc(oursJson), cpc(foxJson)), 'x', 2);
    figure(ctx, 'router.ratio.msgpack_cpu_per_call_vs_fox', ratio(cpc(oursMsgpack), cpc(foxJson)), 'x', 2);
    figure(ctx, 'router.ratio.json_p50_vs_fox', ratio(oursJson?.p50, foxJson?.p50), 'x', 2);
    figure(ctx, 'router.ratio.json_p99_vs_fox', ratio(oursJson?.p99, foxJson?.p99), 'x', 2);
    figure(ctx, 'router.ratio.json_seq_p50_vs_fox', ratio(oursJson?.seqP50, foxJson?.seqP50), 'x', 2);
    figure(ctx, 'router.ratio.json_seq_p99_vs_fox', ratio(oursJson?.seqP99, foxJson?.seqP99), 'x', 2);
  } finally {
    await Promise.all(
      configs.flatMap((c) => [c.caller, c.callee]).map((client) => (client ? client.close(1000).catch(() => undefined) : Promise.resolve())),
    );
    await stopRouters(targets, ctx, 'router');
  }
  // The bench fails if our router could not be measured; an unavailable peer only costs the ratios.
  return configs.every((c) => c.target.name !== 'ours' || c.error === null);
}

/** Upper bound for the whole router part after fox-wamp is installed (for the watchdog in index.ts). */
export function routerBudgetMs(quick: boolean): number {
  const s = settings(quick);
  const configs = 3;
  const measure =
    configs * s.runs * (s.warmupMs + s.runMs + DRAIN_MS) +
    configs * s.runs * (s.latWarmupMs + s.latMs / s.runs + STALL_MS) +
    configs * s.runs * (s.rateWarmupMs + s.rateMs / s.runs + STALL_MS);
  const setup = 2 * STARTUP_TIMEOUT_MS + configs * 4 * SESSION_TIMEOUT_MS + 2 * STOP_TIMEOUT_MS;
  return measure + setup + INSTALL_TIMEOUT_MS;
}
