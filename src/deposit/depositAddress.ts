import { getCreate2Address } from "ethers";

import { invoiceDigest } from "../invoice/invoiceDigest.js";
import type { EscrowLocation, Invoice } from "../invoice/types.js";
import { SWEEPER_INIT_CODE_HASH } from "./constants.js";
import { depositRouterAddress } from "./depositRouterAddress.js";

/**
 * The invoice's deposit address (checksummed): where a plain ETH send or ERC-20 `transfer` of the amount pays it.
 * It is the CREATE2 address of a sweeper deployed by the escrow's DepositRouter with the invoice's EIP-712 digest
 * as salt, equal to the router's `depositAddress(invoice)`: one address per invoice, merchant, chain and escrow.
 * Pure: no RPC. Nothing is deployed there; funds wait until `settleDeposit` (or `returnDeposit`) sweeps them.
 * @throws InvoiceFieldError for an out-of-range field or a bad location.
 */
export function depositAddress(invoice: Invoice, location: EscrowLocation): string {
  const digest = invoiceDigest(invoice, location);
  return getCreate2Address(depositRouterAddress(location.escrow), digest, SWEEPER_INIT_CODE_HASH);
}
