/**
 * The merchant dashboard (/dashboard) in real Chromium against the whole gateway runtime on the in-process chain: the
 * invoice list with a filter and a search, an invoice's story (events, transactions, webhook deliveries), a partial
 * refund of a held payment through the dialog (which states the on-chain effect first; the customer's balance on
 * chain rises by exactly that amount), cancelling an open invoice, API keys (shown once, revoked), a webhook endpoint,
 * the daily chart, the CSV download, scopes, phone and tablet screenshots, axe, and no console error or CSP violation.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { parseEther } from "ethers";
import type { Page } from "playwright-core";

import { payInvoice } from "../../src/chain/payInvoice.js";
import { createApiKey } from "../../gateway/src/services/index.js";
import { newMerchant, sdkInvoiceOf, type TestMerchant } from "../gateway/helpers/apiFixture.js";
import { startWebhookReceiver, type WebhookReceiver } from "../gateway/helpers/webhookReceiver.js";
import { ARTIFACTS_DIR, axeViolations, startWebSuite, VIEWPORTS, type WatchedPage, type WebSuite } from "./helpers/webFixture.js";

const HOUR = 3600n;

interface InvoiceJson {
  id: string;
  invoiceNumber: string;
  status: string;
  signature: string;
  [field: string]: unknown;
}

describe("dashboard (/dashboard)", function () {
  this.timeout(180_000);
  let suite: WebSuite;
  let held: TestMerchant;
  let receiver: WebhookReceiver;
  /** Every scope, and read only. */
  let fullKey: string;
  let readKey: string;
  let symbol: string;
  const invoices: Record<"table7" | "table12" | "refundMe" | "paid2", InvoiceJson> = {} as never;
  /** A payment of the suite's shop, which settles at once (no refund window), that earned 4 points. */
  let settled: InvoiceJson;
  let shopRefundKey: string;
  const watched: WatchedPage[] = [];

  const apiCall = async (method: string, url: string, key: string, body?: unknown) => {
    const res = await fetch(`${suite.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  before(async function () {
    suite = await startWebSuite();
    receiver = await startWebhookReceiver();
    const { setup } = suite;
    symbol = await setup.f.token.symbol();
    held = await newMerchant(suite.db, suite.keyring, setup, "Held Dashboard Shop", HOUR);
    await (await setup.f.owner.sendTransaction({ to: held.signer.address, value: parseEther("1") })).wait();
    fullKey = (await createApiKey(suite.db, { merchantId: held.id, scopes: ["read", "create", "refund", "keys"], label: "owner" })).secret;
    readKey = (await createApiKey(suite.db, { merchantId: held.id, scopes: ["read"], label: "viewer" })).secret;
    // The endpoint first, so the payments' events are delivered to it.
    expect((await apiCall("POST", "/v1/webhook-endpoints", fullKey, { url: receiver.url, description: "shop server" })).status).to.equal(201);
    const create = async (body: Record<string, unknown>): Promise<InvoiceJson> => {
      const res = await apiCall("POST", "/v1/invoices", fullKey, { token: symbol, expiresIn: 3600, ...body });
      expect(res.status).to.equal(201);
      return res.json;
    };
    invoices.refundMe = await create({ amount: "5", pointsAward: 10, orderRef: "refund-me" });
    invoices.paid2 = await create({ amount: "2", orderRef: "table-3" });
    invoices.table12 = await create({ amount: "12.5", orderRef: "table-12" });
    invoices.table7 = await create({ amount: "7", orderRef: "table-7" });
    for (const invoice of [invoices.refundMe, invoices.paid2]) {
      await payInvoice(setup.f.asCustomer.escrow, { invoice: sdkInvoiceOf(invoice as never), signature: invoice.signature });
    }
    shopRefundKey = (await createApiKey(suite.db, { merchantId: suite.shop.id, scopes: ["read", "refund"] })).secret;
    const created = await apiCall("POST", "/v1/invoices", suite.shop.keys.create, { token: symbol, amount: "3", pointsAward: 4, orderRef: "settled-order" });
    expect(created.status).to.equal(201);
    settled = created.json;
    await payInvoice(setup.f.asCustomer.escrow, { invoice: sdkInvoiceOf(settled as never), signature: settled.signature });
    await until("the payments indexed", async () => {
      const statuses = await Promise.all([invoices.refundMe, invoices.paid2].map(async (i) => (await apiCall("GET", `/v1/invoices/${i.id}`, fullKey)).json.status));
      const shop = (await apiCall("GET", `/v1/invoices/${settled.id}`, shopRefundKey)).json.status;
      return statuses.every((s) => s === "held") && shop === "settled";
    });
  });
  afterEach(function () {
    // Every page a test opened: no console error, uncaught exception or CSP violation.
    for (const w of watched.splice(0)) expect(w.problems, this.currentTest?.title).to.deep.equal([]);
  });
  after(async function () {
    await receiver?.close();
    await suite?.close();
  });

  /** Opens the dashboard signed in with `key` (from the link's fragment) and waits until it is interactive. */
  const open = async (key = fullKey, viewport: { width: number; height: number } = VIEWPORTS.tablet): Promise<Page> => {
    const w = await suite.newPage({ viewport });
    watched.push(w);
    // Nothing from another origin (the CSV download is a blob: URL of this page).
    w.page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(`${suite.url}/`) && !url.startsWith("blob:") && !url.startsWith("data:")) w.problems.push(`request off the origin: ${url}`);
    });
    await w.page.goto(`/dashboard#key=${key}`);
    await w.page.waitForSelector("main#app[data-ready]");
    await w.page.waitForSelector("tr[data-invoice]");
    return w.page;
  };
  const rowIds = (page: Page) => page.locator("tr[data-invoice]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-invoice")));
  const openStory = async (page: Page, invoice: InvoiceJson) => {
    await page.locator(`tr[data-invoice="${invoice.id}"] button`).click();
    await page.waitForSelector(`#story h2:has-text("Invoice #${invoice.invoiceNumber}")`);
    await page.waitForSelector("#story [data-story-status]");
  };

  describe("signing in and the invoice list", function () {
    it("takes the key from the link (and drops it from the address), lists the invoices newest first, filters by status and searches by order text", async function () {
      const page = await open();
      expect(page.url()).to.not.include("key=");
      expect(await page.locator("h1").textContent()).to.equal("Held Dashboard Shop");
      expect(await rowIds(page)).to.deep.equal([invoices.table7.id, invoices.table12.id, invoices.paid2.id, invoices.refundMe.id]);
      await page.selectOption("#filter-status", "held");
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll("tr[data-invoice]").length === 2);
      expect(await rowIds(page)).to.deep.equal([invoices.paid2.id, invoices.refundMe.id]);
      await page.selectOption("#filter-status", "");
      // Keyboard only: focus the search box, type, Enter submits the filter form.
      await page.focus("#filter-q");
      await page.keyboard.type("table-1");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll("tr[data-invoice]").length === 1);
      expect(await rowIds(page)).to.deep.equal([invoices.table12.id]);
      expect(await page.locator(`tr[data-invoice="${invoices.table12.id}"]`).textContent()).to.include("12.5 " + symbol);
    });

    it("shows the sign-in form without a key, refuses a revoked or unknown key with a message, and signs out", async function () {
      const w = await suite.newPage();
      watched.push(w);
      await w.page.goto("/dashboard");
      await w.page.waitForSelector("main#app[data-ready] #sign-in-key");
      await w.page.fill("#sign-in-key", "sp_live_000000000000000000000000_" + "A".repeat(43));
      await w.page.click("form.dash-sign-in button[type=submit]");
      await w.page.waitForSelector("text=The gateway does not know this key");
      // The refused request is a 401 the browser logs as a failed resource load: the test's doing, and the only one allowed.
      const refused = w.problems.filter((p) => /status of 401/.test(p));
      expect(refused).to.have.length(1);
      w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !refused.includes(p)));
      await w.page.fill("#sign-in-key", readKey);
      await w.page.keyboard.press("Enter");
      await w.page.waitForSelector("tr[data-invoice]");
      await w.page.click("text=Sign out");
      await w.page.waitForSelector("#sign-in-key");
      expect(await w.page.evaluate(() => (globalThis as any).sessionStorage.length)).to.equal(0);
    });
  });

  describe("an invoice's story", function () {
    it("shows what the invoice asks for, its events with their transaction hashes and its webhook deliveries, and can send one again", async function () {
      const page = await open();
      await openStory(page, invoices.paid2);
      const story = page.locator("#story");
      expect(await story.locator("[data-story-status]").textContent()).to.equal("Paid (held)");
      const paid = await apiCall("GET", `/v1/invoices/${invoices.paid2.id}/events`, fullKey);
      const hash = paid.json.events.find((e: any) => e.type === "invoice.paid").data.chain.transactionHash as string;
      expect(await story.locator('[data-event="invoice.paid"] .mono').getAttribute("title")).to.equal(hash);
      await page.waitForSelector('#story [data-delivery]');
      const deliveries = await story.locator("[data-delivery]").count();
      expect(deliveries).to.be.at.least(1);
      expect(await story.locator("[data-delivery]").first().textContent()).to.include("invoice.paid");
      await story.locator("[data-delivery] button:has-text('Send again')").first().click();
      await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll("#story [data-delivery]").length === n + 1, deliveries);
      // Back to the list, focus on the invoice's button.
      await page.click("text=← All invoices");
      expect(await page.evaluate(() => (globalThis as any).document.activeElement.textContent)).to.equal(`#${invoices.paid2.invoiceNumber}`);
    });
  });

  describe("refund", function () {
    it("refunds part of a held payment through the dialog: it states the amount and points first, the customer's balance goes up by exactly that amount, and the story shows the refund", async function () {
      const { setup } = suite;
      const page = await open();
      await openStory(page, invoices.refundMe);
      await page.click("#story button:has-text('Refund…')");
      const dialog = page.locator("dialog.dash-dialog");
      await dialog.waitFor();
      await dialog.locator("#refund-part").check();
      await dialog.locator("#refund-amount").fill("1.25");
      await dialog.locator("button:has-text('Review refund')").click();
      await dialog.locator("#refund-confirm").waitFor();
      // What the chain will do, before anything is sent.
      const review = await dialog.locator(".dash-review").textContent();
      expect(await dialog.locator('[data-effect="amount"]').textContent()).to.equal(`1.25 ${symbol}`);
      expect(review).to.include(setup.f.customer.address);
      expect(review).to.include("Left to refund afterwards: 3.75 " + symbol);
      expect(await dialog.locator('[data-effect="points"]').textContent()).to.include("Points clawed back: none");
      expect(review).to.include("Points the payer earns at release: 7 instead of 10"); // 10 × 3.75 / 5, rounded down
      expect(await dialog.locator("#refund-confirm").textContent()).to.equal(`Refund 1.25 ${symbol} now`);
      expect(await axeViolations(page)).to.deep.equal([]);
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, "dashboard-refund-dialog.png") });

      const balanceBefore = await setup.f.token.balanceOf(setup.f.customer.address);
      await dialog.locator("#refund-confirm").click();
      await dialog.locator("[data-refund-sent]").waitFor({ timeout: 60_000 });
      const hash = await dialog.locator("[data-refund-sent]").getAttribute("data-refund-sent");
      expect(hash).to.match(/^0x[0-9a-f]{64}$/);
      expect((await setup.f.token.balanceOf(setup.f.customer.address)) - balanceBefore).to.equal(1_250_000n);
      await dialog.locator("button:has-text('Done')").click();
      // The story follows the indexer: the refund event, its transaction, the refunded total.
      await page.waitForSelector('#story [data-event="invoice.partially_refunded"]', { timeout: 60_000 });
      expect(await page.locator("#story [data-story-status]").textContent()).to.equal("Partly refunded");
      expect(await page.locator("#story [data-story-refunded]").getAttribute("data-story-refunded")).to.equal("1250000");
      expect(await page.locator('#story [data-event="invoice.partially_refunded"] .mono').getAttribute("title")).to.equal(hash);
    });

    it("reviews the refund of a settled payment: the points clawed back and the transactions for the merchant's own wallet, nothing the gateway could send", async function () {
      const page = await open(shopRefundKey);
      await openStory(page, settled);
      expect(await page.locator("#story [data-story-status]").textContent()).to.equal("Paid (settled)");
      await page.click("#story button:has-text('Refund…')");
      const dialog = page.locator("dialog.dash-dialog");
      await dialog.locator("button:has-text('Review refund')").click();
      await dialog.locator('[data-effect="points"]').waitFor();
      expect(await dialog.locator('[data-effect="amount"]').textContent()).to.equal(`3 ${symbol}`);
      expect(await dialog.locator('[data-effect="points"]').textContent()).to.equal("Points clawed back from the payer: 4.");
      expect(await dialog.locator(".dash-transactions li").count()).to.equal(2); // approve, then refundSettled
      expect(await dialog.locator("#refund-confirm").count()).to.equal(0);
      expect(await axeViolations(page)).to.deep.equal([]);
    });

    it("refuses an amount with more decimals than the token has, in the dialog, before asking the gateway", async function () {
      const page = await open();
      await openStory(page, invoices.paid2);
      await page.click("#story button:has-text('Refund…')");
      const dialog = page.locator("dialog.dash-dialog");
      await dialog.locator("#refund-part").check();
      await dialog.locator("#refund-amount").fill("0.1234567");
      await dialog.locator("button:has-text('Review refund')").click();
      await dialog.locator(".notice.error").waitFor();
      expect(await dialog.locator(".notice.error").textContent()).to.include("more than 6 decimal places");
      expect(await dialog.locator("#refund-confirm").count()).to.equal(0);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
    });
  });

  describe("cancel", function () {
    it("cancels an open invoice after a confirmation that says what happens on chain, then gives the cancel transaction", async function () {
      const page = await open();
      await openStory(page, invoices.table7);
      await page.click("#story button:has-text('Cancel invoice…')");
      const dialog = page.locator("dialog.dash-dialog");
      expect(await dialog.textContent()).to.include("cancelInvoice transaction").and.include(`7 ${symbol}`);
      await dialog.locator("button:has-text('Cancel the invoice')").click();
      const tx = page.locator("dialog.dash-dialog textarea");
      await tx.waitFor();
      expect(await tx.inputValue()).to.match(/^0x[0-9a-f]+$/);
      await page.locator("dialog.dash-dialog button:has-text('Done')").click();
      await page.waitForSelector('#story [data-story-status="cancelling"]');
      expect((await apiCall("GET", `/v1/invoices/${invoices.table7.id}`, fullKey)).json.status).to.equal("cancelling");
    });
  });

  describe("API keys and webhook endpoints", function () {
    it("creates an API key with chosen scopes (its secret shown once, and it works), then revokes it (and it stops working)", async function () {
      const page = await open();
      await page.fill("#key-label", "till 2");
      await page.uncheck("#key-scope-read");
      await page.check("#key-scope-create");
      await page.click("#keys button:has-text('Create key')");
      const secret = await page.locator("#keys [data-secret]").inputValue();
      expect(secret).to.match(/^sp_live_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
      const me = await apiCall("GET", "/v1/merchant", secret);
      expect(me.status).to.equal(200);
      expect(me.json.scopes).to.deep.equal(["create"]);
      const id = secret.slice("sp_live_".length, "sp_live_".length + 24);
      const card = page.locator(`#keys [data-key="${id}"]`);
      await card.waitFor();
      // The list never shows the secret again.
      expect(await page.locator("#keys ul").textContent()).to.not.include(secret);
      await card.locator("button:has-text('Revoke…')").click();
      await page.locator("dialog.dash-dialog button:has-text('Revoke the key')").click();
      await page.waitForSelector(`#keys [data-key="${id}"]:has-text("revoked")`);
      expect((await apiCall("GET", "/v1/merchant", secret)).status).to.equal(401);
    });

    it("adds a webhook endpoint and shows its signing secret once", async function () {
      const page = await open();
      const url = `${receiver.url}?second`;
      await page.fill("#webhook-url", url);
      await page.fill("#webhook-description", "backup");
      await page.click("#webhooks button:has-text('Add endpoint')");
      const secret = await page.locator("#webhooks [data-secret]").inputValue();
      expect(secret).to.match(/^whsec_/);
      await page.waitForSelector(`#webhooks [data-endpoint]:has-text("${url}")`);
      const endpoints = (await apiCall("GET", "/v1/webhook-endpoints", fullKey)).json.endpoints;
      expect(endpoints.map((e: { url: string }) => e.url)).to.include(url);
    });

    it("follows the key's scopes: a read-only key sees no key management, no endpoint form, and a disabled refund button", async function () {
      const page = await open(readKey);
      expect(await page.locator("#keys").count()).to.equal(0);
      expect(await page.locator("#webhook-url").count()).to.equal(0);
      await openStory(page, invoices.paid2);
      expect(await page.locator("#story button:has-text('Refund…')").isDisabled()).to.equal(true);
    });
  });

  describe("daily totals and export", function () {
    it("draws the daily chart (a bar per day) and the period's totals from the report", async function () {
      const page = await open();
      await page.waitForSelector("svg.dash-chart");
      expect(await page.locator("svg.dash-chart rect.bar.paid").count()).to.equal(30);
      const report = (await apiCall("GET", "/v1/reports/daily", fullKey)).json;
      const paid = report.days.reduce((n: bigint, d: { paidAmount: string }) => n + BigInt(d.paidAmount), 0n);
      expect(paid).to.equal(7_000_000n);
      expect(await page.locator('[data-kpi="paid"]').textContent()).to.equal(`7 ${symbol}`);
      expect(await page.locator("svg.dash-chart").getAttribute("aria-label")).to.include(`7 ${symbol} in all`);
    });

    it("downloads the CSV export of what the filters select, fetched with the key", async function () {
      const page = await open();
      await page.fill("#filter-q", "table");
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
      expect(download.suggestedFilename()).to.match(/^invoices-\d{4}-\d{2}-\d{2}\.csv$/);
      const file = await readFile((await download.path())!, "utf8");
      const lines = file.trimEnd().split("\r\n");
      expect(lines[0]).to.match(/^id,invoice_number,created_at,status,/);
      expect(lines.slice(1).map((l) => l.split(",")[0])).to.deep.equal([invoices.table7.id, invoices.table12.id, invoices.paid2.id]);
    });
  });

  describe("layout and accessibility", function () {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      it(`fits a ${name} (${viewport.width} px) without sideways scrolling, passes axe, and is screenshotted with an invoice's story`, async function () {
        const page = await open(fullKey, viewport);
        await page.waitForSelector("svg.dash-chart");
        const overflow = await page.evaluate(() => {
          const d = (globalThis as any).document.documentElement;
          return d.scrollWidth - d.clientWidth;
        });
        expect(overflow).to.be.at.most(0);
        expect(await axeViolations(page)).to.deep.equal([]);
        await page.screenshot({ path: path.join(ARTIFACTS_DIR, `dashboard-${name}.png`), fullPage: true });
        await openStory(page, invoices.refundMe);
        expect(await axeViolations(page)).to.deep.equal([]);
        await page.screenshot({ path: path.join(ARTIFACTS_DIR, `dashboard-${name}-story.png`), fullPage: true });
      });
    }
  });
});
