/**
 * The router's metrics: sessions per realm, WAMP messages in and out by type, ERROR messages sent by URI,
 * calls and call latency per realm. The hot path only adds to plain counters (an array slot, a number);
 * the prom-client metrics read them when scraped, so routing a message costs no label lookup. The one
 * exception is the call duration histogram: prom-client has no way to take bucket counts kept elsewhere,
 * so each routed call's duration goes to it directly.
 *
 * Labels stay bounded: a message type is one of WAMP's, a realm is one of the config's, and an error URI is
 * one of our catalog or `other` (a callee may raise any URI it likes).
 */
import { counter, gauge, histogram, LATENCY_BUCKETS_S } from '../../process/index.js';
import { CATALOG_ERROR_URIS } from '../../schema/index.js';
import { MessageType } from '../wamp/messages.js';

const TYPE_NAMES: readonly (string | undefined)[] = (() => {
  const names: (string | undefined)[] = [];
  for (const [name, code] of Object.entries(MessageType)) names[code] = name;
  return names;
})();

const received = new Float64Array(TYPE_NAMES.length);
const sent = new Float64Array(TYPE_NAMES.length);
const errorsSent = new Map<string, number>();

/** Counts a message a client sent. */
export function countReceived(type: number): void {
  received[type] = (received[type] ?? 0) + 1;
}

/** Counts a message sent to a client: `[type, ...]`; an ERROR by its URI (index 4). */
export function countSent(message: readonly unknown[]): void {
  const type = message[0] as number;
  sent[type] = (sent[type] ?? 0) + 1;
  if (type === MessageType.ERROR) {
    const uri = typeof message[4] === 'string' && CATALOG_ERROR_URIS.has(message[4]) ? message[4] : 'other';
    errorsSent.set(uri, (errorsSent.get(uri) ?? 0) + 1);
  }
}

/** Adds what `counts` gained since the last scrape to `metric`, one label set per slot. */
function addDeltas(metric: { inc(labels: Record<string, string>, value: number): void }, label: string, counts: Float64Array, seen: Float64Array): void {
  for (let i = 0; i < counts.length; i++) {
    const delta = counts[i]! - seen[i]!;
    if (delta > 0 && TYPE_NAMES[i] !== undefined) {
      metric.inc({ [label]: TYPE_NAMES[i]! }, delta);
      seen[i] = counts[i]!;
    }
  }
}

const receivedSeen = new Float64Array(TYPE_NAMES.length);
const sentSeen = new Float64Array(TYPE_NAMES.length);
const errorsSeen = new Map<string, number>();

counter({
  name: 'xbr_wamp_messages_received_total',
  help: 'WAMP messages received from clients, by message type.',
  labelNames: ['type'] as const,
  collect() {
    addDeltas(this, 'type', received, receivedSeen);
  },
});

counter({
  name: 'xbr_wamp_messages_sent_total',
  help: 'WAMP messages sent to clients, by message type.',
  labelNames: ['type'] as const,
  collect() {
    addDeltas(this, 'type', sent, sentSeen);
  },
});

counter({
  name: 'xbr_wamp_errors_total',
  help: 'ERROR messages sent to clients, by error URI (URIs outside the xbr-edge catalog as "other").',
  labelNames: ['uri'] as const,
  collect() {
    for (const [uri, n] of errorsSent) {
      const delta = n - (errorsSeen.get(uri) ?? 0);
      if (delta > 0) this.inc({ uri }, delta);
      errorsSeen.set(uri, n);
    }
  },
});

/** The realms of this process's routers, read when the session gauge is scraped (a router lives as long as its process). */
const realms = new Set<RealmView>();

/** What the session gauge reads of a realm. */
interface RealmView {
  readonly name: string;
  readonly sessions: { readonly size: number };
}

gauge({
  name: 'xbr_wamp_sessions',
  help: 'WAMP sessions joined, by realm.',
  labelNames: ['realm'] as const,
  collect() {
    this.reset();
    for (const r of realms) this.inc({ realm: r.name }, r.sessions.size);
  },
});

/** CALLs per realm since start, and how many of them the counter has been given. */
interface CallCount {
  readonly realm: string;
  calls: number;
  reported: number;
}

const callCounts = new Set<CallCount>();

counter({
  name: 'xbr_wamp_calls_total',
  help: 'CALL messages routed, by realm.',
  labelNames: ['realm'] as const,
  collect() {
    for (const c of callCounts) {
      if (c.calls > c.reported) this.inc({ realm: c.realm }, c.calls - c.reported);
      c.reported = c.calls;
    }
  },
});
const callDuration = histogram({
  name: 'xbr_wamp_call_duration_seconds',
  help: 'Time from a CALL to its final RESULT or ERROR, for calls routed to a callee, by realm.',
  labelNames: ['realm'] as const,
  buckets: LATENCY_BUCKETS_S,
});

/** What the dealer of one realm counts. */
export interface RealmTraffic {
  /** A CALL arrived. */
  call(): void;
  /** A routed call ended after `seconds`. */
  callEnded(seconds: number): void;
}

/** The traffic counters of `realm` (its session count is read from it at each scrape). */
export function realmTraffic(realm: RealmView): RealmTraffic {
  realms.add(realm);
  const count: CallCount = { realm: realm.name, calls: 0, reported: 0 };
  callCounts.add(count);
  const durations = callDuration.labels({ realm: realm.name });
  return {
    call: () => void count.calls++,
    callEnded: (seconds) => durations.observe(seconds),
  };
}
