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
import { hashInvoiceRequest, normalizeInvoiceRequest } from "./normalizeInvoiceRequest.js";
import type { InvoiceRecord, InvoiceRequest } from "./types.js";

export interface CreateInvoiceRecordRequest {
  merchantId: string;
  /** Highest invoice number the chain has already seen for this merchant (0 if none): numbering starts above it. */
  highestUsedOnChain: bigint;
  /** Client-chosen retry key: the same key and body return the first result; another body is a conflict. */
  idempotencyKey?: string;
  invoice: InvoiceRequest;
}

export interface CreateInvoiceRecordResult {
  invoice: InvoiceRecord;
  /** False when an earlier request with the same idempotency key created it. */
  created: boolean;
}

function toRecord(row: InvoiceRow): InvoiceRecord {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    invoiceNumber: BigInt(row.invoice_number),
    token: row.token,
    amount: BigInt(row.amount),
    expiry: BigInt(row.expiry),
    payer: row.payer,
    pointsAward: BigInt(row.points_award),
    pointsRedeem: BigInt(row.points_redeem),
    orderRef: row.order_ref,
    metadata: row.metadata,
    status: row.status,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
  };
}

function replay(row: InvoiceRow, requestHash: string, key: string): CreateInvoiceRecordResult {
  if (row.request_hash !== requestHash) throw new IdempotencyConflictError(key);
  return { invoice: toRecord(row), created: false };
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
  const requestHash = hashInvoiceRequest(invoice);

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
      });
    });
    return { invoice: toRecord(row), created: true };
  } catch (error) {
    // A concurrent request with the same key committed first: ours rolled back (number included); answer as a replay.
    if (key !== undefined && isUniqueViolation(error, "invoices_merchant_idempotency_unique")) {
      const winner = await findInvoiceByIdempotencyKey(db, request.merchantId, key);
      if (winner !== undefined) return replay(winner, requestHash, key);
    }
    throw error;
  }
}
