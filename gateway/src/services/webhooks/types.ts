/** What the webhook services take and return (views, never rows; the secret only when just made). */
import type { Kysely } from "kysely";

import type { Database, WebhookEndpointRow } from "../../store/index.js";
import type { MasterKeyring } from "../masterKeys.js";
import type { ResolveHost } from "./checkWebhookUrl.js";

/** The gateway's webhook settings (from its configuration; `scanpay serve`'s local demo allows private URLs). */
export interface WebhookSettings {
  /** Development only: accept and call loopback/private URLs and plain http. Default false. */
  allowPrivateUrls?: boolean;
  /** Resolver override for the SSRF check (tests). */
  resolveHost?: ResolveHost;
}

/** What the endpoint services need: the database, the keyring that seals secrets, the settings. */
export interface WebhookServiceContext {
  db: Kysely<Database>;
  keyring: MasterKeyring;
  webhooks?: WebhookSettings;
}

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  /** Event types it receives; `["*"]` = all. */
  eventTypes: string[];
  enabled: boolean;
  createdAt: Date;
}

/** An endpoint with its signing secret: only when created or its secret rotated. */
export interface WebhookEndpointWithSecret {
  endpoint: WebhookEndpointView;
  /** `whsec_…`: shown once, never again. */
  secret: string;
}

export function webhookEndpointView(row: WebhookEndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: [...row.event_types],
    enabled: row.enabled,
    createdAt: row.created_at,
  };
}

export interface WebhookAttemptView {
  attemptedAt: Date;
  /** The receiver's HTTP status, or null when no response came (refused, timed out, DNS, SSRF refusal). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  /** pending | succeeded | failed */
  status: string;
  /** Attempts made (a claim counts even if the sender died before logging it). */
  attemptCount: number;
  /** When it is (re)tried next; null unless pending. */
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  /** Every attempt, oldest first. */
  attempts: WebhookAttemptView[];
}

export interface WebhookDeliveryPage {
  deliveries: WebhookDeliveryView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
