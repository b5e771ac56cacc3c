/**
 * Opens the gateway database and brings its schema to the latest migration before returning.
 *
 * - `{ dataDir }`: embedded PostgreSQL (PGlite, WASM) with its files in that folder, nothing to install.
 *   `"memory://"` keeps everything in memory (tests).
 * - `{ databaseUrl }`: a PostgreSQL server through a `pg` pool.
 * - `{ pglite }`: a PGlite instance the caller created (e.g. restored from a dump); closed with the database.
 *
 * Both get the same migrations and the same typed queries. Close with `db.destroy()`.
 */
import { PGlite } from "@electric-sql/pglite";
import { Kysely, Migrator, PostgresDialect } from "kysely";
import pg from "pg";

import { GatewayError } from "../errors.js";
import { migrationProvider } from "./migrations/index.js";
import { createPGliteDialect } from "./pgliteDialect.js";
import type { Database } from "./schema.js";

export type OpenDatabaseOptions =
  | { dataDir: string; databaseUrl?: undefined; pglite?: undefined }
  | { databaseUrl: string; dataDir?: undefined; pglite?: undefined; maxConnections?: number }
  | { pglite: PGlite; dataDir?: undefined; databaseUrl?: undefined };

/** The schema could not be brought to the latest migration; the database was left as the failed step left it. */
export class MigrationError extends GatewayError {
  readonly migration: string | undefined;
  constructor(migration: string | undefined, cause: unknown) {
    super("MIGRATION_FAILED", `database migration ${migration ?? "(setup)"} failed`, { cause });
    this.migration = migration;
  }
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Kysely<Database>> {
  let dialect: PostgresDialect;
  if (options.databaseUrl !== undefined) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.maxConnections ?? 10 });
    // An idle pooled connection that the server closes (restart, failover, shutdown) is an 'error' event on the
    // pool; without a listener it would crash the process. The pool drops that client and the next query connects
    // again, so there is nothing else to do here.
    pool.on("error", () => undefined);
    dialect = new PostgresDialect({ pool });
  } else {
    dialect = createPGliteDialect(options.pglite ?? (await PGlite.create(options.dataDir)));
  }
  const db = new Kysely<Database>({ dialect });
  try {
    const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error !== undefined) {
      throw new MigrationError(results?.find((r) => r.status === "Error")?.migrationName, error);
    }
  } catch (error) {
    await db.destroy();
    throw error instanceof MigrationError ? error : new MigrationError(undefined, error);
  }
  return db;
}
