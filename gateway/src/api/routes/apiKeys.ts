/** /v1/api-keys: list, create and revoke the merchant's API keys (scope: keys). Secrets are shown once, at creation. */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import { API_KEY_SCOPES, issueApiKey, listApiKeys, revokeOwnApiKey, type ApiKeyInfo, type GatewayContext } from "../../services/index.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { jsonBody } from "../body.js";
import { API_KEY_SECURITY, errorResponses } from "../schemas.js";

const MAX_BODY_BYTES = 4 * 1024;

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: "3f2a9c0d1e4b5a6978c0d1e2" }),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    label: z.string(),
    createdAt: z.string().openapi({ description: "ISO 8601." }),
    revokedAt: z.string().nullable().openapi({ description: "ISO 8601; null while the key works." }),
  })
  .openapi("ApiKey");

export const CreatedApiKeySchema = ApiKeySchema.extend({
  secret: z.string().openapi({ description: "The key itself: shown this once, only its hash is stored." }),
}).openapi("CreatedApiKey");

export const CreateApiKeyBodySchema = z
  .object({
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1, "give at least one scope")
      .max(API_KEY_SCOPES.length * 2)
      .openapi({ description: "Scopes of the new key; each must be held by the calling key (no escalation)." }),
    label: z.string().max(200).optional().openapi({ example: "checkout server" }),
  })
  .strict()
  .openapi("CreateApiKeyRequest");

const KeyIdParamSchema = z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" } }) });


function keyJson(key: ApiKeyInfo): z.infer<typeof ApiKeySchema> {
  return {
    id: key.id,
    scopes: [...key.scopes],
    label: key.label,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt === null ? null : key.revokedAt.toISOString(),
  };
}

export function registerApiKeyRoutes(app: OpenAPIHono<ApiEnv>, ctx: GatewayContext): void {
  const { db } = ctx;

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/api-keys",
      summary: "Create an API key (scope: keys); the secret is in this response only",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "keys"), jsonBody(MAX_BODY_BYTES)] as const,
      request: { body: { required: true, content: { "application/json": { schema: CreateApiKeyBodySchema } } } },
      responses: {
        201: { description: "Created", content: { "application/json": { schema: CreatedApiKeySchema } } },
        ...errorResponses(400, 401, 403, 413, 415, 500),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const created = await issueApiKey(db, c.get("principal"), {
        scopes: body.scopes,
        ...(body.label === undefined ? {} : { label: body.label }),
      });
      return c.json({ ...keyJson(created.info), secret: created.secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/api-keys",
      summary: "The merchant's API keys, newest first, revoked ones included; never a secret (scope: keys)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "keys")] as const,
      responses: {
        200: { description: "The keys", content: { "application/json": { schema: z.object({ apiKeys: z.array(ApiKeySchema) }).openapi("ApiKeyList") } } },
        ...errorResponses(401, 403, 500),
      },
    }),
    async (c) => c.json({ apiKeys: (await listApiKeys(db, c.get("principal"))).map(keyJson) }, 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/api-keys/{id}",
      summary: "Revoke an API key at once (scope: keys); revoking twice is harmless",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "keys")] as const,
      request: { params: KeyIdParamSchema },
      responses: {
        200: { description: "The revoked key", content: { "application/json": { schema: ApiKeySchema } } },
        ...errorResponses(401, 403, 404, 500),
      },
    }),
    async (c) => c.json(keyJson(await revokeOwnApiKey(db, c.get("principal"), c.req.valid("param").id)), 200),
  );
}
