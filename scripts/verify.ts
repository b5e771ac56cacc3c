/**
 * Verifies a testnet deployment on the block explorer in one command:
 *
 *   npx hardhat keystore set ETHERSCAN_API_KEY
 *   npx hardhat run scripts/verify.ts --network sepolia
 *
 * It reads `deployments/<network>/` (written by `npx hardhat deploy --network <network>`) and submits each
 * contract with its constructor arguments through hardhat-verify (Etherscan, and Blockscout/Sourcify where the
 * plugin has them configured).
 */
import path from "node:path";

import { verifyContract } from "@nomicfoundation/hardhat-verify/verify";
import hre from "hardhat";

import { verificationRequests } from "./verify/verificationRequests.js";

const { networkName } = await hre.network.create();
const dir = path.join(import.meta.dirname, "..", "deployments", networkName);
const requests = await verificationRequests(dir).catch(() => undefined);
if (requests === undefined || requests.length === 0) {
  console.error(`error: no deployment in ${dir}: run \`npx hardhat deploy --network ${networkName}\` first`);
  process.exitCode = 1;
} else {
  for (const request of requests) {
    console.log(`Verifying ${request.name} at ${request.address} ...`);
    const { address, contract, constructorArgs } = request;
    await verifyContract({ address, contract, constructorArgs }, hre);
  }
  console.log(`Verified ${requests.length} contracts on ${networkName}.`);
}
