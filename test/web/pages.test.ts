/**
 * The pages' shell as served (any page script): a strict CSP, hashed immutable assets, no console error or CSP
 * violation when a page loads in Chromium, and the public QR image and merchant profile the pages read.
 */
import { expect } from "chai";

import { WEB_CSP } from "../../gateway/src/web/page.js";
import { startWebSuite, type WebSuite } from "./helpers/webFixture.js";

describe("web pages", function () {
  this.timeout(120_000);
  let suite: WebSuite;
  before(async function () {
    suite = await startWebSuite();
  });
  after(async function () {
    await suite?.close();
  });

  describe("GET /pos, /pay/{id}, /dashboard", function () {
    for (const path of ["/pos", "/dashboard", "/pay/00000000-0000-4000-8000-000000000000"]) {
      it(`serves ${path} with the strict CSP and loads it in Chromium without console errors or CSP violations`, async function () {
        const res = await fetch(`${suite.url}${path}`);
        expect(res.status).to.equal(200);
        expect(res.headers.get("content-security-policy")).to.equal(WEB_CSP);
        expect(res.headers.get("x-frame-options")).to.equal("DENY");
        const html = await res.text();
        expect(html).to.not.match(/<script(?![^>]*\bsrc=)/); // no inline script
        expect(html).to.not.match(/\bstyle=|<style/); // no inline style
        const { page, problems } = await suite.newPage();
        await page.goto(path);
        await page.waitForLoadState("networkidle");
        expect(await page.locator("#app").count()).to.equal(1);
        // The checkout page asks the API for the unknown invoice: Chromium logs the API's 404 (and nothing else).
        const expected = path.startsWith("/pay/") ? /^console: Failed to load resource: the server responded with a status of 404/ : /$^/;
        expect(problems.filter((problem) => !expected.test(problem))).to.deep.equal([]);
      });
    }

    it("redirects / to the point of sale", async function () {
      const res = await fetch(`${suite.url}/`, { redirect: "manual" });
      expect(res.status).to.equal(302);
      expect(res.headers.get("location")).to.equal("/pos");
    });
  });

  describe("GET /assets/{file}", function () {
    it("serves the page's script and stylesheet under content-hashed names, cached for a year, and 404s any other name", async function () {
      const html = await (await fetch(`${suite.url}/pos`)).text();
      const urls = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(urls).to.have.length(2);
      for (const url of urls) {
        expect(url).to.match(/^\/assets\/[a-z]+\.[0-9a-f]{12}\.(js|css)$/);
        const res = await fetch(`${suite.url}${url}`);
        expect(res.status).to.equal(200);
        expect(res.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
        expect(res.headers.get("content-type")).to.match(url.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
      }
      const missing = await fetch(`${suite.url}/assets/pos.000000000000.js`);
      expect(missing.status).to.equal(404);
      expect(((await missing.json()) as any).error.code).to.equal("NOT_FOUND");
    });
  });

  describe("GET /v1/merchant", function () {
    it("tells any key its merchant, chain, scopes, the tokens the escrow accepts and the confirmations a payment waits for", async function () {
      const res = await fetch(`${suite.url}/v1/merchant`, { headers: { authorization: `Bearer ${suite.shop.keys.create}` } });
      expect(res.status).to.equal(200);
      const body = (await res.json()) as any;
      expect(body.id).to.equal(suite.shop.id);
      expect(body.name).to.equal("Web Shop");
      expect(body.network).to.equal("Hardhat local");
      expect(body.scopes).to.deep.equal(["create"]);
      expect(body.confirmations).to.equal(0); // the web suite's indexer: a payment counts in its own block
      expect(body.tokens.map((t: { symbol: string }) => t.symbol)).to.include(await suite.setup.f.token.symbol());
    });

    it("answers 401 without a key", async function () {
      const res = await fetch(`${suite.url}/v1/merchant`);
      expect(res.status).to.equal(401);
      expect(((await res.json()) as any).error.code).to.equal("UNAUTHENTICATED");
    });
  });

  describe("GET /v1/public/invoices/{id}/qr.svg", function () {
    it("renders an open invoice's deposit QR without a key, and 404s an unknown id", async function () {
      const created = await fetch(`${suite.url}/v1/invoices`, {
        method: "POST",
        headers: { authorization: `Bearer ${suite.shop.keys.create}`, "content-type": "application/json" },
        body: JSON.stringify({ amount: "1.25", token: await suite.setup.f.token.symbol() }),
      });
      expect(created.status).to.equal(201);
      const { id } = (await created.json()) as { id: string };
      const svg = await fetch(`${suite.url}/v1/public/invoices/${id}/qr.svg`);
      expect(svg.status).to.equal(200);
      expect(svg.headers.get("content-type")).to.equal("image/svg+xml; charset=utf-8");
      expect(await svg.text()).to.match(/^<svg/);
      const unknown = await fetch(`${suite.url}/v1/public/invoices/00000000-0000-4000-8000-000000000000/qr.svg`);
      expect(unknown.status).to.equal(404);
    });
  });
});
