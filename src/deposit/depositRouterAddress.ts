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
  const known = routers.get(escrow);
  if (known !== undefined) return known;
  const from = normalizeAddress(escrow, "escrow");
  if (/^0x0{40}$/.test(from)) throw new InvoiceFieldError("escrow", "escrow must not be the zero address");
  const router = getCreateAddress({ from, nonce: DEPOSIT_ROUTER_NONCE });
  // A service computes every deposit address of an escrow from it: remembered (RLP, keccak and two checksums each
  // time otherwise). An application knows a handful of escrows; the bound only stops a caller feeding it garbage.
  if (routers.size >= 256) routers.clear();
  routers.set(escrow, router);
  return router;
}

/** Router address by the escrow string exactly as given (only valid ones are stored). */
const routers = new Map<string, string>();
