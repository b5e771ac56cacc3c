import type { Kysely } from "kysely";

import { MerchantNotFoundError } from "../../errors.js";
import { findMerchantById, type Database } from "../../store/index.js";
import { toMerchant } from "./toMerchant.js";
import type { Merchant } from "./types.js";

/** The merchant's public record; MERCHANT_NOT_FOUND if it is not linked. */
export async function getMerchant(db: Kysely<Database>, merchantId: string): Promise<Merchant> {
  const row = await findMerchantById(db, merchantId);
  if (row === undefined) throw new MerchantNotFoundError(merchantId);
  return toMerchant(row);
}
