// npm running on Node 20 silently drops optional dependencies whose `engines` ask for Node >= 22, which
// includes EDR's native binding (Hardhat's simulated chain). This is the repository's `prepare` script: npm runs it
// after `npm install` / `npm ci` of this checkout (under the Node 22 of the `node` devDependency), never in a
// project that installs the scanpay package (the package ships neither this script nor Hardhat). It installs the
// binding for this platform when it is missing.
"use strict";
const { execFileSync } = require("node:child_process");
const { existsSync, lstatSync, readFileSync } = require("node:fs");
const path = require("node:path");

function platformPackage() {
  const { platform, arch } = process;
  if (platform === "linux") {
    const glibc = process.report?.getReport()?.header?.glibcVersionRuntime;
    return `@nomicfoundation/edr-linux-${arch}-${glibc ? "gnu" : "musl"}`;
  }
  if (platform === "darwin") return `@nomicfoundation/edr-darwin-${arch}`;
  if (platform === "win32") return `@nomicfoundation/edr-win32-${arch}-msvc`;
  return undefined;
}

function main() {
  const root = path.join(__dirname, "..");
  // Only in a checkout of this repository (a development toolchain fix-up, nothing for package users).
  if (!existsSync(path.join(root, "hardhat.config.ts"))) return;
  const name = platformPackage();
  if (name === undefined) return;
  try {
    require.resolve(name);
    return; // already installed: nothing to do
  } catch {
    // fall through
  }
  let version;
  try {
    // `exports` of @nomicfoundation/edr hide package.json from require: read the file directly.
    const file = path.join(root, "node_modules", "@nomicfoundation", "edr", "package.json");
    version = JSON.parse(readFileSync(file, "utf8")).version;
  } catch {
    return; // EDR is not installed (production install without dev dependencies)
  }
  // A node_modules that is a symbolic link (a git worktree sharing another checkout's install): npm would replace the
  // link by a fresh install of its own. Say what is missing instead.
  if (lstatSync(path.join(root, "node_modules")).isSymbolicLink()) {
    console.log(`prepare: ${name}@${version} is missing; node_modules is a link, not installing into it`);
    return;
  }
  console.log(`prepare: installing missing EDR binding ${name}@${version}`);
  execFileSync("npm", ["install", "--no-save", "--ignore-scripts", `${name}@${version}`], {
    stdio: "inherit",
    cwd: root,
  });
}

main();
