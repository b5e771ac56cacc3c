/**
 * `/metrics` in the Prometheus text exposition format 0.0.4: counts from the database (invoices by status, the
 * webhook outbox, the event log), the indexer's own figures when the process runs one, the live streams open here,
 * and HTTP request counts and latencies. Aggregates only: no merchant id, amount or address appears.
 */
import { countEvents, countInvoicesByStatus, countWebhookDeliveriesByStatus } from "../../store/index.js";
import { nowOf, type GatewayContext } from "../context.js";
import { INVOICE_STATUSES } from "../invoices/types.js";
import { HTTP_DURATION_BUCKETS, type HttpMetrics } from "./httpMetrics.js";
import type { IndexerStats } from "./indexerStats.js";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface MetricsSources {
  /** The indexer's figures; absent (no indexer in this process) → the scanpay_indexer_* and RPC lines are left out. */
  indexerStats?: () => IndexerStats;
  http?: HttpMetrics;
  /** Live status streams open on this instance. */
  streamSubscribers?: () => number;
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function labels(pairs: Record<string, string | number>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(String(v))}"`)
    .join(",");
  return body === "" ? "" : `{${body}}`;
}

class Exposition {
  private readonly lines: string[] = [];
  family(name: string, type: "gauge" | "counter" | "histogram", help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, value: number | bigint, pairs: Record<string, string | number> = {}): void {
    const text = typeof value === "bigint" ? value.toString() : Number.isFinite(value) ? String(value) : Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
    this.lines.push(`${name}${labels(pairs)} ${text}`);
  }
  text(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

/** The exposition text. Reads the database (three small aggregate queries); throws if it does not answer. */
export async function collectMetrics(ctx: Pick<GatewayContext, "db" | "chain" | "now">, sources: MetricsSources = {}): Promise<string> {
  const out = new Exposition();
  const now = await nowOf(ctx);
  const [invoices, deliveries, events] = await Promise.all([
    countInvoicesByStatus(ctx.db, now),
    countWebhookDeliveriesByStatus(ctx.db),
    countEvents(ctx.db),
  ]);

  out.family("scanpay_invoices", "gauge", "Invoices by status as the API shows it (an open invoice past its expiry counts as expired).");
  const shown = new Map<string, bigint>(INVOICE_STATUSES.map((s) => [s, 0n]));
  for (const [status, n] of invoices.byStatus) shown.set(status, (shown.get(status) ?? 0n) + n);
  shown.set("open", (shown.get("open") ?? 0n) - invoices.openPastExpiry);
  shown.set("expired", (shown.get("expired") ?? 0n) + invoices.openPastExpiry);
  for (const [status, n] of shown) out.sample("scanpay_invoices", n, { status });

  out.family("scanpay_webhook_queue_depth", "gauge", "Webhook deliveries waiting to be sent (pending, including those waiting for a retry).");
  out.sample("scanpay_webhook_queue_depth", deliveries.get("pending") ?? 0n);
  out.family("scanpay_webhook_deliveries_failed", "gauge", "Webhook deliveries that gave up (failed after every retry, until redelivered).");
  out.sample("scanpay_webhook_deliveries_failed", deliveries.get("failed") ?? 0n);

  out.family("scanpay_events_total", "counter", "Events in the event log.");
  out.sample("scanpay_events_total", events);

  const indexer = sources.indexerStats?.();
  if (indexer !== undefined) {
    out.family("scanpay_rpc_errors_total", "counter", "RPC calls of the indexer that failed.");
    out.sample("scanpay_rpc_errors_total", indexer.rpcErrors);
    const blocks: [string, bigint | null, string][] = [
      ["scanpay_indexer_head_block", indexer.headBlock, "The chain's latest block as the indexer last read it."],
      ["scanpay_indexer_cursor_block", indexer.cursorBlock, "The last block the indexer has processed."],
      ["scanpay_indexer_lag_blocks", indexer.lagBlocks, "Blocks the indexer is behind the chain's head."],
    ];
    for (const [name, value, help] of blocks) {
      if (value === null) continue; // unknown yet: no sample rather than a made-up number
      out.family(name, "gauge", help);
      out.sample(name, value);
    }
    if (indexer.lastPollAt !== null) {
      out.family("scanpay_indexer_last_poll_timestamp_seconds", "gauge", "When the indexer last read the chain (unix seconds).");
      out.sample("scanpay_indexer_last_poll_timestamp_seconds", indexer.lastPollAt.getTime() / 1000);
    }
  }

  if (sources.streamSubscribers !== undefined) {
    out.family("scanpay_live_streams", "gauge", "Live status (SSE) streams open on this instance.");
    out.sample("scanpay_live_streams", sources.streamSubscribers());
  }

  if (sources.http !== undefined) {
    const series = sources.http.series();
    out.family("scanpay_http_requests_total", "counter", "HTTP requests answered, by method, route pattern and status.");
    for (const s of series) out.sample("scanpay_http_requests_total", s.count, { method: s.method, route: s.route, status: s.status });
    // The histogram aggregates statuses: latency per route is what is looked at, and it keeps the series few.
    const byRoute = new Map<string, { method: string; route: string; count: number; buckets: number[]; sum: number }>();
    for (const s of series) {
      const key = `${s.method} ${s.route}`;
      const h = byRoute.get(key) ?? { method: s.method, route: s.route, count: 0, buckets: HTTP_DURATION_BUCKETS.map(() => 0), sum: 0 };
      h.count += s.count;
      h.sum += s.sumSeconds;
      s.buckets.forEach((n, i) => (h.buckets[i]! += n));
      byRoute.set(key, h);
    }
    out.family("scanpay_http_request_duration_seconds", "histogram", "Time to the response's headers (a stream's opening), by method and route pattern.");
    for (const h of byRoute.values()) {
      HTTP_DURATION_BUCKETS.forEach((le, i) =>
        out.sample("scanpay_http_request_duration_seconds_bucket", h.buckets[i]!, { method: h.method, route: h.route, le: String(le) }),
      );
      out.sample("scanpay_http_request_duration_seconds_bucket", h.count, { method: h.method, route: h.route, le: "+Inf" });
      out.sample("scanpay_http_request_duration_seconds_sum", h.sum, { method: h.method, route: h.route });
      out.sample("scanpay_http_request_duration_seconds_count", h.count, { method: h.method, route: h.route });
    }
  }
  return out.text();
}
