/** What the dashboard reads from the API (the JSON shapes it uses; the OpenAPI document has them in full). */

export type Scope = "read" | "create" | "refund" | "keys";

import type { AcceptedToken, MerchantProfile } from "../merchantProfile.js";

export type { AcceptedToken as TokenInfo, MerchantProfile };

export interface Invoice {
  id: string;
  invoiceNumber: string;
  token: { address: string; symbol: string | null; decimals: number | null };
  amount: { baseUnits: string; decimal: string | null };
  expiresAt: number;
  payer: string;
  pointsAward: number;
  pointsRedeem: number;
  orderRef: string;
  orderRefText: string | null;
  holdPeriod: number | null;
  status: string;
  createdAt: string;
  links: { checkout: string };
}

export interface InvoicePage {
  invoices: Invoice[];
  nextCursor: string | null;
}

export interface InvoiceEvent {
  id: string;
  seq: string;
  type: string;
  createdAt: string;
  data: {
    invoice?: { paidBy?: string | null; paidAmount?: string | null; refundedAmount?: string | null; releaseAt?: string | null; paidTransaction?: string | null };
    chain?: { transactionHash: string; blockNumber: string; event: string } | null;
  };
}

export interface Delivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
}

export interface UnsignedTransaction {
  chainId: string;
  to: string;
  data: string;
  value: string;
}

export interface PaymentResult {
  mode: "unsigned" | "send";
  transactions?: UnsignedTransaction[];
  sent?: { hash: string; blockNumber: number; gasUsed: string; from: string };
  summary: {
    action: "refund" | "refundSettled" | "release";
    chainStatus: string;
    token: { address: string; symbol: string | null; decimals: number | null };
    payer: string;
    amount: { baseUnits: string; decimal: string | null };
    refundable: { baseUnits: string; decimal: string | null } | null;
    full: boolean;
    pointsToRestore: string | null;
    pointsToClawBack: string | null;
    sender: string;
  };
}

export interface DailyReport {
  from: string;
  to: string;
  days: {
    date: string;
    token: { address: string; symbol: string | null; decimals: number | null };
    invoicesCreated: number;
    paidCount: number;
    paidAmount: string;
    refundedAmount: string;
    pointsIssued: string;
    pointsRedeemed: string;
  }[];
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  createdAt: string;
}

export interface ApiKeyInfo {
  id: string;
  scopes: Scope[];
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

/** What every section gets: the key, the merchant, and what the key may do. */
export interface Session {
  key: string;
  merchant: MerchantProfile;
  can(scope: Scope): boolean;
  /** Announces a short message to screen readers (and shows it in the status line). */
  announce(message: string): void;
}
