/**
 * One indexer at a time across gateway instances sharing a PostgreSQL database: the leader holds a session-level
 * advisory lock on a connection it keeps for its lifetime. When the leader's process dies its session ends and the
 * server frees the lock; the others try to take it on every poll. PGlite is one process with one connection (a
 * held connection would block every other query), so there is nothing to coordinate and no lock is taken.
 *
 * With the database URL the lock lives on its own `pg.Client` with an error listener: when the server ends that
 * session (restart, `pg_terminate_backend`), the lock is known lost and taken again later. Without it, it borrows a
 * pooled Kysely connection; pg emits an error without a listener on a checked-out client whose session the server
 * ends, which would end the process, so pass `databaseUrl` in production.
 */
import { sql, type Kysely } from "kysely";
import pg from "pg";

import type { Database } from "../../store/index.js";

/** The advisory-lock key of the indexer ("ScanPay idx" in ASCII-ish hex; any constant the gateway owns). */
export const INDEXER_LOCK_KEY = 0x5ca9_1d3e_0000_0001n;
/** The deposit keeper's: one keeper at a time, so two instances never race to settle (and pay gas for) one deposit. */
export const KEEPER_LOCK_KEY = 0x5ca9_1d3e_0000_0002n;

export interface LeaderLock {
  /** Takes the lock if not held (false when another instance holds it); when held, checks it still is. */
  acquire(): Promise<boolean>;
  /** Gives the lock (and its connection) back. */
  release(): Promise<void>;
  readonly held: boolean;
}

/** True when `db` is PGlite (its version string says so): single process, no leader election needed. */
export async function isPGlite(db: Kysely<Database>): Promise<boolean> {
  const row = await sql<{ version: string }>`select version() as version`.execute(db);
  return (row.rows[0]?.version ?? "").includes("PGlite");
}

/** A lock that is always held (PGlite, or a deployment that runs one gateway). */
export function noLeaderLock(): LeaderLock {
  return { acquire: async () => true, release: async () => undefined, held: true };
}

interface HeldConnection {
  conn: Kysely<Database>;
  close(): Promise<void>;
}

/** Borrows one pooled connection until `close()` (Kysely's `connection()` holds it while its callback runs). */
function holdConnection(db: Kysely<Database>): Promise<HeldConnection> {
  return new Promise((resolve, reject) => {
    let letGo!: () => void;
    const until = new Promise<void>((r) => (letGo = r));
    let started = false;
    const done = db.connection().execute(async (conn) => {
      started = true;
      resolve({
        conn,
        close: async () => {
          letGo();
          await done.catch(() => undefined);
        },
      });
      await until;
    });
    done.catch((error: unknown) => {
      if (!started) reject(error);
    });
  });
}

/** The PostgreSQL advisory lock on a dedicated connection. */
export function advisoryLeaderLock(db: Kysely<Database>, key: bigint = INDEXER_LOCK_KEY): LeaderLock {
  let holding: HeldConnection | undefined;
  const lock = {
    held: false,
    async acquire(): Promise<boolean> {
      if (holding !== undefined && lock.held) {
        try {
          await sql`select 1`.execute(holding.conn);
          return true;
        } catch {
          // The session died (server restart, network): so did the lock. Start over.
          lock.held = false;
          const dead = holding;
          holding = undefined;
          await dead.close();
        }
      }
      const conn = await holdConnection(db);
      try {
        const row = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key.toString()}::bigint) as locked`.execute(conn.conn);
        if (row.rows[0]?.locked === true) {
          holding = conn;
          lock.held = true;
          return true;
        }
      } catch (error) {
        await conn.close();
        throw error;
      }
      await conn.close();
      return false;
    },
    async release(): Promise<void> {
      const conn = holding;
      holding = undefined;
      if (conn === undefined) return;
      lock.held = false;
      try {
        await sql`select pg_advisory_unlock(${key.toString()}::bigint)`.execute(conn.conn);
      } catch {
        // The session is gone, and its lock with it.
      } finally {
        await conn.close();
      }
    },
  };
  return lock;
}

/** The advisory lock on a dedicated `pg.Client` (see the module comment). `onLost` hears of a session that died. */
export function clientLeaderLock(databaseUrl: string, key: bigint = INDEXER_LOCK_KEY, onLost?: (error: Error) => void): LeaderLock {
  let client: pg.Client | undefined;
  const lock = {
    held: false,
    async acquire(): Promise<boolean> {
      if (client !== undefined && lock.held) return true;
      const candidate = new pg.Client({ connectionString: databaseUrl });
      candidate.on("error", (error: Error) => {
        if (client === candidate) {
          client = undefined;
          lock.held = false;
          onLost?.(error);
        }
        candidate.end().catch(() => undefined);
      });
      await candidate.connect();
      try {
        const result = await candidate.query<{ locked: boolean }>("select pg_try_advisory_lock($1::bigint) as locked", [key.toString()]);
        if (result.rows[0]?.locked === true) {
          client = candidate;
          lock.held = true;
          return true;
        }
      } catch (error) {
        await candidate.end().catch(() => undefined);
        throw error;
      }
      await candidate.end();
      return false;
    },
    async release(): Promise<void> {
      const held = client;
      client = undefined;
      lock.held = false;
      if (held === undefined) return;
      // Ending the session frees its advisory locks; an explicit unlock first is only politeness.
      await held.query("select pg_advisory_unlock($1::bigint)", [key.toString()]).catch(() => undefined);
      await held.end().catch(() => undefined);
    },
  };
  return lock;
}

export interface LeaderLockChoice {
  db: Kysely<Database>;
  /** "auto" (default): an advisory lock on PostgreSQL, none on PGlite (detected); "advisory" or "none" to force. */
  mode?: "auto" | "advisory" | "none";
  key: bigint;
  /** PostgreSQL's URL: the lock then lives on its own client (recommended; see the module comment). */
  databaseUrl?: string;
  /** Hears of a lock lost because its session ended (client lock only). */
  onLost?: (error: Error) => void;
}

/** The lock a loop that must run on one instance at a time should take (the indexer's, the keeper's). */
export async function chooseLeaderLock(choice: LeaderLockChoice): Promise<LeaderLock> {
  const mode = choice.mode ?? "auto";
  if (mode === "none" || (mode === "auto" && (await isPGlite(choice.db)))) return noLeaderLock();
  return choice.databaseUrl !== undefined ? clientLeaderLock(choice.databaseUrl, choice.key, choice.onLost) : advisoryLeaderLock(choice.db, choice.key);
}
