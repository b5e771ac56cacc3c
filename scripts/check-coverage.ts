/**
 * Coverage gate: exit 1 unless every line and every statement of the production contracts is covered.
 *
 *   npx tsx scripts/check-coverage.ts                  # runs `npx hardhat test --coverage`, then checks
 *   npx tsx scripts/check-coverage.ts --report <file>  # checks a saved stdout of `npx hardhat test --coverage`
 *
 * Where Hardhat 3.18 puts coverage (checked by running it): `coverage/lcov.info` holds line data only (SF/DA/LF/LH
 * per file), and statement coverage exists only in the "Coverage Report" table `hardhat test --coverage` prints on
 * stdout (File Path | Line % | Statement % | Uncovered Lines). So the gate reads both: lines from lcov.info,
 * statements from the printed table (captured to coverage/report.txt when this script runs the tests itself).
 * The HTML report in coverage/html is built from the same line data.
 *
 * In scope: every .sol file under contracts/, except the directories and files in EXCLUDED below (each with its
 * reason). A contract or library in scope that is missing from the report fails the gate too (nothing ran it);
 * interface-only files have no executable code and never appear.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LCOV = path.join(ROOT, "coverage", "lcov.info");
const SAVED_REPORT = path.join(ROOT, "coverage", "report.txt");
const REQUIRED_PERCENT = 100;

/** Paths (a directory ending in "/" or a file) left out of the gate, and why. */
const EXCLUDED: Record<string, string> = {
  "contracts/mocks/": "test doubles (hostile tokens, receivers, wallets, the faucet token); never deployed to production",
  "contracts/test/": "Solidity tests, fuzz tests and invariant handlers; they are the measuring instrument",
};

interface FileCoverage {
  linesFound?: number;
  linesHit?: number;
  uncoveredLines?: number[];
  linePercent?: number;
  statementPercent?: number;
  uncoveredFromTable?: string;
}

function excludedReason(file: string): string | undefined {
  for (const [prefix, reason] of Object.entries(EXCLUDED)) {
    if (prefix.endsWith("/") ? file.startsWith(prefix) : file === prefix) return reason;
  }
  return undefined;
}

function normalise(file: string): string {
  const relative = path.isAbsolute(file) ? path.relative(ROOT, file) : file;
  return relative.split(path.sep).join("/");
}

/** lcov.info: SF:<path>, DA:<line>,<count>, LF:<found>, LH:<hit>, end_of_record. */
function parseLcov(text: string, into: Map<string, FileCoverage>): void {
  let current: FileCoverage | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      const file = normalise(line.slice(3));
      current = into.get(file) ?? {};
      current.uncoveredLines = [];
      into.set(file, current);
    } else if (current !== undefined && line.startsWith("DA:")) {
      const [lineNumber, count] = line.slice(3).split(",").map(Number);
      if (count === 0 && lineNumber !== undefined) current.uncoveredLines!.push(lineNumber);
    } else if (current !== undefined && line.startsWith("LF:")) {
      current.linesFound = Number(line.slice(3));
    } else if (current !== undefined && line.startsWith("LH:")) {
      current.linesHit = Number(line.slice(3));
    } else if (line === "end_of_record") {
      current = undefined;
    }
  }
}

/** The printed table: rows "║ <path> │ <line %> │ <statement %> │ <uncovered lines> ║" after "Coverage Report". */
function parseTable(text: string, into: Map<string, FileCoverage>): number {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, "");
  const start = plain.lastIndexOf("Coverage Report");
  if (start < 0) return 0;
  let rows = 0;
  for (const line of plain.slice(start).split("\n")) {
    if (!line.startsWith("║") || !line.includes("│")) continue;
    const cells = line
      .replace(/^║/, "")
      .replace(/║\s*$/, "")
      .split("│")
      .map((cell) => cell.trim());
    const [file, linePercent, statementPercent, uncovered] = cells;
    if (file === undefined || !file.endsWith(".sol")) continue;
    const key = normalise(file);
    const entry = into.get(key) ?? {};
    entry.linePercent = Number(linePercent);
    entry.statementPercent = Number(statementPercent);
    entry.uncoveredFromTable = uncovered;
    into.set(key, entry);
    rows++;
  }
  return rows;
}

/** Contracts and libraries under contracts/ (interface-only files have nothing to execute). */
function sourcesWithCode(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...sourcesWithCode(full));
    else if (name.endsWith(".sol") && /^\s*(abstract\s+)?(contract|library)\s+\w+/m.test(readFileSync(full, "utf8"))) {
      found.push(normalise(full));
    }
  }
  return found;
}

/**
 * The tests whose job is the contracts: the Solidity tests (fuzz and invariant included) and the mocha tests of
 * test/contracts and test/attacks. The rest of the suite (SDK, CLI, gateway, browser pages) drives the same
 * contracts through their public functions and adds no line, but instrumented it doubled CI's time; `npm test`
 * runs all of it uninstrumented. The gate below still fails if a line of a contract in scope is not covered.
 */
const COVERAGE_TESTS = ["contracts/test", "test/contracts", "test/attacks"];

function testFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...testFiles(full));
    else if (name.endsWith(".t.sol") || name.endsWith(".test.ts")) found.push(path.relative(ROOT, full));
  }
  return found.sort();
}

/** Runs `npx hardhat test --coverage` on COVERAGE_TESTS, echoing and capturing its stdout; resolves with its exit code. */
function runCoverage(): Promise<{ code: number; stdout: string }> {
  const files = COVERAGE_TESTS.flatMap((dir) => testFiles(path.join(ROOT, dir)));
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["hardhat", "test", "--coverage", ...files], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      process.stdout.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(chunks).toString("utf8") }));
  });
}

function percent(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "   n/a" : value.toFixed(2).padStart(6);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const reportFlag = args.indexOf("--report");
  let stdout: string;
  let testsExitCode = 0;
  if (reportFlag >= 0) {
    const reportPath = args[reportFlag + 1];
    if (reportPath === undefined) throw new Error("--report needs a file");
    stdout = readFileSync(reportPath, "utf8");
  } else {
    const run = await runCoverage();
    stdout = run.stdout;
    testsExitCode = run.code;
    mkdirSync(path.dirname(SAVED_REPORT), { recursive: true });
    writeFileSync(SAVED_REPORT, stdout);
  }

  const coverage = new Map<string, FileCoverage>();
  if (!existsSync(LCOV)) {
    console.error(`check-coverage: ${path.relative(ROOT, LCOV)} not found; run \`npx hardhat test --coverage\` first.`);
    return 1;
  }
  parseLcov(readFileSync(LCOV, "utf8"), coverage);
  if (parseTable(stdout, coverage) === 0) {
    console.error("check-coverage: no Coverage Report table in the test output (statement coverage is only printed there).");
    return 1;
  }

  const failures: string[] = [];
  const inScope = new Set<string>();
  for (const file of coverage.keys()) if (file.startsWith("contracts/") && excludedReason(file) === undefined) inScope.add(file);
  for (const file of sourcesWithCode(path.join(ROOT, "contracts"))) {
    if (excludedReason(file) === undefined) inScope.add(file);
  }

  console.log("");
  console.log(`Coverage gate (${REQUIRED_PERCENT}% of lines and statements):`);
  console.log(`  ${"file".padEnd(44)} ${"lines".padStart(9)} ${"line %".padStart(6)} ${"stmt %".padStart(6)}  uncovered lines`);
  for (const file of [...inScope].sort()) {
    const entry = coverage.get(file);
    if (entry === undefined || entry.linesFound === undefined || entry.statementPercent === undefined) {
      console.log(`  ${file.padEnd(44)} ${"-".padStart(9)} ${percent(undefined)} ${percent(undefined)}  NOT IN THE REPORT`);
      failures.push(`${file}: no coverage data (no test executed it, or the report is incomplete)`);
      continue;
    }
    const linePercent = entry.linesFound === 0 ? 100 : (100 * (entry.linesHit ?? 0)) / entry.linesFound;
    const uncovered = entry.uncoveredLines?.length ? entry.uncoveredLines.join(", ") : "-";
    const lines = `${entry.linesHit ?? 0}/${entry.linesFound}`;
    console.log(
      `  ${file.padEnd(44)} ${lines.padStart(9)} ${percent(linePercent)} ${percent(entry.statementPercent)}  ${uncovered}`,
    );
    if (linePercent < REQUIRED_PERCENT) failures.push(`${file}: line coverage ${linePercent.toFixed(2)}% (lines ${uncovered})`);
    if (entry.statementPercent < REQUIRED_PERCENT) {
      failures.push(`${file}: statement coverage ${entry.statementPercent.toFixed(2)}% (lines ${entry.uncoveredFromTable})`);
    }
  }
  console.log("  excluded:");
  for (const [prefix, reason] of Object.entries(EXCLUDED)) console.log(`    ${prefix}: ${reason}`);

  if (testsExitCode !== 0) failures.push(`the test run itself failed (exit code ${testsExitCode})`);
  if (failures.length > 0) {
    console.error("\ncheck-coverage: FAILED");
    for (const failure of failures) console.error(`  - ${failure}`);
    return 1;
  }
  console.log("\ncheck-coverage: every line and statement of the production contracts is covered.");
  return 0;
}

process.exitCode = await main();
