/**
 * GET /v1/exports/invoices.csv: the merchant's invoices as a CSV file, with the list's filters (scope: read). Streamed:
 * the filters are checked first (a bad one is the usual JSON error), then the file is written page by page.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";

import { exportInvoicesCsv, type GatewayContext, type InvoiceStatus } from "../../services/index.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { API_KEY_SECURITY, errorResponses, ListInvoicesQuerySchema } from "../schemas.js";

const ExportQuerySchema = ListInvoicesQuerySchema.omit({ cursor: true, limit: true });

export function registerExportRoutes(app: OpenAPIHono<ApiEnv>, ctx: GatewayContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/exports/invoices.csv",
      summary: "The invoices as CSV, newest first, with the list's filters (scope: read)",
      description:
        "A header row, then one row per invoice; amounts in the token's units (amount_base_units too). A cell starting with = + - @ is prefixed with ' so a spreadsheet shows it as text.",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(ctx.db, "read")] as const,
      request: { query: ExportQuerySchema },
      responses: {
        200: { description: "The CSV file", content: { "text/csv": { schema: { type: "string" } } } },
        ...errorResponses(400, 401, 403, 500),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const lines = await exportInvoicesCsv(ctx, c.get("principal").merchantId, {
        ...(q.status === undefined ? {} : { status: q.status as InvoiceStatus }),
        ...(q.createdFrom === undefined ? {} : { createdFrom: new Date(q.createdFrom) }),
        ...(q.createdBefore === undefined ? {} : { createdBefore: new Date(q.createdBefore) }),
        ...(q.q === undefined ? {} : { search: q.q }),
      });
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = await lines.next();
          if (next.done === true) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        },
        async cancel() {
          await lines.return(undefined);
        },
      });
      const day = new Date().toISOString().slice(0, 10);
      c.header("Content-Type", "text/csv; charset=utf-8");
      c.header("Content-Disposition", `attachment; filename="invoices-${day}.csv"`);
      return c.body(body, 200);
    },
  );
}
