import { PAY_PACKED_FUNCTION } from "./constants.js";
import { decodePackedInvoice } from "./decodePackedInvoice.js";
import { QrDecodeError } from "./errors.js";
import { requireOnlyParams, splitEip681 } from "./internal/eip681.js";
import { parseEip681Number } from "./parseEip681Number.js";
import type { InvoiceQrPayload } from "./types.js";

/**
 * Decodes an EIP-681 invoice URI `ethereum:[pay-]<escrow>@<chainId>/payPacked?bytes=0x<packed>[&value=<wei>]`
 * (for ScanPay-aware apps). Strict: the chain id is required, only `bytes` (required) and `value` are allowed,
 * each once, in any order; the escrow may be checksummed or lower case. `value` must equal the amount of an ETH
 * invoice (any accepted number spelling) and must be absent for a token invoice; an ETH invoice without `value`
 * is rejected: a wallet building the call from the URI would send no ETH, and one invoice has exactly one URI.
 * Checks in the order of docs/qr-format.md: X1-X2, U1-U9, then I1-I8 (I5 runs the packed rules P1-P10).
 * @throws QrDecodeError (and nothing else) for any malformed input.
 */
export function decodeInvoiceUri(text: string): InvoiceQrPayload {
  const parts = splitEip681(text);
  if (parts.functionName !== PAY_PACKED_FUNCTION) {
    throw new QrDecodeError("QR_UNSUPPORTED_FUNCTION", `an invoice URI calls ${PAY_PACKED_FUNCTION}`); // I1
  }
  if (parts.chainId === undefined) throw new QrDecodeError("QR_MISSING_PARAMETER", "an invoice URI needs @<chainId>"); // I2
  requireOnlyParams(parts, ["bytes", "value"]); // I3
  const bytes = parts.params.get("bytes");
  if (bytes === undefined) throw new QrDecodeError("QR_MISSING_PARAMETER", "an invoice URI needs the bytes parameter"); // I4
  const packed = decodePackedInvoice(bytes); // I5
  const valueText = parts.params.get("value");
  if (valueText === undefined) {
    if (packed.tokenIndex === 0) {
      throw new QrDecodeError("QR_MISSING_PARAMETER", "an ETH invoice URI needs value=<amount in wei> so the wallet sends it"); // I6
    }
  } else {
    const value = parseEip681Number(valueText); // I7
    if (packed.tokenIndex !== 0) {
      throw new QrDecodeError("QR_VALUE_MISMATCH", "a token invoice must not send ETH (value parameter)"); // I8
    }
    if (value !== packed.invoice.amount) {
      throw new QrDecodeError("QR_VALUE_MISMATCH", `value ${value} differs from the invoice amount ${packed.invoice.amount}`); // I8
    }
  }
  return { chainId: parts.chainId, escrow: parts.target, packed };
}
