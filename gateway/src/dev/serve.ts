/**
 * What `scanpay serve` runs (the CLI only parses arguments and prints): the local demo (a fresh `hardhat node`, the
 * real deploy scripts, a demo merchant linked with a random signer key, an API key with every scope, PGlite in a
 * data folder) and serving a real network for the merchants already linked there.
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";

import { getAddress, JsonRpcProvider, Network, Wallet } from "ethers";
import type { Kysely } from "kysely";

import { registerMerchant } from "../../../src/chain/registerMerchant.js";
import { MerchantRegistry__factory, TestToken__factory } from "../../../typechain-types/index.js";
import { GatewayError, ServeError } from "../errors.js";
import type { RateLimitOptions } from "../api/rateLimit.js";
import { startGatewayRuntime } from "../runtime.js";
import { API_KEY_SCOPES, connectChainView, createApiKey, linkMerchant, type MasterKeyring } from "../services/index.js";
import { findMerchantsOnChain, openDatabase, type Database } from "../store/index.js";
import { deployAuthorizationToken, type DemoAuthorizationToken } from "./authorizationToken.js";
import { demoMasterKey, keyringOf, parseMasterKey } from "./masterKey.js";
import { hasHardhat, startLocalChain, type LocalChain } from "./localChain.js";

export { parseMasterKey } from "./masterKey.js";

/** The repository root of this checkout (gateway/src/dev → ../../..). */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

export const DEFAULT_PORT = 8787;
export const DEMO_MERCHANT_NAME = "Demo Shop";
/** Node accounts of the demo merchant (hardhat's default mnemonic; 0-3 are the deployment's roles). */
export const DEMO_OWNER_ACCOUNT = 4;
export const DEMO_PAYOUT_ACCOUNT = 5;
/** Node accounts that hold the demo USDC (a wallet imported with one of their keys can pay by one signature). */
export const DEMO_CUSTOMER_ACCOUNTS = [6, 7, 8, 9] as const;

export type Progress = (line: string) => void;

export interface LocalGatewayOptions {
  /** Folder of the demo's files: `db/` (PGlite) and `deployments/` are recreated at each start, `master.key` kept. */
  dataDir: string;
  /** Default 8787; 0 = any free port. */
  port?: number;
  /** SCANPAY_MASTER_KEY if set; else a demo key kept in `<dataDir>/master.key`. */
  masterKey?: string;
  /** An empty PostgreSQL database to use instead of PGlite in `<dataDir>/db` (DATABASE_URL). */
  databaseUrl?: string;
  /** The API's per-key and per-IP rate limits; default on (api/rateLimit.ts). The benchmark turns them off. */
  rateLimit?: RateLimitOptions | false;
  /** Indexer confirmations and poll interval, webhook sender interval (the benchmark varies them); demo defaults. */
  loops?: { confirmations?: number; indexerPollMs?: number; webhookIntervalMs?: number };
  progress?: Progress;
}

export interface ServedGateway {
  url: string;
  docsUrl: string;
  chainId: bigint;
  escrow: string;
  dataDir?: string;
  databaseUrl?: boolean;
  /** Rejects when the chain underneath stops (local demo only); never resolves. */
  died: Promise<never>;
  /** Stops the gateway, closes the database and the RPC connection (and the local chain). */
  close(): Promise<void>;
}

export interface LocalGateway extends ServedGateway {
  rpcUrl: string;
  registry: string;
  merchant: { id: string; onChainId: bigint; name: string; owner: string; payout: string; signer: string };
  token: { symbol: string; address: string; decimals: number };
  /** The demo USDC (EIP-3009; deployer account 0, allowed by the admin account 1): 1,000 to each demo customer. */
  authorizationToken: DemoAuthorizationToken;
  apiKey: string;
  /** A terminal key (scope `create` only): what a point of sale device signs in with. */
  terminalKey: string;
  /** The point of sale signed in with the terminal key: `<url>/pos#key=<terminalKey>`. */
  posUrl: string;
  /** The dashboard signed in with the all-scope key: `<url>/dashboard#key=<apiKey>`. */
  dashboardUrl: string;
  /** Where the demo master key lives, or undefined when it came from SCANPAY_MASTER_KEY. */
  masterKeyFile?: string;
}

/** Whether `error` is one the gateway throws on purpose (a stable `code` and a message fit to show). */
export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/** Runs `fn`, undoing what was started (last first) if it throws. */
class Cleanup {
  readonly #steps: (() => Promise<unknown>)[] = [];
  add(step: () => Promise<unknown>): void {
    this.#steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.#steps.reverse()) await step().catch(() => undefined);
    this.#steps.length = 0;
  }
}

async function listen(options: Parameters<typeof startGatewayRuntime>[0]): Promise<Awaited<ReturnType<typeof startGatewayRuntime>>> {
  try {
    return await startGatewayRuntime(options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new ServeError("PORT_IN_USE", `port ${options.port} is in use: pass --port <n> (0 = any free port)`);
    }
    throw error;
  }
}

/** Confirmations the indexer waits for on a network, from SCANPAY_CONFIRMATIONS (default 2: a testnet's usual reorg depth). */
export const DEFAULT_NETWORK_CONFIRMATIONS = 2;

/** The local demo: see the module comment. Needs a checkout with Hardhat installed. */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const progress = options.progress ?? (() => undefined);
  if (!hasHardhat(REPO_ROOT)) {
    throw new ServeError(
      "NO_HARDHAT",
      "the local demo needs Hardhat (a dev dependency of a checkout): pass --rpc-url or --network to serve a real network",
    );
  }
  const dataDir = path.resolve(options.dataDir);
  const cleanup = new Cleanup();
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // A fresh chain each start makes the previous run's invoices and merchant stale: start from an empty database.
    await rm(path.join(dataDir, "db"), { recursive: true, force: true });
    await rm(path.join(dataDir, "deployments"), { recursive: true, force: true });

    let keyring: MasterKeyring;
    let masterKeyFile: string | undefined;
    if (options.masterKey !== undefined && options.masterKey.trim() !== "") {
      keyring = keyringOf(parseMasterKey(options.masterKey));
    } else {
      masterKeyFile = path.join(dataDir, "master.key");
      keyring = keyringOf((await demoMasterKey(masterKeyFile)).key);
    }

    progress("Starting a local chain (hardhat node)...");
    const chain: LocalChain = await startLocalChain(REPO_ROOT);
    cleanup.add(() => chain.stop());
    const provider = new JsonRpcProvider(chain.url, undefined, { batchMaxCount: 1 });
    const chainId = (await provider.getNetwork()).chainId;
    provider.destroy();
    const rpc = new JsonRpcProvider(chain.url, Network.from(chainId), { staticNetwork: true, batchMaxCount: 1, pollingInterval: 100 });
    cleanup.add(async () => rpc.destroy());

    progress(`Deploying the contracts (deploy/ scripts) to ${chain.url}...`);
    const deployed = await deployLocal(rpc, path.join(dataDir, "deployments"));
    // A USDC-like EIP-3009 token too, so the checkout page's one-signature payment can be shown (docs/web-checkout.md).
    const customers = await Promise.all(DEMO_CUSTOMER_ACCOUNTS.map(async (index) => (await rpc.getSigner(index)).address));
    const authorizationToken = await deployAuthorizationToken(await rpc.getSigner(0), await rpc.getSigner(1), deployed.escrow, customers);

    progress("Registering the demo merchant...");
    const ownerSigner = await rpc.getSigner(DEMO_OWNER_ACCOUNT);
    const payout = (await rpc.getSigner(DEMO_PAYOUT_ACCOUNT)).address;
    const signerKey = Wallet.createRandom();
    const registry = MerchantRegistry__factory.connect(deployed.registry, ownerSigner);
    const { merchantId: onChainId } = await registerMerchant(registry, {
      name: DEMO_MERCHANT_NAME,
      owner: ownerSigner.address,
      payout,
      signer: signerKey.address,
    });
    const token = TestToken__factory.connect(deployed.testToken, rpc);
    const [symbol, decimals] = await Promise.all([token.symbol(), token.decimals()]);

    progress(
      options.databaseUrl === undefined
        ? `Opening the gateway database (PGlite in ${path.join(dataDir, "db")})...`
        : "Opening the gateway database (PostgreSQL at DATABASE_URL)...",
    );
    const db: Kysely<Database> = await openDatabase(
      options.databaseUrl === undefined ? { dataDir: path.join(dataDir, "db") } : { databaseUrl: options.databaseUrl },
    );
    cleanup.add(() => db.destroy());
    const merchant = await linkMerchant(db, keyring, { chainId, onChainId, name: DEMO_MERCHANT_NAME, signerKey: signerKey.privateKey });
    const key = await createApiKey(db, { merchantId: merchant.id, scopes: API_KEY_SCOPES, label: "scanpay serve demo" });
    const terminalKey = await createApiKey(db, { merchantId: merchant.id, scopes: ["create"], label: "scanpay serve demo terminal" });
    const view = await connectChainView({ runner: rpc, escrow: deployed.escrow, fromBlock: 0 });

    // The demo merchant's signer key settles deposits (keeper) and sends refunds: it needs gas, as a real one would.
    await (await rpc.getSigner(DEMO_OWNER_ACCOUNT)).sendTransaction({ to: signerKey.address, value: 10n ** 19n }).then((tx) => tx.wait());
    const gateway = await listen({
      db,
      keyring,
      chain: view,
      provider: rpc,
      host: "127.0.0.1",
      port: options.port ?? DEFAULT_PORT,
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      // A local chain: nothing reorganises it, so a payment is final in its block; fast polling for the demo.
      indexer: { confirmations: options.loops?.confirmations ?? 0, pollIntervalMs: options.loops?.indexerPollMs ?? 250 },
      webhookSender: { intervalMs: options.loops?.webhookIntervalMs ?? 250 },
      keeper: { intervalMs: 1_000 },
      feedIntervalMs: 250,
      // The explicit development setting: webhooks to a receiver on this machine (loopback, plain http).
      webhooks: { allowPrivateUrls: true },
      ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    });
    cleanup.add(() => gateway.close());
    let closed: Promise<void> | undefined;
    return {
      url: gateway.url,
      docsUrl: `${gateway.url}/docs`,
      rpcUrl: chain.url,
      chainId,
      escrow: deployed.escrow,
      registry: deployed.registry,
      dataDir,
      merchant: { id: merchant.id, onChainId, name: DEMO_MERCHANT_NAME, owner: ownerSigner.address, payout, signer: signerKey.address },
      token: { symbol, address: deployed.testToken, decimals: Number(decimals) },
      authorizationToken,
      apiKey: key.secret,
      terminalKey: terminalKey.secret,
      // The key in the fragment: never sent to a server, and the page takes it out of the address bar.
      posUrl: `${gateway.url}/pos#key=${terminalKey.secret}`,
      dashboardUrl: `${gateway.url}/dashboard#key=${key.secret}`,
      ...(masterKeyFile === undefined ? {} : { masterKeyFile }),
      get died() {
        return chain.died;
      },
      close: () => (closed ??= cleanup.run()),
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/** Runs the repository's deploy scripts (rocketh) against `rpc`, writing hardhat-deploy files to `deploymentsDir`. */
async function deployLocal(
  rpc: JsonRpcProvider,
  deploymentsDir: string,
): Promise<{ escrow: string; registry: string; points: string; testToken: string }> {
  // rocketh finds rocketh/config.ts and deploy/ from the working directory: the repository root for this step.
  const cwd = process.cwd();
  const { log, info } = console;
  process.chdir(REPO_ROOT);
  console.log = () => undefined;
  console.info = () => undefined;
  try {
    const { loadAndExecuteDeploymentsFromFiles } = await import("../../../rocketh/environment.js");
    const { setDeployLogLevel } = await import("../../../rocketh/logging.js");
    setDeployLogLevel(1);
    type Eip1193 = Parameters<typeof loadAndExecuteDeploymentsFromFiles>[0]["provider"];
    const eip1193 = {
      request: ({ method, params }: { method: string; params?: unknown[] }) => rpc.send(method, params ?? []),
    } as unknown as Eip1193;
    const env = await loadAndExecuteDeploymentsFromFiles({
      provider: eip1193,
      saveDeployments: true,
      config: { deployments: deploymentsDir, scripts: path.join(REPO_ROOT, "deploy") },
      environment: "localhost",
    });
    return {
      escrow: getAddress(env.get("PaymentEscrow").address),
      registry: getAddress(env.get("MerchantRegistry").address),
      points: getAddress(env.get("LoyaltyPoints").address),
      testToken: getAddress(env.get("TestToken").address),
    };
  } finally {
    console.log = log;
    console.info = info;
    process.chdir(cwd);
  }
}

export interface NetworkGatewayOptions {
  /** A connected provider of the network (closed by `close()`). */
  provider: JsonRpcProvider;
  escrow: string;
  /** The deployment's start block (first block scanned for used invoice numbers). */
  startBlock?: number;
  database: { dataDir: string } | { databaseUrl: string };
  /** SCANPAY_MASTER_KEY. */
  masterKey: string;
  port?: number;
  progress?: Progress;
  /** Blocks the indexer waits before a payment counts (SCANPAY_CONFIRMATIONS); default DEFAULT_NETWORK_CONFIRMATIONS. */
  confirmations?: number;
  /** Settle deposits with the merchants' signer keys (SCANPAY_KEEPER=1); default off: it spends their gas. */
  keeper?: boolean;
  /** Development only (SCANPAY_ALLOW_PRIVATE_WEBHOOKS=1): webhooks to loopback/private addresses and plain http. */
  allowPrivateWebhookUrls?: boolean;
}

export interface NetworkGateway extends ServedGateway {
  /** The merchants linked for this chain (none: the gateway serves, but every API key is for another chain). */
  merchants: { id: string; onChainId: bigint; name: string; signer: string }[];
}

/** Serves a real network for the merchants already linked in the database. */
export async function startNetworkGateway(options: NetworkGatewayOptions): Promise<NetworkGateway> {
  const progress = options.progress ?? (() => undefined);
  const keyring = keyringOf(parseMasterKey(options.masterKey));
  const cleanup = new Cleanup();
  cleanup.add(async () => options.provider.destroy());
  try {
    const chainId = (await options.provider.getNetwork()).chainId;
    let dataDir: string | undefined;
    if ("dataDir" in options.database) {
      dataDir = path.resolve(options.database.dataDir);
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      progress(`Opening the gateway database (PGlite in ${dataDir})...`);
    } else {
      progress("Opening the gateway database (PostgreSQL, DATABASE_URL)...");
    }
    const db = await openDatabase(dataDir === undefined ? { databaseUrl: (options.database as { databaseUrl: string }).databaseUrl } : { dataDir });
    cleanup.add(() => db.destroy());
    const merchants = (await findMerchantsOnChain(db, chainId)).map((row) => ({
      id: row.id,
      onChainId: BigInt(row.on_chain_id),
      name: row.name,
      signer: row.signer_address,
    }));
    const view = await connectChainView({ runner: options.provider, escrow: options.escrow, fromBlock: options.startBlock ?? 0 });
    const gateway = await listen({
      db,
      keyring,
      chain: view,
      provider: options.provider,
      host: "127.0.0.1",
      port: options.port ?? DEFAULT_PORT,
      ...("databaseUrl" in options.database ? { databaseUrl: options.database.databaseUrl } : {}),
      fromBlock: BigInt(options.startBlock ?? 0),
      indexer: { confirmations: options.confirmations ?? DEFAULT_NETWORK_CONFIRMATIONS },
      webhookSender: {},
      keeper: options.keeper === true ? {} : false,
      webhooks: { allowPrivateUrls: options.allowPrivateWebhookUrls === true },
    });
    cleanup.add(() => gateway.close());
    let closed: Promise<void> | undefined;
    return {
      url: gateway.url,
      docsUrl: `${gateway.url}/docs`,
      chainId,
      escrow: view.location.escrow,
      ...(dataDir === undefined ? { databaseUrl: true } : { dataDir }),
      merchants,
      died: new Promise<never>(() => undefined),
      close: () => (closed ??= cleanup.run()),
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

export interface NetworkDatabaseOptions {
  /** A connected provider of the network (not closed here). */
  provider: JsonRpcProvider;
  database: { dataDir: string } | { databaseUrl: string };
}

async function openNetworkDatabase(database: NetworkDatabaseOptions["database"]): Promise<Kysely<Database>> {
  if ("dataDir" in database) {
    const dataDir = path.resolve(database.dataDir);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    return openDatabase({ dataDir });
  }
  return openDatabase({ databaseUrl: database.databaseUrl });
}

/**
 * `scanpay gateway link-merchant`: links a merchant registered on the network, with its invoice signer key (which
 * must be the signer the registry names for it), sealed under SCANPAY_MASTER_KEY.
 */
export async function linkNetworkMerchant(
  options: NetworkDatabaseOptions & { escrow: string; masterKey: string; onChainId: bigint; name: string; signerKey: string },
): Promise<{ id: string; chainId: bigint; onChainId: bigint; name: string; signer: string }> {
  const keyring = keyringOf(parseMasterKey(options.masterKey));
  const view = await connectChainView({ runner: options.provider, escrow: options.escrow });
  const terms = await view.paymentTerms(options.onChainId);
  const signer = new Wallet(options.signerKey).address;
  if (terms.status === "None") {
    throw new ServeError("MERCHANT_NOT_FOUND", `merchant ${options.onChainId} is not registered on chain ${view.location.chainId}`);
  }
  if (getAddress(terms.signer) !== signer) {
    throw new ServeError(
      "SIGNER_MISMATCH",
      `the key given is ${signer}, but merchant ${options.onChainId}'s invoice signer on chain is ${getAddress(terms.signer)}`,
    );
  }
  const db = await openNetworkDatabase(options.database);
  try {
    const merchant = await linkMerchant(db, keyring, {
      chainId: view.location.chainId,
      onChainId: options.onChainId,
      name: options.name,
      signerKey: options.signerKey,
    });
    return { id: merchant.id, chainId: view.location.chainId, onChainId: options.onChainId, name: options.name, signer };
  } finally {
    await db.destroy();
  }
}

/** `scanpay gateway create-key`: a new API key for a merchant linked on this network (the secret is shown once). */
export async function createNetworkApiKey(
  options: NetworkDatabaseOptions & { onChainId: bigint; scopes: readonly string[]; label?: string },
): Promise<{ merchantId: string; keyId: string; secret: string; scopes: readonly string[] }> {
  const chainId = (await options.provider.getNetwork()).chainId;
  const db = await openNetworkDatabase(options.database);
  try {
    const merchant = (await findMerchantsOnChain(db, chainId)).find((row) => BigInt(row.on_chain_id) === options.onChainId);
    if (merchant === undefined) {
      throw new ServeError(
        "MERCHANT_NOT_FOUND",
        `merchant ${options.onChainId} is not linked to this gateway for chain ${chainId} (scanpay gateway link-merchant)`,
      );
    }
    const key = await createApiKey(db, {
      merchantId: merchant.id,
      scopes: options.scopes as (typeof API_KEY_SCOPES)[number][],
      ...(options.label === undefined ? {} : { label: options.label }),
    });
    return { merchantId: merchant.id, keyId: key.keyId, secret: key.secret, scopes: key.scopes };
  } finally {
    await db.destroy();
  }
}
