/**
 * openLiveStream (transport aside): snapshot first, replay after Last-Event-ID in bounded steps, then live events
 * from the shared feed, each once.
 */
import { expect } from "chai";

import { openLiveStream, startEventFeed, type EventFeed, type LiveMessage } from "../../gateway/src/services/index.js";
import { latestEventSeq, recordEvent, type StoredEvent } from "../../gateway/src/store/index.js";
import { onEachBackend } from "./helpers/backends.js";

describe("gateway openLiveStream", function () {
  this.timeout(30_000);
  onEachBackend((suite) => {
    let feed: EventFeed;
    const record = (type = "invoice.seen") =>
      suite.db.transaction().execute((trx) => recordEvent(trx, { merchantId: "ls-a", invoiceId: null, type, data: {} }));

    before(async function () {
      await suite.db
        .insertInto("merchants")
        .values({
          id: "ls-a",
          chain_id: "31337",
          on_chain_id: "9101",
          name: "ls-a",
          signer_address: "0x0000000000000000000000000000000000000001",
          signer_key_ciphertext: "x",
          signer_key_iv: "x",
          signer_key_tag: "x",
          signer_key_master_id: "k1",
        })
        .execute();
    });
    beforeEach(() => {
      feed = startEventFeed({ db: suite.db, intervalMs: 60_000 });
    });
    afterEach(async () => {
      await feed.stop();
    });

    it("sends the snapshot, the events after lastEventId, then live ones, each once", async function () {
      const from = await latestEventSeq(suite.db);
      const missed: StoredEvent[] = [await record(), await record()];
      const sent: LiveMessage[] = [];
      const stream = await openLiveStream(
        { db: suite.db, feed },
        { merchantId: "ls-a", lastEventId: from, snapshot: async () => ({ event: "status", data: "{}" }) },
        (m) => sent.push(m),
        () => expect.fail("must not end"),
      );
      const live = await record("invoice.paid");
      await feed.tick();
      await feed.tick();
      expect(sent.map((m) => m.id ?? m.event)).to.deep.equal(["status", ...missed.map((e) => e.seq.toString()), live.seq.toString()]);
      expect(sent[3]!.event).to.equal("invoice.paid");
      stream.close();
      expect(feed.subscriberCount).to.equal(0);
    });

    it("replays at most replayMax events, then ends so the client resumes from the last one", async function () {
      const from = await latestEventSeq(suite.db);
      const missed: StoredEvent[] = [];
      for (let i = 0; i < 7; i++) missed.push(await record());
      const sent: LiveMessage[] = [];
      let ended = 0;
      await openLiveStream({ db: suite.db, feed }, { merchantId: "ls-a", lastEventId: from, replayMax: 3 }, (m) => sent.push(m), () => ended++);
      expect(sent.map((m) => m.id)).to.deep.equal(missed.slice(0, 3).map((e) => e.seq.toString()));
      expect(ended).to.equal(1);
      expect(feed.subscriberCount).to.equal(0, "unsubscribed");

      const rest: LiveMessage[] = [];
      const again = await openLiveStream(
        { db: suite.db, feed },
        { merchantId: "ls-a", lastEventId: BigInt(sent[2]!.id!), replayMax: 4 },
        (m) => rest.push(m),
        () => expect.fail("exactly replayMax missed: no need to end"),
      );
      expect(rest.map((m) => m.id)).to.deep.equal(missed.slice(3).map((e) => e.seq.toString()));
      expect(feed.subscriberCount).to.equal(1);
      again.close();
    });

    it("unsubscribes and rejects when the snapshot cannot be read", async function () {
      const error = await openLiveStream(
        { db: suite.db, feed },
        { merchantId: "ls-a", snapshot: async () => Promise.reject(new Error("gone")) },
        () => undefined,
        () => undefined,
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).message).to.equal("gone");
      expect(feed.subscriberCount).to.equal(0);
    });
  });
});
