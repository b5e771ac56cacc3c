/**
 * The gateway killed with SIGKILL in the middle of a stream of payments, then restarted on the same PostgreSQL
 * database: `scanpay serve --rpc-url` (the real CLI, as a child process) against a `hardhat node` with the deploy
 * scripts run, a merchant linked with a random signer key, a webhook endpoint on a local receiver. Invoices are
 * created over HTTP, paid on chain one after another; the gateway is SIGKILLed right after a payment is sent, more
 * are paid while it is down, then it starts again and more invoices are created and paid. Afterwards: every invoice
 * that got a 201 is there, with its own number; each paid one is settled with exactly one `invoice.paid` event; and
 * the receiver got a signed `invoice.paid` webhook for each of them, carrying the stored event's id.
 */
import { expect } from "chai";
import { PaymentEscrow__factory } from "../../typechain-types/index.js";
import { payInvoice } from "../../src/chain/payInvoice.js";
import { verifyWebhook } from "../../src/webhooks/index.js";
import { listEvents, openDatabase } from "../../gateway/src/store/index.js";
import { sdkInvoiceOf } from "./helpers/apiFixture.js";
import { startServedNetwork, until, type GatewayProcess, type ServedNetwork } from "./helpers/servedNetwork.js";

describe("gateway reliability: SIGKILL in a stream of payments", function () {
  this.timeout(600_000);
  let network: ServedNetwork | undefined;

  after(async function () {
    this.timeout(60_000);
    await network?.close();
  });

  describe("scanpay serve on PostgreSQL", function () {
    it("loses no created invoice, applies each transition once, and delivers every invoice.paid webhook", async function () {
      network = await startServedNetwork("Kill Shop");
      const { rpc, escrowAddress, apiKey, webhookSecret, merchantId, receiver, databaseOptions: options } = network;
      let gateway: GatewayProcess | undefined;
      const customer = await rpc.getSigner(7);
      const escrow = PaymentEscrow__factory.connect(escrowAddress, customer);
      const created: any[] = [];
      const create = async (count: number) => {
        for (let i = 0; i < count; i++) {
          const res = await fetch(`${gateway!.url}/v1/invoices`, {
            method: "POST",
            headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
            body: JSON.stringify({ amount: "0.001", token: "ETH", expiresIn: 3600 }),
          });
          expect(res.status).to.equal(201);
          created.push(await res.json());
        }
      };
      const paid: string[] = [];
      const pay = async (invoice: any) => {
        const sent = await payInvoice(escrow, { invoice: sdkInvoiceOf(invoice), signature: invoice.signature });
        paid.push(invoice.id);
        return sent;
      };

      gateway = await network.startGateway();
      await create(10);
      for (const invoice of created.slice(0, 4)) await pay(invoice);
      // The fifth payment is mined while the gateway is killed: its indexer and webhook sender are mid-work.
      const fifth = pay(created[4]);
      await gateway.kill();
      await fifth;
      for (const invoice of created.slice(5, 7)) await pay(invoice); // paid while the gateway is down

      gateway = await network.startGateway();
      for (const invoice of created.slice(7, 10)) await pay(invoice);
      await create(2);
      for (const invoice of created.slice(10)) await pay(invoice);

      const read = async (id: string) =>
        (await (await fetch(`${gateway!.url}/v1/invoices/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as any;
      await until("every paid invoice settled", async () => (await Promise.all(paid.map(read))).every((inv) => inv.status === "settled"), 120_000);
      await until(
        "an invoice.paid webhook per paid invoice",
        async () => new Set(receiver!.received.filter((r) => r.headers["scanpay-event-type"] === "invoice.paid").map((r) => JSON.parse(r.body).invoiceId)).size === paid.length,
        120_000,
      );

      // No invoice that got a 201 is lost, and each has its own number.
      expect(paid).to.have.length(12);
      for (const invoice of created) expect((await read(invoice.id)).id).to.equal(invoice.id);
      expect(new Set(created.map((invoice) => invoice.invoiceNumber)).size).to.equal(created.length);

      // Each transition once: one invoice.paid event per paid invoice in the log.
      const check = await openDatabase(options);
      try {
        const events = await listEvents(check, { merchantId: merchantId!, limit: 1000 });
        const paidEvents = events.filter((e) => e.type === "invoice.paid");
        expect(paidEvents.map((e) => e.invoiceId).sort()).to.deep.equal([...paid].sort());
        // Every webhook is signed and carries a stored event's id (redelivery after the kill keeps the id).
        const stored = new Set(events.map((e) => e.id));
        for (const request of receiver.received) {
          const event = verifyWebhook({ payload: request.body, header: request.headers["scanpay-signature"], secret: webhookSecret! });
          expect(stored.has(event.id), `webhook event ${event.id} is a stored event`).to.equal(true);
        }
        for (const event of paidEvents) {
          expect(receiver.received.some((r) => JSON.parse(r.body).id === event.id), `webhook for ${event.id}`).to.equal(true);
        }
      } finally {
        await check.destroy();
      }
    });
  });
});
