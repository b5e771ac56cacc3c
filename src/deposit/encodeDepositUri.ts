import type { EscrowLocation, Invoice } from "../invoice/types.js";
import { encodeTransferUri } from "../qr/encodeTransferUri.js";
import { depositTransferRequest } from "./depositTransferRequest.js";

/**
 * The QR text every wallet pays: the plain EIP-681 transfer of `depositTransferRequest`, i.e.
 * `ethereum:<deposit>@<chainId>?value=<wei>` for ETH or
 * `ethereum:<token>@<chainId>/transfer?address=<deposit>&uint256=<amount>` for an ERC-20 (checksummed
 * addresses, plain integers). Pure: no RPC.
 * @throws InvoiceFieldError as `depositTransferRequest`.
 */
export function encodeDepositUri(invoice: Invoice, location: EscrowLocation): string {
  return encodeTransferUri(depositTransferRequest(invoice, location));
}
