/**
 * The SDK invoice an API response describes (what the merchant's signature covers). Pure (no Hardhat), so scripts
 * such as the gateway benchmark use it too.
 */
import type { Invoice } from "../../../src/invoice/types.js";

/** Fields of the API's Invoice JSON that the signature covers. */
export interface InvoiceJsonFields {
  onChainMerchantId: string;
  invoiceNumber: string;
  token: { address: string };
  amount: { baseUnits: string };
  expiresAt: number;
  payer: string;
  pointsAward: number;
  pointsRedeem: number;
  orderRef: string;
  holdPeriod: number | null;
  epoch: number | null;
}

export function sdkInvoiceOf(json: InvoiceJsonFields): Invoice {
  return {
    merchantId: BigInt(json.onChainMerchantId),
    invoiceNumber: BigInt(json.invoiceNumber),
    token: json.token.address,
    amount: BigInt(json.amount.baseUnits),
    expiry: BigInt(json.expiresAt),
    payer: json.payer,
    pointsAward: BigInt(json.pointsAward),
    pointsRedeem: BigInt(json.pointsRedeem),
    orderRef: json.orderRef,
    holdPeriod: BigInt(json.holdPeriod ?? 0),
    epoch: BigInt(json.epoch ?? 0),
  };
}
