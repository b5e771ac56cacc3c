import { Contract, Signature, type Signer } from "ethers";

import type { BuildReceiveAuthorizationOptions } from "../authorization/buildReceiveAuthorization.js";
import { buildReceiveAuthorization } from "../authorization/buildReceiveAuthorization.js";
import type { AuthorizationTokenDomain, ReceiveAuthorization } from "../authorization/types.js";
import { normalizeInvoice } from "../invoice/normalizeInvoice.js";
import type { EscrowLocation, Invoice } from "../invoice/types.js";
import { InvalidArgumentError, RunnerError, ScanPayContractError, UnexpectedError } from "./errors.js";
import { readCall } from "./internal/send.js";

/** Options of `signReceiveAuthorization`. */
export interface SignReceiveAuthorizationOptions extends BuildReceiveAuthorizationOptions {
  /**
   * The token's EIP-712 name and version. Default: read with EIP-5267 `eip712Domain()`, else `name()` and
   * `version()` (FiatToken v2); a token with neither needs them given (what its `DOMAIN_SEPARATOR` was built from).
   */
  tokenDomain?: Partial<AuthorizationTokenDomain>;
}

const DOMAIN_ABI = [
  "function name() view returns (string)",
  "function version() view returns (string)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
];

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
  let { name, version } = options.tokenDomain ?? {};
  if (name === undefined || version === undefined) {
    const provider = signer.provider;
    if (provider === null) throw new RunnerError("NO_PROVIDER", "the signer has no provider to read the token's name and version");
    const token = new Contract(normalized.token, DOMAIN_ABI, provider);
    // EIP-5267 first (OpenZeppelin's EIP712 has it), then FiatToken's name() / version().
    const domain = await readCall(() => token.getFunction("eip712Domain")() as Promise<{ name: string; version: string }>).catch(() => undefined);
    if (domain !== undefined) {
      name ??= domain.name;
      version ??= domain.version;
    }
    const read = async (field: "name" | "version", given: string | undefined): Promise<string> => {
      if (given !== undefined) return given;
      try {
        return await readCall(() => token.getFunction(field)() as Promise<string>);
      } catch (error) {
        if (error instanceof ScanPayContractError || error instanceof UnexpectedError) {
          throw new InvalidArgumentError(
            "tokenDomain",
            `token ${normalized.token} has no readable ${field}(): give options.tokenDomain.${field} (its EIP-712 domain ${field})`,
          );
        }
        throw error;
      }
    };
    [name, version] = await Promise.all([read("name", name), read("version", version)]);
  }
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
