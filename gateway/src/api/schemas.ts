/**
 * The API's zod schemas: the same objects validate requests and generate the OpenAPI 3.1 document. Money is a
 * string (base units, or a decimal as a person types it), never a JSON number.
 */
import { z } from "@hono/zod-openapi";

import { INVOICE_STATUSES, LIST_MAX_LIMIT, LIST_MAX_SEARCH, MAX_EXPIRES_IN, QR_FORMS } from "../services/index.js";

const UINT32_MAX = 2 ** 32 - 1;
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address (0x + 40 hex)");

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "INVALID_INPUT", description: "Stable; safe to switch on." }),
      message: z.string().openapi({ example: "amount has 7 decimals but USDC has 6" }),
      details: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: "For INVALID_INPUT: every problem, with the path of the field it concerns." }),
    }),
  })
  .openapi("Error");

export const CreateInvoiceBodySchema = z
  .object({
    amount: z
      .string({ error: 'amount must be a string like "12.50" (a JSON number would lose precision)' })
      .max(100)
      .optional()
      .openapi({
      example: "12.50",
      description:
        "Decimal in the token's units as a person types it (digits, optionally a dot and digits), parsed exactly with the token's decimals. Exactly one of amount and amountBaseUnits.",
    }),
    amountBaseUnits: z
      .string({ error: 'amountBaseUnits must be an integer string like "12500000"' })
      .max(100)
      .optional()
      .openapi({ example: "12500000", description: "Integer string of base units (1 .. 2^96-1)." }),
    token: z.string({ error: "token must be a symbol or a 0x address" }).min(1).max(64).openapi({ example: "USDC", description: "Symbol or 0x address of a token the escrow accepts; ETH is \"ETH\" or the zero address." }),
    expiresIn: z.number().int().min(1).max(MAX_EXPIRES_IN).optional().openapi({ example: 900, description: "Seconds from now (default 900). At most one of expiresIn and expiresAt." }),
    expiresAt: z.number().int().positive().optional().openapi({ description: "Unix seconds; in the future, at most a year away." }),
    pointsAward: z.number().int().min(0).max(UINT32_MAX).optional().openapi({ description: "Loyalty points the payer earns." }),
    pointsRedeem: z.number().int().min(0).max(UINT32_MAX).optional().openapi({
      description: "Points the payer burns (discount already in the amount). Such an invoice has no deposit QR form.",
    }),
    payer: address.optional().openapi({ description: "Only this account may pay (default: anyone)." }),
    orderRef: z.string().min(1).max(256).optional().openapi({
      example: "order-1042",
      description: "0x + 64 hex is used as the on-chain orderRef as is; any other text is kept (orderRefText) and its keccak256 (UTF-8) becomes the orderRef.",
    }),
    metadata: z.record(z.string(), z.unknown()).optional().openapi({ description: "Free JSON object returned as given: at most 16 KiB, 16 levels deep." }),
  })
  .strict()
  .openapi("CreateInvoiceRequest");

export const IdempotencyHeaderSchema = z.object({
  "idempotency-key": z.string().min(1).max(255).optional().openapi({
    param: { name: "idempotency-key", in: "header" },
    description: "Retry key: the same key and body return the first invoice (200); another body under it is 409.",
  }),
});

export const InvoiceIdParamSchema = z.object({
  id: z.string().max(64).openapi({ param: { name: "id", in: "path" }, example: "6f1c2b9e-6a43-4f0e-9d7e-1c2b3a4d5e6f" }),
});

const TokenSchema = z.object({
  address: z.string().openapi({ description: "Checksummed; the zero address for ETH." }),
  symbol: z.string().nullable(),
  decimals: z.number().int().nullable(),
});

const AmountSchema = z.object({
  baseUnits: z.string().openapi({ example: "12500000" }),
  decimal: z.string().nullable().openapi({ example: "12.5" }),
});

export const QrPayloadsSchema = z
  .object({
    deposit: z
      .object({ address: z.string(), uri: z.string() })
      .nullable()
      .openapi({ description: "Plain EIP-681 transfer to the invoice's own deposit address: what every wallet pays. Null when the invoice redeems points." }),
    depositUnavailable: z.string().nullable().openapi({ description: "Why deposit is null." }),
    payPacked: z.object({ uri: z.string(), audience: z.string() }).openapi({ description: "EIP-681 call of the escrow's payPacked, for ScanPay-aware apps." }),
    compact: z.object({ text: z.string(), audience: z.string() }).openapi({ description: "SCANPAY: compact text (smallest QR), for ScanPay-aware apps." }),
  })
  .openapi("QrPayloads");

export const InvoiceSchema = z
  .object({
    id: z.string(),
    merchantId: z.string().openapi({ description: "The gateway's merchant id." }),
    onChainMerchantId: z.string().openapi({ description: "The registry id the invoice is signed for." }),
    invoiceNumber: z.string(),
    chainId: z.string(),
    escrow: z.string(),
    token: TokenSchema,
    amount: AmountSchema,
    expiresAt: z.number().int().openapi({ description: "Unix seconds: the last second it can be paid." }),
    payer: z.string(),
    pointsAward: z.number().int(),
    pointsRedeem: z.number().int(),
    orderRef: z.string(),
    orderRefText: z.string().nullable(),
    holdPeriod: z.number().int().nullable().openapi({ description: "Refund window the invoice signs, seconds." }),
    epoch: z.number().int().nullable(),
    status: z.enum(INVOICE_STATUSES),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string().openapi({ description: "ISO 8601." }),
    signature: z.string().nullable().openapi({ description: "The merchant signer's EIP-712 signature (64-byte EIP-2098)." }),
    qr: QrPayloadsSchema.nullable().openapi({ description: "Null unless the invoice is open." }),
    links: z.object({ png: z.string(), svg: z.string(), checkout: z.string() }),
  })
  .openapi("Invoice");

export const InvoicePageSchema = z
  .object({ invoices: z.array(InvoiceSchema), nextCursor: z.string().nullable() })
  .openapi("InvoicePage");

export const ListInvoicesQuerySchema = z.object({
  status: z.enum(INVOICE_STATUSES).optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional().openapi({ description: "Created at or after (ISO 8601)." }),
  createdBefore: z.iso.datetime({ offset: true }).optional().openapi({ description: "Created before (ISO 8601)." }),
  q: z.string().max(LIST_MAX_SEARCH).optional().openapi({
    example: "order-1042",
    description: "Search: the order reference text contains it (case-insensitive; % and _ are literal), or it is exactly the invoice number, id, 0x orderRef, or the payer's address.",
  }),
  cursor: z.string().max(200).optional().openapi({ description: "nextCursor of the previous page." }),
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).optional().openapi({ description: "1..100, default 20." }),
});

export const QrQuerySchema = z.object({
  form: z.enum(QR_FORMS).optional().openapi({
    description: "Default: deposit (payPacked when the invoice has no deposit form). checkout: the https link of the hosted checkout page /pay/{id}.",
  }),
});

export const CancelResultSchema = z
  .object({
    invoice: InvoiceSchema,
    transaction: z
      .object({ chainId: z.string(), to: z.string(), data: z.string(), value: z.string() })
      .openapi({ description: "Unsigned escrow.cancelInvoice for the merchant's owner or signer wallet to send." }),
  })
  .openapi("CancelInvoiceResult");

export const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

export type InvoiceJson = z.infer<typeof InvoiceSchema>;

/** The `security` of a route that needs an API key (the `apiKey` bearer scheme app.ts registers). */
export const API_KEY_SECURITY = [{ apiKey: [] }];

/** OpenAPI responses for error statuses: each the one error shape. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, { description: "Error", content: { "application/json": { schema: ErrorSchema } } }]));
}
