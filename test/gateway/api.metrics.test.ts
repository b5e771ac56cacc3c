/**
 * GET /metrics: Prometheus text format 0.0.4 that parses line by line, figures that match the database, the indexer's
 * lines only when it reports, HTTP counters by route pattern, and the optional bearer token.
 */
import { expect } from "chai";
import { sql } from "kysely";

import { createApp } from "../../gateway/src/api/index.js";
import { nowOf, type IndexerStats } from "../../gateway/src/services/index.js";
import { recordEvent, transitionInvoice } from "../../gateway/src/store/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, useApiSuite } from "./helpers/apiFixture.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*",?)*)\\})? (-?[0-9]+(?:\\.[0-9]+)?(?:e[+-]?[0-9]+)?|NaN|\\+Inf|-Inf)$`);

/** Parses the exposition strictly: every line a HELP, a TYPE or `name{labels} value` of a declared family. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  expect(text.endsWith("\n")).to.equal(true, "ends with a newline");
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      expect(types.has(type[1]!)).to.equal(false, `family ${type[1]} declared twice`);
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP \S+ .+$/.test(line)) continue;
    const m = SAMPLE_RE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    const name = m[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(family)).to.equal(true, `sample ${name} has no # TYPE`);
    samples.push({ name, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe("gateway API: /metrics", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);

    before(async function () {
      const { a, b, app, symbol } = s();
      const create = async (key: string, extra: Record<string, unknown> = {}) =>
        (await call(app, "POST", "/v1/invoices", { key, body: { amount: "1", token: symbol, ...extra } })).json.id as string;
      const ids = [await create(a.keys.all), await create(a.keys.all), await create(b.keys.all), await create(b.keys.all)];
      // One paid (held), one expired (open past its expiry, stored as open).
      await suite.db.transaction().execute((trx) =>
        transitionInvoice(trx, { invoiceId: ids[0]!, from: ["open"], to: "held", event: { type: "invoice.paid", data: () => ({}) } }),
      );
      await suite.db.updateTable("invoices").set({ expiry: "1000" }).where("id", "=", ids[2]!).execute();
      // A webhook endpoint, so events make outbox rows; one delivery failed.
      await suite.db
        .insertInto("webhook_endpoints")
        .values({
          id: "whe_metrics",
          merchant_id: a.id,
          url: "https://example.com/hook",
          event_types: ["*"],
          secret_ciphertext: "x",
          secret_iv: "x",
          secret_tag: "x",
          secret_master_id: "test",
        })
        .execute();
      for (let i = 0; i < 3; i++) {
        await suite.db.transaction().execute((trx) => recordEvent(trx, { merchantId: a.id, invoiceId: ids[1]!, type: "invoice.seen", data: {} }));
      }
      const one = await suite.db.selectFrom("webhook_deliveries").select("id").limit(1).executeTakeFirstOrThrow();
      await suite.db.updateTable("webhook_deliveries").set({ status: "failed" }).where("id", "=", one.id).execute();
    });

    const scrape = async (app = s().app, headers: Record<string, string> = {}) => {
      const res = await call(app, "GET", "/metrics", { headers });
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.equal("text/plain; version=0.0.4; charset=utf-8");
      return parseExposition(res.text);
    };

    describe("GET /metrics", function () {
      it("parses as Prometheus text, and its counts are the database's", async function () {
        const { ctx } = s();
        const { samples, types } = await scrape();
        const now = await nowOf(ctx);
        const rows = await suite.db
          .selectFrom("invoices")
          .select([
            sql<string>`case when status = 'open' and expiry < ${now.toString()} then 'expired' else status end`.as("shown"),
            sql<string>`count(*)::text`.as("n"),
          ])
          .groupBy("shown")
          .execute();
        const expected = new Map(rows.map((r) => [r.shown, Number(r.n)]));
        expect(expected.get("expired")).to.equal(1);
        expect(expected.get("held")).to.equal(1);
        for (const status of ["open", "expired", "seen", "held", "settled", "partially_refunded", "refunded", "disputed", "cancelling", "cancelled"]) {
          expect(value(samples, "scanpay_invoices", { status })).to.equal(expected.get(status) ?? 0, status);
        }
        expect(types.get("scanpay_invoices")).to.equal("gauge");

        const deliveries = async (status: string) =>
          Number((await suite.db.selectFrom("webhook_deliveries").select(sql<string>`count(*)::text`.as("n")).where("status", "=", status).executeTakeFirstOrThrow()).n);
        expect(value(samples, "scanpay_webhook_queue_depth")).to.equal(await deliveries("pending"));
        expect(value(samples, "scanpay_webhook_queue_depth")).to.equal(2);
        expect(value(samples, "scanpay_webhook_deliveries_failed")).to.equal(1);
        const events = Number((await suite.db.selectFrom("events").select(sql<string>`count(*)::text`.as("n")).executeTakeFirstOrThrow()).n);
        expect(value(samples, "scanpay_events_total")).to.equal(events);
        expect(events).to.equal(4);
        expect(types.get("scanpay_events_total")).to.equal("counter");
        expect(value(samples, "scanpay_live_streams")).to.equal(0);
      });

      it("leaves the indexer lines out without an indexer, and shows what it reports when there is one", async function () {
        const { ctx } = s();
        const without = await scrape();
        expect(without.samples.some((x) => x.name.startsWith("scanpay_indexer_") || x.name === "scanpay_rpc_errors_total")).to.equal(false);
        let stats: IndexerStats = { rpcErrors: 3, headBlock: 120n, cursorBlock: 110n, lagBlocks: 10n, lastPollAt: new Date(1_700_000_000_500) };
        const app = createApp({ ...ctx, indexerStats: () => stats });
        const withIndexer = await scrape(app);
        expect(value(withIndexer.samples, "scanpay_rpc_errors_total")).to.equal(3);
        expect(value(withIndexer.samples, "scanpay_indexer_head_block")).to.equal(120);
        expect(value(withIndexer.samples, "scanpay_indexer_cursor_block")).to.equal(110);
        expect(value(withIndexer.samples, "scanpay_indexer_lag_blocks")).to.equal(10);
        expect(value(withIndexer.samples, "scanpay_indexer_last_poll_timestamp_seconds")).to.equal(1_700_000_000.5);
        expect(withIndexer.types.get("scanpay_rpc_errors_total")).to.equal("counter");
        stats = { rpcErrors: 0, headBlock: null, cursorBlock: null, lagBlocks: null, lastPollAt: null };
        const unknown = await scrape(app);
        expect(value(unknown.samples, "scanpay_rpc_errors_total")).to.equal(0);
        expect(unknown.samples.some((x) => x.name.startsWith("scanpay_indexer_"))).to.equal(false, "unknown figures are left out");
      });

      it("counts HTTP requests by method, route pattern and status, with a latency histogram", async function () {
        const { ctx, a } = s();
        const app = createApp({ ...ctx });
        const id = (await call(app, "GET", "/v1/invoices?limit=1", { key: a.keys.read })).json.invoices[0].id as string;
        for (let i = 0; i < 3; i++) expect((await call(app, "GET", `/v1/invoices/${id}`, { key: a.keys.read })).status).to.equal(200);
        await call(app, "GET", `/v1/invoices/${id}`);
        await call(app, "GET", "/no/such/path/12345");
        const { samples, types } = await scrape(app);
        expect(value(samples, "scanpay_http_requests_total", { method: "GET", route: "/v1/invoices/:id", status: "200" })).to.equal(3);
        expect(value(samples, "scanpay_http_requests_total", { method: "GET", route: "/v1/invoices/:id", status: "401" })).to.equal(1);
        expect(value(samples, "scanpay_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).to.equal(1);
        expect(samples.some((x) => Object.values(x.labels).some((v) => v.includes("12345") || v.includes(id)))).to.equal(false, "no raw path");
        expect(types.get("scanpay_http_request_duration_seconds")).to.equal("histogram");
        const buckets = samples.filter((x) => x.name === "scanpay_http_request_duration_seconds_bucket" && x.labels.route === "/v1/invoices/:id");
        expect(buckets.map((x) => x.labels.le)).to.deep.equal(["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"]);
        for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).to.be.at.least(buckets[i - 1]!.value);
        expect(buckets[buckets.length - 1]!.value).to.equal(4);
        expect(value(samples, "scanpay_http_request_duration_seconds_count", { route: "/v1/invoices/:id" })).to.equal(4);
        expect(value(samples, "scanpay_http_request_duration_seconds_sum", { route: "/v1/invoices/:id" })).to.be.greaterThan(0);
      });

      it("requires the bearer token when metricsToken is set", async function () {
        const { ctx } = s();
        const app = createApp({ ...ctx, metricsToken: "m3trics-t0ken" });
        expect((await call(app, "GET", "/metrics")).status).to.equal(401);
        expect((await call(app, "GET", "/metrics", { headers: { authorization: "Bearer wrong" } })).status).to.equal(401);
        const res = await call(app, "GET", "/metrics", { headers: { authorization: "Bearer m3trics-t0ken" } });
        expect(res.status).to.equal(200);
        expect(res.text).to.include("scanpay_invoices{");
        expect((await call(s().app, "GET", "/metrics")).status).to.equal(200, "open without a token configured");
      });

      it("shows no merchant id, name or amount", async function () {
        const { a, b } = s();
        const text = (await call(s().app, "GET", "/metrics")).text;
        for (const secret of [a.id, b.id, "Shop A", "Shop B"]) expect(text).not.to.include(secret);
      });
    });
  });
});
