/** Reading a merchant's invoices: one by id, or a filtered keyset page. Never another merchant's. */
import { InvalidInputError, NotFoundError } from "../../errors.js";
import { findInvoiceById, listInvoiceRows, type ListInvoiceRowsQuery } from "../../store/index.js";
import { nowOf, type GatewayContext } from "../context.js";
import { decodeKeysetCursor, encodeKeysetCursor } from "../keysetCursor.js";
import { getMerchant } from "../merchants/getMerchant.js";
import { invoiceView, type InvoiceView } from "./invoiceView.js";
import { toInvoiceRecord } from "./toInvoiceRecord.js";
import { INVOICE_STATUSES, type InvoiceStatus } from "./types.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a well-formed invoice id (a UUID as the gateway writes it). */
export function isInvoiceId(id: string): boolean {
  return UUID_RE.test(id);
}

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
export const LIST_MAX_SEARCH = 200;
export { INVOICE_STATUSES };

export interface ListInvoicesQuery {
  status?: InvoiceStatus;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created strictly before. */
  createdBefore?: Date;
  /** Search text: order reference text (contains), or exactly an invoice number, id, orderRef or payer address. */
  search?: string;
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


/**
 * The store's filter for a list query (status, creation times, search), checked: "open" rows past their expiry show
 * as expired before the indexer stores it, so both status filters look at expiry as of `now`. Also used by the CSV
 * export, so a file holds exactly what the list shows.
 */
export function invoiceRowsFilter(
  merchantId: string,
  query: Omit<ListInvoicesQuery, "cursor" | "limit">,
  now: bigint,
): Omit<ListInvoiceRowsQuery, "after" | "limit"> {
  if (query.status !== undefined && !INVOICE_STATUSES.includes(query.status)) {
    throw new InvalidInputError("status", `status must be one of ${INVOICE_STATUSES.join(", ")}`);
  }
  if (query.search !== undefined && query.search.length > LIST_MAX_SEARCH) {
    throw new InvalidInputError("q", `q must be at most ${LIST_MAX_SEARCH} characters`);
  }
  const status =
    query.status === undefined
      ? undefined
      : query.status === "open" || query.status === "expired"
        ? { stored: "open", expired: query.status === "expired", now }
        : { stored: query.status, now };
  return {
    merchantId,
    ...(status === undefined ? {} : { status }),
    ...(query.createdFrom === undefined ? {} : { createdFrom: query.createdFrom }),
    ...(query.createdBefore === undefined ? {} : { createdBefore: query.createdBefore }),
    ...(query.search === undefined ? {} : { search: query.search }),
  };
}

/** The merchant's invoices, newest first, `limit` per page. */
export async function listInvoices(ctx: GatewayContext, merchantId: string, query: ListInvoicesQuery = {}): Promise<InvoicePage> {
  const limit = query.limit ?? LIST_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_MAX_LIMIT) {
    throw new InvalidInputError("limit", `limit must be a whole number from 1 to ${LIST_MAX_LIMIT}`);
  }
  const now = await nowOf(ctx);
  const filter = invoiceRowsFilter(merchantId, query, now);
  const merchant = await getMerchant(ctx.db, merchantId);
  const rows = await listInvoiceRows(ctx.db, {
    ...filter,
    ...(query.cursor === undefined ? {} : { after: decodeKeysetCursor(query.cursor, isInvoiceId) }),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    invoices: page.map((row) => invoiceView(toInvoiceRecord(row), merchant, ctx.chain.location, now)),
    nextCursor: rows.length > limit && last !== undefined ? encodeKeysetCursor({ createdAt: last.position, id: last.id }) : null,
  };
}
