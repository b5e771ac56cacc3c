/**
 * GET /v1/merchant: who the key belongs to and what it may do, with the chain, the tokens the escrow accepts and the
 * confirmations a payment waits for.
 * Any valid key (a terminal key with only `create` too): the point of sale and the dashboard start here.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import { networkName } from "../../../../src/qr/networkName.js";
import { getMerchant } from "../../services/index.js";
import type { ApiContext } from "../app.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { API_KEY_SECURITY, errorResponses } from "../schemas.js";

export const MerchantProfileSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    onChainMerchantId: z.string(),
    chainId: z.string(),
    network: z.string().openapi({ example: "Base Sepolia", description: "The chain's name in words (or chain <id>)." }),
    escrow: z.string(),
    scopes: z.array(z.string()).openapi({ description: "What this key may do." }),
    confirmations: z.number().int().nullable().openapi({
      description: "Blocks after a payment's own block before the gateway counts it paid; null when not known here.",
    }),
    tokens: z
      .array(z.object({ address: z.string(), symbol: z.string(), decimals: z.number().int() }))
      .openapi({ description: "Tokens the escrow accepts for new invoices (ETH is the zero address)." }),
  })
  .openapi("MerchantProfile");

export function registerMerchantRoutes(app: OpenAPIHono<ApiEnv>, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/merchant",
      summary: "The key's merchant: name, chain, accepted tokens and the key's scopes (any scope)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(ctx.db)] as const,
      responses: {
        200: { description: "The merchant", content: { "application/json": { schema: MerchantProfileSchema } } },
        ...errorResponses(401, 500),
      },
    }),
    async (c) => {
      const principal = c.get("principal");
      const merchant = await getMerchant(ctx.db, principal.merchantId);
      const tokens = (await ctx.chain.tokens?.()) ?? [];
      const { chainId, escrow } = ctx.chain.location;
      return c.json(
        {
          id: merchant.id,
          name: merchant.name,
          onChainMerchantId: merchant.onChainId.toString(),
          chainId: chainId.toString(),
          network: networkName(BigInt(chainId)),
          escrow,
          scopes: [...principal.scopes],
          confirmations: ctx.confirmations ?? null,
          tokens: tokens.map((t) => ({ address: t.address, symbol: t.symbol, decimals: t.decimals })),
        },
        200,
      );
    },
  );
}
