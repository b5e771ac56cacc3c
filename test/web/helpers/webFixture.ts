/**
 * Shared set-up of the browser tests (not a test file): a real headless Chromium (test/browser/launchChromium.ts)
 * and the whole gateway as `scanpay serve` runs it (`startGatewayRuntime`: API, pages, indexer, webhook sender,
 * keeper) on the in-process Hardhat chain with a PGlite
 * database, listening on 127.0.0.1. The pages are a client of the API, whose storage backends the gateway tests
 * cover; one backend is enough here. Everything started is stopped by `close()`.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";

import type { Kysely } from "kysely";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { startGatewayRuntime, type GatewayRuntime, type GatewayRuntimeOptions } from "../../../gateway/src/runtime.js";
import type { MasterKeyring } from "../../../gateway/src/services/index.js";
import { openDatabase, type Database } from "../../../gateway/src/store/index.js";
import { ethers } from "../../helpers/fixture.js";
import { launchChromium } from "../../browser/launchChromium.js";
import { freshDatabase, type TestDatabase } from "../../gateway/helpers/backends.js";
import { chainOnce, newKeyring, newMerchant, type ChainSetup, type TestMerchant } from "../../gateway/helpers/apiFixture.js";

/** Screenshots and other artefacts of the browser tests (git-ignored). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, "../../../test-artifacts/web");

/** The viewports the pages must work on. */
export const VIEWPORTS = {
  phone: { width: 360, height: 740 },
  tablet: { width: 1280, height: 800 },
} as const;

export interface WebSuite {
  setup: ChainSetup;
  db: Kysely<Database>;
  /** The runtime's master keyring: another merchant linked with it (newMerchant) can sign and send through the runtime. */
  keyring: MasterKeyring;
  runtime: GatewayRuntime;
  shop: TestMerchant;
  browser: Browser;
  /** The gateway's base URL (http://127.0.0.1:<port>). */
  url: string;
  /** A new page in a fresh browser context (own storage), with console errors and CSP violations collected. */
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

export interface StartWebSuiteOptions {
  /** Indexer confirmations (default 0) and poll interval (default 100 ms). */
  confirmations?: number;
  pollIntervalMs?: number;
  runtime?: Partial<Omit<GatewayRuntimeOptions, "db" | "keyring" | "chain" | "provider">>;
  /** The runtime's chain view; default the shared one (a test that allows a token first needs a fresh view). */
  chain?: GatewayRuntimeOptions["chain"];
}

/** Starts Chromium and the gateway runtime with one merchant ("Web Shop") whose signer holds 10 ETH for gas. */
export async function startWebSuite(options: StartWebSuiteOptions = {}): Promise<WebSuite> {
  const setup = await chainOnce();
  const target: TestDatabase = await freshDatabase("PGlite");
  const db = await openDatabase(await target.options());
  // A set-up that fails half-way stops what it started (a leaked database or server would keep the run alive).
  const closeDatabase = async () => {
    await db.destroy().catch(() => undefined);
    await target.dispose().catch(() => undefined);
  };
  const keyring = newKeyring();
  const { shop, runtime } = await (async () => {
    const shop = await newMerchant(db, keyring, setup, "Web Shop");
    await (await setup.f.owner.sendTransaction({ to: shop.signer.address, value: 10n ** 19n })).wait();
    const runtime = await startGatewayRuntime({
      db,
      keyring,
      chain: options.chain ?? setup.chain,
      provider: ethers.provider,
      fromBlock: 0n,
      indexer: { confirmations: options.confirmations ?? 0, pollIntervalMs: options.pollIntervalMs ?? 100 },
      webhookSender: { intervalMs: 100 },
      keeper: { intervalMs: 200 },
      feedIntervalMs: 100,
      webhooks: { allowPrivateUrls: true },
      rateLimit: false,
      logger: { error: (message, details) => console.error(message, details) },
      ...options.runtime,
    });
    return { shop, runtime };
  })().catch(async (error: unknown) => {
    await closeDatabase();
    throw error;
  });
  const browser = await launchChromium().catch(async (error: unknown) => {
    await runtime.close();
    await closeDatabase();
    throw error;
  });
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    setup,
    db,
    keyring,
    runtime,
    shop,
    browser,
    url: runtime.url,
    async newPage(pageOptions = {}) {
      const context = await browser.newContext({ viewport: pageOptions.viewport ?? VIEWPORTS.tablet, baseURL: runtime.url });
      contexts.push(context);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      return { page, context, problems };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await runtime.close();
      await db.destroy();
      await target.dispose();
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2 A and AA rules, colour contrast included) on the page as it is now. The script is evaluated
 * through the DevTools protocol, which the page's CSP does not govern (the page itself could not load it).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const { createRequire } = await import("node:module");
  const { readFile } = await import("node:fs/promises");
  const source = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
}

export { CHROMIUM_PATH, launchChromium } from "../../browser/launchChromium.js";
