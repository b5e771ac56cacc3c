/**
 * The invoice: one definition shared by the SDK and the escrow (`IPaymentEscrow.Invoice`).
 * Field widths match the Solidity struct; amounts are base units as `bigint`.
 */
export interface Invoice {
  /** Registry id of the merchant (uint32). */
  merchantId: bigint;
  /** Merchant-chosen invoice number, unique per merchant (uint64). */
  invoiceNumber: bigint;
  /** Zero address for ETH, otherwise an allowlisted ERC-20 (checksummed or lower-case hex). */
  token: string;
  /** Exact amount in base units (uint96). */
  amount: bigint;
  /** Last unix second at which the invoice can be paid (uint40). */
  expiry: bigint;
  /** Only this account may pay; the zero address lets anyone pay. */
  payer: string;
  /** Points the payer earns on settlement (uint32). */
  pointsAward: bigint;
  /** Points burned from the payer as a discount already in `amount` (uint32). */
  pointsRedeem: bigint;
  /** Merchant order reference, 32 bytes as 0x-hex; all zero if unused. */
  orderRef: string;
  /**
   * The refund window the payer is shown, in seconds (uint32). The escrow holds the payment for at least this
   * long (the longer of this and the merchant's current hold period), so no later change of the merchant's
   * settings can shorten a window the payer saw. 0 = settles at once unless the merchant's setting says longer.
   */
  holdPeriod: bigint;
  /**
   * The merchant's invoice epoch when the invoice was signed (uint32, `paymentTerms(merchantId).epoch`). The
   * escrow accepts only invoices of the current epoch: the merchant voids every outstanding invoice at once by
   * moving to the next epoch (`voidInvoices`), and every signer rotation does it too.
   */
  epoch: bigint;
}

/** An invoice with its signer's signature (0x-hex; 64-byte compact for EOAs in QR codes). */
export interface SignedInvoice {
  invoice: Invoice;
  signature: string;
}

/** Where an invoice is paid: the EIP-712 domain's chain and verifying contract. */
export interface EscrowLocation {
  chainId: bigint;
  escrow: string;
}

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
export const ZERO_BYTES32 = "0x0000000000000000000000000000000000000000000000000000000000000000";

/** EIP-712 domain name and version of the PaymentEscrow. */
export const EIP712_NAME = "ScanPay";
export const EIP712_VERSION = "1";

/** EIP-712 types of the invoice, in the order of the Solidity struct. */
export const INVOICE_TYPES = {
  Invoice: [
    { name: "merchantId", type: "uint32" },
    { name: "invoiceNumber", type: "uint64" },
    { name: "token", type: "address" },
    { name: "amount", type: "uint96" },
    { name: "expiry", type: "uint40" },
    { name: "payer", type: "address" },
    { name: "pointsAward", type: "uint32" },
    { name: "pointsRedeem", type: "uint32" },
    { name: "orderRef", type: "bytes32" },
    { name: "holdPeriod", type: "uint32" },
    { name: "epoch", type: "uint32" },
  ],
} as const;

/** The EIP-712 type string (its keccak256 is the escrow's INVOICE_TYPEHASH). */
export const INVOICE_TYPE_STRING =
  "Invoice(uint32 merchantId,uint64 invoiceNumber,address token,uint96 amount,uint40 expiry,address payer,uint32 pointsAward,uint32 pointsRedeem,bytes32 orderRef,uint32 holdPeriod,uint32 epoch)";

/** The longest refund window an invoice may carry, in seconds (the escrow's `MAX_HOLD_PERIOD()`: 365 days). */
export const MAX_INVOICE_HOLD_PERIOD = 365n * 24n * 3600n;

/** Upper bounds (inclusive) of each integer field. */
export const INVOICE_LIMITS = {
  merchantId: (1n << 32n) - 1n,
  invoiceNumber: (1n << 64n) - 1n,
  amount: (1n << 96n) - 1n,
  expiry: (1n << 40n) - 1n,
  pointsAward: (1n << 32n) - 1n,
  pointsRedeem: (1n << 32n) - 1n,
  holdPeriod: (1n << 32n) - 1n,
  epoch: (1n << 32n) - 1n,
} as const;
