import type { PaymentEscrow } from "../../typechain-types/index.js";
import { InvalidArgumentError } from "../chain/errors.js";
import { WatchTimeoutError } from "./errors.js";
import type { ConfirmedPayment } from "./types.js";
import { type WatchPaymentsOptions, watchPayments } from "./watchPayments.js";

export interface WaitForPaymentsOptions
  extends Omit<WatchPaymentsOptions, "merchantId" | "invoiceNumbers" | "onPayment"> {
  /** Give up after this long (WatchTimeoutError); default never. */
  timeoutMs?: number;
  /** Called as each payment is confirmed (e.g. to show progress). */
  onPayment?: (payment: ConfirmedPayment) => void;
}

/**
 * Waits until every one of `invoiceNumbers` is paid and confirmed, with one `watchPayments` watcher for all of
 * them, then stops it.
 * @returns the payments in the order of `invoiceNumbers`.
 * @throws WatchTimeoutError after `timeoutMs`; InvalidArgumentError for an empty list.
 */
export async function waitForPayments(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumbers: readonly bigint[],
  options: WaitForPaymentsOptions = {},
): Promise<ConfirmedPayment[]> {
  if (invoiceNumbers.length === 0) throw new InvalidArgumentError("invoiceNumbers", "give at least one invoice number");
  const found = new Map<bigint, ConfirmedPayment>();
  const { timeoutMs, onPayment, ...watchOptions } = options;
  let timeout: ReturnType<typeof setTimeout> | undefined;
  let finish: (error?: WatchTimeoutError) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => (error === undefined ? resolve() : reject(error));
  });
  const watcher = watchPayments(escrow, {
    ...watchOptions,
    merchantId,
    invoiceNumbers,
    onPayment: (payment) => {
      found.set(payment.invoiceNumber, payment);
      onPayment?.(payment);
      if (invoiceNumbers.every((n) => found.has(n))) finish();
    },
  });
  if (timeoutMs !== undefined) {
    timeout = setTimeout(() => finish(new WatchTimeoutError(invoiceNumbers.filter((n) => !found.has(n)), timeoutMs)), timeoutMs);
  }
  try {
    await finished;
  } finally {
    if (timeout !== undefined) clearTimeout(timeout);
    await watcher.stop();
  }
  return invoiceNumbers.map((n) => found.get(n)!);
}
