/**
 * `/metrics` (Prometheus text format 0.0.4) and the HTTP request counters behind its `scanpay_http_*` lines.
 * Open by default, like /healthz: it shows counts only (no merchant, amount or address), and the gateway listens on
 * loopback unless the operator exposes it. With `metricsToken` set it requires `Authorization: Bearer <token>`.
 * Register it before the other routes: its middleware must wrap them to time them.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import { performance } from "node:perf_hooks";

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { matchedRoutes } from "hono/route";

import { UnauthenticatedError } from "../../errors.js";
import { collectMetrics, createHttpMetrics, PROMETHEUS_CONTENT_TYPE, type HttpMetrics } from "../../services/index.js";
import type { ApiContext } from "../app.js";
import type { ApiEnv } from "../auth.js";
import { ErrorSchema } from "../schemas.js";
import { eventFeedOf } from "./stream.js";

const BEARER_RE = /^Bearer[ ]+(\S+)\s*$/i;

/** Constant-time comparison of two secrets of any length (their hashes are compared). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Registers the request-timing middleware and GET /metrics; returns the counters (for tests and embedding). */
export function registerMetricsRoute(app: OpenAPIHono<ApiEnv>, ctx: ApiContext): HttpMetrics {
  const http = createHttpMetrics();

  app.use("*", async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // The route pattern that answered (`/v1/invoices/:id`); "unmatched" for a 404 on no route, so raw paths never
      // become label values.
      const answered = matchedRoutes(c)[c.req.routeIndex];
      const route = answered === undefined || answered.method === "ALL" ? "unmatched" : answered.path;
      http.observe(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
    }
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics (text format 0.0.4): invoices by status, indexer lag, webhook queue, RPC errors, HTTP",
      responses: {
        200: { description: "Exposition text", content: { "text/plain": { schema: z.string() } } },
        401: { description: "metricsToken is set and the request does not carry it", content: { "application/json": { schema: ErrorSchema } } },
        500: { description: "Error", content: { "application/json": { schema: ErrorSchema } } },
      },
    }),
    async (c) => {
      if (ctx.metricsToken !== undefined) {
        const match = BEARER_RE.exec(c.req.header("authorization") ?? "");
        if (match === null || !sameSecret(match[1] as string, ctx.metricsToken)) {
          throw new UnauthenticatedError("/metrics requires Authorization: Bearer <metrics token>");
        }
      }
      const text = await collectMetrics(ctx, {
        http,
        streamSubscribers: () => eventFeedOf(ctx).subscriberCount,
        ...(ctx.indexerStats === undefined ? {} : { indexerStats: ctx.indexerStats }),
      });
      c.header("Content-Type", PROMETHEUS_CONTENT_TYPE);
      return c.body(text, 200) as never;
    },
  );
  return http;
}
