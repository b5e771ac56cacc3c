/**
 * /v1/webhook-endpoints: a merchant's webhook endpoints, their delivery log and manual redelivery. Writes need the
 * `create` scope, reads `read` (there is no admin scope; see docs/webhooks.md). Another merchant's endpoint or
 * delivery id is 404. The schemas live here (not in schemas.ts) so this feature stays in one file.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  DELIVERIES_MAX_LIMIT,
  DELIVERY_STATUSES,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  WEBHOOK_MAX_DESCRIPTION,
  WEBHOOK_MAX_EVENT_TYPES,
  MAX_WEBHOOK_URL_LENGTH,
  type GatewayContext,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  type WebhookSettings,
} from "../../services/index.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import { jsonBody } from "../body.js";
import { API_KEY_SECURITY, errorResponses } from "../schemas.js";

const MAX_WEBHOOK_BODY_BYTES = 16 * 1024;

const EventTypesSchema = z
  .array(z.string().max(64))
  .min(1)
  .max(WEBHOOK_MAX_EVENT_TYPES)
  .openapi({ example: ["invoice.paid", "invoice.refunded"], description: 'Event types to receive; ["*"] (the default) = all.' });

const CreateEndpointBodySchema = z
  .object({
    url: z.string().max(MAX_WEBHOOK_URL_LENGTH).openapi({
      example: "https://shop.example/scanpay/webhooks",
      description: "https URL of a public host (private/loopback addresses and http only with the development setting).",
    }),
    eventTypes: EventTypesSchema.optional(),
    description: z.string().max(WEBHOOK_MAX_DESCRIPTION).optional(),
  })
  .strict()
  .openapi("CreateWebhookEndpointRequest");

const UpdateEndpointBodySchema = z
  .object({
    url: z.string().max(MAX_WEBHOOK_URL_LENGTH).optional(),
    eventTypes: EventTypesSchema.optional(),
    enabled: z.boolean().optional().openapi({ description: "false stops sending; pending deliveries wait until it is enabled again." }),
    description: z.string().max(WEBHOOK_MAX_DESCRIPTION).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "give at least one of url, eventTypes, enabled, description" })
  .openapi("UpdateWebhookEndpointRequest");

const EndpointSchema = z
  .object({
    id: z.string().openapi({ example: "we_3f0c9c2b8d4e4f6a9b1c2d3e4f5a6b7c" }),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: z.string().openapi({ description: "ISO 8601." }),
  })
  .openapi("WebhookEndpoint");

const EndpointWithSecretSchema = EndpointSchema.extend({
  secret: z.string().openapi({ example: "whsec_…", description: "The signing secret: shown once (on creation and rotation), never again." }),
}).openapi("WebhookEndpointWithSecret");

const AttemptSchema = z.object({
  attemptedAt: z.string(),
  statusCode: z.number().int().nullable().openapi({ description: "Null when no response came." }),
  error: z.string().nullable(),
  durationMs: z.number().int(),
});

export const DeliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string().openapi({ description: "Stable across retries and redeliveries: de-duplicate by it." }),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    attempts: z.array(AttemptSchema).openapi({ description: "Every attempt, oldest first." }),
  })
  .openapi("WebhookDelivery");

const EndpointIdParamSchema = z.object({
  id: z.string().max(64).openapi({ param: { name: "id", in: "path" }, example: "we_3f0c9c2b8d4e4f6a9b1c2d3e4f5a6b7c" }),
});
const DeliveryParamSchema = EndpointIdParamSchema.extend({
  deliveryId: z.string().max(64).openapi({ param: { name: "deliveryId", in: "path" } }),
});
const DeliveriesQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  cursor: z.string().max(200).optional().openapi({ description: "nextCursor of the previous page." }),
  limit: z.coerce.number().int().min(1).max(DELIVERIES_MAX_LIMIT).optional().openapi({ description: "1..100, default 20." }),
});

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function endpointJson(e: WebhookEndpointView) {
  return { id: e.id, url: e.url, description: e.description, eventTypes: e.eventTypes, enabled: e.enabled, createdAt: e.createdAt.toISOString() };
}

export function deliveryJson(d: WebhookDeliveryView) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status as (typeof DELIVERY_STATUSES)[number],
    attemptCount: d.attemptCount,
    nextAttemptAt: iso(d.nextAttemptAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
    createdAt: d.createdAt.toISOString(),
    attempts: d.attempts.map((a) => ({ attemptedAt: a.attemptedAt.toISOString(), statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
  };
}

/** The API context as these routes read it: the gateway's webhook settings are optional (default: production rules). */
export type WebhookRoutesContext = GatewayContext & { webhooks?: WebhookSettings };

export function registerWebhookRoutes(app: OpenAPIHono<ApiEnv>, ctx: WebhookRoutesContext): void {
  const { db } = ctx;

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints",
      summary: "Create a webhook endpoint (scope: create); the response holds its signing secret, shown once",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "create"), jsonBody(MAX_WEBHOOK_BODY_BYTES)] as const,
      request: { body: { required: true, content: { "application/json": { schema: CreateEndpointBodySchema } } } },
      responses: {
        201: { description: "Created", content: { "application/json": { schema: EndpointWithSecretSchema } } },
        ...errorResponses(400, 401, 403, 409, 413, 415, 500),
      },
    }),
    async (c) => {
      const { endpoint, secret } = await createWebhookEndpoint(ctx, c.get("principal").merchantId, c.req.valid("json"));
      return c.json({ ...endpointJson(endpoint), secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-endpoints",
      summary: "List webhook endpoints, oldest first (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      responses: {
        200: { description: "The endpoints", content: { "application/json": { schema: z.object({ endpoints: z.array(EndpointSchema) }) } } },
        ...errorResponses(401, 403, 500),
      },
    }),
    async (c) => {
      const endpoints = await listWebhookEndpoints(ctx, c.get("principal").merchantId);
      return c.json({ endpoints: endpoints.map(endpointJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-endpoints/{id}",
      summary: "One webhook endpoint (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      request: { params: EndpointIdParamSchema },
      responses: {
        200: { description: "The endpoint", content: { "application/json": { schema: EndpointSchema } } },
        ...errorResponses(401, 403, 404, 500),
      },
    }),
    async (c) => c.json(endpointJson(await getWebhookEndpoint(ctx, c.get("principal").merchantId, c.req.valid("param").id)), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/v1/webhook-endpoints/{id}",
      summary: "Change a webhook endpoint's url, event types, enabled flag or description (scope: create)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "create"), jsonBody(MAX_WEBHOOK_BODY_BYTES)] as const,
      request: { params: EndpointIdParamSchema, body: { required: true, content: { "application/json": { schema: UpdateEndpointBodySchema } } } },
      responses: {
        200: { description: "The endpoint as it is now", content: { "application/json": { schema: EndpointSchema } } },
        ...errorResponses(400, 401, 403, 404, 413, 415, 500),
      },
    }),
    async (c) => {
      const view = await updateWebhookEndpoint(ctx, c.get("principal").merchantId, c.req.valid("param").id, c.req.valid("json"));
      return c.json(endpointJson(view), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/webhook-endpoints/{id}",
      summary: "Delete a webhook endpoint with its pending deliveries and delivery log (scope: create)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "create")] as const,
      request: { params: EndpointIdParamSchema },
      responses: {
        200: { description: "Deleted", content: { "application/json": { schema: z.object({ id: z.string(), deleted: z.literal(true) }) } } },
        ...errorResponses(401, 403, 404, 500),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await deleteWebhookEndpoint(ctx, c.get("principal").merchantId, id);
      return c.json({ id, deleted: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints/{id}/rotate-secret",
      summary: "Replace the endpoint's signing secret (scope: create); the new secret is shown once",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "create")] as const,
      request: { params: EndpointIdParamSchema },
      responses: {
        200: { description: "The endpoint and its new secret", content: { "application/json": { schema: EndpointWithSecretSchema } } },
        ...errorResponses(401, 403, 404, 500),
      },
    }),
    async (c) => {
      const { endpoint, secret } = await rotateWebhookSecret(ctx, c.get("principal").merchantId, c.req.valid("param").id);
      return c.json({ ...endpointJson(endpoint), secret }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-endpoints/{id}/deliveries",
      summary: "The endpoint's delivery log, newest first, each delivery with its attempts (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      request: { params: EndpointIdParamSchema, query: DeliveriesQuerySchema },
      responses: {
        200: {
          description: "A page",
          content: { "application/json": { schema: z.object({ deliveries: z.array(DeliverySchema), nextCursor: z.string().nullable() }).openapi("WebhookDeliveryPage") } },
        },
        ...errorResponses(400, 401, 403, 404, 500),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await listWebhookDeliveries(ctx, c.get("principal").merchantId, c.req.valid("param").id, {
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      });
      return c.json({ deliveries: page.deliveries.map(deliveryJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver",
      summary: "Send a delivery's event again to its endpoint (scope: create): a new delivery, same event id",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "create")] as const,
      request: { params: DeliveryParamSchema },
      responses: {
        201: { description: "The new pending delivery", content: { "application/json": { schema: DeliverySchema } } },
        ...errorResponses(401, 403, 404, 409, 500),
      },
    }),
    async (c) => {
      const { id, deliveryId } = c.req.valid("param");
      const delivery = await redeliverWebhook(ctx, c.get("principal").merchantId, id, deliveryId);
      return c.json(deliveryJson(delivery), 201);
    },
  );
}
