#!/usr/bin/env node
// Launcher of the `scanpay` CLI (src/cli/main.ts): registers tsx's ESM loader so the TypeScript sources and the
// Hardhat config run as they are, and points Hardhat at this package's config whatever the working directory.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `error: scanpay needs Node.js >= 22.13 (this is ${process.versions.node}); run it through \`npx scanpay\` ` +
      "so that the project's Node 22 (node_modules/.bin/node) is used\n",
  );
  process.exit(1);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (process.env.HARDHAT_CONFIG === undefined && existsSync(path.join(root, "hardhat.config.ts"))) {
  process.env.HARDHAT_CONFIG = path.join(root, "hardhat.config.ts");
}

const { register } = await import("tsx/esm/api");
register();
await import("../src/cli/main.ts");
