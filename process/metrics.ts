/**
 * The metrics of one process of the node (prom-client): one registry per process, which a worker sends to
 * the controller when asked (`report` over IPC) and the controller merges into the node's `/metrics`. No
 * worker opens a port of its own.
 *
 * Metrics are created through {@link counter}, {@link gauge} and {@link histogram}, which return the one
 * metric of that name in this process: a module loaded twice, or a test that starts two routers in one
 * process, share it instead of failing on a duplicate name. Names follow Prometheus conventions (`xbr_…`,
 * `_total` for counters, base units: seconds, token base units); labels are bounded sets — a realm, a market,
 * an outcome, an error URI of our catalog — never a channel, offer or session id.
 */
import { Counter, Gauge, Histogram, Registry, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** This process's registry. */
const processMetrics = new Registry();

/** What a worker reports of its metrics: prom-client's JSON form, which the controller's aggregator merges. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

export function counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return (processMetrics.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter({ ...config, registers: [processMetrics] });
}

export function gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return (processMetrics.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge({ ...config, registers: [processMetrics] });
}

export function histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  return (processMetrics.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram({ ...config, registers: [processMetrics] });
}

/** This process's metrics now (gauges with a `collect` step read their source first). */
export function metricsSnapshot(): Promise<MetricsSnapshot> {
  return processMetrics.getMetricsAsJSON() as Promise<MetricsSnapshot>;
}

/** Latency buckets in seconds, from 100 µs to 10 s: a purchase takes milliseconds, a slow seller call seconds. */
export const LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
