/**
 * The gateway's REST API as a Hono app: `createApp(ctx)`. Serve it with `startGateway` (server.ts), or call
 * `app.request(...)` in tests. Routes parse (zod schemas, also the OpenAPI 3.1 document at /openapi.json),
 * authorise (API key + scope) and call a service; every error leaves as `{ error: { code, message, details? } }`.
 */
import { OpenAPIHono } from "@hono/zod-openapi";

import { InvalidRequestError, NotFoundError } from "../errors.js";
import type { GatewayContext } from "../services/index.js";
import type { ApiEnv } from "./auth.js";
import { errorResponse, type ApiLogger } from "./errors.js";
import { registerDocsRoute } from "./routes/docs.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerInvoiceRoutes } from "./routes/invoices.js";
import { registerApiKeyRoutes } from "./routes/apiKeys.js";
import { registerPaymentRoutes } from "./routes/payments.js";
import { rateLimit, type RateLimitOptions } from "./rateLimit.js";

export interface ApiContext extends GatewayContext {
  /** Where unexpected errors are logged (with their stack); default `console`. */
  logger?: ApiLogger;
  /** Per-key / per-IP rate limits (api/rateLimit.ts); default on with its defaults, `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
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

  if (ctx.rateLimit !== false) app.use("*", rateLimit(ctx.rateLimit ?? {}));

  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "API key: Authorization: Bearer sp_live_<key id>_<secret>",
  });
  registerHealthRoutes(app, ctx.db);
  registerInvoiceRoutes(app, ctx);
  registerPaymentRoutes(app, ctx);
  registerApiKeyRoutes(app, ctx);
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

  app.notFound((c) => errorResponse(c, new NotFoundError("route"), logger));
  app.onError((error, c) => errorResponse(c, error, logger));
  return app;
}
