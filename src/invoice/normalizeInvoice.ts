import { getAddress } from "ethers";

import { InvoiceFieldError } from "./errors.js";
import { INVOICE_LIMITS, type EscrowLocation, type Invoice } from "./types.js";

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;
const UINT_FIELDS = [
  "merchantId",
  "invoiceNumber",
  "amount",
  "expiry",
  "pointsAward",
  "pointsRedeem",
  "holdPeriod",
  "epoch",
] as const;

/**
 * Checks every field of an invoice against its Solidity type and returns it in canonical spelling: addresses
 * EIP-55 checksummed, `orderRef` lower-case hex, integers as `bigint`. Nothing else (expiry, amount > 0, ...) is
 * judged here: see `verifyInvoice`.
 * @throws InvoiceFieldError naming the first bad field.
 */
export function normalizeInvoice(invoice: Invoice): Invoice {
  if (typeof invoice !== "object" || invoice === null) throw new InvoiceFieldError("invoice", "invoice must be an object");
  for (const field of UINT_FIELDS) {
    const value: unknown = invoice[field];
    if (typeof value !== "bigint") throw new InvoiceFieldError(field, `invoice ${field} must be a bigint`);
    if (value < 0n || value > INVOICE_LIMITS[field]) {
      throw new InvoiceFieldError(field, `invoice ${field} must be between 0 and ${INVOICE_LIMITS[field]}`);
    }
  }
  const orderRef: unknown = invoice.orderRef;
  if (typeof orderRef !== "string" || !BYTES32_RE.test(orderRef)) {
    throw new InvoiceFieldError("orderRef", "invoice orderRef must be 32 bytes of 0x-hex");
  }
  return {
    merchantId: invoice.merchantId,
    invoiceNumber: invoice.invoiceNumber,
    token: normalizeAddress(invoice.token, "token"),
    amount: invoice.amount,
    expiry: invoice.expiry,
    payer: normalizeAddress(invoice.payer, "payer"),
    pointsAward: invoice.pointsAward,
    pointsRedeem: invoice.pointsRedeem,
    orderRef: orderRef.toLowerCase(),
    holdPeriod: invoice.holdPeriod,
    epoch: invoice.epoch,
  };
}

/**
 * Checks where an invoice is paid: a chain id >= 1 and a non-zero escrow address (returned checksummed).
 * @throws InvoiceFieldError (field `chainId` or `escrow`).
 */
export function normalizeLocation(location: EscrowLocation): EscrowLocation {
  if (typeof location !== "object" || location === null) {
    throw new InvoiceFieldError("location", "location must be { chainId, escrow }");
  }
  const chainId: unknown = location.chainId;
  if (typeof chainId !== "bigint" || chainId < 1n) {
    throw new InvoiceFieldError("chainId", "chainId must be a positive bigint");
  }
  const escrow = normalizeAddress(location.escrow, "escrow");
  if (/^0x0{40}$/.test(escrow)) throw new InvoiceFieldError("escrow", "escrow must not be the zero address");
  return { chainId, escrow };
}

/** A 20-byte hex address, checksummed; all-lower-case is accepted, mixed case must carry a valid EIP-55 checksum. */
export function normalizeAddress(address: unknown, field: string): string {
  if (typeof address !== "string" || !ADDRESS_RE.test(address)) {
    throw new InvoiceFieldError(field, `${field} must be a 0x-prefixed 20-byte hex address`);
  }
  try {
    return getAddress(address);
  } catch (error) {
    throw new InvoiceFieldError(field, `${field} ${address} has a bad EIP-55 checksum`);
  }
}
