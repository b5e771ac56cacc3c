import { randomUUID } from "node:crypto";

import type { Kysely } from "kysely";

import { IdempotencyConflictError, InvalidInputError, MerchantNotFoundError } from "../../errors.js";
import {
  allocateInvoiceNumber,
  findInvoiceByIdempotencyKey,
  findMerchantById,
  insertInvoice,
  isUniqueViolation,
  type Database,
  type InvoiceRow,
} from "../../store/index.js";
import { hashInvoiceRequest, hashRequestFingerprint, normalizeInvoiceRequest, type NormalizedInvoiceRequest } from "./normalizeInvoiceRequest.js";
import { toInvoiceRecord } from "./toInvoiceRecord.js";
import type { InvoiceCompletion, InvoiceRecord, InvoiceRequest } from "./types.js";

export interface CreateInvoiceRecordRequest {
  merchantId: string;
  /** Highest invoice number the chain has already seen for this merchant (0 if none): numbering starts above it. */
  highestUsedOnChain: bigint;
  /** Client-chosen retry key: the same key and body return the first result; another body is a conflict. */
  idempotencyKey?: string;
  invoice: InvoiceRequest;
  /**
   * What makes two requests "the same" for the idempotency key, if not the normalized invoice (default). The API
   * passes the request as the client meant it (e.g. `expiresIn: 900`, not the absolute expiry it gives today).
   */
  fingerprint?: unknown;
  /**
   * Runs inside the transaction once the number is allocated (e.g. signs the invoice); its columns are stored with
   * the row. If it throws, nothing is stored and the number is given back.
   */
  finish?: (invoiceNumber: bigint, invoice: NormalizedInvoiceRequest) => Promise<InvoiceCompletion>;
}

export interface CreateInvoiceRecordResult {
  invoice: InvoiceRecord;
  /** False when an earlier request with the same idempotency key created it. */
  created: boolean;
}

/** The answer to a request whose idempotency key was used before: the stored invoice, or a conflict. */
export function replay(row: InvoiceRow, requestHash: string, key: string): CreateInvoiceRecordResult {
  if (row.request_hash !== requestHash) throw new IdempotencyConflictError(key);
  return { invoice: toInvoiceRecord(row), created: false };
}

/**
 * Stores a new invoice under the merchant's next consecutive number. The number is allocated in the same
 * transaction as the insert, so a failed insert never burns a number and no two invoices share one.
 */
export async function createInvoiceRecord(
  db: Kysely<Database>,
  request: CreateInvoiceRecordRequest,
): Promise<CreateInvoiceRecordResult> {
  const invoice = normalizeInvoiceRequest(request.invoice);
  const key = request.idempotencyKey;
  if (key !== undefined && (key.length === 0 || key.length > 255)) {
    throw new InvalidInputError("idempotencyKey", "idempotency key must be 1 to 255 characters");
  }
  if (request.highestUsedOnChain < 0n || request.highestUsedOnChain >= 2n ** 64n - 1n) {
    throw new InvalidInputError("highestUsedOnChain", "highestUsedOnChain must be between 0 and 2^64-2");
  }
  const requestHash =
    request.fingerprint === undefined ? hashInvoiceRequest(invoice) : hashRequestFingerprint(request.fingerprint);

  if (key !== undefined) {
    const earlier = await findInvoiceByIdempotencyKey(db, request.merchantId, key);
    if (earlier !== undefined) return replay(earlier, requestHash, key);
  }
  if ((await findMerchantById(db, request.merchantId)) === undefined) {
    throw new MerchantNotFoundError(request.merchantId);
  }
  try {
    const row = await db.transaction().execute(async (trx) => {
      const number = await allocateInvoiceNumber(trx, request.merchantId, request.highestUsedOnChain);
      const done = request.finish === undefined ? undefined : await request.finish(number, invoice);
      return insertInvoice(trx, {
        id: randomUUID(),
        merchant_id: request.merchantId,
        invoice_number: number.toString(),
        token: invoice.token,
        amount: invoice.amount.toString(),
        expiry: invoice.expiry.toString(),
        payer: invoice.payer,
        points_award: invoice.pointsAward.toString(),
        points_redeem: invoice.pointsRedeem.toString(),
        order_ref: invoice.orderRef,
        metadata: JSON.stringify(invoice.metadata),
        idempotency_key: key ?? null,
        request_hash: requestHash,
        ...(done === undefined
          ? {}
          : {
              token_symbol: done.tokenSymbol,
              token_decimals: done.tokenDecimals,
              token_index: done.tokenIndex,
              hold_period: done.holdPeriod.toString(),
              epoch: done.epoch.toString(),
              signature: done.signature,
              order_ref_text: done.orderRefText,
              deposit_address: done.depositAddress?.toLowerCase() ?? null,
            }),
      });
    });
    return { invoice: toInvoiceRecord(row), created: true };
  } catch (error) {
    // A concurrent request with the same key committed first: ours rolled back (number included); answer as a replay.
    if (key !== undefined && isUniqueViolation(error, "invoices_merchant_idempotency_unique")) {
      const winner = await findInvoiceByIdempotencyKey(db, request.merchantId, key);
      if (winner !== undefined) return replay(winner, requestHash, key);
    }
    throw error;
  }
}
