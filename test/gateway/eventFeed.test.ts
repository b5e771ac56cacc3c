/**
 * The live event feed (one poller per process): what it delivers to whom, from where it starts, one query per poll
 * however many subscribers, late commits of a smaller seq, notify(), errors, unsubscribe and stop.
 */
import { expect } from "chai";
import type { Kysely, KyselyPlugin } from "kysely";

import { startEventFeed, type EventFeed } from "../../gateway/src/services/index.js";
import { recordEvent, type Database, type StoredEvent } from "../../gateway/src/store/index.js";
import { createInvoiceRecord } from "../../gateway/src/services/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { merchantRow } from "./helpers/rows.js";


/** Counts the queries a Kysely instance sends; `fail` makes every query throw. */
function counting(db: Kysely<Database>): { db: Kysely<Database>; count: () => number; fail: (on: boolean) => void } {
  let n = 0;
  let failing = false;
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      n++;
      if (failing) throw new Error("database down (test)");
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), count: () => n, fail: (on) => (failing = on) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("gateway event feed", function () {
  this.timeout(30_000);
  onEachBackend((suite) => {
    let invoiceA1: string;
    let invoiceA2: string;
    const feeds: EventFeed[] = [];
    const feed = (options: Partial<Parameters<typeof startEventFeed>[0]> = {}) => {
      const f = startEventFeed({ db: suite.db, intervalMs: 60_000, logger: { error: () => undefined }, ...options });
      feeds.push(f);
      return f;
    };
    const record = (merchantId: string, invoiceId: string | null, type = "invoice.paid") =>
      suite.db.transaction().execute((trx) => recordEvent(trx, { merchantId, invoiceId, type, data: { n: Math.random() } }));

    before(async function () {
      await suite.db.insertInto("merchants").values([merchantRow("feed-a", 9001), merchantRow("feed-b", 9002)]).execute();
      const invoice = async () =>
        (
          await createInvoiceRecord(suite.db, {
            merchantId: "feed-a",
            highestUsedOnChain: 0n,
            invoice: { token: "0x0000000000000000000000000000000000000000", amount: 1n, expiry: 2_000_000_000n },
          })
        ).invoice.id;
      invoiceA1 = await invoice();
      invoiceA2 = await invoice();
    });
    afterEach(async function () {
      await Promise.all(feeds.splice(0).map((f) => f.stop()));
    });

    describe("subscribe / tick", function () {
      it("delivers only events written after the subscription, to the subscribers whose merchant and invoice match", async function () {
        const before = await record("feed-a", invoiceA1);
        const f = feed();
        const merchantWide: StoredEvent[] = [];
        const oneInvoice: StoredEvent[] = [];
        const otherMerchant: StoredEvent[] = [];
        await f.subscribe({ merchantId: "feed-a" }, (e) => merchantWide.push(e));
        await f.subscribe({ merchantId: "feed-a", invoiceId: invoiceA1 }, (e) => oneInvoice.push(e));
        await f.subscribe({ merchantId: "feed-b" }, (e) => otherMerchant.push(e));
        const e1 = await record("feed-a", invoiceA1);
        const e2 = await record("feed-a", invoiceA2);
        const e3 = await record("feed-a", null, "merchant.updated");
        const b1 = await record("feed-b", null);
        await f.tick();
        expect(merchantWide.map((e) => e.id)).to.deep.equal([e1.id, e2.id, e3.id]);
        expect(merchantWide.map((e) => e.id)).not.to.include(before.id);
        expect(oneInvoice.map((e) => e.id)).to.deep.equal([e1.id]);
        expect(otherMerchant.map((e) => e.id)).to.deep.equal([b1.id]);
        expect(merchantWide[0]).to.deep.include({ seq: e1.seq, merchantId: "feed-a", invoiceId: invoiceA1, type: "invoice.paid" });
        await f.tick();
        expect(merchantWide).to.have.length(3, "a second poll delivers nothing twice");
      });

      it("polls the database once per tick whatever the number of subscribers", async function () {
        const c = counting(suite.db);
        const f = feed({ db: c.db });
        const got: number[] = new Array(50).fill(0);
        for (let i = 0; i < 50; i++) await f.subscribe({ merchantId: "feed-a" }, () => got[i]!++);
        await record("feed-a", invoiceA1);
        const before = c.count();
        await f.tick();
        expect(c.count() - before).to.equal(1);
        expect(got.every((n) => n === 1)).to.equal(true);
      });

      it("polls on its own every interval, and at once on notify()", async function () {
        const slow = feed();
        const got: StoredEvent[] = [];
        await slow.subscribe({ merchantId: "feed-a" }, (e) => got.push(e));
        const e = await record("feed-a", invoiceA1);
        await sleep(150);
        expect(got).to.have.length(0, "the 60 s interval has not elapsed");
        slow.notify();
        for (let i = 0; i < 50 && got.length === 0; i++) await sleep(10);
        expect(got.map((x) => x.id)).to.deep.equal([e.id]);

        const fast = feed({ intervalMs: 20 });
        const got2: StoredEvent[] = [];
        await fast.subscribe({ merchantId: "feed-a" }, (x) => got2.push(x));
        const e2 = await record("feed-a", invoiceA1);
        for (let i = 0; i < 100 && got2.length === 0; i++) await sleep(10);
        expect(got2.map((x) => x.id)).to.deep.equal([e2.id]);
      });

      it("reads batches until it has caught up", async function () {
        const f = feed({ batchSize: 3 });
        const got: StoredEvent[] = [];
        await f.subscribe({ merchantId: "feed-b" }, (e) => got.push(e));
        for (let i = 0; i < 8; i++) await record("feed-b", null);
        await f.tick();
        expect(got).to.have.length(8);
        expect(got.map((e) => e.seq)).to.deep.equal([...got.map((e) => e.seq)].sort((x, y) => (x < y ? -1 : 1)));
      });

      it("logs a failed poll, keeps its position and delivers once the database answers again", async function () {
        const c = counting(suite.db);
        const errors: string[] = [];
        const f = feed({ db: c.db, logger: { error: (message) => errors.push(message) } });
        const got: StoredEvent[] = [];
        await f.subscribe({ merchantId: "feed-a" }, (e) => got.push(e));
        const e = await record("feed-a", invoiceA1);
        c.fail(true);
        expect(await f.tick()).to.equal(0);
        expect(errors).to.have.length(1);
        expect(errors[0]).to.match(/poll failed/);
        c.fail(false);
        await f.tick();
        expect(got.map((x) => x.id)).to.deep.equal([e.id]);
      });
    });

    describe("gaps in seq", function () {
      if (suite.backendName === "PostgreSQL") {
        it("delivers an event whose transaction took a smaller seq but committed after a larger one", async function () {
          const f = feed();
          const got: StoredEvent[] = [];
          await f.subscribe({ merchantId: "feed-a" }, (e) => got.push(e));
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          let slowEvent!: StoredEvent;
          let recorded!: () => void;
          const slowRecorded = new Promise<void>((resolve) => (recorded = resolve));
          const slow = suite.db.transaction().execute(async (trx) => {
            slowEvent = await recordEvent(trx, { merchantId: "feed-a", invoiceId: invoiceA1, type: "invoice.seen", data: {} });
            recorded();
            await held;
          });
          await slowRecorded;
          const fast = await record("feed-a", invoiceA2);
          expect(fast.seq > slowEvent.seq).to.equal(true);
          await f.tick();
          expect(got.map((e) => e.id)).to.deep.equal([fast.id]);
          release();
          await slow;
          await f.tick();
          expect(got.map((e) => e.id)).to.deep.equal([fast.id, slowEvent.id]);
        });
      }

      it("asks again for a hole left by a rolled-back insert, then forgets it after the grace period", async function () {
        let clock = 1_000_000;
        const queries: string[] = [];
        const db = suite.db.withPlugin({
          transformQuery(args) {
            queries.push(JSON.stringify(args.node));
            return args.node;
          },
          transformResult: async (args) => args.result,
        });
        const f = feed({ db, now: () => clock, gapGraceMs: 5_000 });
        await f.subscribe({ merchantId: "feed-a" }, () => undefined);
        await suite.db
          .transaction()
          .execute(async (trx) => {
            await recordEvent(trx, { merchantId: "feed-a", invoiceId: null, type: "invoice.seen", data: {} });
            throw new Error("roll back");
          })
          .catch(() => undefined);
        await record("feed-a", null);
        const asksForHole = async () => {
          queries.length = 0;
          await f.tick();
          expect(queries).to.have.length(1);
          return (queries[0] as string).includes('"operator":"in"');
        };
        expect(await asksForHole()).to.equal(false, "the first poll finds the hole");
        expect(await asksForHole()).to.equal(true, "then asks for it while the grace period runs");
        clock += 6_000;
        expect(await asksForHole()).to.equal(false, "and forgets it after");
      });
    });

    describe("unsubscribe / stop", function () {
      it("forgets a subscriber that unsubscribes and stops polling when none is left", async function () {
        const c = counting(suite.db);
        const f = feed({ db: c.db, intervalMs: 10 });
        const got: StoredEvent[] = [];
        const s1 = await f.subscribe({ merchantId: "feed-a" }, (e) => got.push(e));
        const s2 = await f.subscribe({ merchantId: "feed-a", invoiceId: invoiceA1 }, () => undefined);
        expect(f.subscriberCount).to.equal(2);
        s1.unsubscribe();
        s1.unsubscribe();
        expect(f.subscriberCount).to.equal(1);
        s2.unsubscribe();
        expect(f.subscriberCount).to.equal(0);
        await sleep(30);
        const idle = c.count();
        await record("feed-a", invoiceA1);
        await sleep(100);
        expect(c.count()).to.equal(idle, "no query while nobody listens");
        expect(got).to.have.length(0);
      });

      it("starts again from the latest seq when a new subscriber comes after an idle spell", async function () {
        const f = feed();
        const first = await f.subscribe({ merchantId: "feed-a" }, () => undefined);
        first.unsubscribe();
        await record("feed-a", invoiceA1); // while idle: not for later subscribers
        const got: StoredEvent[] = [];
        await f.subscribe({ merchantId: "feed-a" }, (e) => got.push(e));
        const e = await record("feed-a", invoiceA1);
        await f.tick();
        expect(got.map((x) => x.id)).to.deep.equal([e.id]);
      });

      it("ends every subscriber on stop() and refuses new ones", async function () {
        const f = feed();
        let ended = 0;
        const s = await f.subscribe({ merchantId: "feed-a" }, () => undefined, () => ended++);
        await f.subscribe({ merchantId: "feed-b" }, () => undefined, () => ended++);
        await f.stop();
        expect(ended).to.equal(2);
        expect(f.subscriberCount).to.equal(0);
        s.unsubscribe();
        expect(f.subscriberCount).to.equal(0);
        const error = await f.subscribe({ merchantId: "feed-a" }, () => undefined).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(Error);
      });
    });
  });
});
