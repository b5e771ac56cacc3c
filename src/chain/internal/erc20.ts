import type { ContractRunner } from "ethers";

import { type TestToken, TestToken__factory } from "../../../typechain-types/index.js";

/** The ERC-20 functions the SDK uses (TestToken's ABI is the OpenZeppelin ERC-20's, a superset of them). */
export type Erc20 = Pick<TestToken, "balanceOf" | "allowance" | "approve" | "decimals" | "symbol" | "name" | "getAddress">;

/** Connects any ERC-20 at `address` (only standard functions are ever called on it). */
export function connectErc20(address: string, runner: ContractRunner): Erc20 {
  return TestToken__factory.connect(address, runner);
}
