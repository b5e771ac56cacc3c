import type { PaymentEscrow } from "../../typechain-types/index.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { ZERO_ADDRESS } from "../invoice/types.js";
import { readCall } from "./internal/send.js";

/** What `account` can withdraw from the escrow in `token` (zero address = ETH). */
export async function withdrawableBalance(escrow: PaymentEscrow, account: string, token: string = ZERO_ADDRESS): Promise<bigint> {
  return readCall(() => escrow.withdrawableOf(normalizeAddress(account, "account"), normalizeAddress(token, "token")));
}
