/** What the point of sale reads from the API (the JSON shapes of GET /v1/merchant and POST /v1/invoices it uses). */

import type { AcceptedToken, MerchantProfile } from "../merchantProfile.js";

export type { AcceptedToken as PosToken, MerchantProfile };

/** The parts of an invoice (POST /v1/invoices) the sale screen shows. */
export interface PosInvoice {
  id: string;
  status: string;
  chainId: string;
  token: { address: string; symbol: string | null; decimals: number | null };
  amount: { baseUnits: string; decimal: string | null };
  /** Unix seconds (the chain's clock). */
  expiresAt: number;
  pointsRedeem: number;
  qr: {
    /** The plain transfer to the invoice's own deposit address; null when the invoice redeems points. */
    deposit: { address: string; uri: string } | null;
    payPacked: { uri: string };
  } | null;
}

/** What the cashier asks for: the body of POST /v1/invoices. */
export interface ChargeRequest {
  /** Decimal in the token's units, exactly as typed ("12.5"). */
  amount: string;
  /** The token's address. */
  token: string;
  expiresIn: number;
  pointsRedeem?: number;
  payer?: string;
}

/** Where a sale is, as the cashier sees it. */
export type SalePhase = "waiting" | "seen" | "paid" | "expired" | "cancelled";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
