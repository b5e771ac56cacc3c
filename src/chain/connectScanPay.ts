import type { ContractRunner } from "ethers";

import {
  type DepositRouter,
  DepositRouter__factory,
  type LoyaltyPoints,
  LoyaltyPoints__factory,
  type MerchantRegistry,
  MerchantRegistry__factory,
  type PaymentEscrow,
  PaymentEscrow__factory,
} from "../../typechain-types/index.js";
import { depositRouterAddress } from "../deposit/depositRouterAddress.js";
import type { Deployment } from "./resolveDeployment.js";

/** The ScanPay contracts, connected to one runner, and where they came from. */
export interface ScanPayContracts {
  escrow: PaymentEscrow;
  /** The escrow's DepositRouter (its address computed from the escrow's: `depositRouterAddress`). */
  depositRouter: DepositRouter;
  registry: MerchantRegistry;
  points: LoyaltyPoints;
  deployment: Deployment;
}

/**
 * Connects the deployment's contracts to `runner` (a signer to send transactions, or a provider to read).
 * Does no I/O: call `checkDeployment` once to be sure contracts exist at these addresses.
 */
export function connectScanPay(runner: ContractRunner, deployment: Deployment): ScanPayContracts {
  return {
    escrow: PaymentEscrow__factory.connect(deployment.escrow, runner),
    depositRouter: DepositRouter__factory.connect(depositRouterAddress(deployment.escrow), runner),
    registry: MerchantRegistry__factory.connect(deployment.registry, runner),
    points: LoyaltyPoints__factory.connect(deployment.points, runner),
    deployment,
  };
}
