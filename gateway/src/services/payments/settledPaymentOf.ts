import { getLogsInRange, uintTopic } from "../../../../src/chain/internal/logs.js";
import type { PaymentEscrow } from "../../../../typechain-types/index.js";

/** What the escrow's events say about a settled payment (settled payments keep no record on chain). */
export interface SettledPaymentFacts {
  payer: string;
  token: string;
  /** What was paid. */
  paid: bigint;
  /** Refunded so far: held refunds, dispute refunds and merchant-funded refunds of the settled payment. */
  refunded: bigint;
  /** Merchant amount plus fee over every PaymentSettled event: the base clawed-back points are prorated on. */
  settled: bigint;
  pointsAwarded: bigint;
  /** Points already restored by earlier settled refunds. */
  pointsRestored: bigint;
}

/**
 * Reads the payment's events (one log query: InvoicePaid, PaymentSettled, PaymentRefunded, SettledPaymentRefunded
 * of this merchant and number) from `fromBlock`: the block the indexer saw it paid in when known, else 0.
 * Undefined when no InvoicePaid is found. The same reading as the SDK's refundSettledPayment, which sends at once
 * and so cannot serve the unsigned mode.
 */
export async function settledPaymentOf(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  fromBlock: number,
): Promise<SettledPaymentFacts | undefined> {
  const events = escrow.interface;
  const topics = {
    paid: events.getEvent("InvoicePaid").topicHash,
    settled: events.getEvent("PaymentSettled").topicHash,
    refunded: events.getEvent("PaymentRefunded").topicHash,
    settledRefunded: events.getEvent("SettledPaymentRefunded").topicHash,
  };
  const provider = escrow.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("escrow has no provider");
  const logs = await getLogsInRange(
    provider,
    { address: await escrow.getAddress(), topics: [Object.values(topics), uintTopic(merchantId), uintTopic(invoiceNumber)] },
    fromBlock,
    "latest",
  );
  let facts: SettledPaymentFacts | undefined;
  let settled = 0n;
  let pointsAwarded = 0n;
  let refunded = 0n;
  let pointsRestored = 0n;
  for (const log of logs) {
    if (log.removed) continue;
    const parsed = events.parseLog(log);
    if (parsed === null) continue;
    if (parsed.name === "InvoicePaid") {
      facts = {
        payer: parsed.args.payer as string,
        token: parsed.args.token as string,
        paid: parsed.args.amount as bigint,
        refunded: 0n,
        settled: 0n,
        pointsAwarded: 0n,
        pointsRestored: 0n,
      };
    } else if (parsed.name === "PaymentSettled") {
      settled += (parsed.args.merchantAmount as bigint) + (parsed.args.fee as bigint);
      pointsAwarded += parsed.args.pointsAwarded as bigint;
    } else if (parsed.name === "PaymentRefunded") {
      refunded += parsed.args.amount as bigint;
    } else if (parsed.name === "SettledPaymentRefunded") {
      refunded += parsed.args.amount as bigint;
      pointsRestored += parsed.args.pointsRestored as bigint;
    }
  }
  if (facts === undefined) return undefined;
  return { ...facts, refunded, settled, pointsAwarded, pointsRestored };
}
