/**
 * /v1/invoices/{id}/refund and /release (scope: refund). They return transactions or the hash of one the gateway
 * sent; they never change the invoice's status (the indexer does, from the escrow's events).
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import {
  PAYMENT_MODES,
  refundInvoice,
  releaseInvoice,
  type GatewayContext,
  type PaymentActionResult,
} from "../../services/index.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { jsonBody } from "../body.js";
import { API_KEY_SECURITY, errorResponses, InvoiceIdParamSchema } from "../schemas.js";

/** A refund or release body is a few fields. */
const MAX_BODY_BYTES = 4 * 1024;

const ModeSchema = z.enum(PAYMENT_MODES).openapi({
  description:
    '"unsigned": the transactions for the merchant\'s own wallet to sign and send. "send": the gateway sends it with the merchant\'s invoice signer key (which pays the gas) and waits for the receipt.',
});

export const RefundBodySchema = z
  .object({
    amount: z
      .string({ error: 'amount must be a string like "2.50"' })
      .max(100)
      .optional()
      .openapi({ example: "2.50", description: "Decimal in the token's units; default: everything left to refund. At most one of amount and amountBaseUnits." }),
    amountBaseUnits: z.string().max(100).optional().openapi({ example: "2500000", description: "Integer string of base units." }),
    mode: ModeSchema,
  })
  .strict()
  .openapi("RefundRequest");

export const ReleaseBodySchema = z.object({ mode: ModeSchema }).strict().openapi("ReleaseRequest");

const Amount = z.object({ baseUnits: z.string(), decimal: z.string().nullable() });

export const PaymentResultSchema = z
  .object({
    mode: z.enum(PAYMENT_MODES),
    transactions: z
      .array(z.object({ chainId: z.string(), to: z.string(), data: z.string(), value: z.string() }))
      .optional()
      .openapi({ description: 'mode "unsigned": to send in order from the merchant\'s wallet (a settled token refund is approve, then refundSettled).' }),
    sent: z
      .object({ hash: z.string(), blockNumber: z.number().int(), gasUsed: z.string(), from: z.string() })
      .optional()
      .openapi({ description: 'mode "send": the mined transaction (1 receipt).' }),
    summary: z
      .object({
        action: z.enum(["refund", "refundSettled", "release"]),
        invoiceId: z.string(),
        onChainMerchantId: z.string(),
        invoiceNumber: z.string(),
        paymentId: z.string(),
        chainStatus: z.string().openapi({ description: "The escrow's invoiceStatus before the transaction." }),
        token: z.object({ address: z.string(), symbol: z.string().nullable(), decimals: z.number().int().nullable() }),
        payer: z.string(),
        amount: Amount,
        refundable: Amount.nullable().openapi({ description: "Refunds: what was left to refund before this one." }),
        full: z.boolean(),
        pointsToRestore: z.string().nullable(),
        pointsToClawBack: z.string().nullable(),
        releaseAt: z.number().int().nullable(),
        sender: z.string().openapi({ description: "Who may send the transactions." }),
      })
      .openapi({ description: "What the transactions do." }),
  })
  .openapi("PaymentActionResult");

export const PaymentIdempotencyHeaderSchema = z.object({
  "idempotency-key": z.string().min(1).max(255).optional().openapi({
    param: { name: "idempotency-key", in: "header" },
    description:
      'For mode "send": a retry under the same key and body returns the first answer (header Idempotent-Replayed: true) and never sends a second transaction; another body under it is 409 IDEMPOTENCY_CONFLICT; while the first runs, or after it sent a transaction and failed, 409 IDEMPOTENCY_KEY_IN_USE.',
  }),
});


export function registerPaymentRoutes(app: OpenAPIHono<ApiEnv>, ctx: GatewayContext): void {
  const { db } = ctx;

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/invoices/{id}/refund",
      summary: "Refund a paid invoice in full or in part (scope: refund)",
      description:
        "Held or disputed payments: escrow.refund, unsigned or sent with the merchant's signer key. Settled payments: escrow.refundSettled from the merchant's own funds, unsigned only. Give an Idempotency-Key with mode send: a retry then never sends twice.",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "refund"), jsonBody(MAX_BODY_BYTES)] as const,
      request: {
        params: InvoiceIdParamSchema,
        headers: PaymentIdempotencyHeaderSchema,
        body: { required: true, content: { "application/json": { schema: RefundBodySchema } } },
      },
      responses: {
        200: { description: "The refund", content: { "application/json": { schema: PaymentResultSchema } } },
        ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const key = c.req.valid("header")["idempotency-key"];
      const result = await refundInvoice(ctx, c.get("principal").merchantId, c.req.valid("param").id, {
        mode: body.mode,
        ...(key === undefined ? {} : { idempotencyKey: key }),
        ...(body.amount === undefined ? {} : { amount: body.amount }),
        ...(body.amountBaseUnits === undefined ? {} : { amountBaseUnits: body.amountBaseUnits }),
      });
      if (result.replayed === true) c.header("Idempotent-Replayed", "true");
      return c.json(paymentResultJson(result), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/invoices/{id}/release",
      summary: "Release a held payment whose refund window has ended (scope: refund)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "refund"), jsonBody(MAX_BODY_BYTES)] as const,
      request: {
        params: InvoiceIdParamSchema,
        headers: PaymentIdempotencyHeaderSchema,
        body: { required: true, content: { "application/json": { schema: ReleaseBodySchema } } },
      },
      responses: {
        200: { description: "The release", content: { "application/json": { schema: PaymentResultSchema } } },
        ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500),
      },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"];
      const result = await releaseInvoice(ctx, c.get("principal").merchantId, c.req.valid("param").id, {
        mode: c.req.valid("json").mode,
        ...(key === undefined ? {} : { idempotencyKey: key }),
      });
      if (result.replayed === true) c.header("Idempotent-Replayed", "true");
      return c.json(paymentResultJson(result), 200);
    },
  );
}

function amountJson(value: bigint, decimals: number | null) {
  return { baseUnits: value.toString(), decimal: decimals === null ? null : formatDecimal(value, decimals) };
}

/** Base units → decimal text without trailing zeros ("2.5", "12"). */
function formatDecimal(value: bigint, decimals: number): string {
  const text = value.toString().padStart(decimals + 1, "0");
  const whole = text.slice(0, text.length - decimals);
  const fraction = text.slice(text.length - decimals).replace(/0+$/, "");
  return fraction === "" ? whole : `${whole}.${fraction}`;
}

export function paymentResultJson(result: PaymentActionResult): z.infer<typeof PaymentResultSchema> {
  const s = result.summary;
  const summary = {
    action: s.action,
    invoiceId: s.invoiceId,
    onChainMerchantId: s.onChainMerchantId.toString(),
    invoiceNumber: s.invoiceNumber.toString(),
    paymentId: s.paymentId.toString(),
    chainStatus: s.chainStatus,
    token: { address: s.token, symbol: s.tokenSymbol, decimals: s.tokenDecimals },
    payer: s.payer,
    amount: amountJson(s.amount, s.tokenDecimals),
    refundable: s.refundable === null ? null : amountJson(s.refundable, s.tokenDecimals),
    full: s.full,
    pointsToRestore: s.pointsToRestore === null ? null : s.pointsToRestore.toString(),
    pointsToClawBack: s.pointsToClawBack === null ? null : s.pointsToClawBack.toString(),
    releaseAt: s.releaseAt === null ? null : Number(s.releaseAt),
    sender: s.sender,
  };
  if (result.mode === "unsigned") {
    return {
      mode: "unsigned",
      transactions: result.transactions.map((t) => ({ chainId: t.chainId.toString(), to: t.to, data: t.data, value: t.value.toString() })),
      summary,
    };
  }
  const t = result.sent;
  return { mode: "send", sent: { hash: t.hash, blockNumber: t.blockNumber, gasUsed: t.gasUsed.toString(), from: t.from }, summary };
}
