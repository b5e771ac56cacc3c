/**
 * The published package, as an integrator gets it: `npm pack` of this repository, installed from the tarball into two
 * fresh projects, one on Node 20 with the lowest ethers the peer range allows and one on Node 22 with the newest
 * ethers 6; in each a strict NodeNext TypeScript program importing `scanpay`, `scanpay/qr` and `scanpay/typechain`
 * compiles and runs against a local `hardhat node` (register, create, sign, encode, pay, watch), and the installed
 * `scanpay` command runs (keys from the environment and from an encrypted keystore, errors as one line on stderr).
 * Needs the npm registry (or npm's cache). `npm run test:package`.
 */
import { type SpawnOptions, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { encryptKeystoreJson, getAddress, HDNodeWallet, JsonRpcProvider, Mnemonic, Network } from "ethers";

import { loadAndExecuteDeploymentsFromFiles } from "../../rocketh/environment.js";
import { type HardhatNode, startHardhatNode } from "../helpers/child-process.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const MANIFEST = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  version: string;
  peerDependencies: Record<string, string>;
};
/** The lowest ethers the peer range admits (`^6.13.0` -> 6.13.0). */
const LOWEST_ETHERS = /^\^?(\d+\.\d+\.\d+)$/.exec(MANIFEST.peerDependencies.ethers ?? "")?.[1] ?? "missing";
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file args` with `nodeBin`'s folder first on PATH (so npm, npx and scripts use that Node). */
function run(
  nodeBin: string,
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith("HARDHAT_") && !name.startsWith("SCANPAY_") && !name.startsWith("npm_") && name !== "NODE_OPTIONS",
    ),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PATH: [path.dirname(nodeBin), process.env.PATH].join(path.delimiter),
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    ...options.env,
  };
  const spawnOptions: SpawnOptions = { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true };
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBin, [file, ...args], spawnOptions);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    };
    process.once("exit", kill);
    const timer = setTimeout(kill, options.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      process.removeListener("exit", kill);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The first `node` on PATH (outside node_modules) whose major version is `major`. */
function findNode(major: number): string {
  const candidates = [
    process.execPath,
    path.join(REPO_ROOT, "node_modules/node/bin/node"),
    ...(process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "node")),
    "/usr/bin/node",
    "/usr/local/bin/node",
  ];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
    if (version.startsWith(`v${major}.`)) return candidate;
  }
  throw new Error(`no Node ${major} found (PATH, /usr/bin/node, node_modules/node)`);
}

const NPM_CLI = realpathSync(execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
const NPX_CLI = path.join(path.dirname(NPM_CLI), "npx-cli.js");

/** One line of stderr, without blank lines. */
function stderrLines(result: Run): string[] {
  return result.stderr.split("\n").filter((line) => line.trim() !== "");
}

describe("scanpay package (npm pack, installed into new projects)", function () {
  this.timeout(240_000);

  let work = "";
  let tarball = "";
  let files: string[] = [];
  let node: HardhatNode | undefined;
  let deployments = "";
  let rpc: JsonRpcProvider | undefined;
  const key = (index: number) => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`);
  const timings: Record<string, number> = {};
  let escrowAddress = "";
  const merchantIds: Partial<Record<"node20" | "node22", string>> = {};

  /** A consumer project: its folder, Node binary, and the ethers it installed. */
  interface Project {
    dir: string;
    nodeBin: string;
    install: Run;
    ethersVersion: string;
  }
  const projects: Record<"node20" | "node22", Project> = {} as Record<"node20" | "node22", Project>;

  async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      timings[label] = Date.now() - started;
    }
  }

  async function createProject(name: "node20" | "node22", nodeBin: string, ethersSpec: string): Promise<Project> {
    const dir = path.join(work, name);
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "package.json"),
      JSON.stringify({
        name: `consumer-${name}`,
        private: true,
        type: "module",
        dependencies: { scanpay: `file:${tarball}`, ethers: ethersSpec, "@types/node": "22.20.5" },
      }),
    );
    await writeFile(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          lib: ["es2023"],
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          types: ["node"],
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
    await copyFile(path.join(import.meta.dirname, "fixtures/consumer.ts.fixture"), path.join(dir, "consumer.ts"));
    const install = await timed(`install ${name}`, () =>
      run(nodeBin, NPM_CLI, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel", "error"], {
        cwd: dir,
        timeoutMs: 180_000,
      }),
    );
    const installed = path.join(dir, "node_modules/ethers/package.json");
    const ethersVersion = existsSync(installed)
      ? (JSON.parse(readFileSync(installed, "utf8")) as { version: string }).version
      : "none";
    return { dir, nodeBin, install, ethersVersion };
  }

  before(async function () {
    work = await mkdtemp(path.join(tmpdir(), "scanpay-package-"));
    const node22 = findNode(22);
    const node20 = findNode(20);
    // The build `npm pack` runs (prepack = npm run build:sdk), without its `hardhat build`: `hardhat test` has just built.
    await timed("build", async () => {
      await rm(path.join(REPO_ROOT, "dist"), { recursive: true, force: true });
      const tsc = await run(node22, path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), ["-p", "tsconfig.build.json"], {
        cwd: REPO_ROOT,
        timeoutMs: 180_000,
      });
      expect(tsc.code, `tsc -p tsconfig.build.json:\n${tsc.stdout}${tsc.stderr}`).to.equal(0);
      const prune = await run(node22, path.join(REPO_ROOT, "scripts/package/prune-typechain.mjs"), [], { cwd: REPO_ROOT });
      expect(prune.code, prune.stderr).to.equal(0);
    });
    const pack = await timed("pack", () =>
      run(node22, NPM_CLI, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: REPO_ROOT }),
    );
    expect(pack.code, pack.stderr).to.equal(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; size: number; files: { path: string }[] }[];
    tarball = path.join(work, info!.filename);
    files = info!.files.map((f) => f.path);
    timings["tarball bytes"] = info!.size;

    // The node and the installs in parallel: both wait on I/O mostly.
    const started = startHardhatNode(REPO_ROOT, 60_000);
    const [started20, started22] = await Promise.all([
      createProject("node20", node20, LOWEST_ETHERS),
      createProject("node22", node22, "^6"),
    ]);
    projects.node20 = started20;
    projects.node22 = started22;
    node = await started;
    rpc = new JsonRpcProvider(node.url, Network.from(31337), { staticNetwork: true });
    const eip1193 = {
      request: ({ method, params }: { method: string; params?: unknown[] }) => rpc!.send(method, params ?? []),
    } as unknown as Parameters<typeof loadAndExecuteDeploymentsFromFiles>[0]["provider"];
    deployments = path.join(work, "deployments");
    const env = await timed("deploy", () =>
      loadAndExecuteDeploymentsFromFiles({
        provider: eip1193,
        saveDeployments: true,
        config: { deployments },
        environment: "localhost",
      }),
    );
    escrowAddress = getAddress(env.get("PaymentEscrow").address);
  });

  after(async () => {
    rpc?.destroy();
    await node?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
    const ethers = { node20: projects.node20?.ethersVersion, node22: projects.node22?.ethersVersion };
    console.log(`      package test timings (ms; tarball in bytes): ${JSON.stringify(timings)}; ethers ${JSON.stringify(ethers)}`);
  });

  describe("npm pack", () => {
    it("ships the compiled SDK, typechain and CLI, the launcher, the production contracts, docs and README", () => {
      for (const file of [
        "package.json",
        "README.md",
        "bin/scanpay.mjs",
        "dist/src/index.js",
        "dist/src/index.d.ts",
        "dist/src/qr/index.js",
        "dist/typechain-types/index.js",
        "dist/src/cli/main.js",
        "contracts/PaymentEscrow.sol",
        "contracts/interfaces/IPaymentEscrow.sol",
      ]) {
        expect(files, file).to.include(file);
      }
    });

    it("leaves out deployments, test-only contracts, source maps, TypeScript sources, scripts and the CLI's declarations", () => {
      expect(files.filter((f) => f.startsWith("deployments/"))).to.deep.equal([]);
      expect(files.filter((f) => /^contracts\/(test|mocks)\//.test(f))).to.deep.equal([]);
      // Bindings of test-only contracts: only TestToken, the SDK's ERC-20 ABI, stays.
      expect(files.filter((f) => /typechain-types\/(factories\/)?mocks\//.test(f) && !/\/TestToken(__factory)?\./.test(f))).to.deep.equal([]);
      expect(files.filter((f) => f.endsWith(".map"))).to.deep.equal([]);
      expect(files.filter((f) => /^(src|scripts|test|deploy|rocketh)\//.test(f))).to.deep.equal([]);
      expect(files.filter((f) => f.startsWith("dist/src/cli/") && f.endsWith(".d.ts"))).to.deep.equal([]);
    });

    it("declares no install-time scripts, ethers only as a peer with a range, and Node 20 and 22 as supported", async () => {
      const extracted = path.join(work, "extracted");
      await mkdir(extracted);
      execFileSync("tar", ["-xzf", tarball, "-C", extracted, "package/package.json"]);
      const manifest = JSON.parse(readFileSync(path.join(extracted, "package/package.json"), "utf8")) as {
        scripts?: Record<string, string>;
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
        engines?: { node?: string };
        bin?: Record<string, string>;
      };
      for (const script of ["preinstall", "install", "postinstall"]) expect(manifest.scripts ?? {}).to.not.have.property(script);
      expect(manifest.dependencies ?? {}).to.not.have.property("ethers");
      expect(manifest.peerDependencies?.ethers).to.match(/^\^6\.\d+\.\d+$/);
      expect(manifest.engines?.node).to.equal(">=20.11");
      expect(manifest.bin?.scanpay).to.equal("bin/scanpay.mjs");
    });
  });

  for (const name of ["node20", "node22"] as const) {
    describe(`installed on ${name === "node20" ? "Node 20 with the lowest" : "Node 22 with the newest"} ethers 6`, () => {
      it("npm install of the tarball succeeds and brings neither Hardhat nor tsx", () => {
        const project = projects[name];
        expect(project.install.code, `npm install:\n${project.install.stderr}`).to.equal(0);
        expect(project.ethersVersion).to.match(name === "node20" ? new RegExp(`^${LOWEST_ETHERS.replace(/\./g, "\\.")}$`) : /^6\./);
        for (const absent of ["hardhat", "tsx", "@nomicfoundation"]) {
          expect(existsSync(path.join(project.dir, "node_modules", absent)), absent).to.equal(false);
        }
      });

      it("a strict NodeNext program importing scanpay, scanpay/qr and scanpay/typechain compiles", async () => {
        const project = projects[name];
        const tsc = await run(project.nodeBin, path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), ["-p", "."], {
          cwd: project.dir,
        });
        expect(tsc.code, `tsc:\n${tsc.stdout}${tsc.stderr}`).to.equal(0);
      });

      it("the program registers, creates, signs, encodes, pays and watches an invoice on the local node", async () => {
        const project = projects[name];
        const merchant = key(name === "node20" ? 10 : 11);
        const payer = key(name === "node20" ? 12 : 13);
        const result = await run(
          project.nodeBin,
          path.join(project.dir, "out/consumer.js"),
          [node!.url, deployments, merchant.privateKey, payer.privateKey],
          { cwd: project.dir },
        );
        expect(result.code, `consumer:\n${result.stderr}`).to.equal(0);
        const out = JSON.parse(result.stdout) as {
          merchantId: string;
          invoiceNumber: string;
          sameSignature: boolean;
          compactMatches: boolean;
          scannedEscrow: string;
          watched: { invoiceNumber: string; payer: string; amount: string }[];
          secondPayError: string;
        };
        expect(out.sameSignature).to.equal(true);
        expect(out.compactMatches).to.equal(true);
        expect(out.watched).to.deep.equal([
          { invoiceNumber: out.invoiceNumber, payer: payer.address, amount: "1000000000000000" },
        ]);
        expect(out.secondPayError).to.not.equal("");
        expect(out.scannedEscrow).to.equal(escrowAddress);
        merchantIds[name] = out.merchantId;
      });

      it("the installed scanpay command prints its help, and reads a merchant from the node", async () => {
        const project = projects[name];
        const bin = path.join(project.dir, "node_modules/.bin/scanpay");
        const help = await run(project.nodeBin, bin, ["--help"], { cwd: project.dir });
        expect(help.code, help.stderr).to.equal(0);
        expect(help.stdout).to.contain("Usage: scanpay <command>");
        expect(help.stderr).to.equal("");
        const merchantId = merchantIds[name] ?? "1";
        const show = await run(project.nodeBin, bin, ["merchant", "show", merchantId, "--rpc-url", node!.url, "--json"], {
          cwd: project.dir,
          env: { SCANPAY_DEPLOYMENTS: deployments, SCANPAY_HOME: path.join(project.dir, "home") },
        });
        expect(show.code, show.stderr).to.equal(0);
        expect(JSON.parse(show.stdout)).to.include({ merchantId, name: "Package Test Café" });
      });

      it("scanpay acts with the key in SCANPAY_PRIVATE_KEY (not the node's accounts)", async () => {
        const project = projects[name];
        const owner = key(name === "node20" ? 14 : 15);
        const register = await run(
          project.nodeBin,
          path.join(project.dir, "node_modules/.bin/scanpay"),
          ["merchant", "register", "--name", `Env key ${name}`, "--rpc-url", node!.url, "--json"],
          {
            cwd: project.dir,
            env: { SCANPAY_DEPLOYMENTS: deployments, SCANPAY_PRIVATE_KEY: owner.privateKey, SCANPAY_HOME: path.join(project.dir, "home") },
          },
        );
        expect(register.code, register.stderr).to.equal(0);
        expect((JSON.parse(register.stdout) as { owner: string }).owner).to.equal(owner.address);
      });

      it("scanpay serve says in one line that the gateway needs a checkout (the package does not ship it)", async () => {
        const project = projects[name];
        const bin = path.join(project.dir, "node_modules/.bin/scanpay");
        const serve = await run(project.nodeBin, bin, ["serve", "--port", "0"], {
          cwd: project.dir,
          env: { SCANPAY_HOME: path.join(project.dir, "home") },
        });
        expect(serve.code).to.equal(1);
        expect(stderrLines(serve), serve.stderr).to.deep.equal([
          "error: scanpay serve needs the gateway, which the published package does not include: run it from a checkout of the ScanPay repository (git clone, npm install, npx scanpay serve)",
        ]);
        expect(serve.stdout).to.equal("");
      });

      it("errors are exactly one line on stderr, also through npx", async () => {
        const project = projects[name];
        const env = { SCANPAY_HOME: path.join(project.dir, "home") };
        const args = ["merchant", "show", "1", "--rpc-url", "http://127.0.0.1:9"];
        const direct = await run(project.nodeBin, path.join(project.dir, "node_modules/.bin/scanpay"), args, { cwd: project.dir, env });
        const viaNpx = await run(project.nodeBin, NPX_CLI, ["--no-install", "scanpay", ...args], { cwd: project.dir, env });
        for (const result of [direct, viaNpx]) {
          expect(result.code).to.equal(1);
          expect(stderrLines(result), result.stderr).to.deep.equal([
            "error: cannot reach network localhost at http://127.0.0.1:9: is the node running (npx hardhat node) and the URL right?",
          ]);
          expect(result.stdout).to.equal("");
        }
      });
    });
  }

  describe("scanpay with an encrypted keystore (installed, Node 22)", () => {
    it("signs with the keystore's key given the password in SCANPAY_KEYSTORE_PASSWORD, and a wrong one is one line", async () => {
      const project = projects.node22;
      const owner = key(16);
      const file = path.join(work, "owner.keystore.json");
      // A small scrypt cost: the format is the standard one, only faster to open.
      await writeFile(
        file,
        await encryptKeystoreJson({ address: owner.address, privateKey: owner.privateKey }, "correct horse", {
          scrypt: { N: 1 << 10 },
        }),
      );
      const bin = path.join(project.dir, "node_modules/.bin/scanpay");
      const args = ["merchant", "register", "--name", "Keystore Café", "--rpc-url", node!.url, "--keystore", file, "--json"];
      const env = { SCANPAY_DEPLOYMENTS: deployments, SCANPAY_HOME: path.join(project.dir, "home") };
      const wrong = await run(project.nodeBin, bin, args, { cwd: project.dir, env: { ...env, SCANPAY_KEYSTORE_PASSWORD: "nope" } });
      expect(wrong.code).to.equal(1);
      expect(stderrLines(wrong)).to.have.length(1);
      expect(JSON.parse(wrong.stderr) as unknown).to.deep.equal({
        error: { code: "KEYSTORE_BAD_PASSWORD", message: `wrong password for the keystore ${file}` },
      });
      const right = await run(project.nodeBin, bin, args, {
        cwd: project.dir,
        env: { ...env, SCANPAY_KEYSTORE_PASSWORD: "correct horse" },
      });
      expect(right.code, right.stderr).to.equal(0);
      expect((JSON.parse(right.stdout) as { owner: string }).owner).to.equal(owner.address);
    });
  });
});
