/**
 * Whether a token can be paid with one EIP-3009 signature, and under which EIP-712 domain. A FiatToken v2 (USDC,
 * EURC) answers `authorizationState(address,bytes32)` and has a readable domain (EIP-5267 `eip712Domain()`, or
 * `name()` / `version()`); a plain ERC-20 reverts. A token's answer does not change, so a yes is kept for the
 * process's life (one RPC round per token, not per page view); a no is asked again next time (it may have been an
 * RPC failure).
 */
import { Contract, type Provider } from "ethers";

import type { AuthorizationTokenDomain } from "../../../../src/authorization/types.js";
import { readAuthorizationDomain } from "../../../../src/chain/readAuthorizationDomain.js";
import { ZERO_ADDRESS, ZERO_BYTES32 } from "../../../../src/invoice/types.js";

const known = new WeakMap<Provider, Map<string, AuthorizationTokenDomain>>();

const STATE_ABI = ["function authorizationState(address authorizer, bytes32 nonce) view returns (bool)"];

/** The token's EIP-712 domain if it supports EIP-3009 receiveWithAuthorization, else undefined. */
export async function authorizationDomainOf(provider: Provider, token: string): Promise<AuthorizationTokenDomain | undefined> {
  if (token.toLowerCase() === ZERO_ADDRESS.toLowerCase()) return undefined;
  let byToken = known.get(provider);
  if (byToken === undefined) {
    byToken = new Map();
    known.set(provider, byToken);
  }
  const key = token.toLowerCase();
  const cached = byToken.get(key);
  if (cached !== undefined) return cached;
  try {
    await new Contract(token, STATE_ABI, provider).getFunction("authorizationState")(ZERO_ADDRESS, ZERO_BYTES32);
    const domain = await readAuthorizationDomain(provider, token);
    byToken.set(key, domain);
    return domain;
  } catch {
    return undefined;
  }
}
