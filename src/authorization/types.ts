import type { TypedDataDomain, TypedDataField } from "ethers";

/** EIP-3009 `ReceiveWithAuthorization` type, field by field (FiatToken v2: USDC, EURC). */
export const RECEIVE_WITH_AUTHORIZATION_TYPES = {
  ReceiveWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

/** The token's EIP-712 domain name and version (USDC: "USD Coin", "2"); read them with `token.name()` / `version()`. */
export interface AuthorizationTokenDomain {
  name: string;
  version: string;
}

/** The message a payer signs to pay an invoice with `payWithAuthorization` (all integers bigint). */
export interface ReceiveAuthorizationMessage {
  /** The payer. */
  from: string;
  /** The escrow: only the payee can execute a `receiveWithAuthorization`. */
  to: string;
  /** The invoice amount. */
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  /** The invoice's EIP-712 digest: the authorization pays this invoice and nothing else. */
  nonce: string;
}

/**
 * Everything `eth_signTypedData_v4` needs (ethers: `signer.signTypedData(domain, types, message)`). `types` holds
 * only the primary type (ethers derives `EIP712Domain` itself; a raw `eth_signTypedData_v4` call adds it).
 */
export interface ReceiveAuthorizationTypedData {
  domain: TypedDataDomain & { name: string; version: string; chainId: bigint; verifyingContract: string };
  types: Record<string, TypedDataField[]>;
  primaryType: "ReceiveWithAuthorization";
  message: ReceiveAuthorizationMessage;
}

/**
 * A signed EIP-3009 `ReceiveWithAuthorization` in the shape of the escrow's `ReceiveAuthorization` argument:
 * the payer, the validity window and the payer's signature split into v, r, s.
 */
export interface ReceiveAuthorization {
  from: string;
  validAfter: bigint;
  validBefore: bigint;
  v: number;
  r: string;
  s: string;
}
