import type { LoyaltyPoints } from "../../typechain-types/index.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { readCall } from "./internal/send.js";

/** An account's loyalty points at one merchant (whole points). */
export interface PointsBalance {
  /** Points held (the ERC-6909 balance). */
  balance: bigint;
  /**
   * Points owed from clawbacks (a settled payment refunded after its points were spent): burned from the balance
   * before the account can redeem or transfer points of this merchant again.
   */
  debt: bigint;
  /** What the account can actually redeem or transfer: `balance - debt`, at least 0. */
  spendable: bigint;
}

/** `account`'s loyalty points at merchant `merchantId`: balance, debt and spendable (two calls in parallel). */
export async function pointsBalance(points: LoyaltyPoints, account: string, merchantId: bigint): Promise<PointsBalance> {
  const holder = normalizeAddress(account, "account");
  const [balance, debt] = await readCall(() => Promise.all([points.balanceOf(holder, merchantId), points.debtOf(holder, merchantId)]));
  return { balance, debt, spendable: balance > debt ? balance - debt : 0n };
}
