/**
 * The webhook delivery loop over real HTTP (a node:http receiver on 127.0.0.1) on PGlite and PostgreSQL: signed
 * deliveries the SDK verifier accepts, retries on the backoff schedule with an injected clock (a 500, a receiver
 * down for over an hour), giving up after the schedule, manual redelivery, subscriptions, leases of a dead sender,
 * fencing of a late one, redirects not followed, the send-time SSRF check, the secret sealed at rest, the queue
 * depth, and on PostgreSQL two senders claiming disjoint deliveries (SKIP LOCKED).
 */
import { randomUUID } from "node:crypto";

import { expect } from "chai";
import type { Kysely } from "kysely";

import { verifyWebhook } from "../../src/index.js";
import {
  createWebhookEndpoint,
  eventEnvelope,
  listWebhookDeliveries,
  openSecret,
  redeliverWebhook,
  startWebhookSender,
  updateWebhookEndpoint,
  WEBHOOK_LEASE_MARGIN_MS,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_MS,
  WEBHOOK_USER_AGENT,
  type MasterKeyring,
  type WebhookSender,
  type WebhookSenderOptions,
} from "../../gateway/src/services/index.js";
import {
  claimDueDeliveries,
  lockDueDeliveries,
  openDatabase,
  recordDeliveryAttempt,
  recordEvent,
  webhookQueueDepth,
  type Database,
  type StoredEvent,
} from "../../gateway/src/store/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { merchantRow } from "./helpers/rows.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhookReceiver.js";
import { newKeyring } from "./helpers/apiFixture.js";


const S = 1000;

describe("gateway webhooks: delivery", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const A = randomUUID();
    const B = randomUUID();
    let keyring: MasterKeyring;
    let receiver: WebhookReceiver;
    let clock = 0;
    const senders: WebhookSender[] = [];
    const logs: string[] = [];

    const sender = (options: Partial<WebhookSenderOptions> = {}) => {
      const s = startWebhookSender({
        db: suite.db,
        keyring,
        allowPrivateUrls: true,
        now: () => clock,
        random: () => 0,
        start: false,
        timeoutMs: 2000,
        logger: { error: (message, details) => logs.push(`${message} ${JSON.stringify(details)}`) },
        ...options,
      });
      senders.push(s);
      return s;
    };
    const ctx = () => ({ db: suite.db, keyring, webhooks: { allowPrivateUrls: true } });
    const endpoint = (merchantId: string, eventTypes?: string[], url = receiver.url) =>
      createWebhookEndpoint(ctx(), merchantId, { url, ...(eventTypes === undefined ? {} : { eventTypes }) });
    const event = (merchantId: string, type = "invoice.paid", data: Record<string, unknown> = { amount: "12500000" }): Promise<StoredEvent> =>
      suite.db.transaction().execute((trx) => recordEvent(trx, { merchantId, invoiceId: null, type, data }));
    const delivery = async (eventId: string) =>
      suite.db.selectFrom("webhook_deliveries").selectAll().where("event_id", "=", eventId).executeTakeFirstOrThrow();
    const attemptsOf = (deliveryId: string) =>
      suite.db.selectFrom("webhook_attempts").selectAll().where("delivery_id", "=", deliveryId).orderBy("attempted_at").execute();

    before(async function () {
      keyring = newKeyring();
      await suite.db.insertInto("merchants").values([merchantRow(A, 1), merchantRow(B, 2)]).execute();
      receiver = await startWebhookReceiver();
    });
    beforeEach(async function () {
      // Ahead of the database clock, so rows inserted just now (next_attempt_at = now()) are due.
      clock = Date.now() + 5 * S;
      receiver.received.length = 0;
      receiver.respond = () => 200;
      await receiver.up();
    });
    afterEach(async function () {
      for (const s of senders.splice(0)) await s.stop();
      await suite.db.deleteFrom("webhook_endpoints").execute(); // cascades to deliveries and attempts
    });
    after(async function () {
      await receiver.close();
    });

    describe("sending", function () {
      it("delivers an event as its envelope, signed so the SDK verifier accepts it, with the documented headers", async function () {
        const { secret, endpoint: ep } = await endpoint(A);
        const stored = await event(A);
        const result = await sender().runOnce();
        expect(result).to.deep.equal({ claimed: 1, succeeded: 1, retried: 0, failed: 0 });
        expect(receiver.received).to.have.length(1);
        const got = receiver.received[0]!;
        const verified = verifyWebhook({ payload: got.body, header: got.headers["scanpay-signature"], secret, now: Math.floor(clock / 1000) });
        expect(verified).to.deep.equal(JSON.parse(JSON.stringify(eventEnvelope(stored))));
        expect(got.body).to.equal(JSON.stringify(eventEnvelope(stored)));
        expect(got.headers["scanpay-event-id"]).to.equal(stored.id);
        expect(got.headers["scanpay-event-type"]).to.equal("invoice.paid");
        expect(got.headers["content-type"]).to.equal("application/json");
        expect(got.headers["user-agent"]).to.equal(WEBHOOK_USER_AGENT);
        expect(got.headers["scanpay-signature"]).to.match(new RegExp(`^t=${Math.floor(clock / 1000)},v1=[0-9a-f]{64}$`));
        const row = await delivery(stored.id);
        expect(row).to.include({ status: "succeeded", attempts: 1, last_status_code: 200, last_error: null, endpoint_id: ep.id });
        expect(row.delivered_at).to.be.instanceOf(Date);
        const attempts = await attemptsOf(row.id);
        expect(attempts).to.have.length(1);
        expect(attempts[0]).to.include({ status_code: 200, error: null });
        expect(attempts[0]!.duration_ms).to.be.at.least(0);
        // Nothing left to do.
        expect(await sender().runOnce()).to.deep.equal({ claimed: 0, succeeded: 0, retried: 0, failed: 0 });
      });

      it("retries a 500 after the scheduled wait (not before), then succeeds, with both attempts logged", async function () {
        const { endpoint: ep } = await endpoint(A);
        const stored = await event(A);
        receiver.respond = (_r, i) => (i === 0 ? 500 : 200);
        const s = sender();
        expect(await s.runOnce()).to.include({ claimed: 1, retried: 1 });
        const first = clock;
        const row = await delivery(stored.id);
        expect(row).to.include({ status: "pending", attempts: 1, last_status_code: 500, last_error: "HTTP 500" });
        expect(row.next_attempt_at.getTime()).to.equal(first + WEBHOOK_RETRY_DELAYS_MS[0]!);
        clock = first + WEBHOOK_RETRY_DELAYS_MS[0]! - 1;
        expect((await s.runOnce()).claimed).to.equal(0);
        clock = first + WEBHOOK_RETRY_DELAYS_MS[0]!;
        expect(await s.runOnce()).to.include({ claimed: 1, succeeded: 1 });
        expect(receiver.received.map((r) => r.headers["scanpay-event-id"])).to.deep.equal([stored.id, stored.id]);
        const page = await listWebhookDeliveries({ db: suite.db }, A, ep.id);
        expect(page.deliveries).to.have.length(1);
        const logged = page.deliveries[0]!;
        expect(logged).to.include({ status: "succeeded", attemptCount: 2, lastStatusCode: 200, eventId: stored.id, eventType: "invoice.paid" });
        expect(logged.attempts.map((a) => [a.statusCode, a.error])).to.deep.equal([
          [500, "HTTP 500"],
          [200, null],
        ]);
        expect(logged.attempts[1]!.attemptedAt.getTime() - logged.attempts[0]!.attemptedAt.getTime()).to.equal(WEBHOOK_RETRY_DELAYS_MS[0]);
      });

      it("keeps retrying a receiver that refuses connections for over an hour, and delivers the same event once it is back", async function () {
        await endpoint(A);
        const stored = await event(A);
        await receiver.down();
        const s = sender();
        const first = clock;
        let waited = 0;
        // Attempts at 0, 10 s, 40 s, 100 s, 400 s, 1300 s, 4900 s: the receiver is down for 1 h 21 min.
        for (let i = 0; i < 7; i++) {
          expect(await s.runOnce(), `attempt ${i + 1}`).to.include({ claimed: 1, retried: 1 });
          waited += WEBHOOK_RETRY_DELAYS_MS[i]!;
          clock = first + waited;
        }
        const row = await delivery(stored.id);
        expect(row).to.include({ status: "pending", attempts: 7, last_status_code: null });
        expect(row.last_error).to.match(/connection refused/);
        await receiver.up();
        expect(await s.runOnce()).to.include({ claimed: 1, succeeded: 1 });
        expect(receiver.received).to.have.length(1);
        expect(receiver.received[0]!.headers["scanpay-event-id"]).to.equal(stored.id);
        const attempts = await attemptsOf(row.id);
        expect(attempts.map((a) => a.status_code)).to.deep.equal([null, null, null, null, null, null, null, 200]);
        expect(attempts[7]!.attempted_at.getTime() - attempts[0]!.attempted_at.getTime()).to.be.greaterThan(3600 * S);
      });

      it("keeps retrying a receiver that times out, then answers 500, for over an hour, and delivers once it recovers", async function () {
        await endpoint(A);
        const stored = await event(A);
        // Attempts 1-2 hang past the timeout, 3-7 get a 500, 8 succeeds: 4900 s (1 h 21 min) of failures.
        receiver.respond = (_r, i) => (i < 2 ? new Promise((resolve) => setTimeout(() => resolve(200), 600)) : i < 7 ? 500 : 200);
        const s = sender({ timeoutMs: 200 });
        const first = clock;
        let waited = 0;
        for (let i = 0; i < 7; i++) {
          expect(await s.runOnce(), `attempt ${i + 1}`).to.include({ claimed: 1, retried: 1 });
          waited += WEBHOOK_RETRY_DELAYS_MS[i]!;
          clock = first + waited;
        }
        expect(await s.runOnce()).to.include({ claimed: 1, succeeded: 1 });
        const row = await delivery(stored.id);
        expect(row).to.include({ status: "succeeded", attempts: 8 });
        const attempts = await attemptsOf(row.id);
        expect(attempts.map((a) => a.status_code ?? a.error)).to.deep.equal([
          "timed out after 200 ms",
          "timed out after 200 ms",
          500,
          500,
          500,
          500,
          500,
          200,
        ]);
        expect(clock - first).to.be.greaterThan(3600 * S);
        expect(new Set(receiver.received.map((r) => r.headers["scanpay-event-id"]))).to.deep.equal(new Set([stored.id]));
      });

      it("gives up after the whole schedule (12 attempts, the last more than 24 h after the first) and marks it failed", async function () {
        await endpoint(A);
        const stored = await event(A);
        receiver.respond = () => 503;
        const s = sender();
        const first = clock;
        for (let i = 1; i < WEBHOOK_MAX_ATTEMPTS; i++) {
          expect(await s.runOnce(), `attempt ${i}`).to.include({ claimed: 1, retried: 1 });
          clock = (await delivery(stored.id)).next_attempt_at.getTime();
        }
        expect(await s.runOnce()).to.include({ claimed: 1, failed: 1 });
        const row = await delivery(stored.id);
        expect(row).to.include({ status: "failed", attempts: WEBHOOK_MAX_ATTEMPTS, last_status_code: 503 });
        expect(clock - first).to.be.greaterThan(24 * 3600 * S);
        expect(receiver.received).to.have.length(WEBHOOK_MAX_ATTEMPTS);
        clock += 365 * 24 * 3600 * S;
        expect((await s.runOnce()).claimed).to.equal(0);
        expect(await attemptsOf(row.id)).to.have.length(WEBHOOK_MAX_ATTEMPTS);
      });

      it("applies jitter only upwards (0..+20 % of the wait)", async function () {
        await endpoint(A);
        const stored = await event(A);
        receiver.respond = () => 500;
        await sender({ random: () => 0.999 }).runOnce();
        const wait = (await delivery(stored.id)).next_attempt_at.getTime() - clock;
        expect(wait).to.be.within(WEBHOOK_RETRY_DELAYS_MS[0]!, WEBHOOK_RETRY_DELAYS_MS[0]! * 1.2);
        expect(wait).to.be.greaterThan(WEBHOOK_RETRY_DELAYS_MS[0]! * 1.19);
      });

      it("does not follow a redirect (it could point at a private address): the attempt fails", async function () {
        await endpoint(A);
        const stored = await event(A);
        receiver.respond = (_r, i) => (i === 0 ? { status: 302, location: `${receiver.url}?redirected` } : 200);
        expect(await sender().runOnce()).to.include({ retried: 1 });
        expect(receiver.received).to.have.length(1);
        expect(await delivery(stored.id)).to.include({ status: "pending", last_status_code: 302, last_error: "HTTP 302: redirects are not followed" });
      });

      it("times out a receiver that does not answer, logs it and retries", async function () {
        await endpoint(A);
        const stored = await event(A);
        receiver.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 1500));
        expect(await sender({ timeoutMs: 300 }).runOnce()).to.include({ retried: 1 });
        const row = await delivery(stored.id);
        expect(row.last_error).to.equal("timed out after 300 ms");
        const [attempt] = await attemptsOf(row.id);
        expect(attempt!.duration_ms).to.be.within(250, 1400);
      });

      it("refuses at send time a URL that is not public when private URLs are not allowed (nothing is sent)", async function () {
        await endpoint(A, undefined, `https://127.0.0.1:${receiver.port}/hook`);
        const stored = await event(A);
        expect(await sender({ allowPrivateUrls: false }).runOnce()).to.include({ retried: 1 });
        expect(receiver.received).to.have.length(0);
        expect((await delivery(stored.id)).last_error).to.match(/127\.0\.0\.1 is not a public address: loopback/);
      });

      it("logs a keyring that cannot open the endpoint's secret on the attempt, sends nothing unsigned, and retries", async function () {
        await endpoint(A);
        const stored = await event(A);
        expect(await sender({ keyring: newKeyring() }).runOnce()).to.include({ retried: 1 });
        expect(receiver.received).to.have.length(0);
        expect((await delivery(stored.id)).last_error).to.match(/master key/);
      });
    });

    describe("subscriptions and isolation", function () {
      it("sends an endpoint only the event types it subscribes to; * gets every type; a disabled endpoint gets none", async function () {
        const paidOnly = await endpoint(A, ["invoice.paid"], `${receiver.url}?paid`);
        await endpoint(A, ["*"], `${receiver.url}?all`);
        const disabled = await endpoint(A, ["*"], `${receiver.url}?disabled`);
        await updateWebhookEndpoint(ctx(), A, disabled.endpoint.id, { enabled: false });
        const paid = await event(A, "invoice.paid");
        const expired = await event(A, "invoice.expired");
        expect(await sender().runOnce()).to.include({ claimed: 3, succeeded: 3 });
        const got = receiver.received.map((r) => `${r.url} ${r.headers["scanpay-event-type"]} ${r.headers["scanpay-event-id"]}`).sort();
        expect(got).to.deep.equal(
          [`/hook?paid invoice.paid ${paid.id}`, `/hook?all invoice.paid ${paid.id}`, `/hook?all invoice.expired ${expired.id}`].sort(),
        );
        const paidOnlyLog = await listWebhookDeliveries({ db: suite.db }, A, paidOnly.endpoint.id);
        expect(paidOnlyLog.deliveries.map((d) => d.eventType)).to.deep.equal(["invoice.paid"]);
        expect((await listWebhookDeliveries({ db: suite.db }, A, disabled.endpoint.id)).deliveries).to.have.length(0);
      });

      it("keeps a disabled endpoint's pending deliveries waiting, and sends them when it is enabled again", async function () {
        const { endpoint: ep } = await endpoint(A);
        const stored = await event(A);
        await updateWebhookEndpoint(ctx(), A, ep.id, { enabled: false });
        expect((await sender().runOnce()).claimed).to.equal(0);
        expect(await webhookQueueDepth(suite.db)).to.equal(0);
        await updateWebhookEndpoint(ctx(), A, ep.id, { enabled: true });
        expect(await webhookQueueDepth(suite.db)).to.equal(1);
        expect(await sender().runOnce()).to.include({ succeeded: 1 });
        expect(receiver.received[0]!.headers["scanpay-event-id"]).to.equal(stored.id);
      });

      it("never sends merchant B's events to merchant A's endpoint", async function () {
        await endpoint(A);
        await event(B);
        expect((await sender().runOnce()).claimed).to.equal(0);
        expect(receiver.received).to.have.length(0);
        expect(await webhookQueueDepth(suite.db)).to.equal(0);
      });
    });

    describe("redelivery", function () {
      it("sends the same event again as a new delivery (same event id, new delivery id), keeping the old log", async function () {
        const { endpoint: ep } = await endpoint(A);
        const stored = await event(A);
        await sender().runOnce();
        const original = await delivery(stored.id);
        const again = await redeliverWebhook({ db: suite.db }, A, ep.id, original.id);
        expect(again).to.include({ status: "pending", eventId: stored.id, eventType: "invoice.paid", attemptCount: 0 });
        expect(again.id).to.not.equal(original.id);
        expect(await sender().runOnce()).to.include({ succeeded: 1 });
        expect(receiver.received.map((r) => r.headers["scanpay-event-id"])).to.deep.equal([stored.id, stored.id]);
        expect(receiver.received.map((r) => r.headers["scanpay-delivery-id"])).to.deep.equal([original.id, again.id]);
        const log = await listWebhookDeliveries({ db: suite.db }, A, ep.id);
        expect(log.deliveries.map((d) => [d.id, d.status, d.attempts.length])).to.have.deep.members([
          [original.id, "succeeded", 1],
          [again.id, "succeeded", 1],
        ]);
      });

      it("redelivers a failed delivery, and refuses another merchant's delivery or a disabled endpoint", async function () {
        const { endpoint: ep } = await endpoint(A);
        const stored = await event(A);
        await suite.db.updateTable("webhook_deliveries").set({ status: "failed" }).where("event_id", "=", stored.id).execute();
        const original = await delivery(stored.id);
        const err = (p: Promise<unknown>) => p.then(() => "resolved", (e: { code?: string }) => e.code);
        expect(await err(redeliverWebhook({ db: suite.db }, B, ep.id, original.id))).to.equal("NOT_FOUND");
        expect(await err(redeliverWebhook({ db: suite.db }, A, ep.id, "whd_" + "0".repeat(32)))).to.equal("NOT_FOUND");
        await updateWebhookEndpoint(ctx(), A, ep.id, { enabled: false });
        expect(await err(redeliverWebhook({ db: suite.db }, A, ep.id, original.id))).to.equal("WEBHOOK_ENDPOINT_DISABLED");
        await updateWebhookEndpoint(ctx(), A, ep.id, { enabled: true });
        await redeliverWebhook({ db: suite.db }, A, ep.id, original.id);
        expect(await sender().runOnce()).to.include({ succeeded: 1 });
      });
    });

    describe("leases", function () {
      it("gives a dead sender's claim to another sender once the lease has passed (the crash counts as an attempt)", async function () {
        await endpoint(A);
        const stored = await event(A);
        const timeoutMs = 2000;
        // A sender claims and dies before sending.
        const [claimed] = await claimDueDeliveries(suite.db, { now: new Date(clock), leaseUntil: new Date(clock + timeoutMs + WEBHOOK_LEASE_MARGIN_MS), limit: 10 });
        expect(claimed!.event.id).to.equal(stored.id);
        const s = sender({ timeoutMs });
        expect((await s.runOnce()).claimed).to.equal(0);
        clock += timeoutMs + WEBHOOK_LEASE_MARGIN_MS - 1;
        expect((await s.runOnce()).claimed).to.equal(0);
        clock += 1;
        expect(await s.runOnce()).to.include({ claimed: 1, succeeded: 1 });
        expect(await delivery(stored.id)).to.include({ status: "succeeded", attempts: 2 });
        expect(receiver.received).to.have.length(1);
      });

      it("does not let a sender whose lease ran out overwrite the newer claim's result (fencing by attempt count)", async function () {
        await endpoint(A);
        const stored = await event(A);
        const [stale] = await claimDueDeliveries(suite.db, { now: new Date(clock), leaseUntil: new Date(clock + 1), limit: 10 });
        clock += 10;
        expect(await sender().runOnce()).to.include({ succeeded: 1 });
        const late = await recordDeliveryAttempt(suite.db, {
          deliveryId: stale!.delivery.id,
          endpointId: stale!.endpoint.id,
          claimedAttempts: stale!.delivery.attempts,
          attemptedAt: new Date(clock),
          statusCode: 500,
          error: "HTTP 500",
          durationMs: 5,
          outcome: { status: "pending", nextAttemptAt: new Date(clock + 10 * S) },
        });
        expect(late).to.equal(false);
        expect(await delivery(stored.id)).to.include({ status: "succeeded", last_status_code: 200 });
        expect(await attemptsOf(stale!.delivery.id)).to.have.length(2); // the late attempt is still logged
      });
    });

    describe("storage and metrics", function () {
      it("stores the signing secret sealed (AES-GCM, bound to the endpoint id), never in clear", async function () {
        const { endpoint: ep, secret } = await endpoint(A);
        const other = await endpoint(A);
        const row = await suite.db.selectFrom("webhook_endpoints").selectAll().where("id", "=", ep.id).executeTakeFirstOrThrow();
        const raw = JSON.stringify(row);
        const random = secret.slice("whsec_".length);
        expect(raw).to.not.include(random);
        expect(raw).to.not.include(Buffer.from(secret).toString("base64"));
        expect(raw).to.not.include(Buffer.from(secret).toString("hex"));
        expect(row.secret_master_id).to.equal(keyring.current.id);
        const sealed = { ciphertext: row.secret_ciphertext, iv: row.secret_iv, tag: row.secret_tag, masterKeyId: row.secret_master_id };
        expect(openSecret(keyring, sealed, ep.id).toString("utf8")).to.equal(secret);
        // Copied onto another endpoint's row it does not open.
        expect(() => openSecret(keyring, sealed, other.endpoint.id)).to.throw(/does not open/);
      });

      it("counts pending deliveries to enabled endpoints as the queue depth", async function () {
        await endpoint(A);
        await endpoint(A, ["invoice.refunded"]);
        expect(await webhookQueueDepth(suite.db)).to.equal(0);
        await event(A);
        await event(A);
        await event(A, "invoice.refunded");
        expect(await webhookQueueDepth(suite.db)).to.equal(4);
        const s = sender();
        expect(await s.queueDepth()).to.equal(4);
        await s.runOnce();
        expect(await webhookQueueDepth(suite.db)).to.equal(0);
        expect(s.stats()).to.include({ claimed: 4, succeeded: 4, inFlight: 0 });
      });
    });

    describe("the loop", function () {
      it("delivers within one interval of the event's commit (intervalMs 100; measured)", async function () {
        await endpoint(A);
        const s = sender({ now: Date.now, start: true, intervalMs: 100 });
        const latencies: number[] = [];
        for (let i = 0; i < 20; i++) {
          const before = receiver.received.length;
          const committed = Date.now();
          await event(A, "invoice.paid", { i });
          await receiver.waitFor(before + 1, 5000);
          latencies.push(receiver.received[before]!.at - committed);
          await new Promise((r) => setTimeout(r, 17 * (i % 5)));
        }
        latencies.sort((x, y) => x - y);
        const p50 = latencies[Math.floor(latencies.length / 2)]!;
        const max = latencies[latencies.length - 1]!;
        console.log(`      ${suite.backendName}: event commit → receiver, intervalMs 100: p50 ${p50} ms, max ${max} ms (n=${latencies.length})`);
        expect(max).to.be.lessThan(1000);
        await s.stop();
        expect(s.stats()).to.include({ succeeded: 20, inFlight: 0 });
      });

      it("wake() sends a delivery committed after the last round at once, not at the next interval (60 s here)", async function () {
        await endpoint(A);
        const s = sender({ now: Date.now, start: true, intervalMs: 60_000 });
        await new Promise((r) => setTimeout(r, 200)); // the first round ran and found nothing
        const latencies: number[] = [];
        for (let i = 0; i < 5; i++) {
          const before = receiver.received.length;
          const committed = Date.now();
          await event(A, "invoice.paid", { i });
          s.wake();
          await receiver.waitFor(before + 1, 5000);
          latencies.push(receiver.received[before]!.at - committed);
        }
        expect(Math.max(...latencies)).to.be.lessThan(2000);
        await s.stop();
        expect(s.stats()).to.include({ succeeded: 5 });
      });

      it("drains a backlog at full concurrency and stops cleanly", async function () {
        await endpoint(A);
        for (let i = 0; i < 30; i++) await event(A, "invoice.paid", { i });
        const s = sender({ now: Date.now, start: true, intervalMs: 5000, concurrency: 4 });
        await receiver.waitFor(30, 10_000); // far less than 30 / 4 rounds × 5 s: a freed slot claims at once
        await s.stop();
        expect(s.stats()).to.include({ claimed: 30, succeeded: 30 });
        expect(new Set(receiver.received.map((r) => r.headers["scanpay-delivery-id"])).size).to.equal(30);
      });

      it("survives a database that fails: logs, backs off, keeps running, never throws", async function () {
        const broken = {
          transaction: () => {
            throw new Error("database down");
          },
        } as unknown as Kysely<Database>;
        const before = logs.length;
        const s = sender({ db: broken, now: Date.now, start: true, intervalMs: 10 });
        await new Promise((r) => setTimeout(r, 200));
        const errors = s.stats().loopErrors;
        expect(errors).to.be.within(2, 6); // 10, 20, 40, 80 ms backoff: a handful, not 20
        expect(logs.slice(before).join("\n")).to.match(/claiming deliveries failed; retrying.*database down/);
        await s.stop();
        const stoppedErrors = s.stats().loopErrors;
        await new Promise((r) => setTimeout(r, 50));
        expect(s.stats().loopErrors).to.equal(stoppedErrors);
      });
    });

    if (suite.backendName === "PostgreSQL") {
      describe("two senders on one PostgreSQL", function () {
        let db2: Kysely<Database>;
        before(async function () {
          db2 = await openDatabase(await suite.target.options());
        });
        after(async function () {
          await db2.destroy();
        });

        it("skips rows another transaction holds (SKIP LOCKED): the second claim gets the other deliveries at once", async function () {
          await endpoint(A);
          for (let i = 0; i < 10; i++) await event(A, "invoice.paid", { i });
          let release!: () => void;
          const held = new Promise<void>((r) => (release = r));
          let firstIds: string[] = [];
          let locked!: () => void;
          const isLocked = new Promise<void>((r) => (locked = r));
          const first = suite.db.transaction().execute(async (trx) => {
            firstIds = await lockDueDeliveries(trx, new Date(clock), 5);
            locked();
            await held;
          });
          await isLocked;
          try {
            const second = await Promise.race([
              claimDueDeliveries(db2, { now: new Date(clock), leaseUntil: new Date(clock + 60 * S), limit: 10 }),
              new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the second claim waited for the first's locks")), 5000)),
            ]);
            const secondIds = second.map((c) => c.delivery.id);
            expect(firstIds).to.have.length(5);
            expect(secondIds).to.have.length(5);
            expect(secondIds.filter((id) => firstIds.includes(id))).to.deep.equal([]);
          } finally {
            release();
            await first;
          }
        });

        it("two senders draining one queue send every delivery exactly once", async function () {
          await endpoint(A);
          for (let i = 0; i < 40; i++) await event(A, "invoice.paid", { i });
          const one = sender({ concurrency: 3 });
          const two = sender({ db: db2, concurrency: 3 });
          const drain = async (s: WebhookSender) => {
            for (;;) if ((await s.runOnce()).claimed === 0) return;
          };
          await Promise.all([drain(one), drain(two), drain(one), drain(two)]);
          const ids = receiver.received.map((r) => r.headers["scanpay-delivery-id"]);
          expect(ids).to.have.length(40);
          expect(new Set(ids).size).to.equal(40);
          expect(one.stats().claimed + two.stats().claimed).to.equal(40);
          expect(one.stats().claimed).to.be.greaterThan(0);
          expect(two.stats().claimed).to.be.greaterThan(0);
          const attempts = await suite.db.selectFrom("webhook_deliveries").select("attempts").execute();
          expect(attempts.every((a) => a.attempts === 1)).to.equal(true);
        });
      });
    }
  });
});
