/** Block explorers of the chains ScanPay is deployed on or tested against: a receipt links its transaction there. */
const EXPLORERS: Readonly<Record<string, string>> = {
  "1": "https://etherscan.io",
  "10": "https://optimistic.etherscan.io",
  "137": "https://polygonscan.com",
  "8453": "https://basescan.org",
  "42161": "https://arbiscan.io",
  "11155111": "https://sepolia.etherscan.io",
  "84532": "https://sepolia.basescan.org",
  "11155420": "https://sepolia-optimism.etherscan.io",
  "421614": "https://sepolia.arbiscan.io",
};

/** The transaction's explorer page, or undefined on a chain without a known explorer (a local chain). */
export function transactionUrl(chainId: string, hash: string): string | undefined {
  const base = EXPLORERS[chainId];
  return base === undefined ? undefined : `${base}/tx/${hash}`;
}
