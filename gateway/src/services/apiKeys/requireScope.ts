import { ForbiddenScopeError } from "../../errors.js";
import type { ApiKeyScope, ApiPrincipal } from "./scopes.js";

/** Throws FORBIDDEN_SCOPE unless the principal's key carries `scope`. */
export function requireScope(principal: ApiPrincipal, scope: ApiKeyScope): void {
  if (!principal.scopes.includes(scope)) throw new ForbiddenScopeError(scope);
}
