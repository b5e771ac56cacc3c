/**
 * Shared set-up of the tests that run the real `scanpay serve --rpc-url` as child processes (not a test file): a
 * `hardhat node` with the deploy scripts run, a merchant registered on chain with a random signer key and linked in
 * a fresh PostgreSQL database, an API key, a webhook endpoint on a local receiver; and the gateway processes
 * themselves. Everything listens on 127.0.0.1; `close()` stops what was started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { getAddress, JsonRpcProvider, Network, Wallet } from "ethers";

import { loadAndExecuteDeploymentsFromFiles } from "../../../rocketh/environment.js";
import { setDeployLogLevel } from "../../../rocketh/logging.js";
import { registerMerchant } from "../../../src/chain/registerMerchant.js";
import { MerchantRegistry__factory } from "../../../typechain-types/index.js";
import { keyringOf, parseMasterKey } from "../../../gateway/src/dev/masterKey.js";
import { createApiKey, createWebhookEndpoint, linkMerchant } from "../../../gateway/src/services/index.js";
import { openDatabase, type OpenDatabaseOptions } from "../../../gateway/src/store/index.js";
import { type HardhatNode, startHardhatNode } from "../../helpers/child-process.js";
import { freshDatabase } from "./backends.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhookReceiver.js";

type Eip1193 = Parameters<typeof loadAndExecuteDeploymentsFromFiles>[0]["provider"];

export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const LAUNCHER = path.join(REPO_ROOT, "bin/scanpay.mjs");

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exit: Promise<unknown>;
  /** SIGKILL (no clean-up at all) and wait for the exit; nothing if it already exited. */
  kill(): Promise<void>;
}

export interface ServedNetwork {
  node: HardhatNode;
  rpc: JsonRpcProvider;
  escrowAddress: string;
  merchantId: string;
  apiKey: string;
  webhookSecret: string;
  receiver: WebhookReceiver;
  /** How the test opens the database itself. */
  databaseOptions: OpenDatabaseOptions;
  databaseUrl: string;
  /** `scanpay serve` for this network and database; `databaseUrl` overrides the URL (e.g. an application_name). */
  startGateway(options?: { databaseUrl?: string }): Promise<GatewayProcess>;
  /** Kills every gateway still running, stops the receiver, the RPC client and the node, removes the home folder. */
  close(): Promise<void>;
}

/** Starts `scanpay serve` with `args` and `env` and waits for its URL. */
export async function startGatewayProcess(args: string[], env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
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
  return {
    child,
    url,
    output: () => output,
    exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exit;
    },
  };
}

/** Polls `check` every 200 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The node, the deployment, the merchant "name" linked in a fresh PostgreSQL database, its key and webhook endpoint. */
export async function startServedNetwork(name: string): Promise<ServedNetwork> {
  const home = await mkdtemp(path.join(tmpdir(), "scanpay-served-"));
  const gateways: GatewayProcess[] = [];
  let node: HardhatNode | undefined;
  let rpc: JsonRpcProvider | undefined;
  let receiver: WebhookReceiver | undefined;
  const close = async () => {
    for (const gateway of gateways) await gateway.kill();
    await receiver?.close();
    rpc?.destroy();
    await node?.stop();
    await rm(home, { recursive: true, force: true });
  };
  try {
    node = await startHardhatNode(REPO_ROOT, 120_000);
    const provider = new JsonRpcProvider(node.url, Network.from(31337), { staticNetwork: true, batchMaxCount: 1, pollingInterval: 100 });
    rpc = provider;
    const deployments = path.join(home, "deployments");
    setDeployLogLevel(1);
    const deployed = await loadAndExecuteDeploymentsFromFiles({
      provider: { request: ({ method, params }: { method: string; params?: unknown[] }) => provider.send(method, params ?? []) } as unknown as Eip1193,
      saveDeployments: true,
      config: { deployments },
      environment: "localhost",
    });
    const escrowAddress = getAddress(deployed.get("PaymentEscrow").address);
    const signer = Wallet.createRandom();
    const registry = MerchantRegistry__factory.connect(getAddress(deployed.get("MerchantRegistry").address), await provider.getSigner(6));
    const { merchantId: onChainId } = await registerMerchant(registry, { name, signer: signer.address });

    // The database and the merchant's setup, as `gateway link-merchant` / `create-key` and the API would make them.
    const target = await freshDatabase("PostgreSQL");
    const databaseOptions = await target.options();
    const databaseUrl = (databaseOptions as { databaseUrl: string }).databaseUrl;
    const masterKey = randomBytes(32).toString("hex");
    const keyring = keyringOf(parseMasterKey(masterKey));
    receiver = await startWebhookReceiver();
    const db = await openDatabase(databaseOptions);
    let apiKey: string;
    let webhookSecret: string;
    let merchantId: string;
    try {
      const merchant = await linkMerchant(db, keyring, { chainId: 31337n, onChainId, name, signerKey: signer.privateKey });
      merchantId = merchant.id;
      apiKey = (await createApiKey(db, { merchantId, scopes: ["read", "create"] })).secret;
      webhookSecret = (await createWebhookEndpoint({ db, keyring, webhooks: { allowPrivateUrls: true } }, merchantId, { url: receiver.url })).secret;
    } finally {
      await db.destroy();
    }
    const args = ["--rpc-url", node.url, "--deployments", deployments];
    const env = { SCANPAY_MASTER_KEY: masterKey, SCANPAY_CONFIRMATIONS: "0", SCANPAY_ALLOW_PRIVATE_WEBHOOKS: "1", SCANPAY_HOME: home };
    return {
      node,
      rpc: provider,
      escrowAddress,
      merchantId,
      apiKey,
      webhookSecret,
      receiver,
      databaseOptions,
      databaseUrl,
      async startGateway(options = {}) {
        const gateway = await startGatewayProcess(args, { ...env, DATABASE_URL: options.databaseUrl ?? databaseUrl });
        gateways.push(gateway);
        return gateway;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
