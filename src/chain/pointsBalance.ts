import type { LoyaltyPoints } from "../../typechain-types/index.js";
import { readCall } from "./internal/send.js";

/** `account`'s loyalty points at merchant `merchantId` (whole points). */
export async function pointsBalance(points: LoyaltyPoints, account: string, merchantId: bigint): Promise<bigint> {
  return readCall(() => points.balanceOf(account, merchantId));
}
