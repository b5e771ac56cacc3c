/** Display names of common EVM chains, by chain id (decimal). */
export const NETWORK_NAMES: Readonly<Record<string, string>> = Object.freeze({
  "1": "Ethereum",
  "10": "OP Mainnet",
  "56": "BNB Smart Chain",
  "100": "Gnosis",
  "137": "Polygon",
  "8453": "Base",
  "42161": "Arbitrum One",
  "42220": "Celo",
  "43114": "Avalanche C-Chain",
  "59144": "Linea",
  "534352": "Scroll",
  "11155111": "Sepolia",
  "84532": "Base Sepolia",
  "11155420": "OP Sepolia",
  "421614": "Arbitrum Sepolia",
  "80002": "Polygon Amoy",
  "31337": "Hardhat local",
});

/** The chain's display name (`NETWORK_NAMES`), or `chain <id>` for one not listed. */
export function networkName(chainId: bigint): string {
  return NETWORK_NAMES[chainId.toString()] ?? `chain ${chainId}`;
}
