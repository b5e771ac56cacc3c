/**
 * The SSRF guard. A webhook URL is refused unless it is http(s) without credentials and its host is a public
 * address, or a name whose every address is public. It runs when an endpoint is created or its URL changed, and
 * again at send time, where `guardedLookup` checks the addresses the connection will actually use (no window for a
 * name to change its answer between the check and the connect), and redirects are never followed (a redirect to a
 * private address would be a bypass). `allowPrivateUrls` (the explicit development setting) lifts the address
 * rules and allows plain http; without it only https is accepted.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP, type LookupFunction } from "node:net";

import { nonPublicAddressReason } from "./addressPolicy.js";
import { WebhookUrlError } from "./errors.js";

/** A name → its addresses (the default is the system resolver, `dns.lookup` with `all: true`). */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export interface WebhookUrlPolicy {
  /** Development only: allow loopback/private addresses and plain http. Default false. */
  allowPrivateUrls?: boolean;
  /** Resolver override (tests); default the system resolver. */
  resolveHost?: ResolveHost;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** A name that takes longer than this to resolve is refused (an API request must not hang on a slow resolver). */
export const WEBHOOK_DNS_TIMEOUT_MS = 5000;

const defaultResolveHost: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`resolving ${hostname} timed out`)), WEBHOOK_DNS_TIMEOUT_MS);
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(addresses.map((a) => a.address));
    });
  });

/** The URL's host without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Checks what can be judged without DNS: a parsable absolute http(s) URL, no credentials, https unless private URLs
 * are allowed, and a host that is not a non-public IP literal or a local name. Returns the parsed URL.
 */
export function checkWebhookUrlSyntax(text: string, policy: WebhookUrlPolicy = {}): URL {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) throw new WebhookUrlError(`url is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlError("url is not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new WebhookUrlError(`url must be https (not ${url.protocol.slice(0, -1)})`);
  if (url.username !== "" || url.password !== "") throw new WebhookUrlError("url must not contain credentials (user:password@)");
  if (url.hostname === "") throw new WebhookUrlError("url has no host");
  const allowPrivate = policy.allowPrivateUrls === true;
  if (url.protocol === "http:" && !allowPrivate) {
    throw new WebhookUrlError("url must be https (plain http is only accepted with the development setting allowPrivateUrls)");
  }
  if (allowPrivate) return url;
  const host = bareHost(url);
  if (isIP(host) !== 0) {
    const reason = nonPublicAddressReason(host);
    if (reason !== undefined) throw new WebhookUrlError(`url host ${host} is not a public address: ${reason}`);
    return url;
  }
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) throw new WebhookUrlError(`url host ${host} is loopback`);
  // A single-label name resolves through the local search domains: an intranet host.
  if (!name.includes(".")) throw new WebhookUrlError(`url host ${host} is not a public domain name`);
  return url;
}

/** Refuses `addresses` if any is non-public (a name with one private address could be made to use it). */
function checkResolved(host: string, addresses: readonly string[]): void {
  if (addresses.length === 0) throw new WebhookUrlError(`url host ${host} does not resolve`);
  for (const address of addresses) {
    const reason = nonPublicAddressReason(address);
    if (reason !== undefined) throw new WebhookUrlError(`url host ${host} resolves to ${address}, which is not a public address: ${reason}`);
  }
}

/**
 * The full check: `checkWebhookUrlSyntax`, then (unless private URLs are allowed, or the host is an IP literal)
 * resolves the name and refuses it if it does not resolve or any address is non-public. Returns the parsed URL.
 */
export async function checkWebhookUrl(text: string, policy: WebhookUrlPolicy = {}): Promise<URL> {
  const url = checkWebhookUrlSyntax(text, policy);
  if (policy.allowPrivateUrls === true) return url;
  const host = bareHost(url);
  if (isIP(host) !== 0) return url;
  let addresses: string[];
  try {
    addresses = await (policy.resolveHost ?? defaultResolveHost)(host);
  } catch {
    throw new WebhookUrlError(`url host ${host} does not resolve`);
  }
  checkResolved(host, addresses);
  return url;
}

/**
 * A `lookup` for node:http(s) that refuses to connect when the name resolves to a non-public address: the check
 * and the connection use the same answer.
 */
export function guardedLookup(resolveHost?: ResolveHost): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    const done = (error: Error | null, addresses: LookupAddress[]) => {
      if (error === null) {
        try {
          checkResolved(hostname, addresses.map((a) => a.address));
        } catch (refusal) {
          error = refusal as Error;
        }
      }
      if (error !== null) {
        callback(error as NodeJS.ErrnoException, options.all === true ? [] : "", 0);
        return;
      }
      const first = addresses[0] as LookupAddress;
      if (options.all === true) callback(null, addresses);
      else callback(null, first.address, first.family);
    };
    if (resolveHost !== undefined) {
      resolveHost(hostname).then(
        (list) => done(null, list.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }))),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error)), []),
      );
      return;
    }
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => done(error, addresses ?? []));
  };
}
