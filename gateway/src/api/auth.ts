/** Bearer API-key authentication and scope checks, as route middleware (they run before request validation). */
import type { MiddlewareHandler } from "hono";
import type { Kysely } from "kysely";

import { UnauthenticatedError } from "../errors.js";
import { authenticate, requireScope, type ApiKeyScope, type ApiPrincipal } from "../services/index.js";
import type { Database } from "../store/index.js";

export interface ApiEnv {
  Variables: { principal: ApiPrincipal };
}

const BEARER_RE = /^Bearer[ ]+(\S+)\s*$/i;

/**
 * `Authorization: Bearer sp_live_...` → the key's principal (merchant + scopes) in `c.var.principal`, then the
 * scope check. 401 UNAUTHENTICATED for a missing, malformed, unknown or revoked key; 403 FORBIDDEN_SCOPE if the
 * key lacks `scope` (no `scope`: any valid key).
 */
export function requireApiKey(db: Kysely<Database>, scope?: ApiKeyScope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (header === undefined) {
      throw new UnauthenticatedError("an API key is required: Authorization: Bearer sp_live_...");
    }
    const match = BEARER_RE.exec(header);
    if (match === null) throw new UnauthenticatedError("the Authorization header must be: Bearer sp_live_...");
    const principal = await authenticate(db, match[1] as string);
    if (scope !== undefined) requireScope(principal, scope);
    c.set("principal", principal);
    await next();
  };
}
