/**
 * Many instances, one database: two `scanpay serve --rpc-url` processes (the real CLI) against one PostgreSQL server
 * and one `hardhat node`. Both answer the API; invoices created through both at once get distinct, consecutive
 * numbers; exactly one holds the indexer's advisory lock (seen in pg_locks by each process's application_name);
 * webhook deliveries are claimed once (SKIP LOCKED) so each invoice.paid event reaches the receiver once; when the
 * leader is SIGKILLed the other takes the lock over and payments made after that are still indexed and delivered.
 */
import { expect } from "chai";

import { payInvoice } from "../../src/chain/payInvoice.js";
import { PaymentEscrow__factory } from "../../typechain-types/index.js";
import { listEvents, openDatabase } from "../../gateway/src/store/index.js";
import { sql } from "kysely";
import { sdkInvoiceOf } from "./helpers/apiFixture.js";
import { startServedNetwork, until, type GatewayProcess, type ServedNetwork } from "./helpers/servedNetwork.js";

/** A database URL whose sessions show `name` in pg_stat_activity. */
function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", name);
  return parsed.toString();
}

describe("gateway reliability: two instances on one PostgreSQL database", function () {
  this.timeout(600_000);
  let network: ServedNetwork | undefined;

  after(async function () {
    this.timeout(60_000);
    await network?.close();
  });

  describe("scanpay serve twice", function () {
    it("shares the work: one indexer leader, distinct consecutive numbers, each webhook once, and a take-over after SIGKILL", async function () {
      network = await startServedNetwork("Twin Shop");
      const { rpc, escrowAddress, apiKey, merchantId, receiver, databaseOptions, databaseUrl } = network;
      const a = await network.startGateway({ databaseUrl: withApplicationName(databaseUrl, "scanpay-a") });
      const b = await network.startGateway({ databaseUrl: withApplicationName(databaseUrl, "scanpay-b") });
      const byName: Record<string, GatewayProcess> = { "scanpay-a": a, "scanpay-b": b };

      const db = await openDatabase(databaseOptions);
      try {
        /** Which instances hold the indexer's advisory lock right now. */
        const leaders = async (): Promise<string[]> => {
          const rows = await sql<{ application_name: string }>`
            select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted`.execute(db);
          return rows.rows.map((r) => r.application_name).sort();
        };
        await until("one indexer leader", async () => (await leaders()).length === 1, 60_000);
        const [leaderName] = await leaders();
        expect(leaderName).to.be.oneOf(["scanpay-a", "scanpay-b"]);

        // 40 invoices, 20 through each instance, all at once.
        const create = async (gateway: GatewayProcess) => {
          const res = await fetch(`${gateway.url}/v1/invoices`, {
            method: "POST",
            headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
            body: JSON.stringify({ amount: "0.001", token: "ETH", expiresIn: 3600 }),
          });
          expect(res.status).to.equal(201);
          return (await res.json()) as any;
        };
        const created = await Promise.all(Array.from({ length: 40 }, (_, i) => create(i % 2 === 0 ? a : b)));
        const numbers = created.map((invoice) => Number(invoice.invoiceNumber)).sort((x, y) => x - y);
        expect(numbers).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));

        const escrow = PaymentEscrow__factory.connect(escrowAddress, await rpc.getSigner(7));
        const paid: string[] = [];
        const pay = async (invoice: any) => {
          await payInvoice(escrow, { invoice: sdkInvoiceOf(invoice), signature: invoice.signature });
          paid.push(invoice.id);
        };
        const read = async (gateway: GatewayProcess, id: string) =>
          (await (await fetch(`${gateway.url}/v1/invoices/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as any;
        const paidWebhooks = () => receiver.received.filter((r) => r.headers["scanpay-event-type"] === "invoice.paid");
        const settledEverywhere = async (gateways: GatewayProcess[]) => {
          for (const gateway of gateways) {
            const views = await Promise.all(paid.map((id) => read(gateway, id)));
            if (!views.every((view) => view.status === "settled")) return false;
          }
          return true;
        };

        for (const invoice of created.slice(0, 6)) await pay(invoice);
        await until("six payments settled, as both instances answer", () => settledEverywhere([a, b]), 120_000);
        await until("six invoice.paid webhooks", async () => paidWebhooks().length >= 6, 120_000);

        // The leader dies without a word; the other instance takes the lock over and indexes what is paid next.
        const leader = byName[leaderName!]!;
        const survivor = leader === a ? b : a;
        const survivorName = leader === a ? "scanpay-b" : "scanpay-a";
        await leader.kill();
        await until("the survivor leads", async () => (await leaders()).join() === survivorName, 60_000);
        for (const invoice of created.slice(6, 9)) await pay(invoice);
        await until("nine payments settled", () => settledEverywhere([survivor]), 120_000);
        await until("nine invoice.paid webhooks", async () => new Set(paidWebhooks().map((r) => JSON.parse(r.body).id)).size >= 9, 120_000);

        // One invoice.paid event per payment, each delivered exactly once (two senders, SKIP LOCKED claims).
        const events = (await listEvents(db, { merchantId, limit: 1000 })).filter((e) => e.type === "invoice.paid");
        expect(events.map((e) => e.invoiceId).sort()).to.deep.equal([...paid].sort());
        const deliveredIds = paidWebhooks().map((r) => JSON.parse(r.body).id as string);
        expect(deliveredIds.slice().sort()).to.deep.equal(events.map((e) => e.id).sort());
      } finally {
        await db.destroy();
      }
    });
  });
});
