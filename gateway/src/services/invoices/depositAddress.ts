/**
 * The invoice's deposit address, computed offline exactly as `DepositRouter.depositAddress(invoice)` does
 * (docs/deposits.md): the router is the escrow's CREATE address at nonce 1, and the deposit is the CREATE2 address
 * of (router, salt = the invoice's EIP-712 digest, keccak256(sweeper init code)).
 *
 * The SDK gets the same function in src/deposit/ on another branch, with this signature; when it lands this file
 * becomes `export { depositAddress } from "../../../../src/deposit/depositAddress.js";`.
 */
import { getCreate2Address, getCreateAddress, keccak256 } from "ethers";

import { invoiceDigest } from "../../../../src/invoice/invoiceDigest.js";
import type { EscrowLocation, Invoice } from "../../../../src/invoice/types.js";

/** The sweeper's init code (raw EVM, independent of compiler settings); its hash fixes every deposit address. */
export const SWEEPER_INIT_CODE =
  "0x63f1a314525f5260405f6004601c335afa505f5180156049576370a0823160405230606052602060a06024605c845afa5063a9059cbb6060526020516080525f5f6044607c5f855af15b602051ff";
const SWEEPER_INIT_CODE_HASH = keccak256(SWEEPER_INIT_CODE);

/** The escrow's DepositRouter: created by the escrow's constructor, so CREATE from the escrow at nonce 1. */
export function depositRouterAddress(escrow: string): string {
  return getCreateAddress({ from: escrow, nonce: 1 });
}

/** Where a plain transfer pays `invoice` at `location` (checksummed). No RPC call. */
export function depositAddress(invoice: Invoice, location: EscrowLocation): string {
  return getCreate2Address(depositRouterAddress(location.escrow), invoiceDigest(invoice, location), SWEEPER_INIT_CODE_HASH);
}
