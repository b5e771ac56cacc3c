import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

import { getAddress } from "ethers";

import { DeploymentError, InvalidArgumentError } from "./errors.js";

/** Addresses of one ScanPay deployment. */
export interface Deployment {
  chainId: bigint;
  /** The rocketh deployments folder it came from (`deployments/<network>`), or undefined if all were given. */
  network: string | undefined;
  escrow: string;
  registry: string;
  points: string;
  /** The faucet TestToken, where one was deployed (local chains, testnets). */
  testToken: string | undefined;
  /** Earliest block of the deployment: where log scans (`findPayment`, `nextInvoiceNumber`) start. 0 if unknown. */
  startBlock: number;
}

/** Explicit values that win over the deployments folder. */
export interface DeploymentOverrides {
  escrow?: string;
  registry?: string;
  points?: string;
  testToken?: string;
  startBlock?: number;
  /** Use `deployments/<network>` only (it must be for `chainId`). */
  network?: string;
  /** Where rocketh writes deployments; default `./deployments` under the current directory. */
  deploymentsDir?: string;
}

const CONTRACT_FILES = {
  escrow: "PaymentEscrow",
  registry: "MerchantRegistry",
  points: "LoyaltyPoints",
  testToken: "TestToken",
} as const;

interface DeploymentFile {
  address?: unknown;
  receipt?: { blockNumber?: unknown };
}

/**
 * The ScanPay contract addresses for `chainId`: read from the folder rocketh (`hardhat deploy`) wrote for
 * that chain, `deployments/<network>/` (its `.chain` file holds the chain id; `<Contract>.json` the address and
 * receipt), with any of them replaced by `overrides`. Synchronous; reads only local files.
 * @throws DeploymentError DEPLOYMENT_NOT_FOUND (no folder for the chain and not every address overridden),
 *   DEPLOYMENT_AMBIGUOUS (several folders for the chain: pass `overrides.network`); InvalidArgumentError for a
 *   malformed override.
 */
export function resolveDeployment(chainId: bigint, overrides: DeploymentOverrides = {}): Deployment {
  const dir = resolve(overrides.deploymentsDir ?? join(process.cwd(), "deployments"));
  const folder = findFolder(dir, chainId, overrides.network);
  const read = (key: keyof typeof CONTRACT_FILES): { address: string; block: number } | undefined =>
    folder === undefined ? undefined : readContract(join(dir, folder), CONTRACT_FILES[key]);
  const recorded = {
    escrow: read("escrow"),
    registry: read("registry"),
    points: read("points"),
    testToken: read("testToken"),
  };
  const pick = (key: keyof typeof CONTRACT_FILES): string | undefined => {
    const override = overrides[key];
    if (override !== undefined) return checkAddress(override, key);
    return recorded[key]?.address;
  };
  const escrow = pick("escrow");
  const registry = pick("registry");
  const points = pick("points");
  if (escrow === undefined || registry === undefined || points === undefined) {
    const missing = [escrow === undefined ? "escrow" : "", registry === undefined ? "registry" : "", points === undefined ? "points" : ""]
      .filter((x) => x !== "")
      .join(", ");
    throw new DeploymentError(
      "DEPLOYMENT_NOT_FOUND",
      folder === undefined
        ? `no ScanPay deployment for chain ${chainId} in ${dir}; deploy first (npx hardhat deploy --network <name>) or give the addresses`
        : `the deployment in ${join(dir, folder)} has no ${missing}`,
    );
  }
  const blocks = [recorded.escrow, recorded.registry, recorded.points]
    .map((entry) => entry?.block)
    .filter((block): block is number => block !== undefined);
  const startBlock = overrides.startBlock ?? (blocks.length > 0 ? Math.min(...blocks) : 0);
  if (!Number.isSafeInteger(startBlock) || startBlock < 0) {
    throw new InvalidArgumentError("startBlock", "startBlock must be a non-negative integer");
  }
  return { chainId, network: folder, escrow, registry, points, testToken: pick("testToken"), startBlock };
}

function findFolder(dir: string, chainId: bigint, network: string | undefined): string | undefined {
  if (!existsSync(dir)) {
    if (network !== undefined) throw new DeploymentError("DEPLOYMENT_NOT_FOUND", `no deployments folder at ${dir}`);
    return undefined;
  }
  const candidates = network !== undefined ? [network] : readdirSync(dir).filter((name) => isDir(join(dir, name)));
  const matching = candidates.filter((name) => chainIdOfFolder(join(dir, name)) === chainId);
  if (network !== undefined && matching.length === 0) {
    throw new DeploymentError("DEPLOYMENT_NOT_FOUND", `${join(dir, network)} is not a deployment for chain ${chainId}`);
  }
  if (matching.length > 1) {
    throw new DeploymentError(
      "DEPLOYMENT_AMBIGUOUS",
      `several deployments for chain ${chainId} (${matching.join(", ")}); name the network to use`,
    );
  }
  return matching[0];
}

function chainIdOfFolder(folder: string): bigint | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(folder, ".chain"), "utf8")) as { chainId?: unknown };
    const id = parsed.chainId;
    if (typeof id === "string" && /^\d+$/.test(id)) return BigInt(id);
    if (typeof id === "number" && Number.isSafeInteger(id)) return BigInt(id);
    return undefined;
  } catch {
    return undefined;
  }
}

function readContract(folder: string, name: string): { address: string; block: number } | undefined {
  let parsed: DeploymentFile;
  try {
    parsed = JSON.parse(readFileSync(join(folder, `${name}.json`), "utf8")) as DeploymentFile;
  } catch {
    return undefined;
  }
  if (typeof parsed.address !== "string") return undefined;
  let address: string;
  try {
    address = getAddress(parsed.address);
  } catch {
    return undefined;
  }
  const raw = parsed.receipt?.blockNumber;
  const block = typeof raw === "string" ? Number(BigInt(raw)) : typeof raw === "number" ? raw : 0;
  return { address, block };
}

function checkAddress(value: string, what: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new InvalidArgumentError(what, `${what} address ${value} is not a valid address`);
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
