/**
 * What to send to the block explorers for a deployment that rocketh saved in `deployments/<network>/`: each
 * contract's address, its fully qualified name and its constructor arguments (decoded from the saved
 * `argsData` with the saved ABI, so the arguments are exactly those of the deploy transaction).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { AbiCoder, Interface, type InterfaceAbi } from "ethers";

/** The contracts the deploy scripts deploy, with their source files. */
export const VERIFIED_CONTRACTS: Readonly<Record<string, string>> = {
  MerchantRegistry: "contracts/MerchantRegistry.sol:MerchantRegistry",
  LoyaltyPoints: "contracts/LoyaltyPoints.sol:LoyaltyPoints",
  PaymentEscrow: "contracts/PaymentEscrow.sol:PaymentEscrow",
  TestToken: "contracts/mocks/TestToken.sol:TestToken",
};

export interface VerificationRequest {
  name: string;
  address: string;
  contract: string;
  constructorArgs: unknown[];
}

interface SavedDeployment {
  address: string;
  abi: InterfaceAbi;
  argsData: string;
}

/** Reads every deployed contract of `VERIFIED_CONTRACTS` found in `networkDir` (a `deployments/<network>` folder). */
export async function verificationRequests(networkDir: string): Promise<VerificationRequest[]> {
  const files = new Set(await readdir(networkDir));
  const requests: VerificationRequest[] = [];
  for (const [name, contract] of Object.entries(VERIFIED_CONTRACTS)) {
    if (!files.has(`${name}.json`)) continue;
    const saved = JSON.parse(await readFile(path.join(networkDir, `${name}.json`), "utf8")) as SavedDeployment;
    const inputs = new Interface(saved.abi).deploy.inputs;
    const decoded = AbiCoder.defaultAbiCoder().decode(inputs, saved.argsData);
    // Plain values (bigint, string, boolean), which hardhat-verify encodes again.
    const constructorArgs = inputs.map((_, i) => decoded[i] as unknown);
    requests.push({ name, address: saved.address, contract, constructorArgs });
  }
  return requests;
}
