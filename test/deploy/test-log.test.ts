/**
 * A clean test log: what a run prints is the tests, not deploy progress, rocketh's chain-info notices, Hardhat's
 * deprecation warning for `network.connect()`, or compiler warnings about library code (OpenZeppelin).
 *
 * Two child processes, started when mocha loads this file (alongside the test files before it):
 * - the deploy tests (test/deploy/deploy.test.ts: the shared fixture, re-runs, a separate node, testnet chain ids),
 *   run as `npx hardhat test mocha --no-compile` in this checkout (no build, so nothing in it is rewritten);
 * - a build, in a scratch project, of a contract that imports OpenZeppelin files solc warns about, plus one warning
 *   of its own that must still show.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import { type CommandResult, runCommand } from "../helpers/child-process.js";
import { REPO_ROOT, type ScratchProject, createScratchProject } from "./scratch-project.js";

const COMMAND_TIMEOUT_MS = 240_000;

/** Lines that must never be in a test log, with what printed them before. */
const NOISE: Record<string, RegExp> = {
  "rocketh progress lines (deploy scripts run by fixtures)": /- Executing .*deploy[/\\]|- Deploying \w+ .*with tx|- Broadcasting tx/,
  "rocketh chain info notice": /has no public info/,
  "rocketh chain id mismatch warning": /provider give a different chainId|default chainInfo {1,2}has a different chainId/,
  "Hardhat deprecation of network.connect()": /hre\.network\.connect\(\) is deprecated/,
  "OpenZeppelin's `error` identifier warning": /"error" will be promoted to keyword/,
  "transient storage warning": /Transient storage as defined by EIP-1153/,
};

/** A contract that makes solc warn about two OpenZeppelin files and about itself (an unused local variable). */
const PROBE = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

contract WarningProbe {
    function recover(bytes32 hash, bytes calldata signature) external pure returns (address) {
        uint256 unusedProbeVariable = 1;
        return ECDSA.recover(hash, signature);
    }
}
`;

function describeRun(result: CommandResult): string {
  const how = result.timedOut ? "timed out" : `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}`;
  return `${how} after ${result.durationMs} ms; output:\n${result.output.slice(-6_000)}`;
}

function noiseIn(output: string): string[] {
  return Object.entries(NOISE)
    .filter(([, pattern]) => pattern.test(output))
    .map(([what]) => what);
}

// Under --coverage the checkout holds instrumented artifacts that only a coverage run may use: nothing starts then.
const coverage = hre.globalOptions.coverage === true;
const deployTests: Promise<CommandResult> | undefined = coverage
  ? undefined
  : runCommand("npx", ["hardhat", "test", "mocha", "--no-compile", "test/deploy/deploy.test.ts"], {
      cwd: REPO_ROOT,
      timeoutMs: COMMAND_TIMEOUT_MS,
    });
let probeProject: ScratchProject | undefined;
const probeBuild: Promise<CommandResult> | undefined = coverage
  ? undefined
  : createScratchProject("warnings", { seedBuild: false }).then(async (project) => {
      probeProject = project;
      // Only the probe: the project's contracts are not copied, so the build compiles one small file.
      const contracts = path.join(project.root, "contracts");
      await rm(contracts, { recursive: true, force: true });
      await mkdir(contracts, { recursive: true });
      await writeFile(path.join(contracts, "WarningProbe.sol"), PROBE);
      return runCommand("npx", ["hardhat", "build"], { cwd: project.root, timeoutMs: COMMAND_TIMEOUT_MS });
    });
for (const pending of [deployTests, probeBuild]) pending?.catch(() => {});
after(async function () {
  this.timeout(COMMAND_TIMEOUT_MS);
  await Promise.allSettled([deployTests, probeBuild]);
  await probeProject?.remove();
});

describe("test log", function () {
  this.timeout(COMMAND_TIMEOUT_MS);

  before(function () {
    if (coverage) this.skip();
  });

  it("of the deploy tests shows the tests and nothing of rocketh, chain info or deprecated network.connect()", async () => {
    const run = await deployTests!;
    expect(run.code, describeRun(run)).to.equal(0);
    expect(run.output, "the tests really ran").to.match(/\b[1-9]\d* passing\b/);
    expect(noiseIn(run.output), describeRun(run)).to.deep.equal([]);
  });

  it("of a build shows compiler warnings about this project's files, none about OpenZeppelin's", async () => {
    const run = await probeBuild!;
    expect(run.code, describeRun(run)).to.equal(0);
    expect(run.output, "the probe really compiled").to.match(/Compiled 1 Solidity file/);
    expect(run.output, "a warning about the project's own file still shows").to.match(/Unused local variable[\s\S]*WarningProbe\.sol/);
    expect(noiseIn(run.output), describeRun(run)).to.deep.equal([]);
  });
});
