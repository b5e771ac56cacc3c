import { MerchantRegistry__factory, type PaymentEscrow } from "../../typechain-types/index.js";
import { PAYMENT_STATES } from "./contractErrorMessages.js";
import { InvalidArgumentError, PaymentNotReleasableError } from "./errors.js";
import { latestTimestamp, providerOf } from "./internal/runner.js";
import { readCall, sendTx } from "./internal/send.js";
import { paymentId } from "./paymentId.js";
import type { PaymentRef, TxOptions, TxResult } from "./types.js";

/** One payment a release settled, from its `PaymentSettled` event. */
export interface SettledPayment extends PaymentRef {
  /** What the merchant's payout received (or was credited). */
  merchantAmount: bigint;
  /** Platform fee accrued to the treasury. */
  fee: bigint;
  /** Loyalty points minted to the payer. */
  pointsAwarded: bigint;
}

export interface ReleaseOptions extends TxOptions {
  /**
   * Check every payment before sending and throw `PaymentNotReleasableError` for the first one that cannot be
   * released now. Default: true for a single payment (the caller expects that one to settle), false for a batch
   * (the escrow skips what it cannot release; `skipped` lists those).
   */
  strict?: boolean;
}

export interface ReleaseResult {
  tx: TxResult;
  settled: SettledPayment[];
  /** How many of the payments were released (the escrow's return value: `settled.length`). */
  released: number;
  /** The payments given that the escrow skipped (not held, not yet due, merchant suspended, given twice). */
  skipped: PaymentRef[];
}

const STATE_WORDS: Record<string, string> = {
  None: "it is not held (unpaid, or already settled)",
  Disputed: "it is disputed (the arbiter decides, or the payer reclaims after the deadline)",
  Refunded: "it was refunded",
};

/**
 * Releases held payments whose refund window has ended (and disputes opened during a suspension whose deadline
 * passed after the merchant was reinstated), all in one transaction. Anyone may call; the funds go to each
 * merchant's payout and the points to each payer. The escrow skips ids it cannot release instead of reverting,
 * so a batch survives one payment released or disputed first; with `strict` (default for one payment) each is
 * checked first and a typed error says why it cannot be released. Sort by merchant to read each merchant's
 * terms once.
 * @throws InvalidArgumentError for an empty list; PaymentNotReleasableError (strict); ScanPayContractError.
 */
export async function releasePayments(
  escrow: PaymentEscrow,
  payments: readonly PaymentRef[],
  options: ReleaseOptions = {},
): Promise<ReleaseResult> {
  if (payments.length === 0) throw new InvalidArgumentError("payments", "give at least one payment to release");
  const ids = payments.map((p) => paymentId(p.merchantId, p.invoiceNumber));
  if (options.strict ?? payments.length === 1) await checkReleasable(escrow, payments);
  const tx = await sendTx("release", () => escrow.release(ids), options);
  const address = (await escrow.getAddress()).toLowerCase();
  const settled: SettledPayment[] = [];
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = escrow.interface.parseLog(log);
    if (parsed?.name !== "PaymentSettled") continue;
    settled.push({
      merchantId: parsed.args.merchantId as bigint,
      invoiceNumber: parsed.args.invoiceNumber as bigint,
      merchantAmount: parsed.args.merchantAmount as bigint,
      fee: parsed.args.fee as bigint,
      pointsAwarded: parsed.args.pointsAwarded as bigint,
    });
  }
  const left = new Map<string, number>();
  for (const p of settled) left.set(key(p), (left.get(key(p)) ?? 0) + 1);
  const skipped: PaymentRef[] = [];
  for (const p of payments) {
    const n = left.get(key(p)) ?? 0;
    if (n > 0) left.set(key(p), n - 1);
    else skipped.push({ merchantId: p.merchantId, invoiceNumber: p.invoiceNumber });
  }
  return { tx, settled, released: settled.length, skipped };
}

function key(p: PaymentRef): string {
  return `${p.merchantId}/${p.invoiceNumber}`;
}

/** Mirrors the escrow's skip rules for each payment; throws for the first that would be skipped. */
async function checkReleasable(escrow: PaymentEscrow, payments: readonly PaymentRef[]): Promise<void> {
  const provider = providerOf(escrow);
  const [registryAddress, escrowAddress, latest] = await Promise.all([
    readCall(() => escrow.registry()),
    escrow.getAddress(),
    readCall(() => latestTimestamp(provider)),
  ]);
  const registry = MerchantRegistry__factory.connect(registryAddress, provider);
  // The earliest time the release can be mined at.
  const now = latest + 1n;
  const seen = new Set<string>();
  for (const ref of payments) {
    const name = `invoice ${ref.invoiceNumber} of merchant ${ref.merchantId}`;
    if (seen.has(key(ref))) {
      throw new PaymentNotReleasableError("PAYMENT_NOT_HELD", ref, "None", 0n, `${name} is given twice`);
    }
    seen.add(key(ref));
    const [record, terms] = await readCall(() =>
      Promise.all([escrow.paymentOf(ref.merchantId, ref.invoiceNumber), registry.paymentTerms(ref.merchantId)]),
    );
    const state = PAYMENT_STATES[Number(record.state)] ?? "None";
    if (state !== "Held" && state !== "DisputedWhileSuspended") {
      throw new PaymentNotReleasableError(
        "PAYMENT_NOT_HELD",
        ref,
        state,
        0n,
        `${name} cannot be released: ${STATE_WORDS[state] ?? `its state is ${state}`}`,
      );
    }
    if (now < record.releaseAt) {
      const what = state === "Held" ? "its refund window ends" : "the arbiter's deadline passes";
      throw new PaymentNotReleasableError(
        "PAYMENT_NOT_DUE",
        ref,
        state,
        record.releaseAt,
        `${name} cannot be released yet: ${what} at ${new Date(Number(record.releaseAt) * 1000).toISOString().replace(".000Z", "Z")}`,
      );
    }
    if (terms.status !== 1n) {
      throw new PaymentNotReleasableError(
        "PAYMENT_MERCHANT_SUSPENDED",
        ref,
        state,
        record.releaseAt,
        `${name} cannot be released: merchant ${ref.merchantId} is suspended, so its held payments stay held`,
      );
    }
    if (terms.payout.toLowerCase() === escrowAddress.toLowerCase()) {
      throw new PaymentNotReleasableError(
        "PAYMENT_PAYOUT_IS_ESCROW",
        ref,
        state,
        record.releaseAt,
        `${name} cannot be released: merchant ${ref.merchantId}'s payout address is the escrow itself`,
      );
    }
  }
}
