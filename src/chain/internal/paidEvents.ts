import type { TransactionReceipt } from "ethers";

import { PaymentEscrow__factory } from "../../../typechain-types/index.js";

/** An `InvoicePaid` event of a receipt. */
export interface PaidEvent {
  merchantId: bigint;
  invoiceNumber: bigint;
  payer: string;
  token: string;
  amount: bigint;
  releaseAt: bigint;
}

/** A `BalanceCredited` event of a receipt (an overpayment or stray ETH credited to the payer of record). */
export interface CreditedEvent {
  account: string;
  token: string;
  amount: bigint;
}

const ESCROW = PaymentEscrow__factory.createInterface();

/** The `InvoicePaid` and `BalanceCredited` events `escrow` emitted in `receipt`, in log order. */
export function escrowPaidEvents(receipt: TransactionReceipt, escrow: string): { paid: PaidEvent[]; credited: CreditedEvent[] } {
  const paid: PaidEvent[] = [];
  const credited: CreditedEvent[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== escrow.toLowerCase()) continue;
    const parsed = ESCROW.parseLog(log);
    if (parsed?.name === "InvoicePaid") {
      paid.push({
        merchantId: parsed.args.merchantId as bigint,
        invoiceNumber: parsed.args.invoiceNumber as bigint,
        payer: parsed.args.payer as string,
        token: parsed.args.token as string,
        amount: parsed.args.amount as bigint,
        releaseAt: parsed.args.releaseAt as bigint,
      });
    } else if (parsed?.name === "BalanceCredited") {
      credited.push({
        account: parsed.args.account as string,
        token: parsed.args.token as string,
        amount: parsed.args.amount as bigint,
      });
    }
  }
  return { paid, credited };
}
