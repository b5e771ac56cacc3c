import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

import { getAddress } from "ethers";

import { DeploymentError, InvalidArgumentError } from "./errors.js";

/** Addresses of one ScanPay deployment. */
export interface Deployment {
  chainId: bigint;
  /** The rocketh deployments folder it came from (`deployments/<network>`); undefined when it came from elsewhere. */
  network: string | undefined;
  escrow: string;
  registry: string;
  points: string;
  /** The faucet TestToken, where one was deployed (local chains, testnets). */
  testToken: string | undefined;
  /** Earliest block of the deployment: where log scans (`findPayment`, `nextInvoiceNumber`) start. 0 if unknown. */
  startBlock: number;
}

/** A public ScanPay deployment the SDK ships, in `KNOWN_DEPLOYMENTS`. */
export interface KnownDeployment {
  escrow: string;
  registry: string;
  points: string;
  /** The faucet TestToken, on testnets that have one. */
  testToken?: string;
  /** The deployment's earliest block. */
  startBlock: number;
}

/**
 * The public ScanPay deployments, keyed by chain id (decimal). Empty: ScanPay has no public deployment yet.
 * `resolveDeployment` starts from this table unless it is given a deployments folder; explicit addresses win.
 */
export const KNOWN_DEPLOYMENTS: Readonly<Record<string, KnownDeployment>> = Object.freeze({});

/** Where the addresses come from, and explicit values that win over it. */
export interface DeploymentOverrides {
  escrow?: string;
  registry?: string;
  points?: string;
  testToken?: string;
  startBlock?: number;
  /**
   * A folder of local deployments as rocketh (`hardhat deploy`) writes them (`deployments/` of a project): read
   * only when given (or when `network` is). Without it no file is read and `known` is used.
   */
  deploymentsDir?: string;
  /** Use `<deploymentsDir>/<network>` only (it must be for `chainId`); alone, `deploymentsDir` is `./deployments`. */
  network?: string;
  /** The table of known deployments when no folder is read; default `KNOWN_DEPLOYMENTS`. */
  known?: Readonly<Record<string, KnownDeployment>>;
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
 * The ScanPay contract addresses for `chainId`, from one source, with any of them replaced by `overrides`:
 * - with `overrides.deploymentsDir` (or `network`): the folder rocketh (`hardhat deploy`) wrote for that chain,
 *   `<deploymentsDir>/<network>/` (its `.chain` file holds the chain id; `<Contract>.json` the address and
 *   receipt): local nodes and your own deployments;
 * - otherwise the SDK's table of public deployments, `KNOWN_DEPLOYMENTS` (empty for now), and no file is read.
 * All three of `escrow`, `registry` and `points` given explicitly need neither. Synchronous.
 * @throws DeploymentError DEPLOYMENT_NOT_FOUND (nothing known for the chain and not every address given),
 *   DEPLOYMENT_AMBIGUOUS (several folders for the chain: pass `overrides.network`); InvalidArgumentError for a
 *   malformed override.
 */
export function resolveDeployment(chainId: bigint, overrides: DeploymentOverrides = {}): Deployment {
  const useFolder = overrides.deploymentsDir !== undefined || overrides.network !== undefined;
  const dir = resolve(overrides.deploymentsDir ?? join(process.cwd(), "deployments"));
  const folder = useFolder ? findFolder(dir, chainId, overrides.network) : undefined;
  const known = useFolder ? undefined : (overrides.known ?? KNOWN_DEPLOYMENTS)[chainId.toString()];
  const read = (key: keyof typeof CONTRACT_FILES): { address: string; block: number } | undefined => {
    if (folder !== undefined) return readContract(join(dir, folder), CONTRACT_FILES[key]);
    const address = known?.[key];
    return known === undefined || address === undefined ? undefined : { address: checkAddress(address, key), block: known.startBlock };
  };
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
      folder !== undefined
        ? `the deployment in ${join(dir, folder)} has no ${missing}`
        : useFolder
          ? `no ScanPay deployment for chain ${chainId} in ${dir}; deploy first (npx hardhat deploy --network <name>) or give the addresses`
          : `no known ScanPay deployment for chain ${chainId}: give the escrow, registry and points addresses, ` +
            "or the deployments folder of a local deployment (deploymentsDir)",
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
