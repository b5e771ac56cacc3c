import { PAY_PACKED_FUNCTION } from "./constants.js";
import { decodePackedInvoice } from "./decodePackedInvoice.js";
import { QrDecodeError } from "./errors.js";
import { requireOnlyParams, splitEip681 } from "./internal/eip681.js";
import { parseEip681Number } from "./parseEip681Number.js";
import type { InvoiceQrPayload } from "./types.js";

/**
 * Decodes an EIP-681 invoice URI `ethereum:[pay-]<escrow>@<chainId>/payPacked?bytes=0x<packed>[&value=<wei>]`.
 * Strict: the chain id is required, only `bytes` (required) and `value` are allowed, each once; the escrow may
 * be checksummed or lower case. `value` must equal the amount of an ETH invoice (any EIP-681 number spelling)
 * and must be absent for a token invoice; an ETH invoice without `value` is rejected: a wallet building the
 * call from the URI would send no ETH, and one invoice has exactly one URI.
 * @throws QrDecodeError (and nothing else) for any malformed input.
 */
export function decodeInvoiceUri(text: string): InvoiceQrPayload & { escrow: string } {
  const parts = splitEip681(text);
  if (parts.functionName !== PAY_PACKED_FUNCTION) {
    throw new QrDecodeError("QR_UNSUPPORTED_FUNCTION", `an invoice URI calls ${PAY_PACKED_FUNCTION}`);
  }
  if (parts.chainId === undefined) throw new QrDecodeError("QR_MISSING_PARAMETER", "an invoice URI needs @<chainId>");
  requireOnlyParams(parts, ["bytes", "value"]);
  const bytes = parts.params.get("bytes");
  if (bytes === undefined) throw new QrDecodeError("QR_MISSING_PARAMETER", "an invoice URI needs the bytes parameter");
  const packed = decodePackedInvoice(bytes);
  const valueText = parts.params.get("value");
  if (valueText === undefined && packed.tokenIndex === 0) {
    throw new QrDecodeError("QR_MISSING_PARAMETER", "an ETH invoice URI needs value=<amount in wei> so the wallet sends it");
  }
  if (valueText !== undefined) {
    const value = parseEip681Number(valueText);
    if (packed.tokenIndex !== 0) {
      throw new QrDecodeError("QR_VALUE_MISMATCH", "a token invoice must not send ETH (value parameter)");
    }
    if (value !== packed.invoice.amount) {
      throw new QrDecodeError("QR_VALUE_MISMATCH", `value ${value} differs from the invoice amount ${packed.invoice.amount}`);
    }
  }
  return { chainId: parts.chainId, escrow: parts.target, packed };
}
