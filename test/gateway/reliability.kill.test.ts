/**
 * The gateway killed with SIGKILL in the middle of a stream of payments, then restarted on the same PostgreSQL
 * database: `scanpay serve --rpc-url` (the real CLI, as a child process) against a `hardhat node` with the deploy
 * scripts run, a merchant linked with a random signer key, a webhook endpoint on a local receiver. Invoices are
 * created over HTTP, paid on chain one after another; the gateway is SIGKILLed right after a payment is sent, more
 * are paid while it is down, then it starts again and more invoices are created and paid. Afterwards: every invoice
 * that got a 201 is there, with its own number; each paid one is settled with exactly one `invoice.paid` event; and
 * the receiver got a signed `invoice.paid` webhook for each of them, carrying the stored event's id.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { getAddress, JsonRpcProvider, Network, Wallet } from "ethers";

import { loadAndExecuteDeploymentsFromFiles } from "../../rocketh/environment.js";
import { setDeployLogLevel } from "../../rocketh/logging.js";
import { payInvoice } from "../../src/chain/payInvoice.js";
import { registerMerchant } from "../../src/chain/registerMerchant.js";
import { verifyWebhook } from "../../src/webhooks/index.js";
import { MerchantRegistry__factory, PaymentEscrow__factory } from "../../typechain-types/index.js";
import { keyringOf, parseMasterKey } from "../../gateway/src/dev/masterKey.js";
import { createApiKey, createWebhookEndpoint, linkMerchant } from "../../gateway/src/services/index.js";
import { listEvents, openDatabase } from "../../gateway/src/store/index.js";
import { type HardhatNode, startHardhatNode } from "../helpers/child-process.js";
import { freshDatabase } from "./helpers/backends.js";
import { sdkInvoiceOf } from "./helpers/apiFixture.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhookReceiver.js";

type Eip1193 = Parameters<typeof loadAndExecuteDeploymentsFromFiles>[0]["provider"];

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const LAUNCHER = path.join(REPO_ROOT, "bin/scanpay.mjs");

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exit: Promise<unknown>;
}

/** Starts `scanpay serve` for the network and waits for its URL. */
async function startGatewayProcess(args: string[], env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("HARDHAT_") && name !== "HH_TEST"));
  const child = spawn(process.execPath, [LAUNCHER, "serve", "--port", "0", ...args], {
    cwd: REPO_ROOT,
    env: { ...clean, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killNow = () => child.kill("SIGKILL");
  process.once("exit", killNow);
  const exit = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      process.removeListener("exit", killNow);
      resolve({ code, signal });
    }),
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready:\n${output}`)), 120_000);
    child.stdout!.on("data", () => {
      const match = /Gateway:\s+(http:\/\/\S+)/.exec(output);
      if (match !== null && output.includes("Press Ctrl+C to stop.")) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`gateway exited before it was ready:\n${output}`));
    });
  });
  return { child, url, output: () => output, exit };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("gateway reliability: SIGKILL in a stream of payments", function () {
  this.timeout(600_000);
  let node: HardhatNode | undefined;
  let rpc: JsonRpcProvider | undefined;
  let receiver: WebhookReceiver | undefined;
  let gateway: GatewayProcess | undefined;
  let home = "";

  after(async function () {
    this.timeout(60_000);
    if (gateway !== undefined && gateway.child.exitCode === null && gateway.child.signalCode === null) {
      gateway.child.kill("SIGKILL");
      await gateway.exit;
    }
    await receiver?.close();
    rpc?.destroy();
    await node?.stop();
    if (home !== "") await rm(home, { recursive: true, force: true });
  });

  describe("scanpay serve on PostgreSQL", function () {
    it("loses no created invoice, applies each transition once, and delivers every invoice.paid webhook", async function () {
      home = await mkdtemp(path.join(tmpdir(), "scanpay-kill-"));
      node = await startHardhatNode(REPO_ROOT, 120_000);
      rpc = new JsonRpcProvider(node.url, Network.from(31337), { staticNetwork: true, batchMaxCount: 1, pollingInterval: 100 });
      const deployments = path.join(home, "deployments");
      setDeployLogLevel(1);
      const deployed = await loadAndExecuteDeploymentsFromFiles({
        provider: { request: ({ method, params }: { method: string; params?: unknown[] }) => rpc!.send(method, params ?? []) } as unknown as Eip1193,
        saveDeployments: true,
        config: { deployments },
        environment: "localhost",
      });
      const escrowAddress = getAddress(deployed.get("PaymentEscrow").address);
      const signer = Wallet.createRandom();
      const registry = MerchantRegistry__factory.connect(getAddress(deployed.get("MerchantRegistry").address), await rpc.getSigner(6));
      const { merchantId: onChainId } = await registerMerchant(registry, { name: "Kill Shop", signer: signer.address });

      // The database and the merchant's setup, as `gateway link-merchant` / `create-key` and the API would make them.
      const target = await freshDatabase("PostgreSQL");
      const options = await target.options();
      const databaseUrl = (options as { databaseUrl: string }).databaseUrl;
      const masterKey = randomBytes(32).toString("hex");
      const keyring = keyringOf(parseMasterKey(masterKey));
      receiver = await startWebhookReceiver();
      const db = await openDatabase(options);
      let apiKey: string;
      let webhookSecret: string;
      let merchantId: string;
      try {
        const merchant = await linkMerchant(db, keyring, { chainId: 31337n, onChainId, name: "Kill Shop", signerKey: signer.privateKey });
        merchantId = merchant.id;
        apiKey = (await createApiKey(db, { merchantId, scopes: ["read", "create"] })).secret;
        webhookSecret = (await createWebhookEndpoint({ db, keyring, webhooks: { allowPrivateUrls: true } }, merchantId, { url: receiver.url })).secret;
      } finally {
        await db.destroy();
      }

      const args = ["--rpc-url", node.url, "--deployments", deployments];
      const env = { DATABASE_URL: databaseUrl, SCANPAY_MASTER_KEY: masterKey, SCANPAY_CONFIRMATIONS: "0", SCANPAY_ALLOW_PRIVATE_WEBHOOKS: "1", SCANPAY_HOME: home };
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

      gateway = await startGatewayProcess(args, env);
      await create(10);
      for (const invoice of created.slice(0, 4)) await pay(invoice);
      // The fifth payment is mined while the gateway is killed: its indexer and webhook sender are mid-work.
      const fifth = pay(created[4]);
      gateway.child.kill("SIGKILL");
      await gateway.exit;
      await fifth;
      for (const invoice of created.slice(5, 7)) await pay(invoice); // paid while the gateway is down

      gateway = await startGatewayProcess(args, env);
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
