import type { BaseContract, ContractRunner, Provider, Signer } from "ethers";

import { RunnerError } from "../errors.js";

/** The provider behind a contract's runner. @throws RunnerError NO_PROVIDER */
export function providerOf(contract: BaseContract): Provider {
  const provider = contract.runner?.provider ?? null;
  if (provider === null) throw new RunnerError("NO_PROVIDER", "the contract is not connected to a provider");
  return provider;
}

/** The signer a contract is connected to, and its address. @throws RunnerError NO_SIGNER */
export async function signerOf(contract: BaseContract): Promise<{ signer: Signer; address: string }> {
  const runner = contract.runner;
  if (!isSigner(runner)) {
    throw new RunnerError("NO_SIGNER", "this needs a contract connected to a signer (an account that can send transactions)");
  }
  return { signer: runner, address: await runner.getAddress() };
}

export function isSigner(runner: ContractRunner | null): runner is Signer {
  return (
    runner !== null &&
    typeof (runner as Partial<Signer>).getAddress === "function" &&
    typeof (runner as Partial<Signer>).signTypedData === "function" &&
    typeof runner.sendTransaction === "function"
  );
}

/** Chain id of the contract's network. */
export async function chainIdOf(contract: BaseContract): Promise<bigint> {
  return (await providerOf(contract).getNetwork()).chainId;
}

/** Unix seconds of the latest block. */
export async function latestTimestamp(provider: Provider): Promise<bigint> {
  const block = await provider.getBlock("latest");
  if (block === null) throw new RunnerError("NO_PROVIDER", "the provider returned no latest block");
  return BigInt(block.timestamp);
}
