/**
 * Which JSON-RPC endpoint a chain command talks to: `--rpc-url`, or `--network <name>` looked up in the config
 * file (`--config`, `SCANPAY_CONFIG` or `./scanpay.config.json`) and then among the built-in names. Plain ethers:
 * no Hardhat at run time.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { FetchRequest, JsonRpcProvider, Network } from "ethers";

import { clip } from "./args.js";
import { CliError, UsageError } from "./errors.js";

/** A network the CLI can connect to. */
export interface NetworkConfig {
  name: string;
  url: string;
  /** Expected chain id: connecting to a node that reports another one fails. */
  chainId?: bigint;
  /** Encrypted JSON keystore (relative paths are relative to the config file) used when no key is in the environment. */
  keystore?: string;
  /** Environment variable holding the private key for this network (besides SCANPAY_PRIVATE_KEY). */
  privateKeyEnv?: string;
  /** Whether it is a development chain whose node holds unlocked accounts (eth_accounts). */
  local: boolean;
}

interface BuiltIn {
  chainId?: bigint;
  /** Environment variable with the URL (and the default URL, if any). */
  urlEnv: string;
  defaultUrl?: string;
  privateKeyEnv?: string;
  local: boolean;
}

/** Built-in names. The testnets take their URL and key from the same variables as hardhat.config.ts. */
export const BUILT_IN_NETWORKS: Readonly<Record<string, BuiltIn>> = {
  localhost: { urlEnv: "LOCALHOST_URL", defaultUrl: "http://127.0.0.1:8545", local: true },
  sepolia: { chainId: 11_155_111n, urlEnv: "SEPOLIA_RPC_URL", privateKeyEnv: "SEPOLIA_PRIVATE_KEY", local: false },
  baseSepolia: { chainId: 84_532n, urlEnv: "BASE_SEPOLIA_RPC_URL", privateKeyEnv: "BASE_SEPOLIA_PRIVATE_KEY", local: false },
  opSepolia: { chainId: 11_155_420n, urlEnv: "OP_SEPOLIA_RPC_URL", privateKeyEnv: "OP_SEPOLIA_PRIVATE_KEY", local: false },
};

export const DEFAULT_CONFIG_FILE = "scanpay.config.json";

/** What `--network`, `--rpc-url` and `--config` said. */
export interface NetworkOptions {
  network?: string;
  rpcUrl?: string;
  config?: string;
}

const URL_PATTERN = /^https?:\/\/\S+$/;

/**
 * The config file: `{ "networks": { "<name>": { "url": "https://...", "chainId": 11155111, "keystore": "key.json" } } }`.
 * Returns undefined when there is none (an explicitly named file that is missing is an error).
 */
export function loadNetworkConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): { file: string; networks: Record<string, unknown> } | undefined {
  const explicit = file ?? env.SCANPAY_CONFIG;
  const resolved = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  if (explicit === undefined && !existsSync(resolved)) return undefined;
  let text: string;
  try {
    text = readFileSync(resolved, "utf8");
  } catch {
    throw new CliError(`cannot read the config file ${resolved}`, "CONFIG_INVALID");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`the config file ${resolved} is not valid JSON`, "CONFIG_INVALID");
  }
  const networks = isRecord(parsed) ? parsed.networks : undefined;
  if (networks !== undefined && !isRecord(networks)) {
    throw new CliError(`"networks" in ${resolved} must be an object`, "CONFIG_INVALID");
  }
  return { file: resolved, networks: networks ?? {} };
}

/** Resolves the options to one network; throws a UsageError / CliError the user can act on. */
export function resolveNetwork(
  options: NetworkOptions,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): NetworkConfig {
  const name = options.network ?? "localhost";
  if (options.rpcUrl !== undefined && !URL_PATTERN.test(options.rpcUrl)) {
    throw new UsageError(`--rpc-url must be an http(s) URL, got "${clip(options.rpcUrl)}"`);
  }
  const config = loadNetworkConfig(options.config, env, cwd);
  const entry = config?.networks[name];
  let network: NetworkConfig | undefined;
  if (entry !== undefined) {
    network = fromConfigEntry(name, entry, config!.file, options.rpcUrl !== undefined);
  } else if (Object.hasOwn(BUILT_IN_NETWORKS, name)) {
    const builtIn = BUILT_IN_NETWORKS[name]!;
    const url = options.rpcUrl ?? nonEmpty(env[builtIn.urlEnv]) ?? builtIn.defaultUrl;
    if (url === undefined) {
      throw new CliError(
        `network ${name} has no RPC URL: pass --rpc-url, set ${builtIn.urlEnv}, or add it to ${DEFAULT_CONFIG_FILE}`,
        "NETWORK_NO_URL",
      );
    }
    network = { name, url, local: builtIn.local };
    if (builtIn.chainId !== undefined) network.chainId = builtIn.chainId;
    if (builtIn.privateKeyEnv !== undefined) network.privateKeyEnv = builtIn.privateKeyEnv;
  } else if (options.rpcUrl !== undefined) {
    network = { name, url: options.rpcUrl, local: false };
  } else {
    const known = [...Object.keys(config?.networks ?? {}), ...Object.keys(BUILT_IN_NETWORKS)];
    throw new UsageError(
      `unknown network "${clip(name)}" (known: ${[...new Set(known)].join(", ")}); ` +
        `pass --rpc-url or add it to ${DEFAULT_CONFIG_FILE}`,
    );
  }
  if (options.rpcUrl !== undefined) network.url = options.rpcUrl;
  if (!URL_PATTERN.test(network.url)) {
    throw new CliError(`network ${name}: the RPC URL must be http(s), got "${clip(network.url)}"`, "CONFIG_INVALID");
  }
  return network;
}

function fromConfigEntry(name: string, entry: unknown, file: string, urlGiven: boolean): NetworkConfig {
  const where = `network "${name}" in ${file}`;
  if (!isRecord(entry)) throw new CliError(`${where} must be an object`, "CONFIG_INVALID");
  const { url, chainId, keystore, local } = entry;
  if (url !== undefined && typeof url !== "string") throw new CliError(`${where}: "url" must be a string`, "CONFIG_INVALID");
  if (url === undefined && !urlGiven) throw new CliError(`${where} has no "url"`, "CONFIG_INVALID");
  const network: NetworkConfig = { name, url: url ?? "", local: local === true };
  if (chainId !== undefined) {
    if (!(typeof chainId === "number" && Number.isSafeInteger(chainId) && chainId > 0)) {
      throw new CliError(`${where}: "chainId" must be a positive integer`, "CONFIG_INVALID");
    }
    network.chainId = BigInt(chainId);
  }
  if (keystore !== undefined) {
    if (typeof keystore !== "string" || keystore === "") {
      throw new CliError(`${where}: "keystore" must be a file path`, "CONFIG_INVALID");
    }
    network.keystore = path.resolve(path.dirname(file), keystore);
  }
  if (local !== undefined && typeof local !== "boolean") {
    throw new CliError(`${where}: "local" must be true or false`, "CONFIG_INVALID");
  }
  return network;
}

/**
 * A provider for `network` once its node answered `eth_chainId` (within `timeoutMs`): an unreachable node fails
 * at once with NETWORK_UNREACHABLE instead of ethers' endless retries, and a wrong chain with WRONG_CHAIN.
 */
export async function connectProvider(
  network: NetworkConfig,
  timeoutMs = 10_000,
): Promise<{ provider: JsonRpcProvider; chainId: bigint }> {
  const unreachable = () =>
    new CliError(
      `cannot reach network ${network.name} at ${redactUrl(network.url)}: is the node running (npx hardhat node) and the URL right?`,
      "NETWORK_UNREACHABLE",
    );
  const request = new FetchRequest(network.url);
  request.timeout = timeoutMs;
  request.setHeader("content-type", "application/json");
  request.body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  let chainId: bigint;
  try {
    const response = await request.send();
    if (!response.ok()) throw unreachable();
    const body = JSON.parse(response.bodyText) as { result?: unknown };
    if (typeof body.result !== "string" || !/^0x[0-9a-f]+$/i.test(body.result)) throw unreachable();
    chainId = BigInt(body.result);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw unreachable();
  }
  if (network.chainId !== undefined && network.chainId !== chainId) {
    throw new CliError(
      `network ${network.name} should be chain ${network.chainId} but its node reports chain ${chainId}`,
      "WRONG_CHAIN",
    );
  }
  const provider = new JsonRpcProvider(network.url, Network.from(chainId), { staticNetwork: true });
  return { provider, chainId };
}

/** The URL without credentials or an API key in its path (providers put keys there), for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname.length > 12 ? "/..." : parsed.pathname;
    return `${parsed.protocol}//${parsed.host}${path === "/" ? "" : path}`;
  } catch {
    return "the configured URL";
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
