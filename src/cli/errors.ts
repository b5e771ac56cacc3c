/**
 * Errors of the CLI itself, and the one place that turns any thrown value into the single line the user sees.
 */
import { ScanPayError } from "../errors.js";
import { describeContractError } from "./sdk.js";

/** A problem the user can fix (bad input, wrong chain, nothing to do...). Exit code 1. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(message: string, code = "CLI_ERROR", exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad command line (unknown option, missing argument). Exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, "USAGE", 2);
    this.name = "UsageError";
  }
}

export interface OneLine {
  code: string;
  message: string;
  exitCode: number;
  /** Whether this was not foreseen (a bug or an environment problem): the user is told how to see the stack. */
  unexpected: boolean;
}

/** Maps anything thrown to one line of text and an exit code. Never throws. */
export function toOneLine(error: unknown): OneLine {
  try {
    return oneLine(classify(error));
  } catch {
    return { code: "UNEXPECTED", message: "unexpected error", exitCode: 1, unexpected: true };
  }
}

function oneLine(line: OneLine): OneLine {
  return { ...line, message: line.message.replace(/\s*\n\s*/g, " ").trim() };
}

function classify(error: unknown): OneLine {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, exitCode: error.exitCode, unexpected: false };
  }
  if (error instanceof ScanPayError) {
    return { code: error.code, message: error.message, exitCode: 1, unexpected: error.code === "UNEXPECTED" };
  }
  const e = error as { name?: unknown; code?: unknown; message?: unknown; shortMessage?: unknown } | null;
  const message = typeof e?.message === "string" ? e.message : String(error);
  const code = typeof e?.code === "string" ? e.code : "";

  const known = describeContractError(error);
  if (known !== undefined && known.code !== "RPC_ERROR" && known.code !== "INSUFFICIENT_FUNDS") {
    return { ...known, exitCode: 1, unexpected: false };
  }
  if (code === "ECONNREFUSED" || /ECONNREFUSED|fetch failed|socket hang up/.test(message)) {
    return {
      code: "NETWORK_UNREACHABLE",
      message: "cannot reach the network's JSON-RPC server: is the node running (npx hardhat node) and the URL right?",
      exitCode: 1,
      unexpected: false,
    };
  }
  if (code === "INSUFFICIENT_FUNDS" || /insufficient funds/i.test(message)) {
    return {
      code: "INSUFFICIENT_FUNDS",
      message: "insufficient ETH to pay for the transaction and its gas",
      exitCode: 1,
      unexpected: false,
    };
  }
  if (known !== undefined) return { ...known, exitCode: 1, unexpected: false };
  if (code === "ACTION_REJECTED") {
    return { code: "REJECTED", message: "the signer rejected the request", exitCode: 1, unexpected: false };
  }
  if (["ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR", "EEXIST", "EROFS", "ENOSPC"].includes(code)) {
    return { code, message: firstLine(message), exitCode: 1, unexpected: false };
  }
  const short = typeof e?.shortMessage === "string" ? e.shortMessage : message;
  return { code: "UNEXPECTED", message: firstLine(short) || "unexpected error", exitCode: 1, unexpected: true };
}

function firstLine(text: string): string {
  return (text.split("\n").find((line) => line.trim() !== "") ?? "").trim();
}
