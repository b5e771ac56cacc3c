import { INVOICE_LIMITS } from "../invoice/types.js";
import { InvalidArgumentError } from "./errors.js";
import type { PaymentRef } from "./types.js";

/** The escrow's payment id, `merchantId << 64 | invoiceNumber`. @throws InvalidArgumentError if out of range. */
export function paymentId(merchantId: bigint, invoiceNumber: bigint): bigint {
  if (merchantId < 0n || merchantId > INVOICE_LIMITS.merchantId) {
    throw new InvalidArgumentError("merchantId", `merchant id ${merchantId} is out of range`);
  }
  if (invoiceNumber < 0n || invoiceNumber > INVOICE_LIMITS.invoiceNumber) {
    throw new InvalidArgumentError("invoiceNumber", `invoice number ${invoiceNumber} is out of range`);
  }
  return (merchantId << 64n) | invoiceNumber;
}

/** Splits a payment id back into merchant id and invoice number. @throws InvalidArgumentError if out of range. */
export function splitPaymentId(id: bigint): PaymentRef {
  if (id < 0n || id >> 96n !== 0n) throw new InvalidArgumentError("paymentId", `payment id ${id} is out of range`);
  return { merchantId: id >> 64n, invoiceNumber: id & INVOICE_LIMITS.invoiceNumber };
}
