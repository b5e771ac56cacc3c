/**
 * One error shape for every failure: `{ error: { code, message, details? } }`. Deliberate errors (GatewayError)
 * keep their code and message; anything else is a 500 INTERNAL with a fixed message, logged server-side with its
 * stack and never shown to the client.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

import { GatewayError, InvalidInputError, InvalidRequestError, type InputIssue } from "../errors.js";

export interface ApiLogger {
  error(message: string, details: Record<string, unknown>): void;
}

const STATUS: Readonly<Record<string, ContentfulStatusCode>> = {
  INVALID_INPUT: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN_SCOPE: 403,
  NOT_FOUND: 404,
  MERCHANT_NOT_FOUND: 404,
  IDEMPOTENCY_CONFLICT: 409,
  INVOICE_NOT_OPEN: 409,
  INVOICE_NOT_SIGNED: 409,
  MERCHANT_NOT_ACTIVE: 409,
  CHAIN_CONFIG_MISMATCH: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_READY: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: InputIssue[] };
}

/** The status and body for `error`; `internal` is true when it must be logged (unexpected). */
export function describeError(error: unknown): { status: ContentfulStatusCode; body: ErrorBody; internal: boolean } {
  const known =
    error instanceof GatewayError
      ? (STATUS[error.code] ?? (error.httpStatus !== undefined && error.httpStatus >= 400 && error.httpStatus < 500 ? error.httpStatus : undefined))
      : undefined;
  if (error instanceof GatewayError && known !== undefined) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error instanceof InvalidRequestError) body.error.details = [...error.issues];
    else if (error instanceof InvalidInputError) body.error.details = [{ path: error.field, message: error.message }];
    return { status: known as ContentfulStatusCode, body, internal: false };
  }
  // Hono's own checks (its JSON validator and media-type gate), should a route reach them.
  if (error instanceof HTTPException && error.status < 500) {
    const code =
      error.status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : error.status === 413 ? "BODY_TOO_LARGE" : /JSON/i.test(error.message) ? "MALFORMED_JSON" : "INVALID_INPUT";
    return {
      status: error.status as ContentfulStatusCode,
      body: { error: { code, message: error.message || "bad request" } },
      internal: false,
    };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message: "internal error" } }, internal: true };
}

export function errorResponse(c: Context, error: unknown, logger: ApiLogger): Response {
  const { status, body, internal } = describeError(error);
  if (internal) {
    logger.error("gateway: unhandled error", {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  if (status === 401) c.header("WWW-Authenticate", 'Bearer realm="scanpay-gateway"');
  c.header("Cache-Control", "no-store");
  return c.json(body, status);
}
