/**
 * The gateway's REST API as a Hono app: `createApp(ctx)`. Serve it with `startGateway` (server.ts), or call
 * `app.request(...)` in tests. Routes parse (zod schemas, also the OpenAPI 3.1 document at /openapi.json),
 * authorise (API key + scope) and call a service; every error leaves as `{ error: { code, message, details? } }`.
 */
import { OpenAPIHono } from "@hono/zod-openapi";

import { InvalidRequestError, NotFoundError } from "../errors.js";
import type { EventFeed, GatewayContext, IndexerStats, WebhookSettings } from "../services/index.js";
import type { ApiEnv } from "./auth.js";
import { errorResponse, type ApiLogger } from "./errors.js";
import { registerDocsRoute } from "./routes/docs.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerInvoiceRoutes } from "./routes/invoices.js";
import { registerMerchantRoutes } from "./routes/merchant.js";
import { registerMetricsRoute } from "./routes/metrics.js";
import { registerStreamRoutes } from "./routes/stream.js";
import { registerWebhookRoutes } from "./routes/webhooks.js";
import { registerApiKeyRoutes } from "./routes/apiKeys.js";
import { registerPaymentRoutes } from "./routes/payments.js";
import { registerPublicPaymentRoutes } from "./routes/publicPayment.js";
import { registerReportRoutes } from "./routes/reports.js";
import { registerExportRoutes } from "./routes/exports.js";
import { registerInvoiceDeliveryRoutes } from "./routes/invoiceDeliveries.js";
import { rateLimit, type RateLimitOptions } from "./rateLimit.js";
import { registerWebRoutes } from "../web/routes.js";

export interface ApiContext extends GatewayContext {
  /** Where unexpected errors are logged (with their stack); default `console`. */
  logger?: ApiLogger;
  /** The event feed live streams share (one poller per process); default one made for this app. */
  eventFeed?: EventFeed;
  /** Interval of the SSE heartbeat comment, ms; default 15 000. */
  streamHeartbeatMs?: number;
  /** The indexer's figures for /metrics (its handle's `stats`); absent → the indexer lines are left out. */
  indexerStats?: () => IndexerStats;
  /**
   * Blocks after a payment's own before the indexer counts it (its `confirmations`), shown by GET /v1/merchant so a
   * point of sale can say what "paid" means; absent when no indexer runs in this process.
   */
  confirmations?: number;
  /** When set, /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Webhook endpoint rules (e.g. `allowPrivateUrls` for a local demo); default: public https URLs only. */
  webhooks?: WebhookSettings;
  /** Per-key / per-IP rate limits (api/rateLimit.ts); default on with its defaults, `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /**
   * The gateway's public address (`https://pay.example.com`, no trailing path) for the links it encodes, such as
   * the `checkout` QR form; default the request's origin (right unless a proxy rewrites the host).
   */
  publicBaseUrl?: string;
}

export const API_VERSION = "0.1.0";

export function createApp(ctx: ApiContext): OpenAPIHono<ApiEnv> {
  const logger: ApiLogger = ctx.logger ?? { error: (message, details) => console.error(message, details) };
  const app = new OpenAPIHono<ApiEnv>({
    // A request that fails its schema: INVALID_INPUT with every issue as { path, message }.
    defaultHook: (result) => {
      if (result.success) return;
      const issues = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join("."),
        message: issue.message,
      }));
      const first = issues[0];
      const where = result.target === "json" ? "request body" : result.target;
      throw new InvalidRequestError(
        first === undefined ? `invalid ${where}` : `invalid ${where}: ${first.path === "" ? "" : `${first.path}: `}${first.message}`,
        issues,
      );
    },
  });

  app.use("*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });


  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "API key: Authorization: Bearer sp_live_<key id>_<secret>",
  });
  registerMetricsRoute(app, ctx); // first: its middleware times every route registered after it
  // After metrics, so 429s are counted; before the routes, so a limited request does no work.
  if (ctx.rateLimit !== false) app.use("*", rateLimit(ctx.rateLimit ?? {}));
  registerHealthRoutes(app, ctx.db);
  registerMerchantRoutes(app, ctx);
  registerInvoiceRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerStreamRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerPaymentRoutes(app, ctx);
  registerPublicPaymentRoutes(app, ctx);
  registerApiKeyRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerInvoiceDeliveryRoutes(app, ctx);
  // Generated once, on first request (not with doc31, whose failure path would send the generator's error out).
  let document: unknown;
  app.get("/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "ScanPay gateway", version: API_VERSION, description: "Merchant gateway REST API (issue 11)." },
    });
    return c.json(document);
  });
  registerDocsRoute(app);
  registerWebRoutes(app); // the pages: /pos, /pay/{id}, /dashboard (gateway/src/web)

  app.notFound((c) => errorResponse(c, new NotFoundError("route"), logger));
  app.onError((error, c) => errorResponse(c, error, logger));
  return app;
}
