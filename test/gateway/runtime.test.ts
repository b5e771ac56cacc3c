/**
 * The whole gateway in one process (`startGatewayRuntime`), as `scanpay serve` runs it, on the in-process chain with
 * every loop running: a shop registers a webhook endpoint and creates an invoice over HTTP, a checkout page watches
 * the public live stream, the customer pays with a plain ERC-20 `transfer` to the deposit address, the keeper
 * settles it with the merchant's signer, the indexer moves the invoice to settled, the webhook arrives signed, the
 * page's stream says settled, /metrics reports it; `close()` stops everything.
 */
import { expect } from "chai";

import { verifyWebhook } from "../../src/webhooks/index.js";
import { startGatewayRuntime, type GatewayRuntime } from "../../gateway/src/runtime.js";
import { ethers } from "../helpers/fixture.js";
import { onEachBackend } from "./helpers/backends.js";
import { chainOnce, newKeyring, newMerchant } from "./helpers/apiFixture.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhookReceiver.js";

/** Reads SSE messages from a fetch response until `until` says stop (or the timeout). */
async function readStream(
  res: Response,
  until: (message: { event: string; data: string }) => boolean,
  timeoutMs: number,
): Promise<{ event: string; data: string }[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const messages: { event: string; data: string }[] = [];
  let buffer = "";
  const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return messages;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === undefined || data === undefined) continue;
        messages.push({ event, data });
        if (until({ event, data })) return messages;
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => undefined);
  }
}

describe("gateway runtime", function () {
  this.timeout(120_000);
  onEachBackend((suite) => {
    let runtime: GatewayRuntime | undefined;
    let receiver: WebhookReceiver | undefined;
    after(async function () {
      await runtime?.close();
      await receiver?.close();
    });

    describe("startGatewayRuntime", function () {
      it("takes a plain-transfer payment from invoice to settled: keeper, indexer, signed webhook, live stream, metrics", async function () {
        const setup = await chainOnce();
        const keyring = newKeyring();
        const shop = await newMerchant(suite.db, keyring, setup, "Runtime Shop");
        // The keeper settles with the merchant's signer key, which pays the gas.
        await (await setup.f.owner.sendTransaction({ to: shop.signer.address, value: 10n ** 18n })).wait();
        receiver = await startWebhookReceiver();
        runtime = await startGatewayRuntime({
          db: suite.db,
          keyring,
          chain: setup.chain,
          provider: ethers.provider,
          fromBlock: 0n,
          indexer: { confirmations: 0, pollIntervalMs: 50 },
          webhookSender: { intervalMs: 50 },
          keeper: { intervalMs: 100 },
          feedIntervalMs: 100,
          webhooks: { allowPrivateUrls: true },
          logger: { error: () => undefined },
        });
        const api = async (method: string, path: string, body?: unknown) => {
          const res = await fetch(`${runtime!.url}${path}`, {
            method,
            headers: { authorization: `Bearer ${shop.keys.all}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return { status: res.status, json: (await res.json()) as any };
        };

        const endpoint = await api("POST", "/v1/webhook-endpoints", { url: receiver.url });
        expect(endpoint.status).to.equal(201);
        const secret = endpoint.json.secret as string;
        const created = await api("POST", "/v1/invoices", { amount: "2.50", token: await setup.f.token.symbol(), orderRef: "runtime-1" });
        expect(created.status).to.equal(201);
        const invoice = created.json;

        const page = await fetch(`${runtime.url}/v1/public/invoices/${invoice.id}/stream`);
        expect(page.status).to.equal(200);
        expect(page.headers.get("content-type")).to.match(/^text\/event-stream/);
        const streamed = readStream(page, (m) => m.event === "status" && JSON.parse(m.data).status === "settled", 30_000);

        const paidAt = Date.now();
        await (await setup.f.token.connect(setup.f.customer).transfer(invoice.qr.deposit.address, 2_500_000n)).wait();

        const messages = await streamed;
        const statuses = messages.filter((m) => m.event === "status").map((m) => JSON.parse(m.data).status as string);
        expect(statuses[0]).to.equal("open");
        expect(statuses[statuses.length - 1]).to.equal("settled");
        const settledAfterMs = Date.now() - paidAt;

        const read = await api("GET", `/v1/invoices/${invoice.id}`);
        expect(read.json.status).to.equal("settled");

        // The webhooks: signed, in order, one event id each; the payment's confirmation is invoice.paid.
        await receiver.waitFor(1, 20_000);
        const deadline = Date.now() + 20_000;
        while (!receiver.received.some((r) => r.headers["scanpay-event-type"] === "invoice.paid") && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const events = receiver.received.map((r) => verifyWebhook({ payload: r.body, header: r.headers["scanpay-signature"], secret }));
        const paid = events.find((e) => e.type === "invoice.paid");
        expect(paid, `webhooks received: ${events.map((e) => e.type).join(", ")}`).to.not.equal(undefined);
        expect(paid!.invoiceId).to.equal(invoice.id);
        expect(new Set(events.map((e) => e.id)).size).to.equal(events.length);
        const list = await api("GET", `/v1/invoices/${invoice.id}/events`);
        expect(list.json.events.map((e: { id: string }) => e.id)).to.include(paid!.id);

        const metrics = await (await fetch(`${runtime.url}/metrics`)).text();
        expect(metrics).to.match(/^scanpay_invoices\{status="settled"\} 1$/m);
        expect(metrics).to.match(/^scanpay_indexer_lag_blocks 0$/m);
        expect(metrics).to.match(/^scanpay_webhook_queue_depth 0$/m);
        expect(settledAfterMs).to.be.below(30_000);

        const url = runtime.url;
        await runtime.close();
        runtime = undefined;
        const refused = await fetch(`${url}/healthz`).then(
          () => false,
          () => true,
        );
        expect(refused, "the server stopped listening").to.equal(true);
      });
    });
  });
});
