/**
 * /v1/api-keys: create (secret shown once, scopes no wider than the calling key's), list (no secrets, no hashes),
 * revoke (the key stops working at once), merchants kept apart, and the `keys` scope required.
 */
import { expect } from "chai";

import { createApiKey, type ApiKeyScope } from "../../gateway/src/services/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, useApiSuite } from "./helpers/apiFixture.js";

describe("gateway API: API keys", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    let adminA: string;
    let adminB: string;
    /** A keys-managing key of merchant A that holds read and keys only. */
    let narrowA: string;

    before(async function () {
      const key = async (merchantId: string, scopes: ApiKeyScope[]) => (await createApiKey(suite.db, { merchantId, scopes, label: "admin" })).secret;
      adminA = await key(s().a.id, ["read", "create", "refund", "keys"]);
      adminB = await key(s().b.id, ["read", "create", "refund", "keys"]);
      narrowA = await key(s().a.id, ["read", "keys"]);
    });
    const keyId = (secret: string) => secret.split("_")[2] as string;

    describe("POST /v1/api-keys", function () {
      it("creates a key whose secret is shown once and works at once; only its hash is stored", async function () {
        const res = await call(s().app, "POST", "/v1/api-keys", { key: adminA, body: { scopes: ["read", "create"], label: "checkout server" } });
        expect(res.status, res.text).to.equal(201);
        expect(res.json).to.have.keys(["id", "scopes", "label", "createdAt", "revokedAt", "secret"]);
        expect(res.json.secret).to.match(/^sp_live_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
        expect(keyId(res.json.secret)).to.equal(res.json.id);
        expect(res.json).to.include({ label: "checkout server", revokedAt: null });
        expect(res.json.scopes).to.deep.equal(["create", "read"]);
        const row = await suite.db.selectFrom("api_keys").selectAll().where("id", "=", res.json.id).executeTakeFirstOrThrow();
        expect(row.merchant_id).to.equal(s().a.id);
        expect(JSON.stringify(row)).not.to.include(res.json.secret.slice(-43));
        const created = await call(s().app, "POST", "/v1/invoices", { key: res.json.secret, body: { amount: "1", token: s().symbol } });
        expect(created.status, created.text).to.equal(201);
        expect(created.json.merchantId).to.equal(s().a.id);
      });

      it("refuses scopes the calling key does not hold (no escalation), and stores nothing", async function () {
        const before = await suite.db.selectFrom("api_keys").select("id").where("merchant_id", "=", s().a.id).execute();
        const res = await call(s().app, "POST", "/v1/api-keys", { key: narrowA, body: { scopes: ["read", "refund", "create"] } });
        expectError(res, 403, "SCOPE_ESCALATION");
        expect(res.json.error.message).to.include('"refund"').and.include('"create"');
        const same = await call(s().app, "POST", "/v1/api-keys", { key: narrowA, body: { scopes: ["read"] } });
        expect(same.status, same.text).to.equal(201);
        const keys = await call(s().app, "POST", "/v1/api-keys", { key: narrowA, body: { scopes: ["keys", "read"] } });
        expect(keys.status).to.equal(201);
        const after = await suite.db.selectFrom("api_keys").select("id").where("merchant_id", "=", s().a.id).execute();
        expect(after.length).to.equal(before.length + 2);
      });

      it("explains bad bodies", async function () {
        for (const body of [{ scopes: [] }, { scopes: ["admin"] }, { scopes: "read" }, {}, { scopes: ["read"], label: "x".repeat(201) }, { scopes: ["read"], colour: 1 }]) {
          const res = await call(s().app, "POST", "/v1/api-keys", { key: adminA, body });
          expectError(res, 400, "INVALID_INPUT");
        }
        expectError(await call(s().app, "POST", "/v1/api-keys", { key: adminA, rawBody: "{", headers: { "content-type": "application/json" } }), 400, "MALFORMED_JSON");
      });

      it("needs the keys scope", async function () {
        expectError(await call(s().app, "POST", "/v1/api-keys", { key: s().a.keys.all, body: { scopes: ["read"] } }), 403, "FORBIDDEN_SCOPE");
        expectError(await call(s().app, "GET", "/v1/api-keys", { key: s().a.keys.refund }), 403, "FORBIDDEN_SCOPE");
        expectError(await call(s().app, "DELETE", `/v1/api-keys/${keyId(s().a.keys.read)}`, { key: s().a.keys.all }), 403, "FORBIDDEN_SCOPE");
        expectError(await call(s().app, "GET", "/v1/api-keys"), 401, "UNAUTHENTICATED");
      });
    });

    describe("GET /v1/api-keys", function () {
      it("lists the merchant's keys without secrets or hashes, never another merchant's", async function () {
        const res = await call(s().app, "GET", "/v1/api-keys", { key: adminA });
        expect(res.status).to.equal(200);
        const ids = res.json.apiKeys.map((k: { id: string }) => k.id);
        const rows = await suite.db.selectFrom("api_keys").selectAll().execute();
        expect(ids.sort()).to.deep.equal(rows.filter((r) => r.merchant_id === s().a.id).map((r) => r.id).sort());
        expect(ids).not.to.include(keyId(adminB));
        for (const key of res.json.apiKeys) expect(key).to.have.keys(["id", "scopes", "label", "createdAt", "revokedAt"]);
        for (const row of rows) expect(res.text).not.to.include(row.secret_hash);
        expect(res.text).not.to.include("sp_live_");
      });
    });

    describe("DELETE /v1/api-keys/{id}", function () {
      it("revokes a key at once (it then gets 401) and shows it revoked; revoking again is harmless", async function () {
        const created = await call(s().app, "POST", "/v1/api-keys", { key: adminA, body: { scopes: ["read"] } });
        expect((await call(s().app, "GET", "/v1/invoices", { key: created.json.secret })).status).to.equal(200);
        const res = await call(s().app, "DELETE", `/v1/api-keys/${created.json.id}`, { key: adminA });
        expect(res.status, res.text).to.equal(200);
        expect(res.json.id).to.equal(created.json.id);
        expect(Date.parse(res.json.revokedAt)).to.be.a("number").and.not.NaN;
        expectError(await call(s().app, "GET", "/v1/invoices", { key: created.json.secret }), 401, "UNAUTHENTICATED");
        const again = await call(s().app, "DELETE", `/v1/api-keys/${created.json.id}`, { key: adminA });
        expect(again.status).to.equal(200);
        expect(again.json.revokedAt).to.equal(res.json.revokedAt);
        const listed = await call(s().app, "GET", "/v1/api-keys", { key: adminA });
        expect(listed.json.apiKeys.find((k: { id: string }) => k.id === created.json.id).revokedAt).to.equal(res.json.revokedAt);
      });

      it("answers 404 for another merchant's key and leaves it working", async function () {
        const victim = s().a.keys.read;
        expectError(await call(s().app, "DELETE", `/v1/api-keys/${keyId(victim)}`, { key: adminB }), 404, "NOT_FOUND");
        expectError(await call(s().app, "DELETE", `/v1/api-keys/${"0".repeat(24)}`, { key: adminB }), 404, "NOT_FOUND");
        expectError(await call(s().app, "DELETE", "/v1/api-keys/not-an-id", { key: adminB }), 404, "NOT_FOUND");
        expect((await call(s().app, "GET", "/v1/invoices", { key: victim })).status).to.equal(200);
        const row = await suite.db.selectFrom("api_keys").select("revoked_at").where("id", "=", keyId(victim)).executeTakeFirstOrThrow();
        expect(row.revoked_at).to.equal(null);
      });
    });
  });
});
