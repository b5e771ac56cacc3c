/**
 * Which chains are local (a throwaway chain on this machine) and which are public testnets. Used by the deploy
 * script of the public-mint TestToken and by the `hardhat deploy` task (no confirmation prompt on a local chain).
 * No imports: hardhat.config.ts and the deploy task load this file without pulling in rocketh or viem.
 */

/** The public testnets of hardhat.config.ts (rocketh environment names = Hardhat network names). */
export const TESTNETS = ["sepolia", "baseSepolia", "opSepolia"] as const;

/** Chain ids of local development chains: Hardhat's in-process chain and `hardhat node` (31337), Ganache/geth dev (1337). */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

/**
 * True only for a local development chain: its chain id is a local one AND the environment is not one of the
 * public testnets. A `hardhat node` started with a testnet's chain id (`--chain-id 11155111`) is not local, and
 * neither is a network named like a testnet, whatever chain it reaches.
 */
export function isLocalChain(chainId: number | bigint | string, environmentName: string): boolean {
  const id = Number(chainId);
  return LOCAL_CHAIN_IDS.includes(id) && !(TESTNETS as readonly string[]).includes(environmentName);
}
