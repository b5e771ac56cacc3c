import { Interface, type InterfaceAbi, isError } from "ethers";

import {
  DepositRouter__factory,
  LoyaltyPoints__factory, MerchantRegistry__factory, PaymentEscrow__factory, TestToken__factory } from "../../typechain-types/index.js";
import { ScanPayError } from "../errors.js";
import { describeContractError } from "./contractErrorMessages.js";
import {
  type ContractErrorArg,
  InsufficientFundsError,
  RpcError,
  ScanPayContractError,
  UnexpectedError,
  UserRejectedError,
} from "./errors.js";

/** Every custom error the escrow, registry, points and an OpenZeppelin ERC-20 can revert with, deduplicated. */
const ERRORS = (() => {
  const abis: InterfaceAbi[] = [
    PaymentEscrow__factory.abi,
    DepositRouter__factory.abi,
    MerchantRegistry__factory.abi,
    LoyaltyPoints__factory.abi,
    TestToken__factory.abi,
  ];
  const seen = new Set<string>();
  const fragments: string[] = [];
  for (const abi of abis) {
    for (const fragment of Interface.from(abi).fragments) {
      if (fragment.type !== "error") continue;
      const full = fragment.format("full");
      const sighash = fragment.format("sighash");
      if (seen.has(sighash)) continue;
      seen.add(sighash);
      fragments.push(full);
    }
  }
  return new Interface(fragments);
})();

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;
/** Keys under which providers nest the original error; `transaction` is never followed (its `data` is calldata). */
const NESTED_KEYS = ["error", "info", "cause", "originalError", "data", "body"] as const;

/**
 * Turns anything a contract call or transaction threw into a `ScanPayError` with a plain one-line message:
 * - a revert with data becomes a `ScanPayContractError` with the decoded custom error (escrow, registry,
 *   points, OpenZeppelin ERC-20 / access control), `Error(string)` or `Panic(uint256)`;
 * - a revert without data becomes a `ScanPayContractError` with `errorName` "";
 * - wallet rejection, insufficient funds for gas and RPC failures get their own classes;
 * - a `ScanPayError` passes through unchanged; anything else becomes an `UnexpectedError`.
 * Never throws.
 */
export function decodeScanPayError(error: unknown): ScanPayError {
  if (error instanceof ScanPayError) return error;
  const data = findRevertData(error, 0);
  if (data !== undefined) return fromRevertData(data, error);
  const message = messageOf(error);
  if (isError(error, "ACTION_REJECTED")) return new UserRejectedError({ cause: error });
  if (isError(error, "INSUFFICIENT_FUNDS") || /insufficient funds|doesn't have enough funds/i.test(message)) {
    return new InsufficientFundsError(undefined, { cause: error });
  }
  if (isError(error, "CALL_EXCEPTION")) {
    return new ScanPayContractError("", {}, "the transaction reverted without a reason", "0x", { cause: error });
  }
  if (
    isError(error, "NETWORK_ERROR") ||
    isError(error, "TIMEOUT") ||
    isError(error, "SERVER_ERROR") ||
    isError(error, "UNKNOWN_ERROR") ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|fetch failed|socket hang up|rate limit/i.test(message)
  ) {
    return new RpcError(`the RPC endpoint failed: ${firstLine(message)}`, { cause: error });
  }
  return new UnexpectedError(firstLine(message) || "unexpected error", { cause: error });
}

/** Decodes raw revert data (0x-hex) into a `ScanPayContractError`. */
export function decodeRevertData(data: string, cause?: unknown): ScanPayContractError {
  return fromRevertData(data, cause);
}

function fromRevertData(data: string, cause: unknown): ScanPayContractError {
  const options = cause === undefined ? undefined : { cause };
  if (data === "0x") return new ScanPayContractError("", {}, "the transaction reverted without a reason", data, options);
  let description: ReturnType<Interface["parseError"]> = null;
  try {
    description = ERRORS.parseError(data);
  } catch {
    description = null;
  }
  if (description === null) {
    return new ScanPayContractError("", {}, `the contract reverted with unknown error ${data.slice(0, 10)}`, data, options);
  }
  const args: Record<string, ContractErrorArg> = {};
  description.fragment.inputs.forEach((input, i) => {
    const fallback = description.name === "Error" ? "reason" : description.name === "Panic" ? "code" : `arg${i}`;
    args[input.name === "" ? fallback : input.name] = toArg(description.args[i]);
  });
  return new ScanPayContractError(description.name, args, describeContractError(description.name, args), data, options);
}

function toArg(value: unknown): ContractErrorArg {
  if (typeof value === "bigint" || typeof value === "string" || typeof value === "boolean") return value;
  return String(value);
}

function findRevertData(value: unknown, depth: number): string | undefined {
  if (depth > 6 || typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const direct = record.data;
  if (typeof direct === "string" && HEX_RE.test(direct) && (direct === "0x" || direct.length >= 10)) {
    // An empty "0x" is only trusted from a call exception; otherwise keep looking for better data.
    if (direct !== "0x") return direct;
    if (isError(value, "CALL_EXCEPTION")) return direct;
  }
  for (const key of NESTED_KEYS) {
    const nested = record[key];
    if (typeof nested === "object" && nested !== null) {
      const found = findRevertData(nested, depth + 1);
      if (found !== undefined) return found;
    } else if (key === "body" && typeof nested === "string") {
      try {
        const found = findRevertData(JSON.parse(nested) as unknown, depth + 1);
        if (found !== undefined) return found;
      } catch {
        // not JSON
      }
    }
  }
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: unknown }).shortMessage;
    return typeof short === "string" && short !== "" ? short : error.message;
  }
  return String(error);
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
