/**
 * The node's own view of how long purchases took, from its `/metrics`, read before and after a run: the maker's
 * `xbr_purchase_duration_seconds{outcome="sold"}` (its answer time: its commits, its event loop, the seller's
 * round trip) and the router's `xbr_wamp_call_duration_seconds{realm}` (CALL to RESULT as the router saw it:
 * each purchase is two calls there, the buyer's `buy_key` and, inside it, the maker's `sell`). Set beside the
 * round trip the clients measured, they say whether a slow purchase was slow inside the maker, in the router,
 * or in the client process.
 */

/** Cumulative counts of a histogram by bucket upper bound (`le`, seconds; `+Inf` as Infinity). */
export type Buckets = Map<number, number>;

/** The histograms read at one instant. */
export interface NodeLatency {
  /** The maker's sold purchases, summed over its markets. */
  maker: Buckets;
  /** The router's routed calls in the realm asked for. */
  router: Buckets;
}

const LABEL = /([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g;

function bucketsOf(text: string, name: string, match: Record<string, string>): Buckets {
  const prefix = `${name}_bucket{`;
  const out: Buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const close = line.lastIndexOf('}');
    const labels = Object.fromEntries([...line.slice(prefix.length, close).matchAll(LABEL)].map((l) => [l[1], l[2]]));
    if (labels['le'] === undefined || Object.entries(match).some(([k, v]) => labels[k] !== v)) continue;
    const le = labels['le'] === '+Inf' ? Infinity : Number(labels['le']);
    out.set(le, (out.get(le) ?? 0) + Number(line.slice(close + 2)));
  }
  return out;
}

/** The maker's and the router's latency histograms now (`realm`: the market's realm). */
export async function nodeLatency(httpUrl: string, realm: string): Promise<NodeLatency> {
  const res = await fetch(`${httpUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${httpUrl}/metrics: HTTP ${res.status}`);
  const text = await res.text();
  return { maker: bucketsOf(text, 'xbr_purchase_duration_seconds', { outcome: 'sold' }), router: bucketsOf(text, 'xbr_wamp_call_duration_seconds', { realm }) };
}

/** How many observations between two readings took longer than `seconds` (a bucket bound). */
export function countOver(before: Buckets, after: Buckets, seconds: number): number {
  const all = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  return all - ((after.get(seconds) ?? 0) - (before.get(seconds) ?? 0));
}

/** How many of the sorted `ms` values are above `limitMs`. */
export function countAbove(sortedMs: Float64Array, limitMs: number): number {
  let lo = 0;
  let hi = sortedMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sortedMs[mid] as number) <= limitMs) lo = mid + 1;
    else hi = mid;
  }
  return sortedMs.length - lo;
}
