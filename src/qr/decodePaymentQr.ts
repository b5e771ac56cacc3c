import { COMPACT_PREFIX, PAY_PACKED_FUNCTION } from "./constants.js";
import { decodeCompactInvoice } from "./decodeCompactInvoice.js";
import { decodeInvoiceUri } from "./decodeInvoiceUri.js";
import { QrDecodeError } from "./errors.js";
import { splitEip681 } from "./internal/eip681.js";
import { requireQrText } from "./internal/text.js";
import { parseTransferUri } from "./parseTransferUri.js";
import type { InvoiceQrPayload, TransferRequest } from "./types.js";

/** What a scanned payment QR holds. */
export type PaymentQr =
  | { kind: "invoice"; carrier: "compact" | "eip681"; payload: InvoiceQrPayload }
  | { kind: "transfer"; request: TransferRequest };

const SCHEME_RE = /^[Ee][Tt][Hh][Ee][Rr][Ee][Uu][Mm]:/;

/**
 * Decodes the text of any payment QR a ScanPay-aware app accepts: the compact invoice (`SCANPAY:`), the
 * EIP-681 invoice URI (`ethereum:...payPacked`) or a plain EIP-681 transfer. Dispatch follows rules D1-D4 of
 * docs/qr-format.md, so it gives the same verdict and error code as the decoder it dispatches to.
 * @throws QrDecodeError (and nothing else); QR_BAD_PREFIX for text that is none of them.
 */
export function decodePaymentQr(text: string): PaymentQr {
  requireQrText(text, "QR text"); // X1, X2
  if (text.startsWith(COMPACT_PREFIX)) {
    return { kind: "invoice", carrier: "compact", payload: decodeCompactInvoice(text) }; // D1
  }
  if (!SCHEME_RE.test(text)) {
    throw new QrDecodeError("QR_BAD_PREFIX", `QR text must start with ${COMPACT_PREFIX} or ethereum:`); // D3
  }
  if (splitEip681(text).functionName === PAY_PACKED_FUNCTION) {
    return { kind: "invoice", carrier: "eip681", payload: decodeInvoiceUri(text) }; // D2
  }
  return { kind: "transfer", request: parseTransferUri(text) }; // D2
}
