import { InvoiceFieldError } from "../invoice/errors.js";
import { normalizeInvoice, normalizeLocation } from "../invoice/normalizeInvoice.js";
import { type EscrowLocation, type Invoice, ZERO_ADDRESS } from "../invoice/types.js";
import type { TransferRequest } from "../qr/types.js";
import { depositAddress } from "./depositAddress.js";

/**
 * The plain transfer that pays `invoice` through its deposit address, as every wallet can make it: an ETH send of
 * exactly `amount` (token zero) or an ERC-20 `transfer(depositAddress, amount)`, on the escrow's chain. Encode it
 * with `encodeTransferUri` (or use `encodeDepositUri`). Pure: no RPC.
 * @throws InvoiceFieldError for an out-of-range field, a zero amount, points to redeem (a deposit cannot redeem
 *   points: field `pointsRedeem`), or a bad location.
 */
export function depositTransferRequest(invoice: Invoice, location: EscrowLocation): TransferRequest {
  const normalized = normalizeInvoice(invoice);
  const { chainId } = normalizeLocation(location);
  if (normalized.amount === 0n) throw new InvoiceFieldError("amount", "the invoice amount must be positive");
  if (normalized.pointsRedeem !== 0n) {
    throw new InvoiceFieldError(
      "pointsRedeem",
      "an invoice that redeems points cannot be paid through its deposit address (the payer must sign: use the payPacked URI)",
    );
  }
  const to = depositAddress(normalized, location);
  if (normalized.token === ZERO_ADDRESS) return { kind: "native", to, amount: normalized.amount, chainId };
  return { kind: "erc20", token: normalized.token, to, amount: normalized.amount, chainId };
}
