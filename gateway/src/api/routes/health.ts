/** Probes: /healthz (the process answers) and /readyz (the database answers). No authentication. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Kysely } from "kysely";

import { NotReadyError } from "../../errors.js";
import { pingDatabase, type Database } from "../../store/index.js";
import type { ApiEnv } from "../auth.js";
import { ErrorSchema, HealthSchema } from "../schemas.js";

export function registerHealthRoutes(app: OpenAPIHono<ApiEnv>, db: Kysely<Database>): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      summary: "Liveness: the process is up",
      responses: { 200: { description: "Up", content: { "application/json": { schema: HealthSchema } } } },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/readyz",
      summary: "Readiness: a database query succeeds",
      responses: {
        200: { description: "Ready", content: { "application/json": { schema: HealthSchema } } },
        503: { description: "Not ready", content: { "application/json": { schema: ErrorSchema } } },
      },
    }),
    async (c) => {
      try {
        await pingDatabase(db);
      } catch (error) {
        throw new NotReadyError({ cause: error });
      }
      return c.json({ status: "ok" as const }, 200);
    },
  );
}
