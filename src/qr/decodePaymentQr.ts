import { COMPACT_PREFIX, PAY_PACKED_FUNCTION } from "./constants.js";
import { decodeCompactInvoice } from "./decodeCompactInvoice.js";
import { decodeInvoiceUri } from "./decodeInvoiceUri.js";
import { QrDecodeError } from "./errors.js";
import { splitEip681 } from "./internal/eip681.js";
import { parseTransferUri } from "./parseTransferUri.js";
import type { InvoiceQrPayload, TransferRequest } from "./types.js";

/** What a scanned payment QR holds. */
export type PaymentQr =
  | { kind: "invoice"; carrier: "compact" | "eip681"; payload: InvoiceQrPayload }
  | { kind: "transfer"; request: TransferRequest };

/**
 * Decodes the text of any payment QR a ScanPay wallet accepts: the compact invoice (`SCANPAY:`), the EIP-681
 * invoice URI (`ethereum:...payPacked`) or a plain EIP-681 transfer.
 * @throws QrDecodeError (and nothing else); QR_BAD_PREFIX for text that is none of them.
 */
export function decodePaymentQr(text: string): PaymentQr {
  if (typeof text !== "string") throw new QrDecodeError("QR_INVALID_INPUT", "QR text must be a string");
  if (text.startsWith(COMPACT_PREFIX)) {
    return { kind: "invoice", carrier: "compact", payload: decodeCompactInvoice(text) };
  }
  if (splitEip681(text).functionName === PAY_PACKED_FUNCTION) {
    return { kind: "invoice", carrier: "eip681", payload: decodeInvoiceUri(text) };
  }
  return { kind: "transfer", request: parseTransferUri(text) };
}
