/** The JSON the checkout page reads (the public API's CheckoutInvoice and WalletPayment schemas). */

export interface CheckoutToken {
  address: string;
  symbol: string | null;
  decimals: number | null;
}

export interface CheckoutAmount {
  baseUnits: string;
  decimal: string | null;
}

/** GET /v1/public/invoices/{id} */
export interface CheckoutInvoice {
  id: string;
  status: string;
  merchantName: string;
  chainId: string;
  escrow: string;
  token: CheckoutToken;
  amount: CheckoutAmount;
  /** Unix seconds: the last second it can be paid. */
  expiresAt: number;
  qr: {
    deposit: { address: string; uri: string } | null;
    depositUnavailable: string | null;
    payPacked: { uri: string; audience: string };
    compact: { text: string; audience: string };
  } | null;
  invoiceNumber: string;
  pointsAward: number;
  transactionHash: string | null;
}

export interface WalletCall {
  action: "approve" | "pay";
  to: string;
  data: string;
  /** Wei, decimal string. */
  value: string;
}

export interface WalletTypedData {
  types: Record<string, { name: string; type: string }[]>;
  primaryType: "ReceiveWithAuthorization";
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  message: { from: string; to: string; value: string; validAfter: string; validBefore: string; nonce: string };
}

/** GET /v1/public/invoices/{id}/wallet-payment?from= */
export interface WalletPayment {
  flow: "authorization" | "approve-and-pay" | "pay";
  invoiceId: string;
  chainId: string;
  from: string;
  escrow: string;
  merchantName: string;
  token: CheckoutToken;
  amount: CheckoutAmount;
  balance: string | null;
  allowance: string | null;
  typedData: WalletTypedData | null;
  calls: WalletCall[];
}

/** POST /v1/public/invoices/{id}/authorization */
export interface RelayedPayment {
  invoiceId: string;
  payer: string;
  relayer: string;
  transactionHash: string;
  blockNumber: number;
}

/** Statuses after which the invoice is paid (the receipt shows). */
export const PAID_STATUSES: readonly string[] = ["held", "settled", "partially_refunded", "refunded", "disputed"];
/** Statuses in which nothing more can be paid. */
export const CLOSED_STATUSES: readonly string[] = ["expired", "cancelling", "cancelled", ...PAID_STATUSES];
