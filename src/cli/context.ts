/**
 * What a chain command works with: the Hardhat network connection (signers come from Hardhat's config, i.e.
 * the node's accounts or the keystore / environment, never from arguments), the ScanPay contracts of that
 * network, token metadata, and sending transactions with progress.
 */
import { existsSync } from "node:fs";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { getAddress, isAddress } from "ethers";

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

/** `deployments/` next to the Hardhat config the CLI runs with (the project root), else under the cwd. */
function defaultDeploymentsDir(): string {
  const config = process.env.HARDHAT_CONFIG;
  return path.join(config !== undefined ? path.dirname(path.resolve(config)) : process.cwd(), "deployments");
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

type Connection = Awaited<ReturnType<(typeof import("hardhat"))["network"]["connect"]>>;

export class Context {
  readonly out: Output;
  readonly networkName: string;
  readonly chainId: bigint;
  readonly confirmations: number;
  readonly connection: Connection;
  readonly #values: Values;
  #signer: HardhatEthersSigner | undefined;
  #deployment: Deployment | undefined;
  #scanpay: ScanPayContracts | undefined;
  #tokens: TokenInfo[] | undefined;

  private constructor(values: Values, connection: Connection, networkName: string, chainId: bigint) {
    this.#values = values;
    this.connection = connection;
    this.networkName = networkName;
    this.chainId = chainId;
    this.out = createOutput(values.json === true);
    const confirmations = str(values, "confirmations");
    this.confirmations =
      confirmations === undefined ? 1 : Number(parseUint(confirmations, "--confirmations", 1000n)) || 1;
  }

  /** Connects to `--network` (default localhost) through Hardhat. */
  static async connect(values: Values): Promise<Context> {
    const networkName = str(values, "network") ?? "localhost";
    const rpcUrl = str(values, "rpc-url");
    if (rpcUrl !== undefined && !/^https?:\/\/\S+$/.test(rpcUrl)) {
      throw new UsageError(`--rpc-url must be an http(s) URL, got "${clip(rpcUrl)}"`);
    }
    // Imported here so that `--help` and usage errors never pay for loading Hardhat.
    const { network } = await import("hardhat");
    const connection = await network.connect(
      rpcUrl === undefined ? { network: networkName } : { network: networkName, override: { url: rpcUrl } },
    );
    const { chainId } = await connection.ethers.provider.getNetwork();
    return new Context(values, connection, networkName, chainId);
  }

  get ethers() {
    return this.connection.ethers;
  }

  get provider() {
    return this.connection.ethers.provider;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** The acting account: `--account <index|address>` among the connection's signers (default the first). */
  async signer(): Promise<HardhatEthersSigner> {
    if (this.#signer !== undefined) return this.#signer;
    const signers = await this.ethers.getSigners();
    if (signers.length === 0) {
      throw new CliError(
        `network ${this.networkName} has no accounts: set its private key in the Hardhat keystore ` +
          "(npx hardhat keystore set <NAME>_PRIVATE_KEY) or the environment",
        "NO_ACCOUNT",
      );
    }
    const wanted = str(this.#values, "account") ?? "0";
    let signer: HardhatEthersSigner | undefined;
    if (/^\d+$/.test(wanted)) {
      signer = signers[Number(wanted)];
      if (signer === undefined) {
        throw new UsageError(`--account ${wanted}: network ${this.networkName} has ${signers.length} account(s)`);
      }
    } else if (isAddress(wanted)) {
      signer = signers.find((s) => s.address.toLowerCase() === wanted.toLowerCase());
      if (signer === undefined) {
        throw new UsageError(`--account ${wanted} is not one of network ${this.networkName}'s accounts`);
      }
    } else {
      throw new UsageError(`--account must be an index or an address, got "${clip(wanted)}"`);
    }
    this.#signer = signer;
    return signer;
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
