import { ScanPayError } from "../errors.js";

/** `waitForPayments` gave up before every invoice was paid and confirmed. Code WATCH_TIMEOUT. */
export class WatchTimeoutError extends ScanPayError {
  /** Invoice numbers still unpaid (or unconfirmed) when it gave up. */
  readonly pending: readonly bigint[];

  constructor(pending: readonly bigint[], timeoutMs: number) {
    super("WATCH_TIMEOUT", `no confirmed payment within ${timeoutMs} ms for invoice${pending.length === 1 ? "" : "s"} ${pending.join(", ")}`);
    this.pending = pending;
  }
}
