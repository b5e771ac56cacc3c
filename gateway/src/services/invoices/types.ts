/** What a caller asks for when it creates an invoice (amounts in base units). */
export interface InvoiceRequest {
  /** Zero address for ETH, otherwise the ERC-20 address (0x + 40 hex; stored lower-case). */
  token: string;
  /** Base units, 1 .. 2^96-1. */
  amount: bigint;
  /** Last unix second the invoice can be paid (uint40). */
  expiry: bigint;
  /** Only this account may pay; zero address (default) = anyone. */
  payer?: string;
  pointsAward?: bigint;
  pointsRedeem?: bigint;
  /** 32 bytes as 0x-hex; zero (default) if unused. */
  orderRef?: string;
  /** Free-form JSON object, returned as given. */
  metadata?: Record<string, unknown>;
}

export type InvoiceStatus = "open";

/** A stored invoice. */
export interface InvoiceRecord {
  id: string;
  merchantId: string;
  invoiceNumber: bigint;
  token: string;
  amount: bigint;
  expiry: bigint;
  payer: string;
  pointsAward: bigint;
  pointsRedeem: bigint;
  orderRef: string;
  metadata: Record<string, unknown>;
  status: string;
  idempotencyKey: string | null;
  createdAt: Date;
}
