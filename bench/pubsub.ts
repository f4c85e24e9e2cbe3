/**
 * Pub/sub fan-out benchmark: one publisher and N subscriber sessions on one topic, through our router
 * (json, msgpack) and through fox-wamp (json, peer), side by side.
 *
 * - The publisher sends acknowledged PUBLISHes (`acknowledge: true`, exclude_me at its default; the
 *   publisher does not subscribe, so the events counted are exactly those of the N subscribers) of
 *   `[1, 'hello', {a: 1}, <256-byte blob>]` and keeps W publications outstanding. A publication stops
 *   being outstanding when its PUBLISHED has arrived AND every subscriber has its EVENT: both routers
 *   send PUBLISHED right after handing the events to the subscribers' connections, before those are on
 *   the wire, so a window over PUBLISHED alone bounds nothing on the subscriber side: if the subscribers
 *   read slower than the publisher is acknowledged, the events pile up in the router's send queues (our
 *   router closes a connection whose backlog passes 64 MiB) and the figure measures buffering, not
 *   delivery. (On the 2-core reference machine both windows gave the same figures within noise.)
 * - events_per_s = EVENTs received by the N subscribers together per second; publications_per_s =
 *   PUBLISHED per second; router_cpu_per_event = router CPU time per delivered EVENT.
 * - Every run is verified: each subscriber must receive every publication of the run (in particular
 *   every one made during the measured interval), in publication order (matched by publication id
 *   against the PUBLISHED sequence); a missing or reordered event is an `# ERROR`.
 * All sessions live in this process (bench/wamp-bench-client.ts); each router runs in its own process.
 * Runs are interleaved across routers/serializers; the median of the runs is reported.
 */
import { BenchClient, type BenchSerializer, type PublishCallback } from './wamp-bench-client.js';
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
import { type ManagedProcess, describe, figure, loadWarnings, median, ratio, startCpuWindow, type BenchContext, type CpuShares, positiveIntFromEnv } from './util.js';

/** Each serializer gets its own topic (bench.fanout.json, bench.fanout.msgpack), as every router hosts both side by side. */
const TOPIC = 'bench.fanout';
const SUBSCRIBERS = 10;
const BLOB = Uint8Array.from({ length: 256 }, (_, i) => (i * 7 + 3) & 0xff);
/** The payload per serializer: msgpack carries the blob as bin, JSON as the WAMP JSON serializer's `"\u0000" + base64` string. */
const ARGS: Record<BenchSerializer, unknown[]> = {
  msgpack: [1, 'hello', { a: 1 }, BLOB],
  json: [1, 'hello', { a: 1 }, `\u0000${Buffer.from(BLOB).toString('base64')}`],
};
const PAYLOAD_NOTE = "[1, 'hello', {a: 1}, <256-byte blob>] (msgpack bin / JSON \"\\u0000\"+base64)";

/** Time for WebSocket open + HELLO/WELCOME, SUBSCRIBE, UNSUBSCRIBE, the probe publication. */
const SESSION_TIMEOUT_MS = 5_000;
/** A run fails if neither a PUBLISHED nor an EVENT arrives for this long. */
const STALL_MS = 5_000;
/** Time for the outstanding publications to be acknowledged and delivered after a run. */
const DRAIN_MS = 5_000;

interface Settings {
  window: number;
  warmupMs: number;
  runMs: number;
  runs: number;
}

function settings(quick: boolean): Settings {
  // Outstanding publications (each is N events in flight, ~0.4 KiB each). 512 fills the pipeline for
  // both routers: fox-wamp's router process is then at 100 % of a core, and ours is limited by the bench
  // process (10 subscribers decoding every event) at ~100 % of a core. Up to 128 neither side is busy
  // (both wait on loopback wake-ups; the rate is flat from 32 to 128, ~60 % CPU each), and above 512
  // nothing improves: a larger window only adds buffered bytes.
  const window = positiveIntFromEnv('BENCH_PUBSUB_WINDOW', 512);
  return quick ? { window, warmupMs: 300, runMs: 1000, runs: 3 } : { window, warmupMs: 1000, runMs: 5000, runs: 3 };
}

/** Where one subscriber stands in the current run's publication sequence. */
interface Track {
  /** Publications (in PUBLISHED order) this subscriber has received, in order. */
  cursor: number;
  /** EVENTs received in this run. */
  received: number;
  /** Publications of the measured interval received, in order. */
  inInterval: number;
  /**
   * Publication ids not matched yet: received before the publisher had their PUBLISHED (the sockets
   * race), or queued behind such an id; matched in arrival order once their PUBLISHED is there.
   */
  ahead: (number | string)[];
  /** Publications skipped (an EVENT for a later publication arrived first). */
  missing: number;
  /** EVENTs matching no later publication: duplicated, reordered or unknown. */
  unexpected: number;
  firstProblem: string | null;
}

type Sink = (subscriber: number, publication: number | string, args: unknown[] | undefined) => void;

interface Config {
  target: RouterTarget;
  serializer: BenchSerializer;
  key: string;
  topic: string;
  args: unknown[];
  error: string | null;
  publisher: BenchClient | null;
  subscribers: BenchClient[];
  subscriptions: (number | string)[];
  /** Where the subscribers' EVENTs go (the probe's or the current run's handler). */
  sink: Sink;
  eventRates: number[];
  publicationRates: number[];
  routerCpu: number[];
  clientCpu: number[];
  otherCpu: number[];
  /** Router CPU microseconds per delivered event, per run. */
  cpuPerEvent: number[];
  /** Publications of each run's measured interval, each verified at every subscriber. */
  verified: number[];
}

const noSink: Sink = () => undefined;

// ---------------------------------------------------------------------------------------------
// Sessions

function sameArgs(serializer: BenchSerializer, got: unknown[] | undefined, want: unknown[]): boolean {
  if (!Array.isArray(got) || got.length !== want.length) return false;
  if (serializer === 'json') return JSON.stringify(got) === JSON.stringify(want);
  const blob = got[3];
  return (
    JSON.stringify(got.slice(0, 3)) === JSON.stringify(want.slice(0, 3)) &&
    blob instanceof Uint8Array &&
    Buffer.compare(Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength), Buffer.from(BLOB)) === 0
  );
}

function describeArgs(args: unknown[] | undefined): string {
  return JSON.stringify(args, (_, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : typeof v === 'string' && v.length > 40 ? `${v.slice(0, 40)}…` : v));
}

/** Connects and subscribes the N subscribers, connects the publisher, and checks one publication end to end. */
async function setupConfig(cfg: Config): Promise<void> {
  const opts = { url: routerUrl(cfg.target), realm: REALM, serializer: cfg.serializer, timeoutMs: SESSION_TIMEOUT_MS };
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = await BenchClient.connect(opts);
    cfg.subscribers.push(client);
    const index = i;
    cfg.subscriptions.push(await client.subscribe(cfg.topic, (publication, args) => cfg.sink(index, publication, args), SESSION_TIMEOUT_MS));
  }
  cfg.publisher = await BenchClient.connect(opts);
  const publisher = cfg.publisher;

  // Probe: one publication must reach every subscriber exactly once, with the payload intact.
  const got: (unknown[] | undefined)[][] = cfg.subscribers.map(() => []);
  let published: number | string | null = null;
  try {
    await new Promise<void>((resolveProbe, rejectProbe) => {
      const timer = setTimeout(() => {
        const counts = got.map((g) => g.length).join(' ');
        rejectProbe(new Error(`probe publication: PUBLISHED ${published === null ? 'missing' : 'ok'}, events per subscriber ${counts} within ${SESSION_TIMEOUT_MS} ms`));
      }, SESSION_TIMEOUT_MS);
      const check = (): void => {
        if (published !== null && got.every((g) => g.length >= 1)) {
          clearTimeout(timer);
          resolveProbe();
        }
      };
      cfg.sink = (subscriber, _publication, args) => {
        got[subscriber]?.push(args);
        check();
      };
      publisher.publish(cfg.topic, cfg.args, (err, publication) => {
        if (err) {
          clearTimeout(timer);
          rejectProbe(new Error(`probe publication: ${err.message}`));
          return;
        }
        published = publication;
        check();
      });
    });
    // Let a duplicate show up, if the router sends one.
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    cfg.sink = noSink;
  }
  for (const [i, g] of got.entries()) {
    if (g.length !== 1) throw new Error(`probe publication: subscriber ${i + 1} received ${g.length} events`);
    if (!sameArgs(cfg.serializer, g[0], cfg.args)) {
      throw new Error(`probe publication: subscriber ${i + 1} received args ${describeArgs(g[0])}, published ${describeArgs(cfg.args)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface RunResult {
  eventRate: number;
  publicationRate: number;
  cpu: CpuShares;
  /** Publications made during the measured interval (each verified at every subscriber). */
  intervalPublications: number;
}

/**
 * Keeps `window` publications outstanding: warm-up, then a measured interval, then drains (every
 * publication acknowledged and delivered to every subscriber) and verifies the delivery.
 */
function fanoutRun(cfg: Config, router: ManagedProcess, s: Settings): Promise<RunResult> {
  const publisher = cfg.publisher as BenchClient;
  const { topic, args } = cfg;
  const tracks: Track[] = cfg.subscribers.map(() => ({
    cursor: 0,
    received: 0,
    inInterval: 0,
    ahead: [],
    missing: 0,
    unexpected: 0,
    firstProblem: null,
  }));
  /** Publication ids in PUBLISHED order (= publication order: one publisher session), and their indexes. */
  const pubIds: (number | string)[] = [];
  const pubIndex = new Map<number | string, number>();
  let sent = 0;
  let events = 0;
  /** Publication indexes [p0, p1) are the measured interval's. */
  let p0 = Number.POSITIVE_INFINITY;
  let p1 = Number.POSITIVE_INFINITY;
  let phase: 'warmup' | 'measure' | 'drain' | 'done' = 'warmup';

  return new Promise<RunResult>((resolveRun, rejectRun) => {
    let result: RunResult | null = null;
    const timers: NodeJS.Timeout[] = [];
    const finish = (err: Error | null): void => {
      if (phase === 'done') return;
      phase = 'done';
      cfg.sink = noSink;
      for (const t of timers) clearTimeout(t);
      if (err) rejectRun(err);
      else if (result) resolveRun(result);
      else rejectRun(new Error('internal: run finished without a result'));
    };

    const problem = (t: Track, text: string): void => {
      if (t.firstProblem === null) t.firstProblem = text;
    };
    /** Matches a subscriber's EVENT against the publication sequence; the PUBLISHED for `at` has arrived. */
    const matchAt = (t: Track, publication: number | string, at: number): void => {
      const index = t.cursor;
      if (at === index) {
        if (index >= p0 && index < p1) t.inInterval++;
        t.cursor = index + 1;
      } else if (at > index) {
        t.missing += at - index;
        problem(t, `publication #${index + 1} (id ${String(pubIds[index])}) missing, the next one received was #${at + 1}`);
        if (at >= p0 && at < p1) t.inInterval++;
        t.cursor = at + 1;
      } else {
        t.unexpected++;
        problem(t, `publication #${at + 1} (id ${String(publication)}) received again or late, after #${index}`);
      }
    };
    /** Matches the queued ids whose PUBLISHED has arrived, in order; stops at the first that is still ahead. */
    const settle = (t: Track): void => {
      while (t.ahead.length !== 0) {
        const publication = t.ahead[0] as number | string;
        const at = pubIndex.get(publication);
        if (at === undefined) return;
        t.ahead.shift();
        matchAt(t, publication, at);
      }
    };
    /** Publications acknowledged and delivered to every subscriber. */
    const completed = (): number => {
      let done = pubIds.length;
      for (const t of tracks) if (t.cursor < done) done = t.cursor;
      return done;
    };
    /** One line per subscriber that lacks publications or received wrong ones (all of them up to `sent` count). */
    const problems = (): string[] =>
      tracks.flatMap((t, i) => {
        const notYet = sent - t.cursor;
        const inInterval = Number.isFinite(p1) ? `, ${t.inInterval}/${p1 - p0} of the measured interval` : '';
        if (t.missing === 0 && t.unexpected === 0 && notYet === 0 && t.received === sent && t.ahead.length === 0 && (!Number.isFinite(p1) || t.inInterval === p1 - p0)) {
          return [];
        }
        return [
          `subscriber ${i + 1}: ${t.received} events for ${sent} publications${inInterval}, ${t.missing} skipped, ${notYet} not (yet) received, ` +
            `${t.unexpected} duplicated/reordered, ${t.ahead.length} unmatched${t.firstProblem === null ? '' : ` (first: ${t.firstProblem})`}`,
        ];
      });
    const summary = (list: string[]): string => `${list.slice(0, 3).join('; ')}${list.length > 3 ? `; and ${list.length - 3} more subscribers` : ''}`;
    const drained = (): boolean => {
      if (pubIds.length !== sent) return false;
      for (const t of tracks) if (t.cursor !== sent || t.ahead.length !== 0) return false;
      return true;
    };
    const onPublished: PublishCallback = (err, publication) => {
      if (err) {
        finish(new Error(`PUBLISH #${pubIds.length + 1}: ${err.message}`));
        return;
      }
      pubIndex.set(publication, pubIds.length);
      pubIds.push(publication);
      for (const t of tracks) if (t.ahead.length !== 0) settle(t);
      pump();
    };
    const pump = (): void => {
      if (phase === 'warmup' || phase === 'measure') {
        let free = s.window - (sent - completed());
        while (free-- > 0) {
          sent++;
          publisher.publish(topic, args, onPublished);
        }
      } else if (phase === 'drain' && drained()) {
        // Every subscriber must have every publication of the run, in order, and nothing else.
        const list = problems();
        finish(list.length ? new Error(`delivery check failed: ${summary(list)}`) : null);
      }
    };
    cfg.sink = (subscriber, publication) => {
      const t = tracks[subscriber] as Track;
      events++;
      t.received++;
      if (t.ahead.length === 0 && pubIds[t.cursor] === publication) {
        if (t.cursor >= p0 && t.cursor < p1) t.inInterval++;
        t.cursor++;
      } else {
        t.ahead.push(publication);
        settle(t);
      }
      pump();
    };

    let e0 = 0;
    let a0 = 0;
    let t0 = 0;
    let endCpu: ((secs: number) => CpuShares) | null = null;
    timers.push(
      setTimeout(() => {
        endCpu = startCpuWindow(router);
        e0 = events;
        a0 = pubIds.length;
        p0 = sent;
        t0 = performance.now();
        phase = 'measure';
      }, s.warmupMs),
    );
    timers.push(
      setTimeout(() => {
        const t1 = performance.now();
        const e1 = events;
        const a1 = pubIds.length;
        p1 = sent;
        const secs = (t1 - t0) / 1000;
        const cpu = (endCpu as (secs: number) => CpuShares)(secs);
        result = { eventRate: (e1 - e0) / secs, publicationRate: (a1 - a0) / secs, cpu, intervalPublications: p1 - p0 };
        phase = 'drain';
        timers.push(
          setTimeout(() => {
            finish(new Error(`not drained ${DRAIN_MS / 1000} s after the run: ${sent} published, ${pubIds.length} acknowledged; ${summary(problems())}`));
          }, DRAIN_MS),
        );
        pump();
      }, s.warmupMs + s.runMs),
    );
    let lastSeen = -1;
    let lastChange = performance.now();
    const stall = setInterval(() => {
      const progress = events + pubIds.length;
      if (progress !== lastSeen) {
        lastSeen = progress;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > STALL_MS) {
        const counts = tracks.map((t) => t.received).join(' ');
        const list = problems();
        finish(
          new Error(
            `no PUBLISHED or EVENT for ${STALL_MS / 1000} s (${sent} published, ${pubIds.length} acknowledged, events per subscriber ${counts})${list.length ? `; ${summary(list)}` : ''}`,
          ),
        );
      }
    }, 250);
    timers.push(stall);
    pump();
  });
}

// ---------------------------------------------------------------------------------------------

export async function runPubsubBench(ctx: BenchContext): Promise<boolean> {
  const s = settings(ctx.quick);
  const fmt = (ms: number): string => `${Number((ms / 1000).toFixed(2))} s`;
  ctx.out(`# pubsub: topic ${TOPIC}.<serializer>, 1 publisher + ${SUBSCRIBERS} subscriber sessions, args ${PAYLOAD_NOTE}`);
  ctx.out(
    '# pubsub: all sessions in the bench process (bench/wamp-bench-client.ts on ws, anonymous); each router in its own process on 127.0.0.1; ' +
      'PUBLISH with acknowledge: true, exclude_me at its default (the publisher does not subscribe)',
  );
  ctx.out(
    `# pubsub: ${s.window} publications outstanding (one is outstanding until PUBLISHED and all ${SUBSCRIBERS} EVENTs arrived), ` +
      `${fmt(s.warmupMs)} warm-up + ${fmt(s.runMs)}, median of ${s.runs} runs interleaved across routers; ` +
      `events_per_s = EVENTs received by the ${SUBSCRIBERS} subscribers together; publications_per_s = PUBLISHED received; ` +
      'router_cpu / client_cpu = CPU of the router process tree / of the bench process (all sessions), 100 % = one core; ' +
      'router_cpu_per_event = router CPU time per delivered EVENT',
  );
  ctx.out(`# pubsub: every run checks that each subscriber received every publication of the run in order (matched by publication id)`);
  ctx.out(`# pubsub: ${routersNote()}`);
  ctx.out('# pubsub: ratios: events_per_s ours / fox (higher is better); cpu_per_event ours / fox (lower is better)');

  const targets = routerTargets();
  const configs: Config[] = targets.flatMap((target) =>
    target.serializers.map((serializer) => ({
      target,
      serializer,
      key: `pubsub.${target.name}.${serializer}`,
      topic: `${TOPIC}.${serializer}`,
      args: ARGS[serializer],
      error: null,
      publisher: null,
      subscribers: [],
      subscriptions: [],
      sink: noSink,
      eventRates: [],
      publicationRates: [],
      routerCpu: [],
      clientCpu: [],
      otherCpu: [],
      cpuPerEvent: [],
      verified: [],
    })),
  );
  const fail = (cfg: Config, err: unknown): void => {
    if (cfg.error !== null) return;
    cfg.error = describe(err);
    ctx.out(`# ERROR ${cfg.key}: ${cfg.error}`);
  };
  const usable = (): Config[] => configs.filter((c) => c.error === null);
  const clients = (c: Config): BenchClient[] => (c.publisher ? [c.publisher, ...c.subscribers] : c.subscribers);

  try {
    await startRouters(targets, ctx, 'pubsub');
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
        ctx.log(`# ${cfg.key}: fan-out run ${run + 1}/${s.runs} ...`);
        try {
          const r = await fanoutRun(cfg, cfg.target.proc as ManagedProcess, s);
          cfg.eventRates.push(r.eventRate);
          cfg.publicationRates.push(r.publicationRate);
          cfg.routerCpu.push(r.cpu.router);
          cfg.clientCpu.push(r.cpu.client);
          cfg.otherCpu.push(r.cpu.other);
          cfg.cpuPerEvent.push(r.eventRate > 0 ? ((r.cpu.router / 100) * 1e6) / r.eventRate : Number.NaN);
          cfg.verified.push(r.intervalPublications);
        } catch (err) {
          fail(cfg, `fan-out run ${run + 1}: ${describe(err)}`);
        }
      }
    }

    // UNSUBSCRIBE every subscriber; no session may have seen an EVENT for a subscription it does not hold.
    await Promise.all(
      usable().map(async (cfg) => {
        try {
          await Promise.all(cfg.subscribers.map((client, i) => client.unsubscribe(cfg.subscriptions[i] as number | string, SESSION_TIMEOUT_MS)));
          const stray = clients(cfg).reduce((sum, c) => sum + c.strayEvents, 0);
          if (stray > 0) throw new Error(`${stray} EVENTs for subscriptions the sessions do not hold`);
        } catch (err) {
          fail(cfg, `unsubscribe: ${describe(err)}`);
        }
      }),
    );

    for (const cfg of configs) {
      const ok = cfg.error === null && cfg.eventRates.length > 0;
      if (ok) {
        const list = (xs: number[]): string => xs.map((x) => Math.round(x)).join(' ');
        ctx.out(
          `# ${cfg.key} runs: ${list(cfg.eventRates)} events/s, ${list(cfg.publicationRates)} publications/s; ` +
            `router ${list(cfg.routerCpu)} %, client ${list(cfg.clientCpu)} %, other ${list(cfg.otherCpu)} % CPU`,
        );
        ctx.out(`# ${cfg.key} verified: every subscriber received all ${cfg.verified.join(' / ')} publications of the measured intervals, in order`);
        loadWarnings(ctx, cfg.key, cfg.clientCpu, cfg.otherCpu);
      }
      figure(ctx, `${cfg.key}.events_per_s`, ok ? median(cfg.eventRates) : null, 'events/s');
      figure(ctx, `${cfg.key}.publications_per_s`, ok ? median(cfg.publicationRates) : null, 'publications/s');
      figure(ctx, `${cfg.key}.router_cpu`, ok ? median(cfg.routerCpu) : null, '%');
      figure(ctx, `${cfg.key}.client_cpu`, ok ? median(cfg.clientCpu) : null, '%');
      figure(ctx, `${cfg.key}.router_cpu_per_event`, ok ? median(cfg.cpuPerEvent) : null, 'us', 2);
    }

    const get = (name: string): Config | undefined => configs.find((c) => c.key === `pubsub.${name}` && c.error === null);
    const oursJson = get('ours.json');
    const oursMsgpack = get('ours.msgpack');
    const foxJson = get('fox.json');
    const rate = (c: Config | undefined): number | null => (c?.eventRates.length ? median(c.eventRates) : null);
    const cpe = (c: Config | undefined): number | null => (c?.cpuPerEvent.length ? median(c.cpuPerEvent) : null);
    figure(ctx, 'pubsub.ratio.json_vs_fox', ratio(rate(oursJson), rate(foxJson)), 'x', 2);
    figure(ctx, 'pubsub.ratio.msgpack_vs_fox', ratio(rate(oursMsgpack), rate(foxJson)), 'x', 2);
    figure(ctx, 'pubsub.ratio.json_cpu_per_event_vs_fox', ratio(cpe(oursJson), cpe(foxJson)), 'x', 2);
    figure(ctx, 'pubsub.ratio.msgpack_cpu_per_event_vs_fox', ratio(cpe(oursMsgpack), cpe(foxJson)), 'x', 2);
  } finally {
    await Promise.all(configs.flatMap(clients).map((client) => client.close(1000).catch(() => undefined)));
    await stopRouters(targets, ctx, 'pubsub');
  }
  // The part fails if our router could not be measured (or lost or reordered events); an unavailable peer only costs the ratios.
  return configs.every((c) => c.target.name !== 'ours' || c.error === null);
}

/** Upper bound for the whole pubsub part after fox-wamp is installed (for the watchdog in index.ts). */
export function pubsubBudgetMs(quick: boolean): number {
  const s = settings(quick);
  const configs = 3;
  const measure = configs * s.runs * (s.warmupMs + s.runMs + DRAIN_MS + 1000);
  // Per config: N + 1 connects, N subscribes, the probe, the unsubscribes; closing takes up to 2 s.
  const setup = 2 * STARTUP_TIMEOUT_MS + configs * ((2 * SUBSCRIBERS + 3) * SESSION_TIMEOUT_MS + 2000) + 2 * STOP_TIMEOUT_MS;
  return measure + setup + INSTALL_TIMEOUT_MS;
}
