/** One invoice's webhook deliveries across the merchant's endpoints (the dashboard's invoice story). */
import { NotFoundError } from "../../errors.js";
import { findInvoiceById, listAttemptRows, listInvoiceDeliveryRows, type WebhookAttemptRow } from "../../store/index.js";
import type { GatewayContext } from "../context.js";
import { isInvoiceId } from "../invoices/readInvoices.js";
import { deliveryView } from "../webhooks/deliveries.js";
import type { WebhookDeliveryView } from "../webhooks/types.js";

/** Most deliveries one answer holds (an invoice has a few events, each sent to a few endpoints). */
export const INVOICE_DELIVERIES_MAX = 100;

export interface InvoiceDeliveries {
  /** Newest first, each with its attempts. */
  deliveries: WebhookDeliveryView[];
  /** True when there were more than INVOICE_DELIVERIES_MAX (the oldest are left out). */
  truncated: boolean;
}

/** NOT_FOUND for an invoice that is not the merchant's. */
export async function listInvoiceDeliveries(ctx: Pick<GatewayContext, "db">, merchantId: string, invoiceId: string): Promise<InvoiceDeliveries> {
  if (!isInvoiceId(invoiceId) || (await findInvoiceById(ctx.db, merchantId, invoiceId)) === undefined) throw new NotFoundError("invoice");
  const rows = await listInvoiceDeliveryRows(ctx.db, { merchantId, invoiceId, limit: INVOICE_DELIVERIES_MAX + 1 });
  const page = rows.slice(0, INVOICE_DELIVERIES_MAX);
  const byDelivery = new Map<string, WebhookAttemptRow[]>();
  for (const a of await listAttemptRows(ctx.db, page.map((r) => r.id))) byDelivery.set(a.delivery_id, [...(byDelivery.get(a.delivery_id) ?? []), a]);
  return { deliveries: page.map((r) => deliveryView(r, r.event_type, byDelivery.get(r.id) ?? [])), truncated: rows.length > INVOICE_DELIVERIES_MAX };
}
