import type { Log } from "ethers";

import type { PaymentEscrow } from "../../typechain-types/index.js";
import { UnexpectedError } from "../chain/errors.js";
import type { PaymentEvent } from "./types.js";

/** Decodes an escrow `InvoicePaid` log. @throws UnexpectedError if it is not one. */
export function parsePaymentLog(escrow: Pick<PaymentEscrow, "interface">, log: Log): PaymentEvent {
  const parsed = escrow.interface.parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null || parsed.name !== "InvoicePaid") throw new UnexpectedError("the log is not an InvoicePaid event");
  const merchantId = parsed.args.merchantId as bigint;
  const invoiceNumber = parsed.args.invoiceNumber as bigint;
  return {
    merchantId,
    invoiceNumber,
    paymentId: (merchantId << 64n) | invoiceNumber,
    payer: parsed.args.payer as string,
    token: parsed.args.token as string,
    amount: parsed.args.amount as bigint,
    releaseAt: parsed.args.releaseAt as bigint,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    logIndex: log.index,
  };
}
