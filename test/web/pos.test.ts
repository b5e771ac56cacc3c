/**
 * The point of sale (/pos) in a real Chromium against the whole gateway runtime (webFixture): the keypad's pure
 * modules, then the cashier's journeys: a sale typed on the keypad and by keyboard, charged, its QR code read back
 * from a screenshot and paid as a plain wallet pays (an ERC-20 `transfer` to the deposit address it encodes), the
 * page turning to paid; a retried charge after a lost response (one invoice); an expired sale; a cancelled one at
 * phone width; signing in and out, with the messages for a bad key and a key without the `create` scope. Every
 * screen is checked with axe-core and screenshotted at the phone and tablet sizes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import type { Page } from "playwright-core";

import { amountBaseUnits, displayAmount, pressAmountKey, requestAmount, type AmountKey } from "../../gateway/src/web/client/pos/amountEntry.js";
import { ChargeAttempts } from "../../gateway/src/web/client/pos/chargeAttempts.js";
import { formatCountdown } from "../../gateway/src/web/client/pos/countdown.js";
import { isFinalPhase, salePhaseOf } from "../../gateway/src/web/client/pos/salePhase.js";
import { INVOICE_STATUSES } from "../../gateway/src/services/index.js";
import { decodeInvoiceUri } from "../../src/qr/decodeInvoiceUri.js";
import { decodeQrImage } from "../../src/qr/image/decodeQrImage.js";
import { parseTransferUri } from "../../src/qr/parseTransferUri.js";
import { networkHelpers } from "../helpers/fixture.js";
import { ARTIFACTS_DIR, axeViolations, startWebSuite, VIEWPORTS, type WatchedPage, type WebSuite } from "./helpers/webFixture.js";

/** What the gateway takes as now (context.ts nowOf): the later of the chain's latest block time and the wall clock. */
async function gatewayNow(): Promise<number> {
  return Math.max(await networkHelpers.time.latest(), Math.floor(Date.now() / 1000));
}

const DOCS_SCREENSHOT = path.resolve(import.meta.dirname, "../../docs/images/pos.png");

/** Presses keys from the start ("" typed). */
function typed(keys: AmountKey[], decimals: number): string {
  return keys.reduce((text, key) => pressAmountKey(text, key, { decimals }), "");
}

describe("point of sale: amountEntry", function () {
  describe("pressAmountKey", function () {
    it("builds a decimal from digits and one point, without leading zeros", function () {
      expect(typed(["1", "2", ".", "5", "0"], 6)).to.equal("12.50");
      expect(typed(["0", "0", "7"], 6)).to.equal("7");
      expect(typed([".", "5"], 6)).to.equal("0.5");
      expect(typed(["0", ".", "0", "1"], 6)).to.equal("0.01");
      expect(typed(["1", ".", "2", "."], 6)).to.equal("1.2");
    });

    it("refuses more fractional digits than the token has decimals, and a point for a token without decimals", function () {
      expect(typed(["1", ".", "1", "2", "3", "4", "5", "6", "7"], 6)).to.equal("1.123456");
      expect(typed(["5", ".", "2"], 0)).to.equal("52");
      expect(typed(["0", ".", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1"], 18)).to.equal(
        "0.000000000000000001",
      );
    });

    it("stops at the most whole digits", function () {
      expect(typed(["9", "9", "9", "9", "9", "9", "9", "9", "9", "9"], 6)).to.equal("999999999");
      expect(pressAmountKey("123", "4", { decimals: 6, maxWholeDigits: 3 })).to.equal("123");
      expect(pressAmountKey("123", ".", { decimals: 6, maxWholeDigits: 3 })).to.equal("123.");
    });

    it("deletes the last character with backspace (the 0 of a leading point with it) and everything with clear", function () {
      expect(pressAmountKey("12.5", "backspace", { decimals: 6 })).to.equal("12.");
      expect(pressAmountKey("0.", "backspace", { decimals: 6 })).to.equal("");
      expect(pressAmountKey("", "backspace", { decimals: 6 })).to.equal("");
      expect(pressAmountKey("12.5", "clear", { decimals: 6 })).to.equal("");
    });
  });

  describe("displayAmount, requestAmount and amountBaseUnits", function () {
    it("shows 0 for nothing typed, sends the decimal without a trailing point, and converts exactly", function () {
      expect(displayAmount("")).to.equal("0");
      expect(displayAmount("12.")).to.equal("12.");
      expect(requestAmount("12.")).to.equal("12");
      expect(requestAmount("")).to.equal("0");
      expect(amountBaseUnits("12.35", 6)).to.equal(12_350_000n);
      expect(amountBaseUnits("0.1", 18)).to.equal(100_000_000_000_000_000n); // Number would give 100000000000000010
      expect(amountBaseUnits("999999999.999999999999999999", 18)).to.equal(999_999_999_999_999_999_999_999_999n);
      expect(amountBaseUnits("", 6)).to.equal(0n);
    });
  });
});

describe("point of sale: salePhaseOf", function () {
  it("maps every invoice status to the cashier's phase", function () {
    const phases = Object.fromEntries(INVOICE_STATUSES.map((status) => [status, salePhaseOf(status)]));
    expect(phases).to.deep.equal({
      open: "waiting",
      expired: "expired",
      seen: "seen",
      held: "paid",
      settled: "paid",
      partially_refunded: "paid",
      refunded: "paid",
      disputed: "paid",
      cancelling: "cancelled",
      cancelled: "cancelled",
    });
    expect(salePhaseOf("toString")).to.equal(undefined);
    expect(salePhaseOf("something-new")).to.equal(undefined);
  });

  it("offers a new sale only once the sale is paid, expired or cancelled", function () {
    expect(["waiting", "seen", "paid", "expired", "cancelled"].filter((p) => isFinalPhase(p as never))).to.deep.equal(["paid", "expired", "cancelled"]);
  });
});

describe("point of sale: ChargeAttempts", function () {
  const request = { amount: "12.5", token: "0x0000000000000000000000000000000000000001", expiresIn: 900 };

  it("sends a retried charge of the same request under the same Idempotency-Key, and a new request under a new one", function () {
    let n = 0;
    let clock = 1000;
    const attempts = new ChargeAttempts(() => `key-${++n}`, () => clock);
    const first = attempts.attemptFor(request);
    clock = 5000;
    expect(attempts.attemptFor({ ...request })).to.deep.equal({ idempotencyKey: "key-1", startedAt: 1000 });
    expect(first.idempotencyKey).to.equal("key-1");
    expect(attempts.attemptFor({ ...request, amount: "12.6" }).idempotencyKey).to.equal("key-2");
    expect(attempts.attemptFor({ ...request, pointsRedeem: 5, payer: "0x00000000000000000000000000000000000000aa" }).idempotencyKey).to.equal("key-3");
  });

  it("starts a new attempt after the gateway answered, even for the same request (the next sale)", function () {
    let n = 0;
    const attempts = new ChargeAttempts(() => `key-${++n}`);
    attempts.attemptFor(request);
    attempts.finished();
    expect(attempts.attemptFor(request).idempotencyKey).to.equal("key-2");
  });

  it("makes keys of 128 random bits by default", function () {
    const attempts = new ChargeAttempts();
    const key = attempts.attemptFor(request).idempotencyKey;
    expect(key).to.match(/^pos-[0-9a-f]{32}$/);
    attempts.finished();
    expect(attempts.attemptFor(request).idempotencyKey).to.not.equal(key);
  });
});

describe("point of sale: formatCountdown", function () {
  it("shows m:ss (h:mm:ss from an hour), rounded up, never negative", function () {
    expect(formatCountdown(900_000)).to.equal("15:00");
    expect(formatCountdown(899_001)).to.equal("15:00");
    expect(formatCountdown(61_000)).to.equal("1:01");
    expect(formatCountdown(3_723_000)).to.equal("1:02:03");
    expect(formatCountdown(0)).to.equal("0:00");
    expect(formatCountdown(-5_000)).to.equal("0:00");
  });
});

describe("point of sale: /pos in Chromium", function () {
  this.timeout(180_000);
  let suite: WebSuite;
  let symbol = "";
  let tokenAddress = "";

  before(async function () {
    suite = await startWebSuite();
    symbol = await suite.setup.f.token.symbol();
    tokenAddress = await suite.setup.f.token.getAddress();
  });
  after(async function () {
    await suite?.close();
  });

  /** A page signed in with the terminal key through the link's fragment, on the keypad. */
  async function terminal(viewport: { width: number; height: number }, query = ""): Promise<WatchedPage & { requests: string[] }> {
    const watched = await suite.newPage({ viewport });
    const requests: string[] = [];
    watched.page.on("request", (request) => requests.push(request.url()));
    await watched.page.goto(`/pos${query}#key=${suite.shop.keys.create}`);
    await watched.page.waitForSelector('main#app[data-ready][data-screen="keypad"]');
    return { ...watched, requests };
  }

  async function amountShown(page: Page): Promise<string> {
    return (await page.textContent('[data-testid="amount"]')) ?? "";
  }

  async function expectNoAxeViolations(page: Page, screen: string): Promise<void> {
    const violations = await axeViolations(page);
    expect(violations, `${screen}: ${JSON.stringify(violations, null, 2)}`).to.deep.equal([]);
  }

  /** The QR code on the screen, read from a screenshot of the page. */
  async function qrFromScreenshot(page: Page, file: string): Promise<string> {
    // A function, not a string (the page's CSP forbids eval); typed by hand: this file has no DOM library.
    await page.waitForFunction(() => {
      const img = (globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }).document.querySelector("img.qr");
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    const png = await page.screenshot({ path: path.join(ARTIFACTS_DIR, file) });
    return decodeQrImage(png);
  }

  async function invoiceOfPage(page: Page): Promise<any> {
    const id = await page.getAttribute("section.sale", "data-invoice");
    const res = await fetch(`${suite.url}/v1/invoices/${id}`, { headers: { authorization: `Bearer ${suite.shop.keys.all}` } });
    expect(res.status).to.equal(200);
    return res.json();
  }

  describe("a sale paid with a plain transfer", function () {
    it("takes the amount from the keypad and the keyboard, shows the plain-transfer QR for exactly that amount, and turns paid when a wallet pays it", async function () {
      const { page, problems, requests } = await terminal(VIEWPORTS.tablet);
      expect(await page.textContent(".pos-header")).to.contain("Web Shop").and.contain("Hardhat local");
      expect(await page.textContent(".amount-display")).to.equal(`0 ${symbol}`);
      expect(await page.isDisabled("button.charge")).to.equal(true);

      // Buttons for "12", the keyboard for the rest: a point, a slip corrected with Backspace, and Enter to charge.
      await page.click('[data-key="1"]');
      await page.click('[data-key="2"]');
      await page.keyboard.type(".34");
      await page.keyboard.press("Backspace");
      await page.keyboard.press("5");
      expect(await amountShown(page)).to.equal("12.35");
      expect(await page.textContent("button.charge")).to.equal(`Charge 12.35 ${symbol}`);
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, "pos-keypad-tablet.png") });
      await expectNoAxeViolations(page, "keypad");

      await page.keyboard.press("Enter");
      await page.waitForSelector('section.sale[data-phase="waiting"]');
      expect(await page.getAttribute("main#app", "data-screen")).to.equal("sale");
      const invoice = await invoiceOfPage(page);
      expect(invoice.amount).to.deep.equal({ baseUnits: "12350000", decimal: "12.35" });
      // The gateway's "now" is the later of the chain's clock (other test files move it) and this machine's.
      expect(invoice.expiresAt - (await gatewayNow())).to.be.within(880, 905); // ?expiresIn absent: 900 s

      // What the customer's camera sees: the plain EIP-681 transfer of exactly 12.35 to the invoice's deposit address.
      const text = await qrFromScreenshot(page, "pos-sale-tablet.png");
      const transfer = parseTransferUri(text);
      expect(transfer).to.deep.equal({ kind: "erc20", token: tokenAddress, to: transfer.to, amount: 12_350_000n, chainId: 31337n });
      expect(transfer.to.toLowerCase()).to.equal(invoice.qr.deposit.address.toLowerCase());
      expect(text).to.equal(invoice.qr.deposit.uri);
      if (process.env.SCANPAY_UPDATE_SCREENSHOTS === "1") {
        await mkdir(path.dirname(DOCS_SCREENSHOT), { recursive: true });
        await writeFile(DOCS_SCREENSHOT, await page.screenshot());
      }

      // ...and in words below it, with the countdown.
      const words = await page.textContent(".sale-words");
      expect(words).to.contain(`12.35 ${symbol}`).and.contain("Hardhat local (chain 31337)").and.contain(invoice.qr.deposit.address).and.contain(tokenAddress);
      expect(await page.textContent(".countdown")).to.match(/^Expires in 1[45]:\d\d$/);
      await expectNoAxeViolations(page, "sale (waiting)");

      // A plain wallet pays: the token's transfer to the address the QR code encodes.
      const receipt = await (await suite.setup.f.token.connect(suite.setup.f.customer).transfer(transfer.to, transfer.amount!)).wait();
      const minedAt = Date.now();
      await page.waitForSelector('section.sale[data-phase="paid"]', { timeout: 30_000 });
      const paidAfterMs = Date.now() - minedAt;
      console.log(`      the page showed paid ${paidAfterMs} ms after the paying block ${receipt!.blockNumber} was mined (deposit settled by the keeper)`);
      // Indexer 100 ms, keeper 200 ms, feed 100 ms; a loaded 2-core machine gets a wide margin.
      expect(paidAfterMs).to.be.below(15_000);
      expect(await page.textContent(".phase-text")).to.equal("Paid");
      // The web suite's indexer counts a payment in its own block (GET /v1/merchant: confirmations 0).
      expect(await page.textContent(".phase-detail")).to.equal(
        `12.35 ${symbol} received on Hardhat local: final in its block (this network waits for no confirmations).`,
      );
      expect(await page.isVisible(".big-check")).to.equal(true);
      expect(await page.textContent('p[role="status"].visually-hidden')).to.equal("Paid");
      expect(await page.evaluate("document.activeElement && document.activeElement.textContent")).to.equal("New sale");
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, "pos-paid-tablet.png") });
      await expectNoAxeViolations(page, "sale (paid)");
      expect(["held", "settled"]).to.include((await invoiceOfPage(page)).status);

      await page.keyboard.press("Enter");
      await page.waitForSelector('main#app[data-screen="keypad"]');
      expect(await amountShown(page)).to.equal("0");
      expect(problems).to.deep.equal([]);
      expect(requests.filter((url) => !url.startsWith(`${suite.url}/`))).to.deep.equal([]);
    });
  });

  describe("a sale in ETH", function () {
    it("switches the token (the amount starts again), shows the plain ETH send and turns paid when a wallet sends it", async function () {
      const { page, problems } = await terminal(VIEWPORTS.tablet);
      await page.keyboard.type("5");
      const eth = "0x0000000000000000000000000000000000000000";
      await page.selectOption("#pos-token", eth);
      expect(await page.textContent(".amount-display")).to.equal("0 ETH");
      // A focused menu keeps its choosing keys but not the digits: they type the amount (a comma is a point too).
      await page.focus("#pos-token");
      await page.keyboard.type("0,0015");
      expect(await amountShown(page)).to.equal("0.0015");
      await page.keyboard.press("Enter");
      await page.waitForSelector('section.sale[data-phase="waiting"]');
      const invoice = await invoiceOfPage(page);
      const transfer = parseTransferUri(await qrFromScreenshot(page, "pos-sale-eth-tablet.png"));
      expect(transfer).to.deep.equal({ kind: "native", to: transfer.to, amount: 1_500_000_000_000_000n, chainId: 31337n });
      expect(transfer.to.toLowerCase()).to.equal(invoice.qr.deposit.address.toLowerCase());
      expect(await page.textContent(".qr-text")).to.contain("0.0015 ETH").and.contain("an ETH send of exactly this amount");
      expect(await page.locator(".sale-words dt", { hasText: /^Token$/ }).count()).to.equal(0);

      await (await suite.setup.f.customer.sendTransaction({ to: transfer.to, value: transfer.amount! })).wait();
      await page.waitForSelector('section.sale[data-phase="paid"]', { timeout: 30_000 });
      // The next sale keeps the token the last one was charged in.
      await page.keyboard.press("Enter");
      await page.waitForSelector('main#app[data-screen="keypad"]');
      expect(await page.textContent(".amount-display")).to.equal("0 ETH");
      expect(problems).to.deep.equal([]);
    });
  });

  describe("a charge retried after its answer was lost", function () {
    it("sends the same Idempotency-Key again and shows the one invoice the first request created", async function () {
      const { page, problems } = await terminal(VIEWPORTS.tablet);
      const keys: string[] = [];
      let lost = false;
      await page.route("**/v1/invoices", async (route) => {
        keys.push(route.request().headers()["idempotency-key"] ?? "");
        if (lost) return route.continue();
        lost = true;
        await route.fetch(); // the gateway creates the invoice; the answer never reaches the page
        await route.abort("connectionreset");
      });
      await page.keyboard.type("7.77");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".pos-notice .notice.error");
      expect(await page.textContent(".pos-notice")).to.equal("Not charged: the gateway cannot be reached: check the connection");
      expect(await page.isEnabled("button.charge")).to.equal(true);

      await page.click("button.charge");
      await page.waitForSelector('section.sale[data-phase="waiting"]');
      expect(keys).to.have.length(2);
      expect(keys[0]).to.match(/^pos-[0-9a-f]{32}$/);
      expect(keys[1]).to.equal(keys[0]);
      const list = await fetch(`${suite.url}/v1/invoices?limit=100`, { headers: { authorization: `Bearer ${suite.shop.keys.all}` } });
      const sevens = ((await list.json()) as any).invoices.filter((i: { amount: { decimal: string } }) => i.amount.decimal === "7.77");
      expect(sevens.map((i: { id: string }) => i.id)).to.deep.equal([await page.getAttribute("section.sale", "data-invoice")]);
      // The lost answer is the only thing Chromium logs.
      expect(problems.filter((p) => !/ERR_CONNECTION_RESET/.test(p))).to.deep.equal([]);
    });
  });

  describe("a sale at phone width, cancelled with Escape", function () {
    it("fits a 360 px phone, its QR code reads from the screenshot, and Escape cancels it", async function () {
      const { page, problems } = await terminal(VIEWPORTS.phone);
      await page.keyboard.type("3");
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, "pos-keypad-phone.png") });
      await expectNoAxeViolations(page, "keypad (phone)");
      const noHorizontalScroll = () => page.evaluate("document.documentElement.scrollWidth <= window.innerWidth");
      expect(await noHorizontalScroll()).to.equal(true);

      await page.keyboard.press("Enter");
      await page.waitForSelector('section.sale[data-phase="waiting"]');
      const transfer = parseTransferUri(await qrFromScreenshot(page, "pos-sale-phone.png"));
      expect(transfer.amount).to.equal(3_000_000n);
      expect(await noHorizontalScroll()).to.equal(true);
      await expectNoAxeViolations(page, "sale (phone)");

      await page.keyboard.press("Escape");
      await page.waitForSelector('section.sale[data-phase="cancelled"]');
      expect(await page.textContent(".phase-text")).to.equal("Sale cancelled");
      expect((await invoiceOfPage(page)).status).to.equal("cancelling");
      await expectNoAxeViolations(page, "sale (cancelled, phone)");
      await page.click("button.new-sale");
      await page.waitForSelector('main#app[data-screen="keypad"]');
      expect(problems).to.deep.equal([]);
    });
  });

  describe("a sale that redeems points", function () {
    it("binds the invoice to the customer's address, burns the points, and shows the payPacked QR (no plain-transfer form)", async function () {
      const { page, problems } = await terminal(VIEWPORTS.tablet);
      const customer = suite.setup.f.customer.address;
      await page.keyboard.type("9.5");
      await page.click(".points summary");
      await page.fill("#pos-customer", customer);
      await page.fill("#pos-points", "0");
      await page.click("button.charge");
      expect(await page.textContent(".pos-notice")).to.match(/^Points to redeem must be a whole number from 1 to 4294967295/);
      await page.fill("#pos-points", "250");
      await page.fill("#pos-customer", "0x1234");
      await page.keyboard.press("Enter"); // Enter in a field submits the sale too
      expect(await page.textContent(".pos-notice")).to.equal("The customer's address must be 0x followed by 40 hexadecimal digits.");
      await page.fill("#pos-customer", customer);
      await page.keyboard.press("Enter");
      await page.waitForSelector('section.sale[data-phase="waiting"]');

      const invoice = await invoiceOfPage(page);
      expect(invoice).to.deep.include({ pointsRedeem: 250, payer: customer });
      expect(invoice.qr.deposit).to.equal(null);
      const text = await qrFromScreenshot(page, "pos-sale-points-tablet.png");
      expect(text).to.equal(invoice.qr.payPacked.uri);
      const packed = decodeInvoiceUri(text).packed.invoice;
      expect({ amount: packed.amount, pointsRedeem: packed.pointsRedeem, payer: packed.payer }).to.deep.equal({
        amount: 9_500_000n,
        pointsRedeem: 250n,
        payer: customer,
      });
      expect(await page.textContent(".qr-text")).to.contain("Redeems 250 points");
      expect(await page.locator(".sale-words dt", { hasText: /^To$/ }).count()).to.equal(0); // no deposit address
      await expectNoAxeViolations(page, "sale (points)");
      expect(problems).to.deep.equal([]);
    });
  });

  describe("an expired sale", function () {
    it("shows expired once the invoice's time is up (?expiresIn=2), and New sale returns to the keypad", async function () {
      const { page, problems } = await terminal(VIEWPORTS.tablet, "?expiresIn=2");
      await page.keyboard.type("1");
      await page.keyboard.press("Enter");
      await page.waitForSelector('section.sale[data-phase="waiting"]');
      const invoice = await invoiceOfPage(page);
      expect(invoice.expiresAt - (await gatewayNow())).to.be.within(0, 3);
      // The chain's clock passes the expiry in a new block (a real chain makes blocks on its own).
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await networkHelpers.time.increase(5);
      await page.waitForSelector('section.sale[data-phase="expired"]', { timeout: 30_000 });
      expect(await page.textContent(".phase-text")).to.equal("Expired: not paid");
      expect(await page.locator("img.qr, .countdown").count()).to.equal(0); // the QR code and its countdown are gone
      await expectNoAxeViolations(page, "sale (expired)");
      await page.click("button.new-sale");
      await page.waitForSelector('main#app[data-screen="keypad"]');
      expect(await amountShown(page)).to.equal("0");
      expect(problems).to.deep.equal([]);
    });
  });

  describe("signing the terminal in and out", function () {
    /** Chromium logs each 4xx the page receives as a console error; only those are expected. */
    const onlyRefusals = (problems: string[], status: number) =>
      problems.filter((p) => !p.includes(`the server responded with a status of ${status}`));

    it("shows the sign-in form without a key, refuses text that is not a key, and signs in with a terminal key", async function () {
      const { page, problems } = await suite.newPage({ viewport: VIEWPORTS.phone });
      await page.goto("/pos");
      await page.waitForSelector('main#app[data-ready][data-screen="sign-in"]');
      await expectNoAxeViolations(page, "sign-in");
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, "pos-sign-in-phone.png") });

      await page.fill("#pos-key", "not a key");
      await page.keyboard.press("Enter");
      expect(await page.textContent(".pos-notice")).to.match(/^That is not an API key: a key starts with sp_live_/);

      await page.fill("#pos-key", suite.shop.keys.create);
      await page.click('button[type="submit"]');
      await page.waitForSelector('main#app[data-screen="keypad"]');
      expect(await page.evaluate(() => localStorage.getItem("scanpay.pos.key"))).to.equal(suite.shop.keys.create);

      // The device stays signed in across a reload; Sign out forgets the key.
      await page.reload();
      await page.waitForSelector('main#app[data-ready][data-screen="keypad"]');
      await page.click("button.sign-out");
      await page.waitForSelector('main#app[data-screen="sign-in"]');
      expect(await page.evaluate(() => localStorage.getItem("scanpay.pos.key"))).to.equal(null);
      expect(problems).to.deep.equal([]);
    });

    it("says a mistyped or revoked key is not accepted (401 UNAUTHENTICATED)", async function () {
      const { page, problems } = await suite.newPage();
      await page.goto("/pos");
      await page.waitForSelector('main#app[data-ready][data-screen="sign-in"]');
      await page.fill("#pos-key", `sp_live_${"0".repeat(24)}_${"A".repeat(43)}`);
      const [response] = await Promise.all([page.waitForResponse("**/v1/merchant"), page.keyboard.press("Enter")]);
      expect(response.status()).to.equal(401);
      expect(((await response.json()) as any).error.code).to.equal("UNAUTHENTICATED");
      await page.waitForSelector(".pos-notice .notice.error");
      expect(await page.textContent(".pos-notice")).to.match(/^The gateway does not accept this key: it was mistyped, or it has been revoked/);
      expect(await page.getAttribute("main#app", "data-screen")).to.equal("sign-in");
      expect(onlyRefusals(problems, 401)).to.deep.equal([]);
    });

    it("refuses a key without the create scope, from the form and from the link (and a charge it would fail: 403 FORBIDDEN_SCOPE)", async function () {
      const created = await fetch(`${suite.url}/v1/invoices`, {
        method: "POST",
        headers: { authorization: `Bearer ${suite.shop.keys.read}`, "content-type": "application/json" },
        body: JSON.stringify({ amount: "1", token: symbol }),
      });
      expect(created.status).to.equal(403);
      expect(((await created.json()) as any).error.code).to.equal("FORBIDDEN_SCOPE");

      const { page, problems } = await suite.newPage();
      await page.goto("/pos");
      await page.waitForSelector('main#app[data-ready][data-screen="sign-in"]');
      await page.fill("#pos-key", suite.shop.keys.read);
      await page.keyboard.press("Enter");
      await page.waitForSelector(".pos-notice .notice.error");
      expect(await page.textContent(".pos-notice")).to.equal(
        "This key cannot take payments (its scopes: read). A point of sale needs a key with the create scope: a terminal key.",
      );
      expect(await page.evaluate(() => localStorage.getItem("scanpay.pos.key"))).to.equal(null);

      // A link pasted into the open page (only the fragment changes: no reload).
      await page.goto(`/pos#key=${suite.shop.keys.read}`);
      await page.waitForSelector('main#app[data-ready][data-screen="sign-in"]');
      expect(await page.textContent(".sign-in .notice.warn")).to.contain("This key cannot take payments (its scopes: read)");
      expect(page.url()).to.not.contain("#key="); // the key left the address bar at once
      expect(await page.evaluate(() => localStorage.getItem("scanpay.pos.key"))).to.equal(null);
      await expectNoAxeViolations(page, "sign-in with a message");
      expect(problems).to.deep.equal([]);
    });
  });
});
