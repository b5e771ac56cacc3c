/** The gateway's storage layer: the only module that talks to the database. */
export { openDatabase, MigrationError, type OpenDatabaseOptions } from "./openDatabase.js";
export { createPGliteDialect } from "./pgliteDialect.js";
export type * from "./schema.js";
export * from "./merchants.js";
export * from "./apiKeys.js";
export * from "./invoices.js";
export * from "./keyset.js";
export * from "./events.js";
export * from "./metrics.js";
export * from "./webhooks.js";
export * from "./chain.js";
export * from "./payments.js";
export * from "./reports.js";
export * from "./relayClaims.js";
