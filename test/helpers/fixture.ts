/**
 * The shared fixture: runs the real deploy scripts (deploy/) on the in-process chain and returns the
 * contracts as TypeChain instances plus named signers. Every contract test starts from it.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";

import { loadAndExecuteDeploymentsFromFiles } from "../../rocketh/environment.js";
import { setDeployLogLevel } from "../../rocketh/logging.js";
import {
  type LoyaltyPoints,
  LoyaltyPoints__factory,
  type MerchantRegistry,
  MerchantRegistry__factory,
  type PaymentEscrow,
  PaymentEscrow__factory,
  type TestToken,
  TestToken__factory,
} from "../../typechain-types/index.js";

// Fixture deployments print nothing but errors: the test log shows tests, not rocketh's progress lines.
setDeployLogLevel(1);

// `network.create()`: a new connection to the default network (`network.connect()` is deprecated in Hardhat 3).
export const connection = await network.create();
export const { ethers, networkHelpers, provider } = connection;

export interface Deployed {
  registry: MerchantRegistry;
  points: LoyaltyPoints;
  escrow: PaymentEscrow;
  token: TestToken;
  deployer: HardhatEthersSigner;
  admin: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  /** Accounts with no role, for merchants and payers. */
  others: HardhatEthersSigner[];
  /** Deployment settings the scripts used (rocketh/config.ts). */
  feeBps: bigint;
  disputeTimeout: bigint;
  maxHoldPeriod: bigint;
}

/** Deploys everything through the deploy scripts. Use through `networkHelpers.loadFixture(deployAll)`. */
export async function deployAll(): Promise<Deployed> {
  const env = await loadAndExecuteDeploymentsFromFiles({ provider });
  const signers = await ethers.getSigners();
  const byAddress = (address: string): HardhatEthersSigner => {
    const signer = signers.find((s) => s.address.toLowerCase() === address.toLowerCase());
    if (signer === undefined) throw new Error(`no local signer for ${address}`);
    return signer;
  };
  const { deployer, admin, treasury, arbiter, pauser } = env.namedAccounts;
  const roleHolders = new Set([deployer, admin, treasury, arbiter, pauser].map((a) => a.toLowerCase()));
  // rocketh records lower-case addresses; events carry checksummed ones.
  const address = (name: string) => ethers.getAddress(env.get(name).address);
  const escrow = PaymentEscrow__factory.connect(address("PaymentEscrow"), byAddress(deployer));
  return {
    registry: MerchantRegistry__factory.connect(address("MerchantRegistry"), byAddress(deployer)),
    points: LoyaltyPoints__factory.connect(address("LoyaltyPoints"), byAddress(deployer)),
    escrow,
    token: TestToken__factory.connect(address("TestToken"), byAddress(deployer)),
    deployer: byAddress(deployer),
    admin: byAddress(admin),
    treasury: byAddress(treasury),
    arbiter: byAddress(arbiter),
    pauser: byAddress(pauser),
    others: signers.filter((s) => !roleHolders.has(s.address.toLowerCase())),
    feeBps: await escrow.feeBps(),
    disputeTimeout: await escrow.disputeTimeout(),
    maxHoldPeriod: BigInt(env.data.maxHoldPeriod),
  };
}
