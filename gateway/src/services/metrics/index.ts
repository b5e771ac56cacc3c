/** /metrics: what it counts and how it is written. */
export type { IndexerStats } from "./indexerStats.js";
export { createHttpMetrics, HTTP_DURATION_BUCKETS, type HttpMetrics, type HttpSeries } from "./httpMetrics.js";
export { collectMetrics, PROMETHEUS_CONTENT_TYPE, type MetricsSources } from "./collectMetrics.js";
