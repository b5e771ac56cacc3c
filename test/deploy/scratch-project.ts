/**
 * A scratch copy of the project in a temporary folder, for tests that run `npx hardhat deploy` or `npm run lint`
 * as a user would on a fresh clone, without touching this checkout's artifacts/, generated/ or deployments/
 * (which the rest of the suite, or a coverage run in progress, are using).
 *
 * The copy holds the configuration, the deploy scripts, rocketh/, the deploy task and the contracts the deploy
 * scripts deploy (with their interfaces); not src/, test/ or the Solidity tests and test doubles, which no command
 * run here needs. Like a fresh clone it has no generated/, typechain-types/ or deployments/.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/** What the copy holds (besides contracts/), relative to the project root. */
const COPIED = ["hardhat.config.ts", "package.json", "tsconfig.json", ".solhint.json", ".solhintignore", "deploy", "rocketh", "scripts/tasks"];
/** The deployed contracts' sources: contracts/ without the Solidity tests and without the test doubles but TestToken. */
function isDeployedSource(relative: string): boolean {
  const parts = relative.split(path.sep);
  if (parts[1] === "test") return false;
  if (parts[1] === "mocks") return parts.length === 2 || parts[2] === "TestToken.sol";
  return true;
}

export interface ScratchProject {
  root: string;
  remove(): Promise<void>;
}

/**
 * Creates the copy (plus the `extra` paths, e.g. the CLI's bin/ and src/). With `seedBuild`, this checkout's compiler output (artifacts/ and cache/, paths rewritten) is
 * copied too, so a build in the copy recompiles only what differs: a time saving, never a change of outcome (a stale
 * or instrumented seed is simply recompiled). generated/ and typechain-types/ are never copied.
 */
export async function createScratchProject(
  name: string,
  options: { seedBuild: boolean; extra?: readonly string[] },
): Promise<ScratchProject> {
  const root = await mkdtemp(path.join(tmpdir(), `scanpay-${name}-`));
  for (const entry of [...COPIED, ...(options.extra ?? [])]) {
    await mkdir(path.dirname(path.join(root, entry)), { recursive: true });
    await cp(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true });
  }
  await cp(path.join(REPO_ROOT, "contracts"), path.join(root, "contracts"), {
    recursive: true,
    filter: (source) => isDeployedSource(path.relative(REPO_ROOT, source)),
  });
  await symlink(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  const cacheFile = path.join(REPO_ROOT, "cache", "compile-cache.json");
  if (options.seedBuild && existsSync(cacheFile) && existsSync(path.join(REPO_ROOT, "artifacts"))) {
    await cp(path.join(REPO_ROOT, "artifacts"), path.join(root, "artifacts"), { recursive: true });
    await mkdir(path.join(root, "cache"), { recursive: true });
    const cache = await readFile(cacheFile, "utf8");
    await writeFile(path.join(root, "cache", "compile-cache.json"), cache.split(`${REPO_ROOT}${path.sep}`).join(`${root}${path.sep}`));
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** The saved deployments of `network` in a project: contract name -> address. */
export async function savedAddresses(root: string, network: string): Promise<Record<string, string>> {
  const dir = path.join(root, "deployments", network);
  const addresses: Record<string, string> = {};
  for (const file of await readdir(dir)) {
    if (!file.endsWith(".json")) continue;
    const saved = JSON.parse(await readFile(path.join(dir, file), "utf8")) as { address?: string };
    if (saved.address !== undefined) addresses[file.slice(0, -".json".length)] = saved.address;
  }
  return addresses;
}
