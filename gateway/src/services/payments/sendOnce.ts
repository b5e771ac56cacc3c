import { createHash } from "node:crypto";

import { IdempotencyConflictError } from "../../errors.js";
import {
  claimPaymentRequest,
  completePaymentRequest,
  failPaymentRequest,
  markPaymentRequestSent,
  releasePaymentRequest,
} from "../../store/index.js";
import type { GatewayContext } from "../context.js";
import { IdempotencyKeyInUseError } from "./errors.js";
import { exclusiveSend } from "./sendWithSigner.js";
import type { PaymentActionResult } from "./types.js";

/** What identifies a request under an Idempotency-Key: the same key with another of these is a conflict. */
export interface SendOnceRequest {
  action: "refund" | "release";
  invoiceId: string;
  amount?: string;
  amountBaseUnits?: string;
  idempotencyKey?: string;
}

/**
 * Runs a `send` at most once. Always: one send per invoice at a time in this process (PAYMENT_BUSY otherwise).
 * With an Idempotency-Key, across retries and gateway instances too: the key is claimed in the database before
 * anything is read or sent; a retry with the same request gets the stored result (`replayed`), a different request
 * under the key IDEMPOTENCY_CONFLICT, and a retry while the first is running, or after it broadcast a transaction
 * and then failed, IDEMPOTENCY_KEY_IN_USE (never a second transaction). A request that failed before broadcasting
 * anything frees its key, so fixing the cause (e.g. funding the signer) and retrying under the same key works.
 * @param run does the request; calls `onSent(hash)` when it broadcasts.
 */
export async function sendOnce(
  ctx: GatewayContext,
  merchantId: string,
  request: SendOnceRequest,
  run: (onSent: (hash: string) => void) => Promise<PaymentActionResult>,
): Promise<PaymentActionResult> {
  // Keyed by merchant too: another merchant's request for this id gets its 404, never this one's PAYMENT_BUSY.
  const lock = `${merchantId}/${request.invoiceId}`;
  const key = request.idempotencyKey;
  if (key === undefined) return exclusiveSend(lock, () => run(() => undefined));
  const hash = createHash("sha256")
    .update(JSON.stringify([request.action, request.invoiceId, request.amount ?? null, request.amountBaseUnits ?? null]))
    .digest("hex");
  const claim = await claimPaymentRequest(ctx.db, merchantId, key, hash);
  if (!claim.claimed) {
    if (claim.row.request_hash !== hash) throw new IdempotencyConflictError(key);
    if (claim.row.state === "done" && claim.row.response !== null) return { ...decodeResult(claim.row.response), replayed: true };
    throw new IdempotencyKeyInUseError(key, claim.row.transaction_hash, claim.row.error);
  }
  let sentHash: string | undefined;
  let marking: Promise<void> | undefined;
  try {
    const result = await exclusiveSend(lock, () =>
      run((hash) => {
        sentHash = hash;
        marking = markPaymentRequestSent(ctx.db, merchantId, key, hash);
      }),
    );
    await marking;
    await completePaymentRequest(ctx.db, merchantId, key, encodeResult(result));
    return result;
  } catch (error) {
    await marking?.catch(() => undefined);
    if (sentHash === undefined) await releasePaymentRequest(ctx.db, merchantId, key);
    else await failPaymentRequest(ctx.db, merchantId, key, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/** JSON with bigints tagged, so a replay returns the same values and types. */
function encodeResult(result: PaymentActionResult): string {
  return JSON.stringify(result, (_key, value: unknown) => (typeof value === "bigint" ? { $bigint: value.toString() } : value));
}

function decodeResult(text: string): PaymentActionResult {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const tagged = (value as { $bigint?: unknown }).$bigint;
      if (keys.length === 1 && typeof tagged === "string") return BigInt(tagged);
    }
    return value;
  }) as PaymentActionResult;
}
