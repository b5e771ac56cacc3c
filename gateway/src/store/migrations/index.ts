/**
 * Every migration, in order, as a static list (no folder scanning: works the same from source, from a bundle and
 * from `dist`). Append only; a released migration is never edited.
 */
import type { Migration, MigrationProvider } from "kysely";

import * as m0001 from "./0001_initial.js";
import * as m0002 from "./0002_invoice_signing.js";
import * as m0003 from "./0003_indexer_webhooks.js";
import * as m0004 from "./0004_payment_requests.js";
import * as m0005 from "./0005_relay_claims.js";
import * as m0006 from "./0006_events_merchant_time.js";

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_initial": m0001,
  "0002_invoice_signing": m0002,
  "0003_indexer_webhooks": m0003,
  "0004_payment_requests": m0004,
  "0005_relay_claims": m0005,
  "0006_events_merchant_time": m0006,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
