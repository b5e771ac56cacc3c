/**
 * Solidity hook handlers of the `scanpay-library-warnings` plugin (hardhat.config.ts): drops the compiler's
 * warnings about library code (files of npm packages, e.g. OpenZeppelin's `"error" will be promoted to keyword`
 * in ECDSA.sol and the transient-storage warning in TransientSlot.sol) from the compiler output, so that a build
 * prints only what this project can act on. Warnings about this project's own files, and every error, are kept.
 *
 * Hardhat 3 has no setting for this (its own suppression list, warning-suppression.ts, covers console.sol and test
 * files only), so the `invokeSolc` hook filters solc's output before Hardhat prints it.
 */
import type { SolidityHooks } from "hardhat/types/hooks";
import type { CompilerOutput, CompilerOutputError } from "hardhat/types/solidity";

/** Hardhat's source names of npm packages' files: `npm/<package>@<version>/<path>`. */
const LIBRARY_SOURCE_PREFIX = "npm/";

/** The file a diagnostic points at: solc's `sourceLocation.file` (a source name). */
function sourceFile(error: CompilerOutputError): string | undefined {
  return (error as CompilerOutputError & { sourceLocation?: { file?: string } }).sourceLocation?.file;
}

/** True for a warning (or info) about a file of an npm package. */
export function isLibraryWarning(error: CompilerOutputError): boolean {
  return error.severity !== "error" && (sourceFile(error)?.startsWith(LIBRARY_SOURCE_PREFIX) ?? false);
}

/** The compiler output without warnings about library files. */
export function withoutLibraryWarnings(output: CompilerOutput): CompilerOutput {
  if (output.errors === undefined) return output;
  const errors = output.errors.filter((error) => !isLibraryWarning(error));
  return errors.length === output.errors.length ? output : { ...output, errors };
}

export default async (): Promise<Partial<SolidityHooks>> => ({
  async invokeSolc(context, compiler, solcInput, solcConfig, next) {
    return withoutLibraryWarnings(await next(context, compiler, solcInput, solcConfig));
  },
});
