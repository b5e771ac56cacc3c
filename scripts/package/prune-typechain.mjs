#!/usr/bin/env node
// Part of `npm run build:sdk` (prepack): drops the bindings of the test-only contracts (contracts/mocks/) from the
// compiled typechain in dist/, so that `scanpay/typechain` offers the production contracts only. TestToken stays:
// the SDK uses its ABI as the ERC-20 interface (src/chain/internal/erc20.ts) and the CLI's faucet mints with it.
import { readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const KEEP = new Set(["TestToken"]);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const typechain = path.join(root, "dist", "typechain-types");
if (!existsSync(typechain)) {
  console.error(`prune-typechain: ${typechain} does not exist (run tsc -p tsconfig.build.json first)`);
  process.exit(1);
}

const isMockLine = (line) => {
  const mock = /\/mocks\/([A-Za-z0-9_]+?)(__factory)?\.js'/.exec(line);
  if (mock) return !KEEP.has(mock[1]);
  // The `mocks` namespaces (`import type * as mocks`, `export type { mocks }`, `export * as mocks`).
  return /\bas mocks\b|\{ mocks \}/.test(line);
};

let removedLines = 0;
for (const index of ["index.js", "index.d.ts", "factories/index.js", "factories/index.d.ts"]) {
  const file = path.join(typechain, index);
  if (!existsSync(file)) continue;
  const lines = readFileSync(file, "utf8").split("\n");
  const kept = lines.filter((line) => !isMockLine(line));
  removedLines += lines.length - kept.length;
  writeFileSync(file, kept.join("\n"));
}

let removedFiles = 0;
for (const folder of ["mocks", "factories/mocks"]) {
  const dir = path.join(typechain, folder);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const contract = name.replace(/(__factory)?\.(js|d\.ts)$/, "");
    if (KEEP.has(contract)) continue;
    rmSync(path.join(dir, name));
    removedFiles++;
  }
}
console.log(`prune-typechain: removed ${removedFiles} files and ${removedLines} index lines of test-only contracts`);
