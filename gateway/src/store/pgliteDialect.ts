/**
 * A Kysely dialect on one PGlite instance: Kysely's own PostgresDialect (compiler, adapter, introspector, driver)
 * over a "pool" whose single connection is guarded by an async mutex. `connect()` waits until the previous holder
 * has released it, so a Kysely transaction (BEGIN ... COMMIT sent as separate queries) never interleaves with
 * another caller's statements on the shared PGlite session.
 */
import type { PGlite } from "@electric-sql/pglite";
import { PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from "kysely";

export function createPGliteDialect(pglite: PGlite): PostgresDialect {
  let tail: Promise<void> = Promise.resolve();

  const client = (release: () => void): PostgresPoolClient => {
    let released = false;
    const query = async <R>(sqlText: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
      const result = await pglite.query<R>(sqlText, [...parameters]);
      const command = (result as { command?: string }).command ?? "SELECT";
      return {
        command: command as PostgresQueryResult<R>["command"],
        rowCount: command === "SELECT" ? result.rows.length : (result.affectedRows ?? 0),
        rows: result.rows,
      };
    };
    return {
      query: query as PostgresPoolClient["query"],
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
  };

  const pool: PostgresPool = {
    connect: async () => {
      let release!: () => void;
      const turn = new Promise<void>((resolve) => (release = resolve));
      const previous = tail;
      tail = previous.then(() => turn);
      await previous;
      return client(release);
    },
    end: async () => {
      await tail;
      await pglite.close();
    },
  };

  return new PostgresDialect({ pool });
}
