/** A merchant as the services show it: never the signer key. */
export interface Merchant {
  id: string;
  chainId: bigint;
  onChainId: bigint;
  name: string;
  signerAddress: string;
  createdAt: Date;
}
