/** Reading a merchant's invoices: one by id, or a filtered keyset page. Never another merchant's. */
import { InvalidInputError, NotFoundError } from "../../errors.js";
import { findInvoiceById, listInvoiceRows } from "../../store/index.js";
import { nowOf, type GatewayContext } from "../context.js";
import { decodeKeysetCursor, encodeKeysetCursor } from "../keysetCursor.js";
import { getMerchant } from "../merchants/getMerchant.js";
import { invoiceView, type InvoiceView } from "./invoiceView.js";
import { toInvoiceRecord } from "./toInvoiceRecord.js";
import { INVOICE_STATUSES, type InvoiceStatus } from "./types.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The merchant's invoice; NOT_FOUND if there is none with this id for this merchant (another merchant's included). */
export async function getInvoice(ctx: GatewayContext, merchantId: string, id: string): Promise<InvoiceView> {
  if (!UUID_RE.test(id)) throw new NotFoundError("invoice");
  const row = await findInvoiceById(ctx.db, merchantId, id);
  if (row === undefined) throw new NotFoundError("invoice");
  const merchant = await getMerchant(ctx.db, merchantId);
  return invoiceView(toInvoiceRecord(row), merchant, ctx.chain.location, await nowOf(ctx));
}

export const LIST_DEFAULT_LIMIT = 20;
export const LIST_MAX_LIMIT = 100;
export { INVOICE_STATUSES };

export interface ListInvoicesQuery {
  status?: InvoiceStatus;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created strictly before. */
  createdBefore?: Date;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /** 1..100, default 20. */
  limit?: number;
}

export interface InvoicePage {
  invoices: InvoiceView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}


/** The merchant's invoices, newest first, `limit` per page. */
export async function listInvoices(ctx: GatewayContext, merchantId: string, query: ListInvoicesQuery = {}): Promise<InvoicePage> {
  const limit = query.limit ?? LIST_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_MAX_LIMIT) {
    throw new InvalidInputError("limit", `limit must be a whole number from 1 to ${LIST_MAX_LIMIT}`);
  }
  if (query.status !== undefined && !INVOICE_STATUSES.includes(query.status)) {
    throw new InvalidInputError("status", `status must be one of ${INVOICE_STATUSES.join(", ")}`);
  }
  const now = await nowOf(ctx);
  // "open" rows past their expiry show as expired before the indexer stores it, so both filters look at expiry.
  const status =
    query.status === undefined
      ? undefined
      : query.status === "open" || query.status === "expired"
        ? { stored: "open", expired: query.status === "expired", now }
        : { stored: query.status, now };
  const merchant = await getMerchant(ctx.db, merchantId);
  const rows = await listInvoiceRows(ctx.db, {
    merchantId,
    ...(status === undefined ? {} : { status }),
    ...(query.createdFrom === undefined ? {} : { createdFrom: query.createdFrom }),
    ...(query.createdBefore === undefined ? {} : { createdBefore: query.createdBefore }),
    ...(query.cursor === undefined ? {} : { after: decodeKeysetCursor(query.cursor, (id) => UUID_RE.test(id)) }),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    invoices: page.map((row) => invoiceView(toInvoiceRecord(row), merchant, ctx.chain.location, now)),
    nextCursor: rows.length > limit && last !== undefined ? encodeKeysetCursor({ createdAt: last.position, id: last.id }) : null,
  };
}
