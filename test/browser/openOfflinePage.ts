import type { Browser, BrowserContext, Page } from "playwright-core";

/** The page's origin. Never resolved: every request is answered (or refused) inside the browser context. */
export const PAGE_ORIGIN = "http://scanpay.test";

export interface OfflinePage {
  context: BrowserContext;
  page: Page;
  /** URLs the page asked for that are not in `files` (refused). */
  unexpectedRequests: string[];
  /** Uncaught errors and console errors of the page. */
  pageErrors: string[];
}

/**
 * Opens `${PAGE_ORIGIN}/index.html` in a fresh context whose every request is served from `files` (path ->
 * body and content type) by request interception, so nothing touches the network, not even loopback; any other
 * request is aborted and recorded. Resolves when the page sets `window.scanpayReady = true`; rejects with the
 * page's errors if it does not. The caller closes `context`.
 */
export async function openOfflinePage(
  browser: Browser,
  files: Record<string, { body: string; contentType: string }>,
): Promise<OfflinePage> {
  const context = await browser.newContext();
  const unexpectedRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    const file = url.origin === PAGE_ORIGIN ? files[url.pathname] : undefined;
    if (file === undefined) {
      unexpectedRequests.push(url.href);
      await route.abort("blockedbyclient");
      return;
    }
    await route.fulfill({ status: 200, contentType: file.contentType, body: file.body });
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(`console: ${message.text()}`);
  });
  try {
    await page.goto(`${PAGE_ORIGIN}/index.html`);
    await page.waitForFunction("window.scanpayReady === true", undefined, { timeout: 20_000 });
  } catch (error) {
    await context.close();
    throw new Error(`page did not load: ${pageErrors.join("; ") || String(error)}`, { cause: error });
  }
  return { context, page, unexpectedRequests, pageErrors };
}
