/**
 * The hosted checkout's wallet payment, no key (the random invoice id is the capability, as for the public view):
 * - `GET /v1/public/invoices/{id}/wallet-payment?from=<address>`: what that wallet should do — sign one EIP-3009
 *   authorization (typed data), or approve + pay, or pay (the calls) — so the page can show it before asking;
 * - `POST /v1/public/invoices/{id}/authorization`: the signed authorization; the gateway relays it with the
 *   merchant's signer key (at most once per invoice) and answers with the mined transaction.
 * Both are rate-limited per client address like every request without a key (api/rateLimit.ts).
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import { planWalletPayment, relayAuthorization, WALLET_FLOWS, type WalletPaymentPlan } from "../../services/index.js";
import type { ApiContext } from "../app.js";
import type { ApiEnv } from "../auth.js";
import { jsonBody } from "../body.js";
import { errorResponses, InvoiceIdParamSchema } from "../schemas.js";

/** An authorization body is five short fields. */
const MAX_BODY_BYTES = 2 * 1024;

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address (0x + 40 hex)");
const uintString = z.string().regex(/^\d{1,78}$/, "must be an integer string");

const WalletPaymentQuerySchema = z.object({
  from: address.openapi({ param: { name: "from", in: "query" }, description: "The wallet that will pay.", example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }),
});

const WalletCallSchema = z.object({
  action: z.enum(["approve", "pay"]),
  to: z.string(),
  data: z.string(),
  value: z.string().openapi({ description: "Wei, decimal string." }),
});

export const WalletPaymentSchema = z
  .object({
    flow: z.enum(WALLET_FLOWS).openapi({
      description:
        "authorization: sign typedData (eth_signTypedData_v4) and POST it to /authorization. approve-and-pay: send calls in order (or as one EIP-5792 batch). pay: send the one call.",
    }),
    invoiceId: z.string(),
    chainId: z.string(),
    from: z.string(),
    escrow: z.string().openapi({ description: "Who receives the payment on chain (it holds or settles it for the merchant)." }),
    merchantName: z.string(),
    token: z.object({ address: z.string(), symbol: z.string().nullable(), decimals: z.number().int().nullable() }),
    amount: z.object({ baseUnits: z.string(), decimal: z.string().nullable() }),
    balance: z.string().nullable().openapi({ description: "The wallet's balance of the token (ETH for an ETH invoice), base units." }),
    allowance: z.string().nullable().openapi({ description: "The wallet's allowance to the escrow (tokens)." }),
    typedData: z
      .object({
        types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
        primaryType: z.literal("ReceiveWithAuthorization"),
        domain: z.object({ name: z.string(), version: z.string(), chainId: z.number().int(), verifyingContract: z.string() }),
        message: z.object({ from: z.string(), to: z.string(), value: z.string(), validAfter: z.string(), validBefore: z.string(), nonce: z.string() }),
      })
      .nullable()
      .openapi({ description: "flow authorization: exactly what eth_signTypedData_v4 is given (EIP-3009 ReceiveWithAuthorization on the token's domain)." }),
    calls: z.array(WalletCallSchema).openapi({ description: "The on-chain way, in order (for authorization: the fallback)." }),
  })
  .openapi("WalletPayment");

export const AuthorizationBodySchema = z
  .object({
    from: address,
    signature: z.string().regex(/^0x([0-9a-fA-F]{128}|[0-9a-fA-F]{130})$/, "must be a 64- or 65-byte signature (0x + hex)"),
    validAfter: uintString,
    validBefore: uintString,
    nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes (0x + 64 hex)"),
  })
  .strict()
  .openapi("AuthorizationSubmission");

export const RelayedPaymentSchema = z
  .object({
    invoiceId: z.string(),
    payer: z.string(),
    relayer: z.string().openapi({ description: "The merchant's signer, which sent the transaction and paid its gas." }),
    transactionHash: z.string(),
    blockNumber: z.number().int(),
  })
  .openapi("RelayedPayment");

export function walletPaymentJson(plan: WalletPaymentPlan): z.infer<typeof WalletPaymentSchema> {
  return {
    flow: plan.flow,
    invoiceId: plan.invoiceId,
    chainId: plan.chainId.toString(),
    from: plan.from,
    escrow: plan.escrow,
    merchantName: plan.merchantName,
    token: plan.token,
    amount: { baseUnits: plan.amount.toString(), decimal: plan.amountDecimal },
    balance: plan.balance === null ? null : plan.balance.toString(),
    allowance: plan.allowance === null ? null : plan.allowance.toString(),
    typedData: plan.typedData,
    calls: plan.calls.map((call) => ({ action: call.action, to: call.to, data: call.data, value: call.value.toString() })),
  };
}

export function registerPublicPaymentRoutes(app: OpenAPIHono<ApiEnv>, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/public/invoices/{id}/wallet-payment",
      summary: "How a given wallet pays an open invoice, no key: one signature, approve + pay, or pay",
      request: { params: InvoiceIdParamSchema, query: WalletPaymentQuerySchema },
      responses: {
        200: { description: "The plan", content: { "application/json": { schema: WalletPaymentSchema } } },
        ...errorResponses(400, 403, 404, 409, 500),
      },
    }),
    async (c) => {
      const plan = await planWalletPayment(ctx, c.req.valid("param").id, c.req.valid("query").from);
      return c.json(walletPaymentJson(plan), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/public/invoices/{id}/authorization",
      summary: "Pay an open invoice with the payer's signed EIP-3009 authorization, no key: the gateway relays it once",
      description:
        "Errors: INVALID_SIGNATURE (400), PAYER_NOT_ALLOWED (403), NOT_FOUND (404), AUTHORIZATION_NOT_VALID_NOW, AUTHORIZATION_UNSUPPORTED, INVOICE_EXPIRED, INVOICE_NOT_OPEN, RELAY_IN_PROGRESS, SENDER_UNDERFUNDED, CHAIN_REJECTED (409).",
      middleware: [jsonBody(MAX_BODY_BYTES)] as const,
      request: {
        params: InvoiceIdParamSchema,
        body: { required: true, content: { "application/json": { schema: AuthorizationBodySchema } } },
      },
      responses: {
        200: { description: "Relayed and mined", content: { "application/json": { schema: RelayedPaymentSchema } } },
        ...errorResponses(400, 403, 404, 409, 413, 415, 500),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const relayed = await relayAuthorization(ctx, c.req.valid("param").id, {
        from: body.from,
        signature: body.signature,
        validAfter: BigInt(body.validAfter),
        validBefore: BigInt(body.validBefore),
        nonce: body.nonce,
      });
      return c.json(relayed, 200);
    },
  );
}
