import { PAY_PACKED_FUNCTION } from "./constants.js";
import { encodePackedInvoice } from "./encodePackedInvoice.js";
import { QrEncodeError } from "./errors.js";
import { bytesToHex } from "./internal/bytes.js";
import { requireChainId, requireNonZeroAddress } from "./internal/location.js";
import type { InvoiceQrInput } from "./types.js";

/**
 * Encodes a signed invoice as an EIP-681 call of the escrow's packed entry point, for ScanPay-aware apps
 * (mainstream wallets run only plain ETH sends and ERC-20 `transfer` URIs and refuse this one):
 * `ethereum:<escrow>@<chainId>/payPacked?bytes=0x<packed>` plus `&value=<wei>` for ETH invoices (token index 0)
 * so the wallet sends the amount. The escrow is required (the URI's target). Hex is lower case, the escrow
 * EIP-55 checksummed, numbers plain decimal.
 * @throws QrEncodeError on an invalid chain id, a missing (QR_MISSING_ESCROW) or invalid escrow, or an invalid
 *   packed invoice.
 */
export function encodeInvoiceUri(input: InvoiceQrInput): string {
  if (typeof input !== "object" || input === null) {
    throw new QrEncodeError("QR_INVALID_INPUT", "expected { chainId, escrow, packed }");
  }
  const chainId = requireChainId(input.chainId, QrEncodeError);
  if (input.escrow === undefined) throw new QrEncodeError("QR_MISSING_ESCROW", "an EIP-681 invoice URI needs the escrow");
  const escrow = requireNonZeroAddress(input.escrow, "escrow", QrEncodeError);
  const packed = encodePackedInvoice(input.packed);
  const value = BigInt(input.packed.tokenIndex) === 0n ? `&value=${input.packed.invoice.amount}` : "";
  return `ethereum:${escrow}@${chainId}/${PAY_PACKED_FUNCTION}?bytes=${bytesToHex(packed)}${value}`;
}
