/** Small helpers the attack tests share: registering a merchant and picking accounts. */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { MerchantRegistry } from "../../typechain-types/index.js";

export interface Merchant {
  id: bigint;
  signer: HardhatEthersSigner;
  payout: string;
}

/** `list[index]`, failing loudly instead of returning undefined. */
export function pick<T>(list: T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new Error(`no account at index ${index}`);
  return value;
}

/** Registers a merchant named "Shop" and returns its id (read with a static call first). */
export async function register(
  registry: MerchantRegistry,
  owner: HardhatEthersSigner,
  signer: HardhatEthersSigner,
  payout: string,
  hold: bigint,
): Promise<Merchant> {
  const id = await registry.connect(owner).register.staticCall(owner.address, payout, signer.address, hold, "Shop", "");
  await registry.connect(owner).register(owner.address, payout, signer.address, hold, "Shop", "");
  return { id, signer, payout };
}
