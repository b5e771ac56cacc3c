/**
 * The dashboard's API on both backends: daily totals (created, paid, refunded, points issued and redeemed) from what
 * the indexer recorded of real payments on the in-process chain, the invoice CSV export (header, rows, filters,
 * formula-injection escaping, never another merchant's rows), one invoice's webhook deliveries, the list's `q`
 * search with `%` and `_` taken literally, scopes and every error by status and code.
 */
import { expect } from "chai";
import { parseEther } from "ethers";

import { payInvoice } from "../../src/chain/payInvoice.js";
import { createApp, type ApiContext } from "../../gateway/src/api/index.js";
import { INVOICE_CSV_COLUMNS, startIndexer, type IndexerHandle } from "../../gateway/src/services/index.js";
import { escapeLike } from "../../gateway/src/store/index.js";
import { ethers } from "../helpers/fixture.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, newMerchant, sdkInvoiceOf, useApiSuite, type App, type TestMerchant } from "./helpers/apiFixture.js";
import { catchUp } from "./helpers/indexerFixture.js";

const HOUR = 3600n;
const DAY_MS = 86_400_000;
const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

/** Parses the export (no quoted line breaks in these tests): rows of cells, quotes undone. */
function parseCsv(text: string): string[][] {
  const lines = text.split("\r\n");
  expect(lines.pop()).to.equal(""); // every line ends with CRLF
  return lines.map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!)));
}

describe("gateway API: reports, exports, invoice deliveries, search", function () {
  this.timeout(180_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);

    describe("with payments indexed", function () {
      let held: TestMerchant;
      let app: App;
      let indexer: IndexerHandle;
      let endpointId: string;
      /** held: a partially refunded payment, a held payment and an open invoice; A: a settled payment earning points, then one redeeming some. */
      const inv: Record<"refunded" | "paid" | "open" | "earned" | "redeemed", { id: string; invoiceNumber: string }> = {} as never;

      before(async function () {
        const { setup, keyring, symbol } = s();
        const ctx: ApiContext = Object.assign({}, s().ctx, { provider: ethers.provider, webhooks: { allowPrivateUrls: true } });
        app = createApp(ctx);
        held = await newMerchant(suite.db, keyring, setup, "Held reports", HOUR);
        await (await setup.f.owner.sendTransaction({ to: held.signer.address, value: parseEther("1") })).wait();
        // Endpoint first, so every event of the held merchant gets a delivery (pending: no sender runs here).
        const endpoint = await call(app, "POST", "/v1/webhook-endpoints", { key: held.keys.create, body: { url: "http://127.0.0.1:9/hook" } });
        expect(endpoint.status, endpoint.text).to.equal(201);
        endpointId = endpoint.json.id;

        const create = async (merchant: TestMerchant, body: Record<string, unknown>) => {
          const res = await call(app, "POST", "/v1/invoices", { key: merchant.keys.create, body: { token: symbol, expiresIn: 3600, ...body } });
          expect(res.status, res.text).to.equal(201);
          return res.json;
        };
        const pay = (json: any) => payInvoice(setup.f.asCustomer.escrow, { invoice: sdkInvoiceOf(json), signature: json.signature });
        inv.refunded = await create(held, { amount: "5", pointsAward: 10, orderRef: "order-50%_off" });
        inv.paid = await create(held, { amount: "2", orderRef: "order-5000" });
        inv.open = await create(held, { amount: "3", orderRef: "ORDER-xyz" });
        await pay(inv.refunded);
        await pay(inv.paid);
        const refund = await call(app, "POST", `/v1/invoices/${inv.refunded.id}/refund`, { key: held.keys.refund, body: { amount: "1.25", mode: "send" } });
        expect(refund.status, refund.text).to.equal(200);
        inv.earned = await create(s().a, { amount: "4", pointsAward: 6 });
        await pay(inv.earned);
        inv.redeemed = await create(s().a, { amount: "1", pointsRedeem: 2, payer: setup.f.customer.address });
        await pay(inv.redeemed);
        indexer = startIndexer({
          db: suite.db,
          provider: ethers.provider,
          escrow: setup.f.deployment.escrow,
          chainId: setup.chain.location.chainId,
          fromBlock: 0n,
          loop: false,
          leaderLock: "none",
          logger: { error: () => undefined },
        });
        await catchUp(indexer);
      });
      after(async function () {
        await indexer?.stop();
      });

      const report = (key: string, query = `from=${utcDay(-1)}&to=${utcDay(1)}`) => call(app, "GET", `/v1/reports/daily?${query}`, { key });
      /** Sums a report's days (the test may straddle a UTC midnight). */
      const totals = (days: any[]) => ({
        invoicesCreated: days.reduce((n, d) => n + d.invoicesCreated, 0),
        paidCount: days.reduce((n, d) => n + d.paidCount, 0),
        paidAmount: days.reduce((n, d) => n + BigInt(d.paidAmount), 0n),
        refundedAmount: days.reduce((n, d) => n + BigInt(d.refundedAmount), 0n),
        pointsIssued: days.reduce((n, d) => n + BigInt(d.pointsIssued), 0n),
        pointsRedeemed: days.reduce((n, d) => n + BigInt(d.pointsRedeemed), 0n),
      });

      describe("GET /v1/reports/daily", function () {
        it("counts the held merchant's invoices created, payments and refunds per UTC day, in base units", async function () {
          const res = await report(held.keys.read);
          expect(res.status, res.text).to.equal(200);
          expect(res.json.from).to.equal(utcDay(-1));
          expect(res.json.to).to.equal(utcDay(1));
          for (const d of res.json.days) {
            expect(d.date).to.match(/^\d{4}-\d{2}-\d{2}$/);
            expect(d.token).to.deep.equal({ address: s().setup.f.tokenAddress.toLowerCase(), symbol: s().symbol, decimals: 6 });
          }
          // Held payments earn no points until they settle.
          expect(totals(res.json.days)).to.deep.equal({
            invoicesCreated: 3,
            paidCount: 2,
            paidAmount: 7_000_000n,
            refundedAmount: 1_250_000n,
            pointsIssued: 0n,
            pointsRedeemed: 0n,
          });
        });

        it("counts points awarded by a settled payment and points burned by a payment that redeems them", async function () {
          const res = await report(s().a.keys.read);
          expect(res.status, res.text).to.equal(200);
          expect(totals(res.json.days)).to.deep.equal({
            invoicesCreated: 2,
            paidCount: 2,
            paidAmount: 5_000_000n,
            refundedAmount: 0n,
            pointsIssued: 6n,
            pointsRedeemed: 2n,
          });
        });

        it("filters by token symbol or address, reports nothing for another merchant or an empty range, and defaults to the last 30 days", async function () {
          const bySymbol = await report(held.keys.read, `from=${utcDay(-1)}&to=${utcDay(1)}&token=${s().symbol}`);
          expect(totals(bySymbol.json.days).paidAmount).to.equal(7_000_000n);
          const eth = await report(held.keys.read, `from=${utcDay(-1)}&to=${utcDay(1)}&token=0x0000000000000000000000000000000000000000`);
          expect(eth.status).to.equal(200);
          expect(eth.json.days).to.deep.equal([]);
          expect((await report(s().b.keys.read)).json.days).to.deep.equal([]);
          expect((await report(held.keys.read, "from=2020-01-01&to=2020-01-31")).json.days).to.deep.equal([]);
          const defaults = await call(app, "GET", "/v1/reports/daily", { key: held.keys.read });
          expect(defaults.status).to.equal(200);
          expect((Date.parse(defaults.json.to) - Date.parse(defaults.json.from)) / DAY_MS).to.equal(29);
        });

        it("refuses bad dates, ranges and tokens (400 INVALID_INPUT), a key without read (403) and no key (401)", async function () {
          const key = held.keys.read;
          expectError(await report(key, "from=2026-02-30&to=2026-03-01"), 400, "INVALID_INPUT");
          expectError(await report(key, "from=yesterday"), 400, "INVALID_INPUT");
          expectError(await report(key, "from=2026-03-02&to=2026-03-01"), 400, "INVALID_INPUT");
          expectError(await report(key, "from=2024-01-01&to=2025-01-01"), 400, "INVALID_INPUT"); // 367 days
          expect((await report(key, "from=2024-01-01&to=2024-12-31")).status).to.equal(200); // 366 days
          expectError(await report(key, "token=NOPE"), 400, "INVALID_INPUT");
          expectError(await report(held.keys.create), 403, "FORBIDDEN_SCOPE");
          expectError(await call(app, "GET", "/v1/reports/daily"), 401, "UNAUTHENTICATED");
        });
      });

      describe("GET /v1/exports/invoices.csv", function () {
        const csv = (key: string, query = "") => call(app, "GET", `/v1/exports/invoices.csv${query}`, { key });

        it("streams a header row and one row per invoice, newest first, with amounts in the token's units", async function () {
          const res = await csv(held.keys.read);
          expect(res.status, res.text).to.equal(200);
          expect(res.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
          expect(res.headers.get("content-disposition")).to.match(/^attachment; filename="invoices-\d{4}-\d{2}-\d{2}\.csv"$/);
          const [header, ...rows] = parseCsv(res.text);
          expect(header).to.deep.equal([...INVOICE_CSV_COLUMNS]);
          expect(rows.map((r) => r[0])).to.deep.equal([inv.open.id, inv.paid.id, inv.refunded.id]);
          const col = (row: string[], name: (typeof INVOICE_CSV_COLUMNS)[number]) => row[INVOICE_CSV_COLUMNS.indexOf(name)];
          const refunded = rows[2]!;
          expect(col(refunded, "status")).to.equal("partially_refunded");
          expect(col(refunded, "amount")).to.equal("5");
          expect(col(refunded, "amount_base_units")).to.equal("5000000");
          expect(col(refunded, "paid_amount")).to.equal("5");
          expect(col(refunded, "refunded_amount")).to.equal("1.25");
          expect(col(refunded, "paid_by")).to.equal(s().setup.f.customer.address);
          expect(col(refunded, "order_ref_text")).to.equal("order-50%_off");
          expect(col(refunded, "points_award")).to.equal("10");
          expect(col(rows[0]!, "status")).to.equal("open");
          expect(col(rows[0]!, "paid_amount")).to.equal("");
        });

        it("applies the list's filters (status, search, creation time) and never holds another merchant's rows", async function () {
          const held_ = parseCsv((await csv(held.keys.read, "?status=held")).text).slice(1);
          expect(held_.map((r) => r[0])).to.deep.equal([inv.paid.id]);
          const searched = parseCsv((await csv(held.keys.read, "?q=xyz")).text).slice(1);
          expect(searched.map((r) => r[0])).to.deep.equal([inv.open.id]);
          const future = parseCsv((await csv(held.keys.read, `?createdFrom=${encodeURIComponent(new Date(Date.now() + DAY_MS).toISOString())}`)).text);
          expect(future).to.have.length(1); // the header only
          const other = await csv(s().b.keys.read);
          for (const id of Object.values(inv).map((i) => i.id)) expect(other.text).to.not.include(id);
          const mine = await csv(s().a.keys.read);
          expect(mine.text).to.include(inv.earned.id).and.not.include(inv.refunded.id);
        });

        it("prefixes cells that start with = + - @ with ' and quotes commas and quotes", async function () {
          const { keyring, setup, symbol } = s();
          const shop = await newMerchant(suite.db, keyring, setup, "Csv Shop");
          const texts = ['=HYPERLINK("http://x","y")', "+1,2", "-3", "@SUM(A1)", "plain"];
          for (const orderRef of texts) {
            const res = await call(app, "POST", "/v1/invoices", { key: shop.keys.create, body: { amount: "1", token: symbol, orderRef } });
            expect(res.status, res.text).to.equal(201);
          }
          const res = await csv(shop.keys.read);
          expect(res.text).to.include(`,"'=HYPERLINK(""http://x"",""y"")",`);
          expect(res.text).to.include(`,"'+1,2",`);
          expect(res.text).to.include(`,'-3,`);
          expect(res.text).to.include(`,'@SUM(A1),`);
          const column = INVOICE_CSV_COLUMNS.indexOf("order_ref_text");
          expect(parseCsv(res.text).slice(1).map((r) => r[column]).reverse()).to.deep.equal(["'" + texts[0], "'+1,2", "'-3", "'@SUM(A1)", "plain"]);
        });

        it("refuses a bad filter before sending anything (400), a key without read (403) and no key (401)", async function () {
          expectError(await csv(held.keys.read, "?status=lost"), 400, "INVALID_INPUT");
          expectError(await csv(held.keys.read, "?createdFrom=monday"), 400, "INVALID_INPUT");
          expectError(await csv(held.keys.create), 403, "FORBIDDEN_SCOPE");
          expectError(await call(app, "GET", "/v1/exports/invoices.csv"), 401, "UNAUTHENTICATED");
        });
      });

      describe("GET /v1/invoices/{id}/webhook-deliveries", function () {
        const deliveries = (id: string, key = held.keys.read) => call(app, "GET", `/v1/invoices/${id}/webhook-deliveries`, { key });

        it("lists the deliveries of the invoice's events, newest first (by event order within one indexer step), with their attempts", async function () {
          const res = await deliveries(inv.refunded.id);
          expect(res.status, res.text).to.equal(200);
          const types = res.json.deliveries.map((d: { eventType: string }) => d.eventType);
          expect(types).to.include("invoice.paid").and.include("invoice.partially_refunded");
          expect(types[0]).to.equal("invoice.partially_refunded");
          for (const d of res.json.deliveries) {
            expect(d.endpointId).to.equal(endpointId);
            expect(d.status).to.equal("pending");
            expect(d.attempts).to.deep.equal([]);
          }
          expect(res.json.truncated).to.equal(false);
          const events = await call(app, "GET", `/v1/invoices/${inv.refunded.id}/events`, { key: held.keys.read });
          expect(res.json.deliveries.map((d: { eventId: string }) => d.eventId)).to.deep.equal(events.json.events.map((e: { id: string }) => e.id).reverse());
          expect((await deliveries(inv.open.id)).json.deliveries).to.deep.equal([]);
        });

        it("answers 404 for another merchant's invoice or a malformed id, 403 without read, 401 without a key", async function () {
          expectError(await deliveries(inv.refunded.id, s().b.keys.read), 404, "NOT_FOUND");
          expectError(await deliveries("not-an-id"), 404, "NOT_FOUND");
          expectError(await deliveries(inv.refunded.id, held.keys.create), 403, "FORBIDDEN_SCOPE");
          expectError(await call(app, "GET", `/v1/invoices/${inv.refunded.id}/webhook-deliveries`), 401, "UNAUTHENTICATED");
        });
      });

      describe("GET /v1/invoices?q=", function () {
        const search = async (q: string, key = held.keys.read) => {
          const res = await call(app, "GET", `/v1/invoices?q=${encodeURIComponent(q)}`, { key });
          expect(res.status, res.text).to.equal(200);
          return res.json.invoices.map((i: { id: string }) => i.id) as string[];
        };

        it("finds order reference text case-insensitively, with % and _ taken literally", async function () {
          expect(await search("order")).to.have.members([inv.open.id, inv.paid.id, inv.refunded.id]);
          expect(await search("XYZ")).to.deep.equal([inv.open.id]);
          expect(await search("50%")).to.deep.equal([inv.refunded.id]);
          expect(await search("%")).to.deep.equal([inv.refunded.id]);
          expect(await search("_")).to.deep.equal([inv.refunded.id]);
          expect(await search("order-5_00")).to.deep.equal([]);
        });

        it("finds an invoice by its id, its number, and the address that paid it; never another merchant's", async function () {
          expect(await search(inv.paid.id)).to.deep.equal([inv.paid.id]);
          expect(await search(inv.paid.id.toUpperCase())).to.deep.equal([inv.paid.id]);
          expect(await search(inv.paid.invoiceNumber)).to.include(inv.paid.id);
          expect(await search(s().setup.f.customer.address)).to.have.members([inv.paid.id, inv.refunded.id]);
          expect(await search(inv.paid.id, s().b.keys.read)).to.deep.equal([]);
          expect(await search("order", s().b.keys.read)).to.deep.equal([]);
        });

        it("refuses a search longer than 200 characters (400)", async function () {
          expectError(await call(app, "GET", `/v1/invoices?q=${"a".repeat(201)}`, { key: held.keys.read }), 400, "INVALID_INPUT");
        });
      });
    });
  });
});

describe("escapeLike", function () {
  it("escapes the LIKE wildcards and the escape character itself", function () {
    expect(escapeLike("50%_off\\")).to.equal("50\\%\\_off\\\\");
    expect(escapeLike("plain")).to.equal("plain");
  });
});
