import { Signature, type Signer } from "ethers";

import type { BuildReceiveAuthorizationOptions } from "../authorization/buildReceiveAuthorization.js";
import { buildReceiveAuthorization } from "../authorization/buildReceiveAuthorization.js";
import type { AuthorizationTokenDomain, ReceiveAuthorization } from "../authorization/types.js";
import { normalizeInvoice } from "../invoice/normalizeInvoice.js";
import type { EscrowLocation, Invoice } from "../invoice/types.js";
import { RunnerError } from "./errors.js";
import { readCall } from "./internal/send.js";
import { readAuthorizationDomain } from "./readAuthorizationDomain.js";

/** Options of `signReceiveAuthorization`. */
export interface SignReceiveAuthorizationOptions extends BuildReceiveAuthorizationOptions {
  /**
   * The token's EIP-712 name and version. Default: read with EIP-5267 `eip712Domain()`, else `name()` and
   * `version()` (FiatToken v2); a token with neither needs them given (what its `DOMAIN_SEPARATOR` was built from).
   */
  tokenDomain?: Partial<AuthorizationTokenDomain>;
}

/**
 * The payer's side of a gasless payment: builds the `ReceiveWithAuthorization` for `invoice`
 * (`buildReceiveAuthorization`), has `signer` (the payer) sign it with `eth_signTypedData_v4`, and returns it
 * split for `payWithAuthorization`. Reads the token's name and version unless given (`eip712Domain()`, else
 * `name()` / `version()`).
 * @throws InvoiceFieldError (see `buildReceiveAuthorization`); RunnerError NO_PROVIDER when the name or version
 *   must be read and the signer has no provider; InvalidArgumentError (`tokenDomain`) when the token has no
 *   `name()` / `version()` to read and none was given; UserRejectedError.
 */
export async function signReceiveAuthorization(
  signer: Signer,
  invoice: Invoice,
  location: EscrowLocation,
  options: SignReceiveAuthorizationOptions = {},
): Promise<ReceiveAuthorization> {
  const normalized = normalizeInvoice(invoice);
  const given = options.tokenDomain ?? {};
  const provider = signer.provider;
  if ((given.name === undefined || given.version === undefined) && provider === null) {
    throw new RunnerError("NO_PROVIDER", "the signer has no provider to read the token's name and version");
  }
  // Given whole, nothing is read (readAuthorizationDomain returns it as is).
  const { name, version } = await readAuthorizationDomain(provider as NonNullable<typeof provider>, normalized.token, given);
  const from = await signer.getAddress();
  const typed = buildReceiveAuthorization(normalized, location, from, { name, version }, options);
  const raw = await readCall(() => signer.signTypedData(typed.domain, typed.types, typed.message));
  const signature = Signature.from(raw);
  return {
    from,
    validAfter: typed.message.validAfter,
    validBefore: typed.message.validBefore,
    v: signature.v,
    r: signature.r,
    s: signature.s,
  };
}
