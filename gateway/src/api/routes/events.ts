/**
 * /v1/events and /v1/invoices/{id}/events: the merchant's event log, oldest first, read forward from a cursor (the
 * last `seq` the caller holds). Routes parse, authorise and call the events service.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import { EVENTS_MAX_LIMIT, EVENTS_MAX_TYPES, listInvoiceEvents, listMerchantEvents, type GatewayContext } from "../../services/index.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { API_KEY_SECURITY, errorResponses, InvoiceIdParamSchema } from "../schemas.js";

export const EventSchema = z
  .object({
    id: z.string().openapi({ example: "evt_3f6c0a1e9b2d4c8e8f7a6b5c4d3e2f1a", description: "Stable: what receivers de-duplicate by." }),
    seq: z.string().openapi({ example: "42", description: "Position in the log: the cursor (`after`) and the SSE `id`." }),
    type: z.string().openapi({ example: "invoice.paid" }),
    createdAt: z.string().openapi({ description: "ISO 8601, UTC." }),
    merchantId: z.string(),
    invoiceId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("Event");

export const EventPageSchema = z
  .object({
    events: z.array(EventSchema),
    nextCursor: z.string().nullable().openapi({
      description: "When more events follow this page: pass as `after`. Null on the last page (to poll for new events, pass the last event's seq).",
    }),
  })
  .openapi("EventPage");

const typeParam = z
  .union([z.string().max(1000), z.array(z.string().max(200)).max(EVENTS_MAX_TYPES)])
  .optional()
  .openapi({
    param: { name: "type", in: "query", style: "form", explode: true },
    description: "Event types to keep: repeat the parameter or give a comma list (invoice.paid,invoice.refunded).",
  });

const pageParams = {
  after: z.string().max(20).optional().openapi({ description: "Only events after this seq (a previous page's nextCursor, or the last seq you hold)." }),
  type: typeParam,
  limit: z.coerce.number().int().min(1).max(EVENTS_MAX_LIMIT).optional().openapi({ description: "1..100, default 20." }),
};

export const ListEventsQuerySchema = z.object({
  ...pageParams,
  invoiceId: z.string().max(64).optional().openapi({ description: "One invoice's events." }),
});
export const InvoiceEventsQuerySchema = z.object(pageParams);


const asList = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

export function registerEventRoutes(app: OpenAPIHono<ApiEnv>, ctx: GatewayContext): void {
  const { db } = ctx;

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/events",
      summary: "The merchant's events, oldest first, after a cursor (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      request: { query: ListEventsQuerySchema },
      responses: {
        200: { description: "A page", content: { "application/json": { schema: EventPageSchema } } },
        ...errorResponses(400, 401, 403, 500),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const types = asList(q.type);
      const page = await listMerchantEvents(ctx, c.get("principal").merchantId, {
        ...(q.after === undefined ? {} : { after: q.after }),
        ...(types === undefined ? {} : { types }),
        ...(q.invoiceId === undefined ? {} : { invoiceId: q.invoiceId }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      });
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/invoices/{id}/events",
      summary: "One invoice's events (its story), oldest first (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      request: { params: InvoiceIdParamSchema, query: InvoiceEventsQuerySchema },
      responses: {
        200: { description: "A page", content: { "application/json": { schema: EventPageSchema } } },
        ...errorResponses(400, 401, 403, 404, 500),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const types = asList(q.type);
      const page = await listInvoiceEvents(ctx, c.get("principal").merchantId, c.req.valid("param").id, {
        ...(q.after === undefined ? {} : { after: q.after }),
        ...(types === undefined ? {} : { types }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      });
      return c.json(page, 200);
    },
  );
}
