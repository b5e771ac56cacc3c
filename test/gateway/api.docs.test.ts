/**
 * /docs in a real browser (headless Chromium) served by the real server: the inline script runs under the page's
 * own Content-Security-Policy (its hash is right), renders every operation of /openapi.json, and nothing is blocked.
 */
import { expect } from "chai";
import type { Browser } from "playwright-core";

import { startGateway } from "../../gateway/src/server.js";
import { launchChromium } from "../browser/launchChromium.js";
import { onEachBackend } from "./helpers/backends.js";
import { useApiSuite } from "./helpers/apiFixture.js";

describe("gateway API: /docs in Chromium", function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  before(async function () {
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
  });

  onEachBackend((suite) => {
    const s = useApiSuite(suite);

    it("renders every operation from /openapi.json with no CSP violation and no request off the origin", async function () {
      const { setup, keyring } = s();
      const gateway = await startGateway({ db: suite.db, keyring, chain: setup.chain });
      const page = await browser!.newPage();
      try {
        const problems: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") problems.push(m.text());
        });
        page.on("pageerror", (e) => problems.push(String(e)));
        page.on("request", (r) => requests.push(r.url()));
        await page.goto(`${gateway.url}/docs`);
        await page.waitForSelector(".op");
        const doc = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
        const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
        expect(await page.locator(".op").count()).to.equal(operations);
        expect(await page.locator("#title").textContent()).to.equal("ScanPay gateway 0.1.0");
        expect(await page.locator(".op", { hasText: "/v1/invoices/{id}/cancel" }).count()).to.equal(1);
        expect(await page.locator("td", { hasText: "body amount" }).count()).to.be.greaterThan(0);
        expect(problems).to.deep.equal([]);
        expect(requests.every((u) => u.startsWith(gateway.url))).to.equal(true);
      } finally {
        await page.close();
        await gateway.close();
      }
    });
  });
});
