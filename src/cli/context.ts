/**
 * What a chain command works with: a plain ethers JSON-RPC connection to the network (src/cli/network.ts), the
 * acting account (src/cli/keys.ts: environment, keystore, the node's accounts or a prompt; never arguments), the
 * ScanPay contracts of that network, token metadata, and sending transactions with progress. No Hardhat at run time.
 */
import { existsSync } from "node:fs";
import path from "node:path";

import { getAddress, isAddress, type JsonRpcProvider } from "ethers";

import {
  type LoyaltyPoints,
  type MerchantRegistry,
  type PaymentEscrow,
  PaymentEscrow__factory,
  type TestToken,
  TestToken__factory,
} from "../../typechain-types/index.js";
import { ZERO_ADDRESS } from "../invoice/types.js";
import { clip, parseUint, str, type Values } from "./args.js";
import { CliError, UsageError } from "./errors.js";
import { type CliSigner, resolveSigner } from "./keys.js";
import { connectProvider, type NetworkConfig, resolveNetwork } from "./network.js";
import { createOutput, type Output } from "./output.js";
import {
  checkDeployment,
  connectScanPay,
  type Deployment,
  type DeploymentOverrides,
  resolveDeployment,
  type ScanPayContracts,
  type TxOptions,
  type TxResult,
} from "./sdk.js";

export type { CliSigner } from "./keys.js";

/** `deployments/` of the working directory (the project root when run through `npx scanpay`). */
function defaultDeploymentsDir(): string {
  return path.join(process.cwd(), "deployments");
}

export interface TokenInfo {
  /** Index in the escrow's allowlist (0 = ETH). */
  index: number;
  /** Zero address for ETH. */
  address: string;
  symbol: string;
  decimals: number;
  /** Allowed for new payments. */
  allowed: boolean;
}

export const ETH_TOKEN: Omit<TokenInfo, "index" | "allowed"> = { address: ZERO_ADDRESS, symbol: "ETH", decimals: 18 };

export class Context {
  readonly out: Output;
  readonly networkName: string;
  readonly network: NetworkConfig;
  readonly chainId: bigint;
  readonly confirmations: number;
  readonly provider: JsonRpcProvider;
  readonly #values: Values;
  #signer: CliSigner | undefined;
  #deployment: Deployment | undefined;
  #scanpay: ScanPayContracts | undefined;
  #tokens: TokenInfo[] | undefined;

  private constructor(values: Values, network: NetworkConfig, provider: JsonRpcProvider, chainId: bigint) {
    this.#values = values;
    this.network = network;
    this.provider = provider;
    this.networkName = network.name;
    this.chainId = chainId;
    this.out = createOutput(values.json === true);
    const confirmations = str(values, "confirmations");
    this.confirmations =
      confirmations === undefined ? 1 : Number(parseUint(confirmations, "--confirmations", 1000n)) || 1;
  }

  /** Connects to `--rpc-url` or `--network` (default localhost); see src/cli/network.ts. */
  static async connect(values: Values): Promise<Context> {
    const options: { network?: string; rpcUrl?: string; config?: string } = {};
    const network = str(values, "network");
    const rpcUrl = str(values, "rpc-url");
    const config = str(values, "config");
    if (network !== undefined) options.network = network;
    if (rpcUrl !== undefined) options.rpcUrl = rpcUrl;
    if (config !== undefined) options.config = config;
    const resolved = resolveNetwork(options);
    const { provider, chainId } = await connectProvider(resolved);
    return new Context(values, resolved, provider, chainId);
  }

  async close(): Promise<void> {
    this.provider.destroy();
  }

  /**
   * The acting account: a key from the environment or a keystore, else `--account <index|address>` among the
   * node's accounts (default the first), else a key asked on the terminal.
   */
  async signer(): Promise<CliSigner> {
    if (this.#signer !== undefined) return this.#signer;
    const options: { account?: string; keystore?: string } = {};
    const account = str(this.#values, "account");
    const keystore = str(this.#values, "keystore");
    if (account !== undefined) options.account = account;
    if (keystore !== undefined) options.keystore = keystore;
    this.#signer = await resolveSigner(this.provider, this.network, options);
    return this.#signer;
  }

  async address(): Promise<string> {
    return (await this.signer()).address;
  }

/**
   * The ScanPay deployment of this network: hardhat-deploy's `deployments/<network>/` (or `--deployments`,
   * `SCANPAY_DEPLOYMENTS`), with `--escrow` / `--registry` winning; checked live on the chain (code at every
   * address, escrow wired to that registry and points).
   */
  async deployment(): Promise<Deployment> {
    if (this.#deployment !== undefined) return this.#deployment;
    const dir = path.resolve(str(this.#values, "deployments") ?? process.env.SCANPAY_DEPLOYMENTS ?? defaultDeploymentsDir());
    const overrides: DeploymentOverrides = { deploymentsDir: dir };
    if (existsSync(path.join(dir, this.networkName))) overrides.network = this.networkName;
    const escrow = this.#addressOption("escrow");
    const registry = this.#addressOption("registry");
    if (escrow !== undefined) {
      // An escrow given alone names its registry and points itself.
      const onChain = PaymentEscrow__factory.connect(escrow, this.provider);
      if ((await this.provider.getCode(escrow)) === "0x") {
        throw new CliError(`no contract at --escrow ${escrow} on network ${this.networkName}`, "DEPLOYMENT_NO_CODE");
      }
      overrides.escrow = escrow;
      overrides.registry = registry ?? getAddress(await onChain.registry());
      overrides.points = getAddress(await onChain.loyaltyPoints());
    } else if (registry !== undefined) {
      overrides.registry = registry;
    }
    const deployment = resolveDeployment(this.chainId, overrides);
    await checkDeployment(this.provider, deployment);
    this.#deployment = deployment;
    return deployment;
  }

  async #contracts(): Promise<ScanPayContracts> {
    if (this.#scanpay === undefined) this.#scanpay = connectScanPay(this.provider, await this.deployment());
    return this.#scanpay;
  }

  /** The escrow, connected to the provider (`.connect(await ctx.signer())` to send). */
  async escrow(): Promise<PaymentEscrow> {
    return (await this.#contracts()).escrow;
  }

  async registry(): Promise<MerchantRegistry> {
    return (await this.#contracts()).registry;
  }

  async points(): Promise<LoyaltyPoints> {
    return (await this.#contracts()).points;
  }

  erc20(address: string): TestToken {
    return TestToken__factory.connect(address, this.provider);
  }

  /** The escrow's token allowlist in index order (0 = ETH), with symbols and decimals. */
  async tokens(): Promise<TokenInfo[]> {
    if (this.#tokens !== undefined) return this.#tokens;
    const escrow = await this.escrow();
    const count = Number(await escrow.tokenCount());
    const list = await Promise.all(
      Array.from({ length: count }, async (_, index): Promise<TokenInfo> => {
        const [address, allowed] = await escrow.tokenAt(index);
        if (index === 0) return { ...ETH_TOKEN, index, allowed };
        const { symbol, decimals } = await this.tokenMetadata(address);
        return { index, address: getAddress(address), symbol, decimals, allowed };
      }),
    );
    this.#tokens = list;
    return list;
  }

  /** Symbol and decimals of an ERC-20 (or ETH for the zero address). */
  async tokenMetadata(address: string): Promise<{ symbol: string; decimals: number }> {
    if (address.toLowerCase() === ZERO_ADDRESS) return { symbol: "ETH", decimals: 18 };
    const token = this.erc20(address);
    try {
      const [symbol, decimals] = await Promise.all([token.symbol(), token.decimals()]);
      return { symbol, decimals: Number(decimals) };
    } catch {
      throw new CliError(`token ${address} does not answer symbol() and decimals()`, "BAD_TOKEN");
    }
  }

  /** A token by `ETH`, symbol (case-insensitive), allowlist index or address. */
  async resolveToken(spec: string | undefined): Promise<TokenInfo> {
    const tokens = await this.tokens();
    const wanted = (spec ?? "ETH").trim();
    let found: TokenInfo | undefined;
    const byAddress: boolean = isAddress(wanted);
    if (/^\d+$/.test(wanted)) found = tokens[Number(wanted)];
    else if (byAddress) found = tokens.find((t) => t.address.toLowerCase() === wanted.toLowerCase());
    else {
      const matches = tokens.filter((t) => t.symbol.toLowerCase() === wanted.toLowerCase());
      if (matches.length > 1) {
        throw new UsageError(`several tokens are called ${wanted}: name it by address or index`);
      }
      found = matches[0];
    }
    if (found === undefined) {
      const known = tokens.map((t) => `${t.symbol} (${t.index})`).join(", ");
      throw new CliError(`token "${clip(wanted)}" is not on the escrow's list (${known})`, "UNKNOWN_TOKEN");
    }
    return found;
  }

  /** The latest block's timestamp: the chain's clock (it may run ahead of the local one on a dev node). */
  async now(): Promise<bigint> {
    const block = await this.provider.getBlock("latest");
    if (block === null) throw new CliError("the node returned no latest block", "RPC_ERROR");
    return BigInt(block.timestamp);
  }

  /** Options for the SDK's transaction functions: `--confirmations`, and a progress line once sent. */
  txOptions(): TxOptions {
    const n = this.confirmations;
    return {
      confirmations: n,
      onSent: ({ label, hash }) =>
        this.out.progress(`${label}: sent ${hash}, waiting for ${n} confirmation${n === 1 ? "" : "s"}...`),
    };
  }

  /** The progress line of a mined transaction. */
  mined(result: TxResult): TxResult {
    this.out.progress(`${result.label}: confirmed in block ${result.blockNumber} (gas ${result.gasUsed})`);
    return result;
  }

  #addressOption(name: string): string | undefined {
    const value = str(this.#values, name);
    if (value === undefined) return undefined;
    if (!isAddress(value)) throw new UsageError(`--${name} must be an address, got "${clip(value)}"`);
    return getAddress(value);
  }
}

/** Runs `fn` with a connected context and always closes the connection. */
export async function withContext<T>(values: Values, fn: (ctx: Context) => Promise<T>): Promise<T> {
  const ctx = await Context.connect(values);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close().catch(() => undefined);
  }
}
