/** /v1/invoices: routes parse, authorise and call a service; the rules live in the services. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";

import {
  cancelInvoice,
  createInvoice,
  getCheckoutInvoice,
  getInvoice,
  listInvoices,
  renderInvoiceQr,
  type GatewayContext,
  type InvoiceStatus,
  type QrForm,
  type QrImage,
} from "../../services/index.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { jsonBody } from "../body.js";
import {
  CancelResultSchema,
  CreateInvoiceBodySchema,
  API_KEY_SECURITY,
  errorResponses,
  IdempotencyHeaderSchema,
  InvoiceIdParamSchema,
  InvoicePageSchema,
  InvoiceSchema,
  ListInvoicesQuerySchema,
  QrQuerySchema,
} from "../schemas.js";
import { cancelJson, invoiceJson, pageJson } from "../serialize.js";

/** Largest accepted POST body (metadata alone may be 16 KiB). */
export const MAX_BODY_BYTES = 64 * 1024;


export function registerInvoiceRoutes(app: OpenAPIHono<ApiEnv>, ctx: GatewayContext): void {
  const { db } = ctx;

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/invoices",
      summary: "Create and sign an invoice (scope: create)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "create"), jsonBody(MAX_BODY_BYTES)] as const,
      request: {
        headers: IdempotencyHeaderSchema,
        body: { required: true, content: { "application/json": { schema: CreateInvoiceBodySchema } } },
      },
      responses: {
        201: { description: "Created", content: { "application/json": { schema: InvoiceSchema } } },
        200: { description: "Replay of an earlier request with the same Idempotency-Key", content: { "application/json": { schema: InvoiceSchema } } },
        ...errorResponses(400, 401, 403, 409, 413, 415, 500),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const key = c.req.valid("header")["idempotency-key"];
      const { merchantId } = c.get("principal");
      const { view, created } = await createInvoice(ctx, merchantId, body, key);
      return c.json(invoiceJson(view), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/invoices",
      summary: "List invoices, newest first (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      request: { query: ListInvoicesQuerySchema },
      responses: {
        200: { description: "A page", content: { "application/json": { schema: InvoicePageSchema } } },
        ...errorResponses(400, 401, 403, 500),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await listInvoices(ctx, c.get("principal").merchantId, {
        ...(q.status === undefined ? {} : { status: q.status as InvoiceStatus }),
        ...(q.createdFrom === undefined ? {} : { createdFrom: new Date(q.createdFrom) }),
        ...(q.createdBefore === undefined ? {} : { createdBefore: new Date(q.createdBefore) }),
        ...(q.q === undefined ? {} : { search: q.q }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      });
      return c.json(pageJson(page), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/invoices/{id}",
      summary: "One invoice (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      request: { params: InvoiceIdParamSchema },
      responses: {
        200: { description: "The invoice", content: { "application/json": { schema: InvoiceSchema } } },
        ...errorResponses(401, 403, 404, 500),
      },
    }),
    async (c) => {
      const view = await getInvoice(ctx, c.get("principal").merchantId, c.req.valid("param").id);
      return c.json(invoiceJson(view), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/invoices/{id}/cancel",
      summary: "Cancel an invoice (scope: create): marks it cancelling and returns the unsigned on-chain cancellation",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "create")] as const,
      request: { params: InvoiceIdParamSchema },
      responses: {
        200: { description: "Cancelling", content: { "application/json": { schema: CancelResultSchema } } },
        ...errorResponses(401, 403, 404, 409, 500),
      },
    }),
    async (c) => {
      const result = await cancelInvoice(ctx, c.get("principal").merchantId, c.req.valid("param").id);
      return c.json(cancelJson(result), 200);
    },
  );

  for (const format of ["svg", "png"] as const) {
    app.openapi(
      createRoute({
        method: "get",
        path: `/v1/invoices/{id}/qr.${format}`,
        summary: `QR code of an open invoice as ${format.toUpperCase()} (scope: read)`,
        security: API_KEY_SECURITY,
        middleware: [requireApiKey(db, "read")] as const,
        request: { params: InvoiceIdParamSchema, query: QrQuerySchema },
        responses: {
          200: {
            description: "The QR image",
            content: { [format === "svg" ? "image/svg+xml" : "image/png"]: { schema: { type: "string", format: "binary" } } },
          },
          ...errorResponses(400, 401, 403, 404, 409, 500),
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const form = c.req.valid("query").form as QrForm | undefined;
        return qrResponse(c, await renderInvoiceQr(ctx, c.get("principal").merchantId, id, format, form, publicBaseUrlOf(ctx, c)));
      },
    );

    // The same image without a key, for the checkout page and the point of sale (an <img> cannot send a key): the
    // random invoice id is the capability, and the image shows only what the public checkout view already shows.
    app.openapi(
      createRoute({
        method: "get",
        path: `/v1/public/invoices/{id}/qr.${format}`,
        summary: `QR code of an open invoice as ${format.toUpperCase()}, no key (checkout pages)`,
        request: { params: InvoiceIdParamSchema, query: QrQuerySchema },
        responses: {
          200: {
            description: "The QR image",
            content: { [format === "svg" ? "image/svg+xml" : "image/png"]: { schema: { type: "string", format: "binary" } } },
          },
          ...errorResponses(400, 404, 409, 500),
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const form = c.req.valid("query").form as QrForm | undefined;
        const { merchantId } = await getCheckoutInvoice(ctx, id); // 404 for an unknown or malformed id
        return qrResponse(c, await renderInvoiceQr(ctx, merchantId, id, format, form, publicBaseUrlOf(ctx, c)));
      },
    );
  }
}

/** The gateway's public address for links it encodes: the configured one, else this request's origin. */
function publicBaseUrlOf(ctx: GatewayContext & { publicBaseUrl?: string }, c: Context): string {
  return ctx.publicBaseUrl ?? new URL(c.req.url).origin;
}

function qrResponse(c: Context, image: QrImage): Response {
  c.header("Cache-Control", "private, no-store");
  if (image.format === "svg") {
    c.header("Content-Type", "image/svg+xml; charset=utf-8");
    return c.body(image.body, 200);
  }
  c.header("Content-Type", "image/png");
  return c.body(image.body as Uint8Array<ArrayBuffer>, 200);
}

