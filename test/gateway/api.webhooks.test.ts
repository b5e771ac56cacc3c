/**
 * /v1/webhook-endpoints on both backends: create (secret shown once, sealed at rest), read, list, update, delete,
 * rotate the secret (the next delivery verifies with the new secret only), the delivery log with attempts and
 * cursors, manual redelivery, validation and SSRF refusals, scopes, and merchant isolation on every route.
 */
import { expect } from "chai";

import { verifyWebhook } from "../../src/index.js";
import { createApp, type ApiContext } from "../../gateway/src/api/index.js";
import { startWebhookSender, type WebhookSender } from "../../gateway/src/services/index.js";
import { recordEvent } from "../../gateway/src/store/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, useApiSuite, type App } from "./helpers/apiFixture.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhookReceiver.js";

describe("gateway API: webhooks", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    let receiver: WebhookReceiver;
    /** The app with the development setting (private URLs allowed), as `scanpay serve`'s local demo runs it. */
    let devApp: App;
    let sender: WebhookSender;

    before(async function () {
      receiver = await startWebhookReceiver();
      const ctx: ApiContext = Object.assign({}, s().ctx, { webhooks: { allowPrivateUrls: true } });
      devApp = createApp(ctx);
      sender = startWebhookSender({ db: suite.db, keyring: s().keyring, allowPrivateUrls: true, start: false, timeoutMs: 2000 });
    });
    after(async function () {
      await sender.stop();
      await receiver.close();
    });
    afterEach(async function () {
      await suite.db.deleteFrom("webhook_endpoints").execute();
      receiver.received.length = 0;
    });

    const create = (body: unknown, key = s().a.keys.all, app = devApp) => call(app, "POST", "/v1/webhook-endpoints", { key, body });
    const event = (merchantId: string, type = "invoice.paid") =>
      suite.db.transaction().execute((trx) => recordEvent(trx, { merchantId, invoiceId: null, type, data: { n: 1 } }));

    describe("POST /v1/webhook-endpoints", function () {
      it("creates an endpoint and returns its whsec_ secret once (never in GET), defaulting to every event type", async function () {
        const { a } = s();
        const res = await create({ url: receiver.url, description: "orders" });
        expect(res.status).to.equal(201);
        expect(res.json.id).to.match(/^we_[0-9a-f]{32}$/);
        expect(res.json.secret).to.match(/^whsec_[A-Za-z0-9_-]{43}$/);
        expect(res.json).to.include({ url: receiver.url, description: "orders", enabled: true });
        expect(res.json.eventTypes).to.deep.equal(["*"]);
        const got = await call(devApp, "GET", `/v1/webhook-endpoints/${res.json.id}`, { key: a.keys.read });
        expect(got.status).to.equal(200);
        expect(got.json).to.not.have.property("secret");
        expect(got.text).to.not.include(res.json.secret);
        const list = await call(devApp, "GET", "/v1/webhook-endpoints", { key: a.keys.read });
        expect(list.json.endpoints.map((e: { id: string }) => e.id)).to.deep.equal([res.json.id]);
        expect(list.text).to.not.include(res.json.secret);
        const row = await suite.db.selectFrom("webhook_endpoints").selectAll().where("id", "=", res.json.id).executeTakeFirstOrThrow();
        expect(JSON.stringify(row)).to.not.include(res.json.secret.slice(6));
      });

      it("de-duplicates event types and keeps only * when it is given", async function () {
        expect((await create({ url: receiver.url, eventTypes: ["invoice.paid", "invoice.paid", "invoice.refunded"] })).json.eventTypes).to.deep.equal([
          "invoice.paid",
          "invoice.refunded",
        ]);
        expect((await create({ url: receiver.url, eventTypes: ["invoice.paid", "*"] })).json.eventTypes).to.deep.equal(["*"]);
      });

      it("refuses bad input with INVALID_INPUT: no url, unknown field, bad or empty event types, long description", async function () {
        expectError(await create({}), 400, "INVALID_INPUT");
        expectError(await create({ url: receiver.url, secret: "mine" }), 400, "INVALID_INPUT");
        expectError(await create({ url: receiver.url, eventTypes: [] }), 400, "INVALID_INPUT");
        expectError(await create({ url: receiver.url, eventTypes: ["Invoice Paid"] }), 400, "INVALID_INPUT");
        expectError(await create({ url: receiver.url, eventTypes: "invoice.paid" }), 400, "INVALID_INPUT");
        expectError(await create({ url: receiver.url, description: "x".repeat(257) }), 400, "INVALID_INPUT");
        expectError(await call(devApp, "POST", "/v1/webhook-endpoints", { key: s().a.keys.all, rawBody: "{", headers: { "content-type": "application/json" } }), 400, "MALFORMED_JSON");
        expect(await suite.db.selectFrom("webhook_endpoints").selectAll().execute()).to.have.length(0);
      });

      it("refuses private, loopback and metadata URLs and plain http without the development setting (WEBHOOK_URL_REFUSED)", async function () {
        const { app } = s();
        for (const url of [receiver.url, "https://127.0.0.1/", "https://localhost/x", "https://169.254.169.254/", "https://[::1]/", "https://10.0.0.1/", "http://93.184.216.34/", "ftp://93.184.216.34/"]) {
          const res = await create({ url }, s().a.keys.all, app);
          expectError(res, 400, "WEBHOOK_URL_REFUSED");
        }
        expect(await suite.db.selectFrom("webhook_endpoints").selectAll().execute()).to.have.length(0);
        expect((await create({ url: "https://93.184.216.34/hook" }, s().a.keys.all, app)).status).to.equal(201);
      });

      it("limits a merchant to 16 endpoints (409 WEBHOOK_ENDPOINT_LIMIT)", async function () {
        for (let i = 0; i < 16; i++) expect((await create({ url: `${receiver.url}?${i}` })).status).to.equal(201);
        expectError(await create({ url: receiver.url }), 409, "WEBHOOK_ENDPOINT_LIMIT");
        expect((await create({ url: receiver.url }, s().b.keys.all)).status).to.equal(201);
      });
    });

    describe("PATCH and DELETE /v1/webhook-endpoints/{id}", function () {
      it("changes url, event types, enabled and description; an empty body is refused", async function () {
        const { a } = s();
        const { id } = (await create({ url: receiver.url })).json;
        const res = await call(devApp, "PATCH", `/v1/webhook-endpoints/${id}`, {
          key: a.keys.create,
          body: { url: `${receiver.url}?v2`, eventTypes: ["invoice.expired"], enabled: false, description: "v2" },
        });
        expect(res.status).to.equal(200);
        expect(res.json).to.include({ url: `${receiver.url}?v2`, enabled: false, description: "v2" });
        expect(res.json.eventTypes).to.deep.equal(["invoice.expired"]);
        expectError(await call(devApp, "PATCH", `/v1/webhook-endpoints/${id}`, { key: a.keys.create, body: {} }), 400, "INVALID_INPUT");
        expectError(await call(devApp, "PATCH", `/v1/webhook-endpoints/${id}`, { key: a.keys.create, body: { enabled: "no" } }), 400, "INVALID_INPUT");
      });

      it("checks a new url against the SSRF rules", async function () {
        const { a, app } = s();
        const { id } = (await create({ url: "https://93.184.216.34/hook" }, a.keys.all, app)).json;
        expectError(await call(app, "PATCH", `/v1/webhook-endpoints/${id}`, { key: a.keys.all, body: { url: "https://169.254.169.254/" } }), 400, "WEBHOOK_URL_REFUSED");
        expect((await call(app, "GET", `/v1/webhook-endpoints/${id}`, { key: a.keys.read })).json.url).to.equal("https://93.184.216.34/hook");
      });

      it("deletes an endpoint with its deliveries; afterwards it is 404", async function () {
        const { a } = s();
        const { id } = (await create({ url: receiver.url })).json;
        await event(a.id);
        const res = await call(devApp, "DELETE", `/v1/webhook-endpoints/${id}`, { key: a.keys.create });
        expect(res.status).to.equal(200);
        expect(res.json).to.deep.equal({ id, deleted: true });
        expectError(await call(devApp, "GET", `/v1/webhook-endpoints/${id}`, { key: a.keys.read }), 404, "NOT_FOUND");
        expectError(await call(devApp, "DELETE", `/v1/webhook-endpoints/${id}`, { key: a.keys.create }), 404, "NOT_FOUND");
        expect(await suite.db.selectFrom("webhook_deliveries").selectAll().where("endpoint_id", "=", id).execute()).to.have.length(0);
      });
    });

    describe("POST /v1/webhook-endpoints/{id}/rotate-secret", function () {
      it("returns a new secret; the next delivery verifies with it and not with the old one", async function () {
        const { a } = s();
        const created = (await create({ url: receiver.url })).json;
        const rotated = await call(devApp, "POST", `/v1/webhook-endpoints/${created.id}/rotate-secret`, { key: a.keys.create });
        expect(rotated.status).to.equal(200);
        expect(rotated.json.id).to.equal(created.id);
        expect(rotated.json.secret).to.match(/^whsec_/).and.not.equal(created.secret);
        await event(a.id);
        await sender.runOnce();
        const got = receiver.received[0]!;
        const header = got.headers["scanpay-signature"];
        expect(verifyWebhook({ payload: got.body, header, secret: rotated.json.secret }).type).to.equal("invoice.paid");
        expect(() => verifyWebhook({ payload: got.body, header, secret: created.secret })).to.throw(/does not match/);
      });
    });

    describe("GET /v1/webhook-endpoints/{id}/deliveries and redeliver", function () {
      it("lists deliveries newest first with their attempts, pages with a cursor, filters by status", async function () {
        const { a } = s();
        const { id } = (await create({ url: receiver.url })).json;
        const first = await event(a.id, "invoice.paid");
        receiver.respond = () => 500;
        await sender.runOnce();
        receiver.respond = () => 200;
        const second = await event(a.id, "invoice.expired");
        await sender.runOnce();
        const page1 = await call(devApp, "GET", `/v1/webhook-endpoints/${id}/deliveries?limit=1`, { key: a.keys.read });
        expect(page1.status).to.equal(200);
        expect(page1.json.deliveries).to.have.length(1);
        const newest = page1.json.deliveries[0];
        expect(newest).to.include({ eventId: second.id, eventType: "invoice.expired", status: "succeeded", attemptCount: 1, lastStatusCode: 200, nextAttemptAt: null });
        expect(newest.attempts).to.have.length(1);
        expect(newest.attempts[0]).to.include({ statusCode: 200, error: null });
        expect(newest.attempts[0].durationMs).to.be.a("number");
        expect(Date.parse(newest.attempts[0].attemptedAt)).to.not.be.NaN;
        const page2 = await call(devApp, "GET", `/v1/webhook-endpoints/${id}/deliveries?limit=1&cursor=${page1.json.nextCursor}`, { key: a.keys.read });
        expect(page2.json.deliveries.map((d: { eventId: string }) => d.eventId)).to.deep.equal([first.id]);
        expect(page2.json.deliveries[0]).to.include({ status: "pending", lastStatusCode: 500, lastError: "HTTP 500" });
        expect(page2.json.deliveries[0].nextAttemptAt).to.be.a("string");
        expect(page2.json.nextCursor).to.equal(null);
        const pending = await call(devApp, "GET", `/v1/webhook-endpoints/${id}/deliveries?status=pending`, { key: a.keys.read });
        expect(pending.json.deliveries.map((d: { eventId: string }) => d.eventId)).to.deep.equal([first.id]);
        expectError(await call(devApp, "GET", `/v1/webhook-endpoints/${id}/deliveries?cursor=nope`, { key: a.keys.read }), 400, "INVALID_INPUT");
        expectError(await call(devApp, "GET", `/v1/webhook-endpoints/${id}/deliveries?limit=0`, { key: a.keys.read }), 400, "INVALID_INPUT");
      });

      it("redelivers: 201, a new pending delivery of the same event, sent by the next round", async function () {
        const { a } = s();
        const { id } = (await create({ url: receiver.url })).json;
        const stored = await event(a.id);
        await sender.runOnce();
        const [original] = (await call(devApp, "GET", `/v1/webhook-endpoints/${id}/deliveries`, { key: a.keys.read })).json.deliveries;
        const res = await call(devApp, "POST", `/v1/webhook-endpoints/${id}/deliveries/${original.id}/redeliver`, { key: a.keys.create });
        expect(res.status).to.equal(201);
        expect(res.json).to.include({ eventId: stored.id, status: "pending", attemptCount: 0 });
        expect(res.json.id).to.not.equal(original.id);
        await sender.runOnce();
        expect(receiver.received.map((r) => r.headers["scanpay-event-id"])).to.deep.equal([stored.id, stored.id]);
        expectError(await call(devApp, "POST", `/v1/webhook-endpoints/${id}/deliveries/whd_${"0".repeat(32)}/redeliver`, { key: a.keys.create }), 404, "NOT_FOUND");
        expectError(await call(devApp, "POST", `/v1/webhook-endpoints/${id}/deliveries/nonsense/redeliver`, { key: a.keys.create }), 404, "NOT_FOUND");
        await call(devApp, "PATCH", `/v1/webhook-endpoints/${id}`, { key: a.keys.create, body: { enabled: false } });
        expectError(await call(devApp, "POST", `/v1/webhook-endpoints/${id}/deliveries/${original.id}/redeliver`, { key: a.keys.create }), 409, "WEBHOOK_ENDPOINT_DISABLED");
      });
    });

    describe("authorisation", function () {
      const routes = (id: string, deliveryId: string) => [
        { method: "POST", path: "/v1/webhook-endpoints", scope: "create", body: { url: "http://127.0.0.1:9/x" } },
        { method: "GET", path: "/v1/webhook-endpoints", scope: "read" },
        { method: "GET", path: `/v1/webhook-endpoints/${id}`, scope: "read" },
        { method: "PATCH", path: `/v1/webhook-endpoints/${id}`, scope: "create", body: { description: "changed" } },
        { method: "POST", path: `/v1/webhook-endpoints/${id}/rotate-secret`, scope: "create" },
        { method: "GET", path: `/v1/webhook-endpoints/${id}/deliveries`, scope: "read" },
        { method: "POST", path: `/v1/webhook-endpoints/${id}/deliveries/${deliveryId}/redeliver`, scope: "create" },
        { method: "DELETE", path: `/v1/webhook-endpoints/${id}`, scope: "create" },
      ];

      async function endpointWithDelivery() {
        const { a } = s();
        const created = (await create({ url: receiver.url, description: "A's" })).json;
        await event(a.id);
        const row = await suite.db.selectFrom("webhook_deliveries").select("id").where("endpoint_id", "=", created.id).executeTakeFirstOrThrow();
        return { id: created.id as string, secret: created.secret as string, deliveryId: row.id };
      }

      it("needs an API key (401) with the route's scope (403): create for writes, read for reads", async function () {
        const { a } = s();
        const { id, deliveryId } = await endpointWithDelivery();
        for (const route of routes(id, deliveryId)) {
          const body = route.body === undefined ? {} : { body: route.body };
          expectError(await call(devApp, route.method, route.path, body), 401, "UNAUTHENTICATED");
          const wrongKey = route.scope === "read" ? a.keys.create : a.keys.read;
          expectError(await call(devApp, route.method, route.path, { key: wrongKey, ...body }), 403, "FORBIDDEN_SCOPE");
          expectError(await call(devApp, route.method, route.path, { key: a.keys.refund, ...body }), 403, "FORBIDDEN_SCOPE");
        }
      });

      it("answers 404 on every id route for another merchant's endpoint and delivery, and changes nothing", async function () {
        const { a, b } = s();
        const { id, secret, deliveryId } = await endpointWithDelivery();
        for (const route of routes(id, deliveryId).filter((r) => r.path.includes(id))) {
          const res = await call(devApp, route.method, route.path, { key: b.keys.all, ...(route.body === undefined ? {} : { body: route.body }) });
          expectError(res, 404, "NOT_FOUND");
        }
        const after = await call(devApp, "GET", `/v1/webhook-endpoints/${id}`, { key: a.keys.read });
        expect(after.json).to.include({ id, description: "A's", enabled: true });
        const deliveries = await suite.db.selectFrom("webhook_deliveries").select("id").where("endpoint_id", "=", id).execute();
        expect(deliveries.map((d) => d.id)).to.deep.equal([deliveryId]); // no redelivery was made
        // The secret did not rotate: a delivery still verifies with the original secret.
        await sender.runOnce();
        const got = receiver.received[0]!;
        expect(verifyWebhook({ payload: got.body, header: got.headers["scanpay-signature"], secret }).merchantId).to.equal(a.id);
        // B's own endpoint on A's path: B's delivery id under A's endpoint is 404 too.
        const bEndpoint = (await create({ url: receiver.url }, b.keys.all)).json;
        await event(b.id);
        const bDelivery = await suite.db.selectFrom("webhook_deliveries").select("id").where("endpoint_id", "=", bEndpoint.id).executeTakeFirstOrThrow();
        expectError(await call(devApp, "POST", `/v1/webhook-endpoints/${id}/deliveries/${bDelivery.id}/redeliver`, { key: a.keys.all }), 404, "NOT_FOUND");
      });

      it("lists only the caller's endpoints and deliveries", async function () {
        const { a, b } = s();
        const { id } = await endpointWithDelivery();
        const listB = await call(devApp, "GET", "/v1/webhook-endpoints", { key: b.keys.read });
        expect(listB.status).to.equal(200);
        expect(listB.json.endpoints).to.deep.equal([]);
        const listA = await call(devApp, "GET", "/v1/webhook-endpoints", { key: a.keys.read });
        expect(listA.json.endpoints.map((e: { id: string }) => e.id)).to.deep.equal([id]);
      });
    });

    it("documents every route in /openapi.json", async function () {
      const doc = (await call(devApp, "GET", "/openapi.json")).json;
      expect(Object.keys(doc.paths)).to.include.members([
        "/v1/webhook-endpoints",
        "/v1/webhook-endpoints/{id}",
        "/v1/webhook-endpoints/{id}/rotate-secret",
        "/v1/webhook-endpoints/{id}/deliveries",
        "/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver",
      ]);
      expect(Object.keys(doc.paths["/v1/webhook-endpoints/{id}"])).to.include.members(["get", "patch", "delete"]);
    });
  });
});
