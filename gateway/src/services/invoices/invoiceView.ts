/**
 * The full view of a stored invoice that the API shows: exact amounts (base units and decimal), the status as of
 * now, and every QR payload, computed from the row alone (no RPC call).
 */
import { getAddress } from "ethers";

import { encodeCompactInvoice } from "../../../../src/qr/encodeCompactInvoice.js";
import { encodeInvoiceUri } from "../../../../src/qr/encodeInvoiceUri.js";
import { encodeTransferUri } from "../../../../src/qr/encodeTransferUri.js";
import type { EscrowLocation, Invoice } from "../../../../src/invoice/types.js";
import { ZERO_ADDRESS } from "../../../../src/invoice/types.js";
import { formatUnits } from "../../../../src/units/formatUnits.js";
import type { Merchant } from "../merchants/types.js";
import { depositAddress } from "./depositAddress.js";
import type { InvoiceRecord, InvoiceStatus } from "./types.js";

/** Why an invoice that redeems points has no deposit form. */
export const DEPOSIT_REDEEMS_POINTS =
  "deposits cannot redeem points (burning a customer's points needs the customer's own signature): use payPacked or compact";

export interface InvoicePayloads {
  /** A plain EIP-681 transfer to the invoice's own deposit address: what every wallet can pay. Null when unavailable. */
  deposit: { address: string; uri: string } | null;
  /** Why `deposit` is null. */
  depositUnavailable: string | null;
  /** EIP-681 call of the escrow's `payPacked` (ScanPay-aware apps). */
  payPacked: string;
  /** `SCANPAY:` compact text, the smallest QR code (ScanPay-aware apps). */
  compact: string;
}

export interface InvoiceView {
  record: InvoiceRecord;
  /** The signed invoice as the escrow sees it; undefined for a record that was never signed. */
  invoice: Invoice | undefined;
  location: EscrowLocation;
  /** The merchant's registry id (the invoice's on-chain `merchantId`). */
  onChainMerchantId: bigint;
  status: InvoiceStatus;
  /** `amount` as a decimal in the token's units, when the decimals are known. */
  amountDecimal: string | null;
  /** Payloads of an open, signed invoice; null otherwise. */
  payloads: InvoicePayloads | null;
}

/** Stored status and expiry → what a caller sees now. */
export function viewStatus(record: InvoiceRecord, now: bigint): InvoiceStatus {
  if (record.status === "open" && now > record.expiry) return "expired";
  return record.status as InvoiceStatus;
}

export function toSdkInvoice(record: InvoiceRecord, merchant: Merchant): Invoice | undefined {
  if (record.holdPeriod === null || record.epoch === null) return undefined;
  return {
    merchantId: merchant.onChainId,
    invoiceNumber: record.invoiceNumber,
    token: getAddress(record.token),
    amount: record.amount,
    expiry: record.expiry,
    payer: getAddress(record.payer),
    pointsAward: record.pointsAward,
    pointsRedeem: record.pointsRedeem,
    orderRef: record.orderRef,
    holdPeriod: record.holdPeriod,
    epoch: record.epoch,
  };
}

/**
 * `storedDepositAddress`: the address stored with the invoice when it was signed, so a read does not recompute it
 * (CREATE2 over the invoice's EIP-712 digest: about a millisecond of hashing in JavaScript).
 */
export function invoicePayloads(
  invoice: Invoice,
  tokenIndex: number,
  signature: string,
  location: EscrowLocation,
  storedDepositAddress?: string | null,
): InvoicePayloads {
  const { token, ...fields } = invoice;
  const input = { chainId: location.chainId, escrow: location.escrow, packed: { invoice: fields, tokenIndex, signature } };
  let deposit: InvoicePayloads["deposit"] = null;
  if (invoice.pointsRedeem === 0n) {
    const address = storedDepositAddress ? getAddress(storedDepositAddress) : depositAddress(invoice, location);
    const uri =
      token === ZERO_ADDRESS
        ? encodeTransferUri({ kind: "native", to: address, amount: invoice.amount, chainId: location.chainId })
        : encodeTransferUri({ kind: "erc20", token, to: address, amount: invoice.amount, chainId: location.chainId });
    deposit = { address, uri };
  }
  return {
    deposit,
    depositUnavailable: deposit === null ? DEPOSIT_REDEEMS_POINTS : null,
    payPacked: encodeInvoiceUri(input),
    compact: encodeCompactInvoice(input),
  };
}

export function invoiceView(record: InvoiceRecord, merchant: Merchant, location: EscrowLocation, now: bigint): InvoiceView {
  const invoice = toSdkInvoice(record, merchant);
  const status = viewStatus(record, now);
  const payloads =
    invoice !== undefined && record.signature !== null && record.tokenIndex !== null && status === "open"
      ? invoicePayloads(invoice, record.tokenIndex, record.signature, location, record.depositAddress)
      : null;
  return {
    record,
    invoice,
    location,
    onChainMerchantId: merchant.onChainId,
    status,
    amountDecimal: record.tokenDecimals === null ? null : formatUnits(record.amount, record.tokenDecimals),
    payloads,
  };
}
