/**
 * One webhook POST over node:http(s): a fresh connection (no pool: a pooled socket would outlive the SSRF check of
 * the request that opened it), the guarded DNS lookup unless private URLs are allowed, redirects never followed, the
 * whole exchange bounded by a timeout, and at most 64 KiB of the response read (and discarded).
 */
import http from "node:http";
import https from "node:https";

import { guardedLookup, type ResolveHost } from "./checkWebhookUrl.js";

export interface WebhookRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateUrls: boolean;
  resolveHost?: ResolveHost;
}

export interface WebhookResponse {
  status: number;
}

/** Sends a webhook request; the receiver's status, or a rejection (refused, timed out, DNS, SSRF refusal). */
export type WebhookTransport = (request: WebhookRequest) => Promise<WebhookResponse>;

const MAX_RESPONSE_BYTES = 64 * 1024;

/** Thrown when the receiver did not answer within the timeout. */
export class WebhookTimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = "WebhookTimeoutError";
  }
}

export const postWebhook: WebhookTransport = (request) =>
  new Promise<WebhookResponse>((resolve, reject) => {
    const client = request.url.protocol === "https:" ? https : http;
    const body = Buffer.from(request.body, "utf8");
    let settled = false;
    const finish = (error: Error | null, status?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (error !== null) reject(error);
      else resolve({ status: status as number });
    };
    const req = client.request(request.url, {
      method: "POST",
      headers: { ...request.headers, "content-length": String(body.length) },
      agent: false,
      ...(request.allowPrivateUrls ? {} : { lookup: guardedLookup(request.resolveHost) }),
    });
    const timer = setTimeout(() => finish(new WebhookTimeoutError(request.timeoutMs)), request.timeoutMs);
    req.on("error", (error) => finish(error));
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      res.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) finish(null, status);
      });
      res.on("end", () => finish(null, status));
      res.on("error", () => finish(null, status));
    });
    req.end(body);
  });
