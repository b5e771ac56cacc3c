/**
 * The local demo's USDC-like token: contracts/mocks/AuthorizationToken.sol (FiatToken v2's EIP-3009, domain
 * "USD Coin" / "2", 6 decimals, anyone may mint), deployed and allowed on the escrow so the hosted checkout's
 * one-signature payment can be shown and tested. Local chains only: an allowlisted token anyone can mint would
 * let anyone "pay" real merchants with worthless tokens.
 */
import type { Signer } from "ethers";

import { AuthorizationToken__factory, PaymentEscrow__factory } from "../../../typechain-types/index.js";

export interface DemoAuthorizationToken {
  address: string;
  symbol: string;
  decimals: number;
}

/**
 * Deploys the token from `deployer`, allows it on `escrow` with the platform `admin`, and mints `amount` (base
 * units) to each of `mintTo`.
 */
export async function deployAuthorizationToken(
  deployer: Signer,
  admin: Signer,
  escrow: string,
  mintTo: readonly string[] = [],
  amount = 1_000_000_000n,
): Promise<DemoAuthorizationToken> {
  const token = await new AuthorizationToken__factory(deployer).deploy();
  await token.waitForDeployment();
  const address = await token.getAddress();
  await (await PaymentEscrow__factory.connect(escrow, admin).setTokenAllowed(address, true)).wait();
  for (const to of mintTo) await (await token.mint(to, amount)).wait();
  return { address, symbol: await token.symbol(), decimals: Number(await token.decimals()) };
}
