#!/usr/bin/env node
// Launcher of the `scanpay` CLI. In the installed package it runs the compiled CLI (dist/src/cli/main.js): plain
// Node 20 or 22, no Hardhat, no tsx. In a checkout of the repository (src/cli/main.ts is there, the package does not
// ship src/) it runs the TypeScript sources through tsx, a dev dependency, so `npx scanpay` needs no build.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 11)) {
  process.stderr.write(`error: scanpay needs Node.js 20.11 or later (this is ${process.versions.node})\n`);
  process.exit(1);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sources = path.join(root, "src", "cli", "main.ts");
if (existsSync(sources)) {
  // A fresh clone has no TypeChain typings yet (`hardhat build` writes them): build once, quietly, on stderr.
  if (!existsSync(path.join(root, "typechain-types", "index.ts"))) {
    process.stderr.write("scanpay: first run in this checkout, compiling the contracts (npx hardhat build)...\n");
    const { spawnSync } = await import("node:child_process");
    const hardhat = path.join(root, "node_modules", ".bin", "hardhat");
    // Hardhat runs on the Node that runs this launcher (Node 22 under `npx`, which puts the project's first on PATH).
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` };
    const built = spawnSync(hardhat, ["build", "--quiet"], { cwd: root, env, stdio: ["ignore", 2, 2] });
    if (built.status !== 0) {
      process.stderr.write("error: could not compile the contracts: run `npx hardhat build` to see why\n");
      process.exit(1);
    }
  }
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(sources).href);
} else {
  await import("../dist/src/cli/main.js");
}
