/**
 * The web pages the gateway serves: the point of sale (/pos), the hosted checkout (/pay/{invoice}) and the merchant
 * dashboard (/dashboard), with their bundled assets (/assets/...). Each page is a static shell (pages/*.ts) and a
 * script that talks to the gateway's public API like any other client; a strict CSP (page.ts) on every page.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";

import type { ApiEnv } from "../api/auth.js";
import { webAssets, type PageScript } from "./assets.js";
import { renderPage, WEB_CSP } from "./page.js";
import { checkoutPage } from "./pages/checkout.js";
import { dashboardPage } from "./pages/dashboard.js";
import { posPage } from "./pages/pos.js";
import type { PageContent } from "./pages/types.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function servePage(c: Context, script: PageScript, content: PageContent): Promise<Response> {
  const assets = await webAssets();
  c.header("Content-Security-Policy", WEB_CSP);
  c.header("X-Frame-Options", "DENY");
  c.header("Cache-Control", "no-cache");
  return c.html(renderPage({ ...content, scriptUrl: assets.scripts[script].url, styleUrl: assets.style.url }), content.status ?? 200);
}

export function registerWebRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.get("/", (c) => c.redirect("/pos", 302));
  app.get("/pos", (c) => servePage(c, "pos", posPage()));
  app.get("/dashboard", (c) => servePage(c, "dashboard", dashboardPage()));
  app.get("/pay/:id", (c) => {
    const id = c.req.param("id");
    // A malformed id gets the page too (it shows "not found" from the API): one code path for unknown ids.
    return servePage(c, "checkout", checkoutPage(UUID_RE.test(id) ? id : ""));
  });
  app.get("/assets/:file", async (c) => {
    const asset = (await webAssets()).byUrl.get(c.req.path);
    if (asset === undefined) return c.notFound();
    c.header("Content-Type", asset.contentType);
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200);
  });
}
