/**
 * A WebhookTransport over a fetch implementation (the sender's `fetch` option), for runtimes or tests that bring
 * their own. fetch cannot pin the connection to the addresses the SSRF check saw, so the name is checked just
 * before the call (a small window for DNS rebinding the default node:http transport does not have); redirects are
 * not followed.
 */
import { checkWebhookUrl } from "./checkWebhookUrl.js";
import { WebhookTimeoutError, type WebhookTransport } from "./postWebhook.js";

/** The part of `fetch` the sender uses. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; redirect: "manual"; signal: AbortSignal },
) => Promise<{ status: number; body?: { cancel(): Promise<void> } | null }>;

export function fetchTransport(fetchImpl: FetchLike): WebhookTransport {
  return async (request) => {
    await checkWebhookUrl(request.url.href, {
      allowPrivateUrls: request.allowPrivateUrls,
      ...(request.resolveHost === undefined ? {} : { resolveHost: request.resolveHost }),
    });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new WebhookTimeoutError(request.timeoutMs)), request.timeoutMs);
    try {
      const res = await fetchImpl(request.url.href, {
        method: "POST",
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal: controller.signal,
      });
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status };
    } catch (error) {
      if (controller.signal.aborted) throw new WebhookTimeoutError(request.timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
