/**
 * `scanpay serve`: runs the merchant gateway (gateway/, docs/gateway.md). With no network options it is the local
 * demo (a fresh hardhat node with the contracts, a demo merchant and an API key); with `--network` / `--rpc-url` it
 * serves that network for the merchants already linked. The orchestration lives in gateway/src/dev/serve.ts; the
 * gateway is not part of the published package, so it is imported lazily and its absence is one clear error line.
 */
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Wallet } from "ethers";

import { parseUint, str, type CommandSpec, type Values } from "../args.js";
import { Context, withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { createOutput, table } from "../output.js";

/** The parts of gateway/src/dev/serve.ts the CLI uses (typed here: the SDK build must not compile the gateway). */
interface ServedGateway {
  url: string;
  docsUrl: string;
  chainId: bigint;
  escrow: string;
  dataDir?: string;
  died: Promise<never>;
  close(): Promise<void>;
}
interface LocalGateway extends ServedGateway {
  rpcUrl: string;
  registry: string;
  merchant: { id: string; onChainId: bigint; name: string; owner: string; payout: string; signer: string };
  token: { symbol: string; address: string; decimals: number };
  apiKey: string;
  /** Scope `create` only: the point of sale's key. */
  terminalKey: string;
  /** `<url>/pos#key=<terminalKey>` and `<url>/dashboard#key=<apiKey>`: the pages, signed in. */
  posUrl: string;
  dashboardUrl: string;
  masterKeyFile?: string;
}
interface NetworkGateway extends ServedGateway {
  merchants: { id: string; onChainId: bigint; name: string; signer: string }[];
}
interface ServeModule {
  DEFAULT_PORT: number;
  isGatewayError(error: unknown): error is Error & { code: string };
  /** Throws INVALID_INPUT for a key that is not 32 bytes of hex or base64. */
  parseMasterKey(text: string): unknown;
  startLocalGateway(options: {
    dataDir: string;
    port?: number;
    masterKey?: string;
    progress?: (line: string) => void;
  }): Promise<LocalGateway>;
  startNetworkGateway(options: {
    provider: Context["provider"];
    escrow: string;
    startBlock?: number;
    database: { dataDir: string } | { databaseUrl: string };
    masterKey: string;
    port?: number;
    progress?: (line: string) => void;
    confirmations?: number;
    keeper?: boolean;
    allowPrivateWebhookUrls?: boolean;
  }): Promise<NetworkGateway>;
  linkNetworkMerchant(options: {
    provider: Context["provider"];
    database: Database;
    escrow: string;
    masterKey: string;
    onChainId: bigint;
    name: string;
    signerKey: string;
  }): Promise<{ id: string; chainId: bigint; onChainId: bigint; name: string; signer: string }>;
  createNetworkApiKey(options: {
    provider: Context["provider"];
    database: Database;
    onChainId: bigint;
    scopes: readonly string[];
    label?: string;
  }): Promise<{ merchantId: string; keyId: string; secret: string; scopes: readonly string[] }>;
}

type Database = { dataDir: string } | { databaseUrl: string };

/**
 * The network mode's loop settings, from the environment: SCANPAY_CONFIRMATIONS (blocks a payment waits before it
 * counts; default 2), SCANPAY_KEEPER=1 (settle deposits with the merchants' signer keys, which pay the gas),
 * SCANPAY_ALLOW_PRIVATE_WEBHOOKS=1 (development only: webhooks to loopback/private addresses and plain http).
 */
function networkLoops(): { confirmations?: number; keeper: boolean; allowPrivateWebhookUrls: boolean } {
  const text = process.env.SCANPAY_CONFIRMATIONS;
  let confirmations: number | undefined;
  if (text !== undefined && text !== "") {
    if (!/^\d{1,4}$/.test(text)) throw new UsageError(`SCANPAY_CONFIRMATIONS must be a whole number of blocks (0..9999), not "${text}"`);
    confirmations = Number(text);
  }
  return {
    ...(confirmations === undefined ? {} : { confirmations }),
    keeper: process.env.SCANPAY_KEEPER === "1",
    allowPrivateWebhookUrls: process.env.SCANPAY_ALLOW_PRIVATE_WEBHOOKS === "1",
  };
}

/** DATABASE_URL (PostgreSQL) or PGlite in --data-dir (default $SCANPAY_HOME/gateway). */
function networkDatabase(values: Values): Database {
  const databaseUrl = process.env.DATABASE_URL;
  const dataDir = str(values, "data-dir");
  if (databaseUrl !== undefined && databaseUrl !== "") {
    if (dataDir !== undefined) throw new UsageError("give either DATABASE_URL or --data-dir, not both");
    return { databaseUrl };
  }
  return { dataDir: dataDir ?? path.join(scanpayHome(), "gateway") };
}

function requireMasterKey(): string {
  const masterKey = process.env.SCANPAY_MASTER_KEY;
  if (masterKey === undefined || masterKey.trim() === "") {
    throw new CliError(
      "serving a network needs SCANPAY_MASTER_KEY (32 bytes as hex or base64, e.g. openssl rand -hex 32): it seals the merchants' signer keys",
      "NO_MASTER_KEY",
    );
  }
  return masterKey;
}

const NOT_IN_PACKAGE =
  "scanpay serve needs the gateway, which the published package does not include: run it from a checkout of the " +
  "ScanPay repository (git clone, npm install, npx scanpay serve)";

async function loadServeModule(): Promise<ServeModule> {
  // A computed specifier: TypeScript must not follow it into gateway/ when it builds the SDK package.
  const specifier = new URL(["..", "..", "..", "gateway", "src", "dev", "serve.js"].join("/"), import.meta.url).href;
  try {
    return (await import(specifier)) as ServeModule;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
    // Only the gateway itself missing means "installed package"; a missing dependency of it is another problem.
    if (missing && String((error as Error).message).includes(fileURLToPath(specifier))) {
      throw new CliError(NOT_IN_PACKAGE, "NO_GATEWAY");
    }
    throw error;
  }
}

/** Runs `fn`, turning the gateway's own errors (stable code, plain message) into one-line CLI errors. */
async function asCli<T>(mod: ServeModule, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (mod.isGatewayError(error)) throw new CliError(error.message, error.code);
    throw error;
  }
}

function scanpayHome(): string {
  return process.env.SCANPAY_HOME ?? path.join(homedir(), ".scanpay");
}

function portOf(values: Values): number {
  const text = str(values, "port");
  if (text === undefined) return 8787;
  return Number(parseUint(text, "--port", 65_535n));
}

/** Resolves on SIGINT/SIGTERM; rejects when the gateway's chain dies. */
function untilStopped(gateway: ServedGateway): Promise<NodeJS.Signals> {
  return new Promise<NodeJS.Signals>((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    gateway.died.catch((error: unknown) => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      const code = typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : "CHAIN_DIED";
      reject(new CliError(`${error instanceof Error ? error.message : String(error)}; the gateway stopped`, code));
    });
  });
}

function curlCommand(url: string, apiKey: string, symbol: string): string {
  return (
    `curl -s -X POST ${url}/v1/invoices -H "Authorization: Bearer ${apiKey}" ` +
    `-H "Content-Type: application/json" -d '{"amount":"12.50","token":"${symbol}"}'`
  );
}

const serve: CommandSpec = {
  path: ["serve"],
  summary: "run the merchant gateway (REST API); with no network options, a local demo chain, merchant and API key",
  details: [
    "Without --network/--rpc-url (a checkout of the repository only): starts a local hardhat node on a free port,",
    "deploys the contracts with the deploy/ scripts (the test token tUSD included), registers a demo merchant with a",
    "random invoice signer key, links it to the gateway (PGlite in --data-dir, default $SCANPAY_HOME/serve-local,",
    "reset at every start because the chain is new), creates an API key with every scope and a terminal key (scope",
    "create), and prints the URL, the key, links to the point of sale and the dashboard signed in with them, and a",
    "curl that creates an invoice. The master key is SCANPAY_MASTER_KEY, else a key generated for this",
    "local demo and kept in <data-dir>/master.key (mode 0600). Ctrl+C stops the gateway and the chain.",
    "",
    "With --network <name> or --rpc-url <url>: serves that network's deployment (see --deployments, --escrow) for",
    "the merchants already linked in the database: DATABASE_URL (PostgreSQL) or --data-dir (PGlite, default",
    "$SCANPAY_HOME/gateway). SCANPAY_MASTER_KEY (32 bytes, hex or base64) is required. SCANPAY_CONFIRMATIONS",
    "(default 2) is how many blocks the indexer waits before a payment counts; SCANPAY_KEEPER=1 settles deposits",
    "with the merchants' signer keys; SCANPAY_ALLOW_PRIVATE_WEBHOOKS=1 (development only) allows loopback webhooks.",
    "The gateway follows the chain (indexer), sends signed webhooks and serves live status (docs/gateway.md).",
    "The gateway listens on 127.0.0.1 only: put a TLS reverse proxy in front of it to expose it.",
  ],
  options: {
    port: { type: "string", value: "<n>", description: "port on 127.0.0.1 (default 8787; 0 = any free port)" },
    "data-dir": {
      type: "string",
      value: "<dir>",
      description: "folder of the gateway's PGlite database (default $SCANPAY_HOME/serve-local, or $SCANPAY_HOME/gateway with a network)",
    },
  },
  examples: ["scanpay serve", "scanpay serve --port 0 --json", "SCANPAY_MASTER_KEY=... DATABASE_URL=postgres://... scanpay serve --network sepolia"],
  async run({ values }) {
    const out = createOutput(values.json === true);
    const port = portOf(values);
    const network = str(values, "network");
    const rpcUrl = str(values, "rpc-url");
    const dataDirOption = str(values, "data-dir");
    if (network === undefined && rpcUrl === undefined) {
      for (const name of ["escrow", "registry", "deployments", "account", "keystore"]) {
        if (str(values, name) !== undefined) throw new UsageError(`--${name} needs --network or --rpc-url (the local demo deploys its own contracts)`);
      }
      const mod = await loadServeModule();
      // Ctrl+C while the chain starts or the contracts deploy: exit at once; the "exit" hook of the chain module
      // kills the node (its own process group does not get the terminal's SIGINT).
      const interrupted = (signal: NodeJS.Signals) => {
        out.progress(`${signal}: stopped before the gateway was ready`);
        process.exit(130);
      };
      process.once("SIGINT", interrupted);
      process.once("SIGTERM", interrupted);
      const gateway = await asCli(mod, () =>
        mod.startLocalGateway({
          dataDir: dataDirOption ?? path.join(scanpayHome(), "serve-local"),
          port,
          ...(process.env.SCANPAY_MASTER_KEY === undefined ? {} : { masterKey: process.env.SCANPAY_MASTER_KEY }),
          progress: (line) => out.progress(line),
        }),
      ).finally(() => {
        process.removeListener("SIGINT", interrupted);
        process.removeListener("SIGTERM", interrupted);
      });
      return runUntilStopped(gateway, () => {
        const curl = curlCommand(gateway.url, gateway.apiKey, gateway.token.symbol);
        out.result(
          [
            "ScanPay gateway (local demo) is running.",
            "",
            ...table([
              ["Gateway", gateway.url],
              ["API docs", gateway.docsUrl],
              ["Point of sale", gateway.posUrl],
              ["Dashboard", gateway.dashboardUrl],
              ["Chain", `${gateway.rpcUrl} (chain id ${gateway.chainId}; hardhat node, new at every start)`],
              ["Escrow", gateway.escrow],
              ["Merchant", `${gateway.merchant.name} (on-chain id ${gateway.merchant.onChainId}, owner ${gateway.merchant.owner})`],
              ["Token", `${gateway.token.symbol} ${gateway.token.address} (scanpay faucet mints it)`],
              ["API key", gateway.apiKey],
              ["Data", `${gateway.dataDir} (reset at every start)`],
              [
                "Master key",
                gateway.masterKeyFile === undefined
                  ? "from SCANPAY_MASTER_KEY"
                  : `${gateway.masterKeyFile}: generated for this local demo only; set SCANPAY_MASTER_KEY for real use`,
              ],
            ]).map((line) => `  ${line}`),
            "",
            "Create an invoice:",
            `  ${curl}`,
            "",
            `Use the chain from other commands with LOCALHOST_URL=${gateway.rpcUrl} and --deployments ${path.join(gateway.dataDir ?? "", "deployments")}.`,
            "Press Ctrl+C to stop.",
          ],
          {
            url: gateway.url,
            docsUrl: gateway.docsUrl,
            rpcUrl: gateway.rpcUrl,
            chainId: gateway.chainId,
            escrow: gateway.escrow,
            registry: gateway.registry,
            merchant: gateway.merchant,
            token: gateway.token,
            apiKey: gateway.apiKey,
            terminalKey: gateway.terminalKey,
            posUrl: gateway.posUrl,
            dashboardUrl: gateway.dashboardUrl,
            dataDir: gateway.dataDir,
            masterKeyFile: gateway.masterKeyFile ?? null,
            curl,
          },
        );
      });
    }

    const masterKey = requireMasterKey();
    const database = networkDatabase(values);
    const mod = await loadServeModule();
    await asCli(mod, async () => mod.parseMasterKey(masterKey));
    const ctx = await Context.connect(values);
    let deployment;
    try {
      deployment = await ctx.deployment();
    } catch (error) {
      await ctx.close();
      throw error;
    }
    let loops: ReturnType<typeof networkLoops>;
    try {
      loops = networkLoops();
    } catch (error) {
      await ctx.close();
      throw error;
    }
    const gateway = await asCli(mod, () => mod.startNetworkGateway({
      provider: ctx.provider,
      escrow: deployment.escrow,
      startBlock: deployment.startBlock,
      database,
      masterKey,
      port,
      progress: (line) => out.progress(line),
      ...loops,
    }));
    return runUntilStopped(gateway, () => {
      const merchants = gateway.merchants.map((m) => `${m.name} (on-chain id ${m.onChainId}, gateway id ${m.id})`);
      out.result(
        [
          `ScanPay gateway for ${ctx.networkName} (chain id ${gateway.chainId}) is running.`,
          "",
          ...table([
            ["Gateway", gateway.url],
            ["API docs", gateway.docsUrl],
            ["Escrow", gateway.escrow],
            ["Database", gateway.dataDir === undefined ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${gateway.dataDir}`],
            ["Merchants", merchants.length === 0 ? "none linked for this chain yet" : merchants.join("; ")],
          ]).map((line) => `  ${line}`),
          ...(merchants.length === 0
            ? [
                "",
                "No merchant is linked for this chain, so no API key works yet. Link one with its invoice signer key",
                "(SCANPAY_PRIVATE_KEY or --keystore; sealed by SCANPAY_MASTER_KEY), then create a key:",
                "  scanpay gateway link-merchant <merchantId> --network <name>",
                "  scanpay gateway create-key <merchantId> --network <name>",
              ]
            : []),
          "",
          "Press Ctrl+C to stop.",
        ],
        {
          network: ctx.networkName,
          url: gateway.url,
          docsUrl: gateway.docsUrl,
          chainId: gateway.chainId,
          escrow: gateway.escrow,
          dataDir: gateway.dataDir ?? null,
          merchants: gateway.merchants,
        },
      );
    });

    async function runUntilStopped(running: ServedGateway, print: () => void): Promise<number> {
      try {
        print();
        const signal = await untilStopped(running);
        out.progress(`${signal}: stopping the gateway...`);
        return 0;
      } finally {
        await running.close();
      }
    }
  },
};

const DATA_DIR_OPTION = {
  type: "string",
  value: "<dir>",
  description: "the gateway's PGlite folder (default $SCANPAY_HOME/gateway); DATABASE_URL selects PostgreSQL instead",
} as const;

function merchantIdOf(positionals: string[]): bigint {
  return parseUint(positionals[0] ?? "", "<merchantId>", 2n ** 32n - 1n);
}

const linkMerchantCommand: CommandSpec = {
  path: ["gateway", "link-merchant"],
  summary: "link a registered merchant to the gateway with its invoice signer key (sealed by SCANPAY_MASTER_KEY)",
  details: [
    "The signer key is the acting key: SCANPAY_PRIVATE_KEY or --keystore (never an argument); it must be the invoice",
    "signer the registry names for the merchant. The database is DATABASE_URL or PGlite in --data-dir, as for",
    "scanpay serve on a network; SCANPAY_MASTER_KEY is required.",
  ],
  positionals: [{ name: "merchantId", description: "the merchant's registry id" }],
  options: {
    name: { type: "string", value: "<text>", description: "name in the gateway (default \"Merchant <id>\")" },
    "data-dir": DATA_DIR_OPTION,
  },
  examples: ["SCANPAY_MASTER_KEY=... SCANPAY_PRIVATE_KEY=... scanpay gateway link-merchant 7 --network sepolia"],
  async run({ values, positionals }) {
    const onChainId = merchantIdOf(positionals);
    const masterKey = requireMasterKey();
    const database = networkDatabase(values);
    const mod = await loadServeModule();
    await asCli(mod, async () => mod.parseMasterKey(masterKey));
    await withContext(values, async (ctx) => {
      const signer = await ctx.signer();
      if (!(signer instanceof Wallet)) {
        throw new CliError(
          "link-merchant needs the invoice signer's private key: set SCANPAY_PRIVATE_KEY or use --keystore (a node account's key is not readable)",
          "NO_PRIVATE_KEY",
        );
      }
      const deployment = await ctx.deployment();
      const linked = await asCli(mod, () =>
        mod.linkNetworkMerchant({
          provider: ctx.provider,
          database,
          escrow: deployment.escrow,
          masterKey,
          onChainId,
          name: str(values, "name") ?? `Merchant ${onChainId}`,
          signerKey: signer.privateKey,
        }),
      );
      ctx.out.result(
        `Linked merchant ${linked.onChainId} (${linked.name}, signer ${linked.signer}) on chain ${linked.chainId}: gateway id ${linked.id}`,
        linked,
      );
    });
  },
};

const createKeyCommand: CommandSpec = {
  path: ["gateway", "create-key"],
  summary: "create an API key for a merchant linked to the gateway (the secret is shown once)",
  positionals: [{ name: "merchantId", description: "the merchant's registry id" }],
  options: {
    scopes: { type: "string", value: "<list>", description: "comma-separated: read, create, refund, keys (default read,create)" },
    label: { type: "string", value: "<text>", description: "a note kept with the key" },
    "data-dir": DATA_DIR_OPTION,
  },
  examples: ["scanpay gateway create-key 7 --scopes read,create --network sepolia"],
  async run({ values, positionals }) {
    const onChainId = merchantIdOf(positionals);
    const database = networkDatabase(values);
    const scopes = (str(values, "scopes") ?? "read,create").split(",").map((scope) => scope.trim()).filter((scope) => scope !== "");
    const mod = await loadServeModule();
    await withContext(values, async (ctx) => {
      const label = str(values, "label");
      const key = await asCli(mod, () =>
        mod.createNetworkApiKey({ provider: ctx.provider, database, onChainId, scopes, ...(label === undefined ? {} : { label }) }),
      );
      ctx.out.result([`API key (shown once; scopes ${key.scopes.join(", ")}):`, key.secret], key);
    });
  },
};

export const serveCommands: CommandSpec[] = [serve, linkMerchantCommand, createKeyCommand];
