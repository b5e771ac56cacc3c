import { getAddress, getCreate2Address, getCreateAddress, keccak256 } from "ethers";

import { invoiceDigest } from "../../invoice/invoiceDigest.js";
import type { EscrowLocation, Invoice } from "../../invoice/types.js";

// Same as src/deposit/depositAddress.ts (written on another branch; to be deduplicated at merge): kept here so the
// watcher does not depend on that branch.

/** Init code of the DepositRouter's sweeper (`_SWEEPER_INIT_CODE` in contracts/DepositRouter.sol). */
const SWEEPER_INIT_CODE =
  "0x63f1a314525f5260405f6004601c335afa505f5180156049576370a0823160405230606052602060a06024605c845afa5063a9059cbb6060526020516080525f5f6044607c5f855af15b602051ff";
const SWEEPER_INIT_CODE_HASH = keccak256(SWEEPER_INIT_CODE);

/** The escrow's DepositRouter (`escrow.depositRouter()`): the first contract its constructor creates (nonce 1). */
export function depositRouterAddress(escrow: string): string {
  return getCreateAddress({ from: getAddress(escrow), nonce: 1 });
}

/**
 * The invoice's deposit address (`router.depositAddressOf(escrow.invoiceDigest(invoice))`), computed off chain: the
 * CREATE2 address of the router's sweeper with the invoice's EIP-712 digest as salt.
 * @throws InvoiceFieldError for an out-of-range field or a bad location.
 */
export function depositAddress(invoice: Invoice, location: EscrowLocation): string {
  return getCreate2Address(depositRouterAddress(location.escrow), invoiceDigest(invoice, location), SWEEPER_INIT_CODE_HASH);
}
