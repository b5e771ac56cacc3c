/**
 * The README's commands as a user runs them, in scratch copies of the project (test/deploy/scratch-project.ts),
 * with no terminal: `npx hardhat deploy` and `npm run lint` as the first command of a fresh clone,
 * `npx hardhat deploy --network localhost` against a `hardhat node`, and a deploy after a coverage run.
 *
 * These are slow (each runs Hardhat, some compile), so the three scratch projects are worked on concurrently,
 * from the moment mocha loads this file (alongside the test files that run before it); each `it` awaits the part
 * it checks.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { type CommandResult, type HardhatNode, runCommand, startHardhatNode } from "../helpers/child-process.js";
import { REPO_ROOT, type ScratchProject, createScratchProject, savedAddresses } from "./scratch-project.js";

/** The contracts the deploy scripts deploy on a local chain, with their source files. */
const DEPLOYED = {
  MerchantRegistry: "contracts/MerchantRegistry.sol",
  LoyaltyPoints: "contracts/LoyaltyPoints.sol",
  PaymentEscrow: "contracts/PaymentEscrow.sol",
  TestToken: "contracts/mocks/TestToken.sol",
} as const;
type Deployed = keyof typeof DEPLOYED;
const NAMES = Object.keys(DEPLOYED) as Deployed[];
const COMMAND_TIMEOUT_MS = 150_000;

interface RuntimeCode {
  code: string;
  immutableReferences: Record<string, { start: number; length: number }[]>;
}

function describeRun(result: CommandResult): string {
  const how = result.timedOut ? "timed out" : `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}`;
  return `${how} after ${result.durationMs} ms; output:\n${result.output.slice(-4_000)}`;
}

function npx(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  return runCommand("npx", args, { cwd: root, env, timeoutMs: COMMAND_TIMEOUT_MS });
}

/** The runtime code of each deployed contract in a project's artifacts/ (as the last build left it). */
async function artifactCode(root: string): Promise<Record<Deployed, RuntimeCode>> {
  const entries = await Promise.all(
    NAMES.map(async (name) => {
      const file = path.join(root, "artifacts", DEPLOYED[name], `${name}.json`);
      const artifact = JSON.parse(await readFile(file, "utf8")) as { deployedBytecode: string; immutableReferences?: RuntimeCode["immutableReferences"] };
      return [name, { code: artifact.deployedBytecode.toLowerCase(), immutableReferences: artifact.immutableReferences ?? {} }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Deployed, RuntimeCode>;
}

/** Runtime code with the bytes of its immutables zeroed (the artifact holds zeros there; the chain the values). */
function withoutImmutables(code: string, references: RuntimeCode["immutableReferences"]): string {
  const hex = code.toLowerCase().replace(/^0x/, "").split("");
  for (const { start, length } of Object.values(references).flat()) hex.fill("0", 2 * start, 2 * (start + length));
  return `0x${hex.join("")}`;
}

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Deploys with `args` against a node it starts and stops, then reads the saved addresses and their code. */
async function deployToNode(project: ScratchProject, args: string[]) {
  const node: HardhatNode = await startHardhatNode(REPO_ROOT, 30_000);
  try {
    const run = await npx(project.root, args, { LOCALHOST_URL: node.url });
    if (run.code !== 0) return { run, code: {} as Partial<Record<Deployed, string>> };
    const addresses = await savedAddresses(project.root, "localhost");
    const code: Partial<Record<Deployed, string>> = {};
    for (const name of NAMES) {
      if (addresses[name] !== undefined) code[name] = await rpc<string>(node.url, "eth_getCode", [addresses[name], "latest"]);
    }
    return { run, code };
  } finally {
    await node.stop();
  }
}

interface Pipelines {
  /** Fresh clone: `npx hardhat deploy` as the first command. */
  freshDeploy: Promise<CommandResult>;
  /** Then, in the same copy (built), the documented `npx hardhat deploy --network localhost` against a node. */
  localhostRehearsal: Promise<Awaited<ReturnType<typeof deployToNode>>>;
  /** Fresh clone: `npm run lint` as the first command. */
  freshLint: Promise<CommandResult>;
  /** Fresh clone with the CLI's sources: `npx scanpay --help` as the first command. */
  freshCli: Promise<CommandResult>;
  /** A clean build, then a coverage run, then a deploy to a node. */
  afterCoverage: Promise<{
    clean: Record<Deployed, RuntimeCode>;
    coverageRun: CommandResult;
    instrumented: Record<Deployed, RuntimeCode>;
    deployed: Awaited<ReturnType<typeof deployToNode>>;
  }>;
  /** Waits for everything, then deletes the scratch copies. */
  cleanUp(): Promise<void>;
}

function startPipelines(): Pipelines {
  const projects: ScratchProject[] = [];
  const project = async (name: string, extra: readonly string[] = []) => {
    const created = await createScratchProject(name, { seedBuild: true, extra });
    projects.push(created);
    return created;
  };

  const fresh = project("fresh");
  const freshDeploy = fresh.then((p) => npx(p.root, ["hardhat", "deploy"]));
  const localhostRehearsal = freshDeploy.then(async () => {
    const p = await fresh;
    // Built, whatever the fresh deploy did, so that this checks the prompt only.
    if (!existsSync(path.join(p.root, "generated", "artifacts", "index.js"))) {
      const build = await npx(p.root, ["hardhat", "build", "--quiet"]);
      if (build.code !== 0) throw new Error(`hardhat build: ${describeRun(build)}`);
    }
    return deployToNode(p, ["hardhat", "deploy", "--network", "localhost"]);
  });
  // The lint script also type-checks the pages' browser code (its own tsconfig), which imports pure SDK modules.
  const freshLint = project("lint", ["gateway/src/web/client", "src"]).then((p) => runCommand("npm", ["run", "lint"], { cwd: p.root, timeoutMs: COMMAND_TIMEOUT_MS }));
  const freshCli = createScratchProject("cli", { seedBuild: true, extra: ["bin", "src"] }).then((p) => {
    projects.push(p);
    // The launcher itself, on the project's Node 22 (what `npx scanpay` runs in a checkout; npx's own lookup of the
    // project's bin is npm's business, and a scratch copy without a lockfile makes npm look in the registry).
    return runCommand(path.join(p.root, "node_modules", ".bin", "node"), [path.join(p.root, "bin", "scanpay.mjs"), "--help"], {
      cwd: p.root,
      timeoutMs: COMMAND_TIMEOUT_MS,
    });
  });
  const afterCoverage = project("coverage").then(async (p) => {
    const build = await npx(p.root, ["hardhat", "build", "--quiet"]);
    if (build.code !== 0) throw new Error(`hardhat build: ${describeRun(build)}`);
    const clean = await artifactCode(p.root);
    // What `npm run coverage` runs (scripts/check-coverage.ts), here with no test files: it builds the contracts
    // instrumented into artifacts/ and generated/, exactly as the full run does, and leaves them there.
    const coverageRun = await npx(p.root, ["hardhat", "test", "--coverage"]);
    const instrumented = await artifactCode(p.root);
    const deployed = await deployToNode(p, ["hardhat", "deploy", "--network", "localhost", "--skip-prompts"]);
    return { clean, coverageRun, instrumented, deployed };
  });
  const all = [fresh, freshDeploy, localhostRehearsal, freshLint, freshCli, afterCoverage] as Promise<unknown>[];
  // Each `it` awaits its own promise; keep a failure from surfacing as an unhandled rejection meanwhile.
  for (const pending of all) pending.catch(() => {});
  return {
    freshDeploy,
    localhostRehearsal,
    freshLint,
    freshCli,
    afterCoverage,
    async cleanUp() {
      await Promise.allSettled(all);
      await Promise.all(projects.map((p) => p.remove()));
    },
  };
}

// Started when mocha loads this file, so that the child processes (mostly the Solidity compiler) run alongside the
// test files before this one instead of after them; the tests below only wait for them and check the results.
const pipelines = startPipelines();
// A root hook: runs once at the end of the whole run, even when a filter skipped every test of this file.
after(function () {
  this.timeout(4 * COMMAND_TIMEOUT_MS);
  return pipelines.cleanUp();
});

describe("README commands in a scratch copy of the project, without a terminal", function () {
  this.timeout(4 * COMMAND_TIMEOUT_MS);
  const { freshDeploy, localhostRehearsal, freshLint, freshCli, afterCoverage } = pipelines;

  describe("npx hardhat deploy", () => {
    it("works as the first command of a fresh clone (no generated/ yet): builds, then deploys every contract", async () => {
      const run = await freshDeploy;
      expect(run.code, describeRun(run)).to.equal(0);
      for (const name of NAMES) expect(run.output, describeRun(run)).to.match(new RegExp(`Deploying ${name}\\b`));
    });

    it("after a coverage run deploys the clean build: each deployed runtime code equals the clean build's", async () => {
      const { clean, coverageRun, instrumented, deployed } = await afterCoverage;
      expect(coverageRun.code, describeRun(coverageRun)).to.equal(0);
      // The coverage run really left instrumented bytecode behind (else this test could not fail).
      expect(instrumented.PaymentEscrow.code.length, "instrumented PaymentEscrow is larger").to.be.greaterThan(clean.PaymentEscrow.code.length);
      expect(deployed.run.code, describeRun(deployed.run)).to.equal(0);
      for (const name of NAMES) {
        const onChain = deployed.code[name];
        expect(onChain, `${name} deployed`).to.be.a("string").and.not.equal("0x");
        const references = clean[name].immutableReferences;
        expect(withoutImmutables(onChain!, references), `${name} runtime code`).to.equal(withoutImmutables(clean[name].code, references));
      }
    });
  });

  describe("npx hardhat deploy --network localhost", () => {
    it("deploys to the node without asking for confirmation when there is no terminal", async () => {
      const { run, code } = await localhostRehearsal;
      expect(run.output).to.not.match(/Do you want to proceed/i);
      expect(run.code, describeRun(run)).to.equal(0);
      for (const name of NAMES) expect(code[name], `${name} on the node`).to.be.a("string").and.not.equal("0x");
    });
  });

  describe("npx scanpay --help", () => {
    it("works as the first command of a fresh clone: compiles the typings it needs, then prints the usage", async () => {
      const run = await freshCli;
      expect(run.code, describeRun(run)).to.equal(0);
      expect(run.output).to.match(/Usage: scanpay <command>/);
    });
  });

  describe("npm run lint", () => {
    it("works as the first command of a fresh clone (no typechain-types/ or generated/ yet)", async () => {
      const run = await freshLint;
      expect(run.code, describeRun(run)).to.equal(0);
    });
  });
});
