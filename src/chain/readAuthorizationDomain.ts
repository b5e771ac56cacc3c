import { Contract, type Provider } from "ethers";

import type { AuthorizationTokenDomain } from "../authorization/types.js";
import { InvalidArgumentError, ScanPayContractError, UnexpectedError } from "./errors.js";
import { readCall } from "./internal/send.js";

const DOMAIN_ABI = [
  "function name() view returns (string)",
  "function version() view returns (string)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
];

/**
 * The EIP-712 domain name and version of an EIP-3009 token, what its `ReceiveWithAuthorization` is signed under:
 * EIP-5267 `eip712Domain()` first (OpenZeppelin's EIP712 has it), then FiatToken's `name()` / `version()`; the
 * parts in `given` are used as they are.
 * @throws InvalidArgumentError (`tokenDomain`) when the token has no readable name or version and none was given.
 */
export async function readAuthorizationDomain(
  provider: Provider,
  token: string,
  given: Partial<AuthorizationTokenDomain> = {},
): Promise<AuthorizationTokenDomain> {
  let { name, version } = given;
  if (name !== undefined && version !== undefined) return { name, version };
  const contract = new Contract(token, DOMAIN_ABI, provider);
  const domain = await readCall(() => contract.getFunction("eip712Domain")() as Promise<{ name: string; version: string }>).catch(() => undefined);
  if (domain !== undefined) {
    name ??= domain.name;
    version ??= domain.version;
  }
  const read = async (field: "name" | "version", known: string | undefined): Promise<string> => {
    if (known !== undefined) return known;
    try {
      return await readCall(() => contract.getFunction(field)() as Promise<string>);
    } catch (error) {
      if (error instanceof ScanPayContractError || error instanceof UnexpectedError) {
        throw new InvalidArgumentError(
          "tokenDomain",
          `token ${token} has no readable ${field}(): give options.tokenDomain.${field} (its EIP-712 domain ${field})`,
        );
      }
      throw error;
    }
  };
  const [readName, readVersion] = await Promise.all([read("name", name), read("version", version)]);
  return { name: readName, version: readVersion };
}
