/**
 * Mocha hooks shared by the browser tests: bundle an entry point for the browser, open it in headless Chromium on
 * an offline page, fail any test after which the page logged an error or asked for anything but the page and its
 * bundle, and close Chromium at the end.
 */
import { expect } from "chai";
import type { Browser } from "playwright-core";

import { type BrowserBundle, bundleForBrowser } from "./bundleForBrowser.js";
import { launchChromium } from "./launchChromium.js";
import { type OfflinePage, openOfflinePage } from "./openOfflinePage.js";

export interface BundledPage {
  /** The bundle (available once the suite's `before` ran). */
  bundle(): BrowserBundle;
  /** The open page (available once the suite's `before` ran). */
  page(): OfflinePage;
}

/** Call inside a `describe`: `entry` is bundled and served as `scriptPath` next to `html` at /index.html. */
export function useBundledPage(entry: string, scriptPath: string, html: string): BundledPage {
  let started = 0;
  let bundle: BrowserBundle | undefined;
  let browser: Browser | undefined;
  let opened: OfflinePage | undefined;

  before(async function () {
    started = performance.now();
    bundle = await bundleForBrowser(entry);
    browser = await launchChromium();
    opened = await openOfflinePage(browser, {
      "/index.html": { body: html, contentType: "text/html" },
      [scriptPath]: { body: bundle.code, contentType: "text/javascript" },
    });
  });

  after(async function () {
    await opened?.context.close();
    await browser?.close();
    console.log(`      (bundle, Chromium start and all checks: ${Math.round(performance.now() - started)} ms)`);
  });

  afterEach(function () {
    // Every check runs in the same page: an error it logged or a request it made fails the check that caused it.
    expect(opened?.pageErrors, "page errors").to.deep.equal([]);
    expect(opened?.unexpectedRequests, "requests beyond the page and its bundle").to.deep.equal([]);
  });

  return {
    bundle() {
      if (bundle === undefined) throw new Error("bundle not built");
      return bundle;
    },
    page() {
      if (opened === undefined) throw new Error("page not open");
      return opened;
    },
  };
}
