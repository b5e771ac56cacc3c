import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig, overrideTask } from "hardhat/config";
import type { HttpNetworkUserConfig } from "hardhat/types/config";
import type { HardhatPlugin } from "hardhat/types/plugins";
import hardhatDeploy from "hardhat-deploy";

const require = createRequire(import.meta.url);

// The npm package `solc` (pinned to the same version) is the compiler: Hardhat treats a non-native path as
// the WASM build, so nothing is downloaded.
const SOLC_VERSION = "0.8.37";
const solcPath = require.resolve("solc/soljson.js");

const compiler = {
  version: SOLC_VERSION,
  path: solcPath,
  // 600 runs: at 1,000 PaymentEscrow is 25,349 bytes, over the 24,576-byte limit (docs/gas.md, issue 8).
  settings: { optimizer: { enabled: true, runs: 600 }, evmVersion: "cancun" },
};

/** A public testnet: RPC URL and key are configuration variables (Hardhat keystore or environment). */
const testnet = (name: string, chainType: "l1" | "op"): HttpNetworkUserConfig => ({
  type: "http",
  chainType,
  url: configVariable(`${name}_RPC_URL`),
  accounts: [configVariable(`${name}_PRIVATE_KEY`)],
});

/** Keeps the compiler's warnings about npm packages' files (OpenZeppelin) out of every build's output. */
const libraryWarnings: HardhatPlugin = {
  id: "scanpay-library-warnings",
  hookHandlers: { solidity: () => import("./scripts/tasks/library-warnings.js") },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, hardhatDeploy, libraryWarnings],
  tasks: [
    // `hardhat deploy` first builds (fresh clone, or instrumented artifacts left by a coverage run) and does not ask
    // for confirmation on a local chain: scripts/tasks/deploy.ts.
    overrideTask("deploy")
      .setAction(() => import("./scripts/tasks/deploy.js"))
      .build(),
  ],
  solidity: {
    // One compiler configuration for both profiles: `hardhat deploy` builds with the default profile (fast, shares
    // the tests' compile cache), so its bytecode must be the production profile's (checked: byte for byte the same;
    // "production" only adds isolated compilation, about a minute).
    profiles: { default: compiler, production: compiler },
    npmFilesToBuild: [],
  },
  networks: {
    default: { type: "edr-simulated", chainType: "l1" },
    hardhatOp: { type: "edr-simulated", chainType: "op" },
    // `npx hardhat node`; LOCALHOST_URL points it elsewhere (the CLI tests start a node on a free port).
    localhost: { type: "http", chainType: "l1", url: process.env.LOCALHOST_URL ?? "http://127.0.0.1:8545" },
    sepolia: testnet("SEPOLIA", "l1"),
    baseSepolia: testnet("BASE_SEPOLIA", "op"),
    opSepolia: testnet("OP_SEPOLIA", "op"),
  },
  verify: {
    etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") },
  },
  typechain: { outDir: "typechain-types" },
  test: {
    mocha: {
      timeout: 120_000,
      // Mocha is the last test runner (after the Solidity tests), and Hardhat waits for the event loop to drain. A
      // test that leaks a handle (a server, a socket, a child process) would keep `npm test` alive until CI's own
      // timeout and hide every result: one minute after the last test, the leaked resources are named and the run
      // ends with its real exit code (set by then). The timer is unref'd, so a clean run exits at once.
      rootHooks: {
        afterAll() {
          setTimeout(() => {
            console.error(`npm test: still running a minute after the last test; leaked: ${process.getActiveResourcesInfo().join(", ")}`);
            process.exit(process.exitCode ?? 1);
          }, 60_000).unref();
        },
      },
    },
    // `npm test` runs the default profile; `npm run test:deep` the deep one (docs/SECURITY.md states both).
    solidity: {
      profiles: {
        default: { fuzz: { runs: 1_000 }, invariant: { runs: 32, depth: 100 } },
        deep: { fuzz: { runs: 10_000 }, invariant: { runs: 256, depth: 200 } },
      },
    },
  },
});
