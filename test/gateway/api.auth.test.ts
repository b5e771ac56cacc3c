/** API keys on every route: missing, malformed, revoked, wrong scope; and merchant B never sees merchant A's invoices. */
import { expect } from "chai";

import { revokeApiKey } from "../../gateway/src/services/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, useApiSuite } from "./helpers/apiFixture.js";

describe("gateway API: authentication and merchant isolation", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    let invoiceA: any;
    let invoiceB: any;

    before(async function () {
      const { app, a, b, symbol } = s();
      invoiceA = (await call(app, "POST", "/v1/invoices", { key: a.keys.all, body: { amount: "1", token: symbol }, headers: { "Idempotency-Key": "shared" } })).json;
      invoiceB = (await call(app, "POST", "/v1/invoices", { key: b.keys.all, body: { amount: "2", token: symbol } })).json;
    });

    /** Every route with its scope; `{id}` is replaced. */
    const routes = (): { method: string; path: string; scope: "read" | "create"; body?: unknown }[] => [
      { method: "POST", path: "/v1/invoices", scope: "create", body: { amount: "1", token: s().symbol } },
      { method: "GET", path: "/v1/invoices", scope: "read" },
      { method: "GET", path: "/v1/invoices/{id}", scope: "read" },
      { method: "GET", path: "/v1/invoices/{id}/qr.svg", scope: "read" },
      { method: "GET", path: "/v1/invoices/{id}/qr.png", scope: "read" },
      { method: "POST", path: "/v1/invoices/{id}/cancel", scope: "create" },
    ];

    it("answers every route without a valid key with 401 and WWW-Authenticate, before reading the body", async function () {
      const { app, a } = s();
      const revoked = a.keys.refund;
      await revokeApiKey(suite.db, a.id, revoked.slice(8, 32));
      const wrongSecret = a.keys.all.slice(0, -4) + (a.keys.all.endsWith("AAAA") ? "BBBB" : "AAAA");
      for (const route of routes()) {
        const path = route.path.replace("{id}", invoiceA.id);
        const variants: Record<string, string>[] = [
          {},
          { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
          { authorization: "Bearer" },
          { authorization: "Bearer sp_live_nope" },
          { authorization: `Bearer ${wrongSecret}` },
          { authorization: `Bearer ${revoked}` },
        ];
        for (const headers of variants) {
          const res = await call(app, route.method, path, { headers: { ...headers, "content-type": "text/plain" }, rawBody: route.method === "POST" ? "{not json" : undefined });
          expectError(res, 401, "UNAUTHENTICATED");
          expect(res.headers.get("www-authenticate")).to.equal('Bearer realm="scanpay-gateway"');
        }
      }
    });

    it("answers a key without the route's scope with 403 FORBIDDEN_SCOPE", async function () {
      const { app, a } = s();
      for (const route of routes()) {
        const path = route.path.replace("{id}", invoiceA.id);
        const key = route.scope === "read" ? a.keys.create : a.keys.read;
        const res = await call(app, route.method, path, { key, ...(route.body === undefined ? {} : { body: route.body }) });
        expectError(res, 403, "FORBIDDEN_SCOPE");
        expect(res.json.error.message).to.include(route.scope);
        const ok = await call(app, route.method, path, { key: a.keys.all, ...(route.body === undefined ? {} : { body: route.body }) });
        expect(ok.status, `${route.method} ${path}`).to.be.oneOf([200, 201]);
      }
    });

    it("answers 404 (not 403) on every id route for another merchant's invoice, and changes nothing", async function () {
      const { app, b } = s();
      for (const route of routes().filter((r) => r.path.includes("{id}"))) {
        const res = await call(app, route.method, route.path.replace("{id}", invoiceA.id), { key: b.keys.all });
        expectError(res, 404, "NOT_FOUND");
      }
      const row = await suite.db.selectFrom("invoices").select("status").where("id", "=", invoiceA.id).executeTakeFirstOrThrow();
      // invoiceA was cancelled by its own merchant in the scope test above; B's attempt left it as it was.
      expect(row.status).to.equal("cancelling");
      const own = await call(app, "GET", `/v1/invoices/${invoiceB.id}`, { key: b.keys.read });
      expect(own.status).to.equal(200);
    });

    it("lists only the caller's invoices, even with another merchant's cursor", async function () {
      const { app, a, b, symbol } = s();
      for (let i = 0; i < 3; i++) await call(app, "POST", "/v1/invoices", { key: a.keys.all, body: { amount: "1", token: symbol } });
      const pageA = await call(app, "GET", "/v1/invoices?limit=1", { key: a.keys.read });
      expect(pageA.json.nextCursor).to.be.a("string");
      const listB = await call(app, "GET", "/v1/invoices?limit=100", { key: b.keys.read });
      expect(listB.json.invoices.every((x: { merchantId: string }) => x.merchantId === b.id)).to.equal(true);
      expect(listB.json.invoices.map((x: { id: string }) => x.id)).to.not.include(invoiceA.id);
      const withCursorA = await call(app, "GET", `/v1/invoices?cursor=${pageA.json.nextCursor}`, { key: b.keys.read });
      expect(withCursorA.status).to.equal(200);
      expect(withCursorA.json.invoices.every((x: { merchantId: string }) => x.merchantId === b.id)).to.equal(true);
    });

    it("scopes idempotency keys per merchant: B reusing A's key makes B's own invoice", async function () {
      const { app, b, symbol } = s();
      const res = await call(app, "POST", "/v1/invoices", { key: b.keys.all, body: { amount: "1", token: symbol }, headers: { "Idempotency-Key": "shared" } });
      expect(res.status).to.equal(201);
      expect(res.json.merchantId).to.equal(b.id);
      expect(res.json.id).to.not.equal(invoiceA.id);
    });
  });
});
