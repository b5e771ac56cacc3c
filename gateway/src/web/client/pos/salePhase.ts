/**
 * The sale's phase from the invoice's status (what the public live stream sends): the cashier needs to know only
 * whether to wait, whether the payment is on its way, and whether the customer may leave.
 */
import type { SalePhase } from "./types.js";

const PHASES: Readonly<Record<string, SalePhase>> = {
  open: "waiting",
  // Funds sent, not final yet (a deposit not settled, or fewer confirmations than the network's depth).
  seen: "seen",
  // Paid and confirmed; what happens after (release, refund, dispute) is the dashboard's business, not the till's.
  held: "paid",
  settled: "paid",
  partially_refunded: "paid",
  refunded: "paid",
  disputed: "paid",
  expired: "expired",
  cancelling: "cancelled",
  cancelled: "cancelled",
};

/** The phase for `status`; undefined for a status this page does not know (the page keeps what it shows). */
export function salePhaseOf(status: string): SalePhase | undefined {
  return Object.prototype.hasOwnProperty.call(PHASES, status) ? PHASES[status] : undefined;
}

/** Whether the sale is over for the cashier (paid, expired or cancelled): "New sale" is offered. */
export function isFinalPhase(phase: SalePhase): boolean {
  return phase === "paid" || phase === "expired" || phase === "cancelled";
}
