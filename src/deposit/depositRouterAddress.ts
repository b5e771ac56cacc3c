import { getCreateAddress } from "ethers";

import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { InvoiceFieldError } from "../invoice/errors.js";
import { DEPOSIT_ROUTER_NONCE } from "./constants.js";

/**
 * The DepositRouter of `escrow` (checksummed): the escrow creates it in its constructor, so it is the CREATE
 * address of the escrow at nonce 1, the same as `escrow.depositRouter()`. Pure: no RPC.
 * @throws InvoiceFieldError (field `escrow`) for a malformed or zero address.
 */
export function depositRouterAddress(escrow: string): string {
  const from = normalizeAddress(escrow, "escrow");
  if (/^0x0{40}$/.test(from)) throw new InvoiceFieldError("escrow", "escrow must not be the zero address");
  return getCreateAddress({ from, nonce: DEPOSIT_ROUTER_NONCE });
}
