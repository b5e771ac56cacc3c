/**
 * GET /v1/events and GET /v1/invoices/{id}/events: oldest first after a `seq` cursor, pages without gaps or repeats,
 * filters, validation, and merchant isolation.
 */
import { expect } from "chai";

import { recordEvent } from "../../gateway/src/store/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, useApiSuite } from "./helpers/apiFixture.js";

describe("gateway API: events", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    let a1: string;
    let a2: string;
    let b1: string;
    /** Every event id recorded for each merchant, in order. */
    const recorded: { a: string[]; b: string[] } = { a: [], b: [] };

    const record = async (merchantId: string, invoiceId: string | null, type: string) =>
      suite.db.transaction().execute((trx) => recordEvent(trx, { merchantId, invoiceId, type, data: { note: `${type} of ${invoiceId}` } }));

    before(async function () {
      const { a, b, app, symbol } = s();
      const invoice = async (key: string) => (await call(app, "POST", "/v1/invoices", { key, body: { amount: "1", token: symbol } })).json.id as string;
      a1 = await invoice(a.keys.all);
      a2 = await invoice(a.keys.all);
      b1 = await invoice(b.keys.all);
      const types = ["invoice.seen", "invoice.paid", "invoice.refunded"];
      // Interleaved, so A's pages must skip B's seqs.
      for (let i = 0; i < 23; i++) {
        recorded.a.push((await record(a.id, i % 2 === 0 ? a1 : a2, types[i % 3]!)).id);
        if (i % 4 === 0) recorded.b.push((await record(b.id, b1, "invoice.paid")).id);
      }
      recorded.a.push((await record(a.id, null, "merchant.updated")).id);
    });

    const list = (query: string, key = s().a.keys.read) => call(s().app, "GET", `/v1/events${query}`, { key });

    describe("GET /v1/events", function () {
      it("pages through every event of the merchant, oldest first, with no gap and no repeat", async function () {
        const seen: string[] = [];
        const seqs: bigint[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res = await list(`?limit=7${cursor === null ? "" : `&after=${cursor}`}`);
          expect(res.status).to.equal(200);
          pages++;
          for (const e of res.json.events) {
            seen.push(e.id);
            seqs.push(BigInt(e.seq));
          }
          cursor = res.json.nextCursor;
          if (cursor !== null) expect(cursor).to.equal(res.json.events[res.json.events.length - 1].seq);
        } while (cursor !== null && pages < 20);
        expect(seen).to.deep.equal(recorded.a);
        expect(pages).to.equal(Math.ceil(recorded.a.length / 7));
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).to.equal(true);
      });

      it("returns each event in the envelope webhooks use", async function () {
        const { a } = s();
        const res = await list("?limit=1");
        const row = await suite.db.selectFrom("events").selectAll().where("id", "=", recorded.a[0]!).executeTakeFirstOrThrow();
        expect(res.json.events).to.deep.equal([
          {
            id: row.id,
            seq: String(row.seq),
            type: "invoice.seen",
            createdAt: row.created_at.toISOString(),
            merchantId: a.id,
            invoiceId: a1,
            data: { note: `invoice.seen of ${a1}` },
          },
        ]);
        expect(res.json.nextCursor).to.equal(String(row.seq));
      });

      it("after the last seq held: only newer events, and an empty last page with a null cursor", async function () {
        const all = (await list("?limit=100")).json.events;
        const held = all[all.length - 3];
        const res = await list(`?after=${held.seq}`);
        expect(res.json.events.map((e: { id: string }) => e.id)).to.deep.equal(recorded.a.slice(-2));
        expect(res.json.nextCursor).to.equal(null);
        const end = await list(`?after=${all[all.length - 1].seq}`);
        expect(end.json).to.deep.equal({ events: [], nextCursor: null });
      });

      it("filters by type, repeated or as a comma list, and by invoice", async function () {
        const types = (res: { json: { events: { type: string }[] } }) => [...new Set(res.json.events.map((e) => e.type))].sort();
        const repeated = await list("?limit=100&type=invoice.paid&type=invoice.refunded");
        const comma = await list("?limit=100&type=invoice.paid,invoice.refunded");
        expect(types(repeated)).to.deep.equal(["invoice.paid", "invoice.refunded"]);
        expect(comma.json).to.deep.equal(repeated.json);
        expect(repeated.json.events).to.have.length(15); // i % 3 in {1, 2} for i < 23
        const one = await list("?limit=100&type=merchant.updated");
        expect(one.json.events.map((e: { id: string }) => e.id)).to.deep.equal(recorded.a.slice(-1));
        const byInvoice = await list(`?limit=100&invoiceId=${a1}`);
        expect(byInvoice.json.events).to.have.length(12);
        expect(byInvoice.json.events.every((e: { invoiceId: string }) => e.invoiceId === a1)).to.equal(true);
      });

      it("never shows another merchant's events, not even when asked for its invoice", async function () {
        const { b } = s();
        const res = await list("?limit=100", b.keys.read);
        expect(res.json.events.map((e: { id: string }) => e.id)).to.deep.equal(recorded.b);
        const foreign = await list(`?limit=100&invoiceId=${a1}`, b.keys.read);
        expect(foreign.json).to.deep.equal({ events: [], nextCursor: null });
      });

      it("refuses bad limits, cursors and types with the error shape", async function () {
        for (const q of ["?limit=0", "?limit=101", "?limit=x", "?after=abc", "?after=-1", "?after=99999999999999999999", "?type=Not%20A%20Type"]) {
          expectError(await list(q), 400, "INVALID_INPUT");
        }
        const many = Array.from({ length: 21 }, (_, i) => `type=t${i}`).join("&");
        expectError(await list(`?${many}`), 400, "INVALID_INPUT");
      });

      it("needs a key with the read scope", async function () {
        expectError(await call(s().app, "GET", "/v1/events"), 401, "UNAUTHENTICATED");
        expectError(await list("", s().a.keys.create), 403, "FORBIDDEN_SCOPE");
      });
    });

    describe("GET /v1/invoices/{id}/events", function () {
      it("tells one invoice's story, oldest first, paged by the same cursor", async function () {
        const { a, app } = s();
        const first = await call(app, "GET", `/v1/invoices/${a2}/events?limit=5`, { key: a.keys.read });
        expect(first.status).to.equal(200);
        const second = await call(app, "GET", `/v1/invoices/${a2}/events?limit=100&after=${first.json.nextCursor}`, { key: a.keys.read });
        const ids = [...first.json.events, ...second.json.events].map((e: { id: string }) => e.id);
        const expected = await suite.db.selectFrom("events").select("id").where("invoice_id", "=", a2).orderBy("seq").execute();
        expect(ids).to.deep.equal(expected.map((r) => r.id));
        expect(ids).to.have.length(11);
        expect(second.json.nextCursor).to.equal(null);
        const paid = await call(app, "GET", `/v1/invoices/${a2}/events?type=invoice.paid`, { key: a.keys.read });
        expect(paid.json.events.every((e: { type: string }) => e.type === "invoice.paid")).to.equal(true);
        expect(paid.json.events.length).to.be.greaterThan(0);
      });

      it("is NOT_FOUND for another merchant's invoice, an unknown id and a malformed one", async function () {
        const { b, app } = s();
        expectError(await call(app, "GET", `/v1/invoices/${a1}/events`, { key: b.keys.read }), 404, "NOT_FOUND");
        expectError(await call(app, "GET", `/v1/invoices/00000000-0000-4000-8000-000000000000/events`, { key: b.keys.read }), 404, "NOT_FOUND");
        expectError(await call(app, "GET", `/v1/invoices/not-an-id/events`, { key: b.keys.read }), 404, "NOT_FOUND");
        const own = await call(app, "GET", `/v1/invoices/${b1}/events`, { key: b.keys.read });
        expect(own.json.events.map((e: { id: string }) => e.id)).to.deep.equal(recorded.b);
      });
    });
  });
});
