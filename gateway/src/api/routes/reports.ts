/** GET /v1/reports/daily: the merchant's totals per UTC day and token (scope: read). */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import { dailyTotals, REPORT_DEFAULT_DAYS, REPORT_MAX_DAYS, type GatewayContext } from "../../services/index.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { API_KEY_SECURITY, errorResponses } from "../schemas.js";

const day = z.string().max(10).regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-12-01");

export const DailyReportQuerySchema = z.object({
  from: day.optional().openapi({ example: "2026-11-01", description: `First day (UTC); default ${REPORT_DEFAULT_DAYS - 1} days before \`to\`.` }),
  to: day.optional().openapi({ example: "2026-11-30", description: `Last day, inclusive (UTC); default today. At most ${REPORT_MAX_DAYS} days in all.` }),
  token: z.string().max(64).optional().openapi({ example: "USDC", description: "Only this token: symbol or 0x address." }),
});

export const DailyReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    days: z.array(
      z.object({
        date: z.string().openapi({ example: "2026-11-30", description: "UTC day." }),
        token: z.object({ address: z.string(), symbol: z.string().nullable(), decimals: z.number().int().nullable() }),
        invoicesCreated: z.number().int(),
        paidCount: z.number().int().openapi({ description: "Payments confirmed that day (less payments rolled back by a reorg)." }),
        paidAmount: z.string().openapi({ example: "12500000", description: "Base units paid." }),
        refundedAmount: z.string().openapi({ description: "Base units refunded that day (to the payers)." }),
        pointsIssued: z.string().openapi({ description: "Loyalty points awarded by settlements, less those of settled payments refunded in full." }),
        pointsRedeemed: z.string().openapi({ description: "Loyalty points payers burned in payments." }),
      }),
    ).openapi({ description: "Only days and tokens with activity, by day then token." }),
  })
  .openapi("DailyReport");

export function registerReportRoutes(app: OpenAPIHono<ApiEnv>, ctx: GatewayContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/reports/daily",
      summary: "Totals per UTC day and token: invoices created, paid, refunded, points issued and redeemed (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(ctx.db, "read")] as const,
      request: { query: DailyReportQuerySchema },
      responses: {
        200: { description: "The report", content: { "application/json": { schema: DailyReportSchema } } },
        ...errorResponses(400, 401, 403, 500),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const report = await dailyTotals(ctx, c.get("principal").merchantId, {
        ...(q.from === undefined ? {} : { from: q.from }),
        ...(q.to === undefined ? {} : { to: q.to }),
        ...(q.token === undefined ? {} : { token: q.token }),
      });
      return c.json(
        {
          from: report.from,
          to: report.to,
          days: report.days.map((d) => ({
            date: d.date,
            token: d.token,
            invoicesCreated: d.invoicesCreated,
            paidCount: d.paidCount,
            paidAmount: d.paidAmount.toString(),
            refundedAmount: d.refundedAmount.toString(),
            pointsIssued: d.pointsIssued.toString(),
            pointsRedeemed: d.pointsRedeemed.toString(),
          })),
        },
        200,
      );
    },
  );
}
