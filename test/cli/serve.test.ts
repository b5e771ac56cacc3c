/**
 * `scanpay serve` end to end: the CLI as a child process (bin/scanpay.mjs) starts its local demo (hardhat node,
 * deploy scripts, demo merchant, API key, PGlite in a temporary SCANPAY_HOME) on loopback and a free port; the test
 * creates an invoice with the printed key, reads it back, stops the CLI with SIGINT and checks that it exits 0 and
 * that both the gateway and the chain are gone; a killed chain stops it with one error line. Then a network (a
 * hardhat node standing in for one): `scanpay gateway link-merchant` and `create-key`, `scanpay serve --rpc-url`
 * serving the linked merchant, and the one-line configuration errors.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import { getAddress, JsonRpcProvider, Network, Wallet } from "ethers";

import { loadAndExecuteDeploymentsFromFiles } from "../../rocketh/environment.js";
import { setDeployLogLevel } from "../../rocketh/logging.js";
import { registerMerchant } from "../../src/chain/registerMerchant.js";
import { MerchantRegistry__factory } from "../../typechain-types/index.js";
import { type HardhatNode, startHardhatNode } from "../helpers/child-process.js";

type Eip1193 = Parameters<typeof loadAndExecuteDeploymentsFromFiles>[0]["provider"];

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const LAUNCHER = path.join(REPO_ROOT, "bin/scanpay.mjs");

function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("HARDHAT_") && name !== "HH_TEST"),
  );
  delete env.SCANPAY_DEBUG;
  delete env.SCANPAY_MASTER_KEY;
  delete env.DATABASE_URL;
  delete env.SCANPAY_CONFIG;
  return { ...env, SCANPAY_HOME: home, ...extra };
}

/** Runs the CLI to completion. */
function runCli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function isListening(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return true;
  } catch {
    return false;
  }
}

/** A running `scanpay serve` child process and what it printed. */
interface Serving {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url: string;
  rpcUrl: string;
  apiKey: string;
  curl: string;
  /** SIGKILL if still running (after hooks). */
  kill(): Promise<void>;
}

/** Starts `scanpay serve --port 0` with `home` as SCANPAY_HOME and waits until it prints that it runs. */
async function startServe(
  home: string,
  options: { args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Serving> {
  const timeoutMs = options.timeoutMs ?? 240_000;
  const child = spawn(process.execPath, [LAUNCHER, "serve", "--port", "0", ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: cliEnv(home, options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const killNow = () => child.kill("SIGKILL");
  process.once("exit", killNow);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      process.removeListener("exit", killNow);
      resolve({ code, signal });
    }),
  );
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killNow();
      await exit;
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`scanpay serve not ready after ${timeoutMs / 1000} s:\n${stderr}\n${stdout}`)), timeoutMs);
      child.stdout!.on("data", () => {
        if (stdout.includes("Press Ctrl+C to stop.")) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exit.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`scanpay serve exited (${code}) before it was ready:\n${stderr}\n${stdout}`));
      });
    });
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
    url: /Gateway:\s+(http:\/\/\S+)/.exec(stdout)?.[1] ?? "",
    rpcUrl: /Chain:\s+(http:\/\/\S+)/.exec(stdout)?.[1] ?? "",
    apiKey: /API key:\s+(sp_live_\S+)/.exec(stdout)?.[1] ?? "",
    curl: /^\s*(curl -s .*)$/m.exec(stdout)?.[1] ?? "",
    kill,
  };
}

/** The pid of the `hardhat node` listening on `port` (Linux: read from /proc). */
async function hardhatNodePid(port: string): Promise<number | undefined> {
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0");
      const at = args.indexOf("--port");
      if (args.includes("node") && args.some((a) => a.endsWith("hardhat")) && at >= 0 && args[at + 1] === port) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

/**
 * The local demo deploys the build in generated/. Under `hardhat test --coverage` that is instrumented bytecode, too
 * large for a node's contract size limit, and rebuilding it from here would replace the coverage run's own artifacts
 * (the contracts tested after it would count no coverage). So the tests that deploy the local demo run in `npm test`
 * only: the coverage gate measures the contracts, which these tests do not exercise beyond what others do.
 */
function underCoverage(): boolean {
  return hre.globalOptions.coverage === true;
}

describe("scanpay serve", function () {
  // A CLI start-up with a hardhat node and a deployment took 60-180 s on the loaded 2-core CI machine.
  this.timeout(300_000);

  let home = "";

  before(async () => {
    home = await mkdtemp(path.join(tmpdir(), "scanpay-serve-"));
  });

  after(async () => {
    if (home !== "") await rm(home, { recursive: true, force: true });
  });

  describe("local demo (no network options)", () => {
    before(function () {
      if (underCoverage()) this.skip();
    });

    let serving: Serving;
    let stdout = "";
    let stderr = "";
    let url = "";
    let rpcUrl = "";
    let apiKey = "";
    let curl = "";

    before(async function () {
      this.timeout(300_000);
      serving = await startServe(home);
      ({ url, rpcUrl, apiKey, curl } = serving);
      stdout = serving.stdout();
      stderr = serving.stderr();
    });

    after(() => serving?.kill());

    it("prints the gateway URL on loopback, the docs, the chain, the demo key and a curl; progress goes to stderr", () => {
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(rpcUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(apiKey).to.match(/^sp_live_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
      expect(stdout).to.contain(`${url}/docs`);
      expect(stdout).to.match(/local demo only/);
      expect(curl).to.equal(
        `curl -s -X POST ${url}/v1/invoices -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" -d '{"amount":"12.50","token":"tUSD"}'`,
      );
      for (const step of ["Starting a local chain", "Deploying the contracts", "Registering the demo merchant"]) {
        expect(stderr).to.contain(step);
        expect(stdout).to.not.contain(step);
      }
    });

    it("prints the point of sale signed in with a terminal key (scope create only) and the dashboard with the demo key", async () => {
      const pos = /Point of sale:\s+(\S+)/.exec(stdout)?.[1] ?? "";
      const dashboard = /Dashboard:\s+(\S+)/.exec(stdout)?.[1] ?? "";
      expect(dashboard).to.equal(`${url}/dashboard#key=${apiKey}`);
      expect(pos).to.match(new RegExp(`^${url}/pos#key=sp_live_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$`));
      const terminalKey = pos.slice(pos.indexOf("#key=") + 5);
      expect(terminalKey).to.not.equal(apiKey);
      const profile = await fetch(`${url}/v1/merchant`, { headers: { authorization: `Bearer ${terminalKey}` } });
      expect(profile.status).to.equal(200);
      expect(((await profile.json()) as any).scopes).to.deep.equal(["create"]);
      const page = await fetch(`${url}/pos`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.contain('<main id="app" class="pos">');
    });

    it("keeps the demo master key in the data folder with mode 0600", async () => {
      const info = await stat(path.join(home, "serve-local", "master.key"));
      expect(info.mode & 0o777).to.equal(0o600);
    });

    it("creates an invoice with the printed key (201, a deposit QR) and reads it back", async () => {
      const created = await fetch(`${url}/v1/invoices`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ amount: "12.50", token: "tUSD" }),
      });
      const body = (await created.json()) as any;
      expect(created.status, JSON.stringify(body)).to.equal(201);
      expect(body.amount).to.deep.equal({ baseUnits: "12500000", decimal: "12.5" });
      expect(body.token.symbol).to.equal("tUSD");
      expect(body.status).to.equal("open");
      expect(body.qr.deposit.uri).to.match(/^ethereum:0x[0-9a-fA-F]{40}@31337\/transfer\?address=0x[0-9a-fA-F]{40}&uint256=12500000$/);

      const read = await fetch(`${url}/v1/invoices/${body.id}`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(read.status).to.equal(200);
      const again = (await read.json()) as any;
      expect(again.id).to.equal(body.id);
      expect(again.signature).to.equal(body.signature);

      const unauthenticated = await fetch(`${url}/v1/invoices/${body.id}`);
      expect(unauthenticated.status).to.equal(401);
    });

    it("stops on SIGINT: exit 0, the gateway and the local chain are closed", async () => {
      serving.child.kill("SIGINT");
      const { code, signal } = await serving.exit;
      expect(signal, serving.stderr()).to.equal(null);
      expect(code, serving.stderr()).to.equal(0);
      expect(serving.stderr()).to.contain("SIGINT: stopping the gateway");
      expect(await isListening(`${url}/healthz`)).to.equal(false);
      expect(await isListening(rpcUrl)).to.equal(false);
    });
  });

  describe("Ctrl+C while it starts", () => {
    it("exits 130 and leaves no hardhat node behind", async function () {
      this.timeout(300_000);
      const child = spawn(process.execPath, [LAUNCHER, "serve", "--port", "0"], {
        cwd: REPO_ROOT,
        env: cliEnv(path.join(home, "interrupted")),
        stdio: ["ignore", "pipe", "pipe"],
      });
      const killNow = () => child.kill("SIGKILL");
      process.once("exit", killNow);
      let stderr = "";
      const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      try {
        const rpcUrl = await new Promise<string>((resolve, reject) => {
          child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
            const url = /Deploying the contracts \(deploy\/ scripts\) to (http:\/\/\S+)\.\.\./.exec(stderr)?.[1];
            if (url !== undefined) resolve(url);
          });
          void exit.then((code) => reject(new Error(`exited (${code}) early:\n${stderr}`)));
        });
        child.kill("SIGINT");
        expect(await exit, stderr).to.equal(130);
        expect(stderr).to.contain("SIGINT: stopped before the gateway was ready");
        // The node is killed synchronously on exit; give the OS a moment to close its socket.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect(await hardhatNodePid(new URL(rpcUrl).port)).to.equal(undefined);
        expect(await isListening(rpcUrl)).to.equal(false);
      } finally {
        killNow();
        process.removeListener("exit", killNow);
      }
    });
  });

  describe("when the local chain dies", () => {
    it("stops with one error line naming the chain, exit 1, and closes the gateway", async function () {
      if (underCoverage()) this.skip();
      this.timeout(300_000);
      const serving = await startServe(path.join(home, "second"));
      try {
        const port = new URL(serving.rpcUrl).port;
        const pid = await hardhatNodePid(port);
        expect(pid, "pid of the hardhat node").to.be.a("number");
        process.kill(pid!, "SIGKILL");
        const { code } = await serving.exit;
        expect(code, serving.stderr()).to.equal(1);
        const errors = serving.stderr().split("\n").filter((line) => line.startsWith("error: "));
        expect(errors, serving.stderr()).to.deep.equal([
          "error: the local chain (hardhat node) stopped unexpectedly (SIGKILL); the gateway stopped",
        ]);
        expect(serving.stderr()).to.not.match(/\n\s+at /);
        expect(await isListening(`${serving.url}/healthz`)).to.equal(false);
      } finally {
        await serving.kill();
      }
    });
  });

  describe("serving a network (a hardhat node standing in for it)", () => {
    let node: HardhatNode | undefined;
    let rpc: JsonRpcProvider | undefined;
    let deployments = "";
    let dataDir = "";
    const masterKey = randomBytes(32).toString("hex");
    const signer = Wallet.createRandom();
    const networkArgs = () => ["--rpc-url", node!.url, "--deployments", deployments, "--data-dir", dataDir];

    before(async function () {
      this.timeout(180_000);
      node = await startHardhatNode(REPO_ROOT, 120_000);
      rpc = new JsonRpcProvider(node.url, Network.from(31337), { staticNetwork: true, batchMaxCount: 1, pollingInterval: 100 });
      deployments = path.join(home, "network", "deployments");
      dataDir = path.join(home, "network", "gateway");
      const eip1193 = {
        request: ({ method, params }: { method: string; params?: unknown[] }) => rpc!.send(method, params ?? []),
      } as unknown as Eip1193;
      setDeployLogLevel(1);
      const env = await loadAndExecuteDeploymentsFromFiles({
        provider: eip1193,
        saveDeployments: true,
        config: { deployments },
        environment: "localhost",
      });
      const registry = MerchantRegistry__factory.connect(getAddress(env.get("MerchantRegistry").address), await rpc.getSigner(6));
      await registerMerchant(registry, { name: "Network Shop", signer: signer.address });
    });

    after(async () => {
      rpc?.destroy();
      await node?.stop();
    });

    it("gateway link-merchant refuses a key that is not the merchant's signer, in one line", async () => {
      const run = await runCli(["gateway", "link-merchant", "1", ...networkArgs()], cliEnv(home, {
        SCANPAY_MASTER_KEY: masterKey,
        SCANPAY_PRIVATE_KEY: Wallet.createRandom().privateKey,
      }), REPO_ROOT);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr.trim().split("\n"), run.stderr).to.have.length(1);
      expect(run.stderr).to.match(/^error: the key given is 0x[0-9a-fA-F]{40}, but merchant 1's invoice signer on chain is /);
    });

    it("links the merchant, creates a key, serves the network, and the key creates an invoice", async function () {
      this.timeout(300_000);
      const link = await runCli(
        ["gateway", "link-merchant", "1", "--name", "Network Shop", ...networkArgs(), "--json"],
        cliEnv(home, { SCANPAY_MASTER_KEY: masterKey, SCANPAY_PRIVATE_KEY: signer.privateKey }),
        REPO_ROOT,
      );
      expect(link.code, link.stderr).to.equal(0);
      expect(JSON.parse(link.stdout)).to.include({ onChainId: "1", chainId: "31337", signer: signer.address });

      const created = await runCli(["gateway", "create-key", "1", ...networkArgs(), "--json"], cliEnv(home), REPO_ROOT);
      expect(created.code, created.stderr).to.equal(0);
      const { secret } = JSON.parse(created.stdout) as { secret: string };
      expect(secret).to.match(/^sp_live_/);

      const serving = await startServe(home, { args: networkArgs(), env: { SCANPAY_MASTER_KEY: masterKey } });
      try {
        expect(serving.stdout()).to.contain("Network Shop (on-chain id 1");
        const res = await fetch(`${serving.url}/v1/invoices`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: JSON.stringify({ amount: "3.25", token: "tUSD" }),
        });
        const body = (await res.json()) as any;
        expect(res.status, JSON.stringify(body)).to.equal(201);
        expect(body.onChainMerchantId).to.equal("1");
        expect(body.qr.deposit.uri).to.match(/uint256=3250000$/);
        serving.child.kill("SIGTERM");
        const { code } = await serving.exit;
        expect(code, serving.stderr()).to.equal(0);
        expect(await isListening(`${serving.url}/healthz`)).to.equal(false);
      } finally {
        await serving.kill();
      }
    });
  });

  describe("serving a network: configuration errors", () => {
    it("needs SCANPAY_MASTER_KEY: one error line, no stack trace", async () => {
      const run = await runCli(["serve", "--rpc-url", "http://127.0.0.1:9"], cliEnv(home), REPO_ROOT);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.equal("");
      const lines = run.stderr.trim().split("\n");
      expect(lines, run.stderr).to.have.length(1);
      expect(lines[0]).to.match(/^error: serving a network needs SCANPAY_MASTER_KEY/);
    });

    it("rejects a malformed SCANPAY_MASTER_KEY before touching the database", async () => {
      const run = await runCli(
        ["serve", "--rpc-url", "http://127.0.0.1:9", "--data-dir", path.join(home, "never")],
        cliEnv(home, { SCANPAY_MASTER_KEY: "too-short" }),
        REPO_ROOT,
      );
      expect(run.code).to.equal(1);
      expect(run.stderr.trim().split("\n"), run.stderr).to.have.length(1);
      expect(run.stderr).to.match(/^error: SCANPAY_MASTER_KEY must be 32 bytes/);
    });
  });
});
