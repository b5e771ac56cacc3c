/**
 * `npm run bench:web`: what the web pages cost a device, loopback only. Not a test: it prints a table and writes
 * bench/web.json.
 *
 * It starts what `scanpay serve` starts (`startLocalGateway`: a `hardhat node` child process with the contracts, the
 * demo merchant, PGlite in a temporary folder, the gateway on 127.0.0.1), launches Chromium (the browser tests'
 * launcher), creates one invoice for the checkout page, and loads each page: /pos (signed in with the terminal
 * key), /pay/{id} and /dashboard (the all-scope key). For each page a cold load (a new browser context: empty cache
 * and storage) and a warm one (a reload in that context: the content-hashed assets come from the cache). Figures:
 * bytes transferred (the DevTools protocol's encodedDataLength of every finished response: headers and body as
 * they crossed the wire), requests sent, requests answered from the cache, and the time from navigation start to
 * `main#app[data-ready]` (the page is interactive), taken in the page by a MutationObserver that an init script
 * installs (the DevTools protocol runs it; the page's CSP does not apply), so the test harness's polling is not in it.
 * A streaming response (the live status) never finishes; it counts as a request, not as bytes.
 *
 * Usage: npm run bench:web [-- --runs 3]   (figures: the median of the runs)
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import type { Browser, BrowserContext, Page } from "playwright-core";

import { startLocalGateway, type LocalGateway } from "../gateway/src/dev/serve.js";
import { launchChromium } from "../test/browser/launchChromium.js";

const REPORT = fileURLToPath(new URL("../bench/web.json", import.meta.url));
/** The goal for the point of sale, cold: at most this many bytes transferred. */
const POS_GOAL_BYTES = 150_000;
/** How long a page may take to set data-ready before the run counts it as not ready. */
const READY_TIMEOUT_MS = 20_000;
/** After data-ready, how long late requests (the QR image, the live stream) are still counted. */
const SETTLE_MS = 750;

interface LoadFigures {
  bytes: number;
  requests: number;
  fromCache: number;
  /** Navigation start → main#app[data-ready], ms; null when the page never set it. */
  readyMs: number | null;
  /** What was requested (paths on the gateway), in order. */
  paths: string[];
}

interface PageFigures {
  page: string;
  path: string;
  cold: LoadFigures;
  warm: LoadFigures;
}

/** Notes when main#app gets data-ready, on the page's own clock (ms since navigation start). */
const READY_PROBE = `(() => {
  const observer = new MutationObserver(() => {
    if (document.querySelector("main#app[data-ready]") === null) return;
    globalThis.__scanpayReadyAt = performance.now();
    observer.disconnect();
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"] });
})();`;

/** Counts what one navigation of `page` transfers, through the DevTools protocol. */
async function measureLoad(context: BrowserContext, page: Page, navigate: () => Promise<unknown>): Promise<LoadFigures> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let requests = 0;
  let fromCache = 0;
  const paths: string[] = [];
  cdp.on("Network.requestWillBeSent", (event: { request: { url: string } }) => {
    requests++;
    const url = new URL(event.request.url);
    paths.push(url.pathname + url.search);
  });
  cdp.on("Network.requestServedFromCache", () => fromCache++);
  cdp.on("Network.loadingFinished", (event: { encodedDataLength: number }) => (bytes += event.encodedDataLength));
  try {
    await navigate();
    let readyMs: number | null = null;
    try {
      await page.waitForSelector("main#app[data-ready]", { timeout: READY_TIMEOUT_MS, state: "attached" });
      readyMs = Math.round((await page.evaluate("globalThis.__scanpayReadyAt")) as number);
    } catch {
      readyMs = null;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { bytes, requests, fromCache, readyMs, paths };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

async function measurePage(browser: Browser, name: string, url: string): Promise<PageFigures> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(READY_PROBE);
    const page = await context.newPage();
    const cold = await measureLoad(context, page, () => page.goto(url, { waitUntil: "commit" }));
    const warm = await measureLoad(context, page, () => page.reload({ waitUntil: "commit" }));
    return { page: name, path: new URL(url).pathname, cold, warm };
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The median of each figure over the runs of one page. */
function medianOf(runs: PageFigures[]): PageFigures {
  const load = (pick: (f: PageFigures) => LoadFigures): LoadFigures => {
    const ready = runs.map((r) => pick(r).readyMs);
    return {
      bytes: median(runs.map((r) => pick(r).bytes)),
      requests: median(runs.map((r) => pick(r).requests)),
      fromCache: median(runs.map((r) => pick(r).fromCache)),
      readyMs: ready.some((ms) => ms === null) ? null : median(ready as number[]),
      paths: pick(runs[0]!).paths,
    };
  };
  return { page: runs[0]!.page, path: runs[0]!.path, cold: load((r) => r.cold), warm: load((r) => r.warm) };
}

async function createInvoice(gateway: LocalGateway): Promise<string> {
  const res = await fetch(`${gateway.url}/v1/invoices`, {
    method: "POST",
    headers: { authorization: `Bearer ${gateway.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ amount: "12.50", token: gateway.token.symbol, expiresIn: 3600 }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || body.id === undefined) throw new Error(`creating the checkout page's invoice: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
  const runs = Math.max(1, Number(values.runs));
  const dataDir = await mkdtemp(path.join(tmpdir(), "scanpay-bench-web-"));
  let gateway: LocalGateway | undefined;
  let browser: Browser | undefined;
  const figures: PageFigures[] = [];
  try {
    process.stdout.write("starting the local chain and the gateway...\n");
    gateway = await startLocalGateway({ dataDir, port: 0, rateLimit: false });
    browser = await launchChromium();
    const invoiceId = await createInvoice(gateway);
    const pages: [string, string][] = [
      ["point of sale", gateway.posUrl],
      ["checkout", `${gateway.url}/pay/${invoiceId}`],
      ["dashboard", gateway.dashboardUrl],
    ];
    // The first load of any page bundles the assets (esbuild, once per process): not what a device waits for.
    await measurePage(browser, "warm-up", gateway.posUrl);
    for (const [name, url] of pages) {
      const measured: PageFigures[] = [];
      for (let run = 0; run < runs; run++) measured.push(await measurePage(browser, name, url));
      figures.push(medianOf(measured));
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await gateway?.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  const kB = (bytes: number) => Math.round(bytes / 100) / 10;
  console.log(`\nweb pages, Chromium, loopback; median of ${runs} run${runs === 1 ? "" : "s"} (cold: new context; warm: reload)`);
  console.table(
    figures.flatMap((f) =>
      (["cold", "warm"] as const).map((kind) => ({
        page: f.page,
        load: kind,
        "kB transferred": kB(f[kind].bytes),
        requests: f[kind].requests,
        "from cache": f[kind].fromCache,
        "ms to data-ready": f[kind].readyMs ?? "never",
      })),
    ),
  );
  const pos = figures.find((f) => f.page === "point of sale");
  if (pos !== undefined) {
    console.log(`goal: point of sale cold <= ${POS_GOAL_BYTES / 1000} kB transferred: ${pos.cold.bytes <= POS_GOAL_BYTES ? "met" : "MISSED"} (${kB(pos.cold.bytes)} kB)`);
  }
  await mkdir(path.dirname(REPORT), { recursive: true });
  await writeFile(
    REPORT,
    JSON.stringify(
      { machine: { cpus: availableParallelism(), node: process.version }, measuredAt: new Date().toISOString(), goal: { posColdBytes: POS_GOAL_BYTES }, runs, pages: figures },
      null,
      2,
    ) + "\n",
  );
  console.log(`written: ${path.relative(process.cwd(), REPORT)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
