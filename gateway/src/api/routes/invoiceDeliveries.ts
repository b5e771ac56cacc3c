/** GET /v1/invoices/{id}/webhook-deliveries: one invoice's deliveries to any of the merchant's endpoints (scope: read). */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import { INVOICE_DELIVERIES_MAX, listInvoiceDeliveries, type GatewayContext } from "../../services/index.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { API_KEY_SECURITY, errorResponses, InvoiceIdParamSchema } from "../schemas.js";
import { deliveryJson, DeliverySchema } from "./webhooks.js";

export function registerInvoiceDeliveryRoutes(app: OpenAPIHono<ApiEnv>, ctx: GatewayContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/invoices/{id}/webhook-deliveries",
      summary: "The invoice's webhook deliveries across the merchant's endpoints, newest first, with their attempts (at most 100; scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(ctx.db, "read")] as const,
      request: { params: InvoiceIdParamSchema },
      responses: {
        200: {
          description: "A page",
          content: { "application/json": { schema: z
                .object({
                  deliveries: z.array(DeliverySchema),
                  truncated: z.boolean().openapi({ description: `True when the invoice has more than ${INVOICE_DELIVERIES_MAX} deliveries: the oldest are left out.` }),
                })
                .openapi("InvoiceWebhookDeliveries") } },
        },
        ...errorResponses(401, 403, 404, 500),
      },
    }),
    async (c) => {
      const result = await listInvoiceDeliveries(ctx, c.get("principal").merchantId, c.req.valid("param").id);
      return c.json({ deliveries: result.deliveries.map(deliveryJson), truncated: result.truncated }, 200);
    },
  );
}
