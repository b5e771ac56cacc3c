/**
 * Reads a JSON request body before the route's schema sees it, so every failure has its own code: 415
 * UNSUPPORTED_MEDIA_TYPE (not application/json), 413 BODY_TOO_LARGE (checked on Content-Length and while
 * streaming), 400 MALFORMED_JSON (not UTF-8 or not JSON). The bytes read are put back for the validator.
 */
import type { MiddlewareHandler } from "hono";

import { BodyTooLargeError, MalformedJsonError, UnsupportedMediaTypeError } from "../errors.js";

const JSON_MEDIA_RE = /^application\/([\w.-]+\+)?json$/;

export function jsonBody(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const media = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!JSON_MEDIA_RE.test(media)) throw new UnsupportedMediaTypeError();
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > maxBytes) throw new BodyTooLargeError(maxBytes);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = c.req.raw.body?.getReader();
    if (reader !== undefined) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new BodyTooLargeError(maxBytes);
        }
        chunks.push(value);
      }
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    try {
      JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      throw new MalformedJsonError();
    }
    c.req.raw = new Request(c.req.raw, { body: bytes });
    await next();
  };
}
