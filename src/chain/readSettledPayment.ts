import type { PaymentEscrow } from "../../typechain-types/index.js";
import { getLogsInRange, uintTopic } from "./internal/logs.js";
import { providerOf } from "./internal/runner.js";
import { readCall } from "./internal/send.js";

/** What the escrow's events say about a payment (a settled payment keeps no record on chain, only its events). */
export interface SettledPaymentFacts {
  payer: string;
  token: string;
  /** What was paid. */
  paid: bigint;
  /** The paying transaction (its calldata holds the invoice's `pointsRedeem`). */
  transactionHash: string;
  /** Refunded so far: held refunds, dispute refunds and merchant-funded refunds of the settled payment. */
  refunded: bigint;
  /** Merchant amount plus fee over every PaymentSettled event: the base clawed-back points are prorated on. */
  settled: bigint;
  pointsAwarded: bigint;
  /** Points already restored by earlier refunds of the settled payment. */
  pointsRestored: bigint;
}

/**
 * Reads a payment's events in one log query (InvoicePaid, PaymentSettled, PaymentRefunded, SettledPaymentRefunded
 * of this merchant and number) from `fromBlock` (the block it was paid in when known). Undefined when no
 * InvoicePaid is found. What `refundSettled` needs: payer, token and what is left to refund.
 */
export async function readSettledPayment(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  fromBlock = 0,
): Promise<SettledPaymentFacts | undefined> {
  const events = escrow.interface;
  const topics = ["InvoicePaid", "PaymentSettled", "PaymentRefunded", "SettledPaymentRefunded"].map(
    (name) => events.getEvent(name as "InvoicePaid").topicHash,
  );
  const address = await escrow.getAddress();
  const logs = await readCall(() =>
    getLogsInRange(providerOf(escrow), { address, topics: [topics, uintTopic(merchantId), uintTopic(invoiceNumber)] }, fromBlock, "latest"),
  );
  let paid: Pick<SettledPaymentFacts, "payer" | "token" | "paid" | "transactionHash"> | undefined;
  let settled = 0n;
  let pointsAwarded = 0n;
  let refunded = 0n;
  let pointsRestored = 0n;
  for (const log of logs) {
    if (log.removed) continue;
    const parsed = events.parseLog(log);
    if (parsed?.name === "InvoicePaid") {
      paid = {
        payer: parsed.args.payer as string,
        token: parsed.args.token as string,
        paid: parsed.args.amount as bigint,
        transactionHash: log.transactionHash,
      };
    } else if (parsed?.name === "PaymentSettled") {
      settled += (parsed.args.merchantAmount as bigint) + (parsed.args.fee as bigint);
      pointsAwarded += parsed.args.pointsAwarded as bigint;
    } else if (parsed?.name === "PaymentRefunded") {
      refunded += parsed.args.amount as bigint;
    } else if (parsed?.name === "SettledPaymentRefunded") {
      refunded += parsed.args.amount as bigint;
      pointsRestored += parsed.args.pointsRestored as bigint;
    }
  }
  return paid === undefined ? undefined : { ...paid, refunded, settled, pointsAwarded, pointsRestored };
}

/** The points a refund of `amount` claws back: those the payment earned, prorated on what settled. */
export function pointsToClawBackFor(facts: Pick<SettledPaymentFacts, "settled" | "pointsAwarded">, amount: bigint): bigint {
  if (facts.settled === 0n) return 0n;
  return (facts.pointsAwarded * (amount < facts.settled ? amount : facts.settled)) / facts.settled;
}
