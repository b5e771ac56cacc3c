/**
 * The README's testnet deploy, rehearsed for each documented testnet without touching a public network: a
 * `hardhat node` on 127.0.0.1 started with the testnet's chain id and chain type, and the documented command
 * `npx hardhat deploy --network <testnet> --skip-prompts` run in a scratch copy of the project (no terminal) with
 * the network's two configuration variables given as environment variables: its RPC URL (the node) and ONE private
 * key, of an account the node does not manage (funded by the test), exactly as a user with one key has it.
 *
 * The rehearsals run one after the other (one node at a time) from the moment mocha loads this file, alongside the
 * test files before it; each `it` awaits its own network's result.
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Network, Wallet } from "ethers";
import hre from "hardhat";

import { config } from "../../rocketh/config.js";
import { TESTNETS } from "../../rocketh/local-chains.js";
import { LoyaltyPoints__factory, MerchantRegistry__factory, PaymentEscrow__factory } from "../../typechain-types/index.js";
import { type CommandResult, runCommand, startHardhatNode } from "../helpers/child-process.js";
import { REPO_ROOT, type ScratchProject, createScratchProject, savedAddresses } from "./scratch-project.js";

/** The documented testnets (README "Deploying to a testnet", hardhat.config.ts): chain id, chain type, variable prefix. */
const REHEARSALS = [
  { network: "sepolia", prefix: "SEPOLIA", chainId: 11155111, chainType: "l1" },
  { network: "baseSepolia", prefix: "BASE_SEPOLIA", chainId: 84532, chainType: "op" },
  { network: "opSepolia", prefix: "OP_SEPOLIA", chainId: 11155420, chainType: "op" },
] as const;
type TestnetName = (typeof REHEARSALS)[number]["network"];

const COMMAND_TIMEOUT_MS = 150_000;
const CORE = ["MerchantRegistry", "LoyaltyPoints", "PaymentEscrow"] as const;

/** What a rehearsal saw: the deploy command's run and the chain's state after it (read before the node stops). */
interface Rehearsal {
  run: CommandResult;
  /** The one configured key's address. */
  deployer: string;
  chainId: bigint;
  saved: Record<string, string>;
  code: Record<string, string>;
  state?: {
    escrowRegistry: string;
    escrowPoints: string;
    pointsRegistry: string;
    pointsMinter: string;
    /** The registry's admin: the platform admin of both contracts. */
    admin: string;
    adminDelay: bigint;
    /** Whether the escrow accepts an admin call (setFee, simulated) from the deployer: it asks the registry. */
    escrowAdminIsDeployer: boolean;
    treasury: string;
    arbiterIsDeployer: boolean;
    pauserIsDeployer: boolean;
    tokenCount: bigint;
    feeBps: bigint;
  };
}

function describeRun(result: CommandResult): string {
  const how = result.timedOut ? "timed out" : `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}`;
  return `${how} after ${result.durationMs} ms; output:\n${result.output.slice(-4_000)}`;
}

async function rehearse(project: ScratchProject, target: (typeof REHEARSALS)[number]): Promise<Rehearsal> {
  const node = await startHardhatNode(REPO_ROOT, 60_000, { chainId: target.chainId, chainType: target.chainType });
  const rpc = new JsonRpcProvider(node.url, Network.from(target.chainId), { staticNetwork: true, batchMaxCount: 1 });
  try {
    // A key the node does not know: only the network config's one account can sign.
    const key = Wallet.createRandom();
    await rpc.send("hardhat_setBalance", [key.address, "0x56BC75E2D63100000"]); // 100 ETH
    const run = await runCommand("npx", ["hardhat", "deploy", "--network", target.network, "--skip-prompts"], {
      cwd: project.root,
      env: { [`${target.prefix}_RPC_URL`]: node.url, [`${target.prefix}_PRIVATE_KEY`]: key.privateKey },
      timeoutMs: COMMAND_TIMEOUT_MS,
    });
    const chainId = BigInt(await rpc.send("eth_chainId", []));
    const result: Rehearsal = { run, deployer: key.address, chainId, saved: {}, code: {} };
    if (run.code !== 0 || !existsSync(path.join(project.root, "deployments", target.network))) return result;
    result.saved = await savedAddresses(project.root, target.network);
    for (const [name, address] of Object.entries(result.saved)) result.code[name] = await rpc.getCode(address);
    if (CORE.some((name) => result.saved[name] === undefined)) return result;

    const registry = MerchantRegistry__factory.connect(result.saved.MerchantRegistry!, rpc);
    const points = LoyaltyPoints__factory.connect(result.saved.LoyaltyPoints!, rpc);
    const escrow = PaymentEscrow__factory.connect(result.saved.PaymentEscrow!, rpc);
    result.state = {
      escrowRegistry: await escrow.registry(),
      escrowPoints: await escrow.loyaltyPoints(),
      pointsRegistry: await points.registry(),
      pointsMinter: await points.escrow(),
      admin: await registry.defaultAdmin(),
      adminDelay: await registry.defaultAdminDelay(),
      escrowAdminIsDeployer: await escrow.setFee.staticCall(await escrow.feeBps(), { from: key.address }).then(
        () => true,
        () => false,
      ),
      treasury: await escrow.treasury(),
      arbiterIsDeployer: await registry.hasRole(await registry.ARBITER_ROLE(), key.address),
      pauserIsDeployer: await registry.hasRole(await registry.PAUSER_ROLE(), key.address),
      tokenCount: await escrow.tokenCount(),
      feeBps: await escrow.feeBps(),
    };
    return result;
  } finally {
    rpc.destroy();
    await node.stop();
  }
}

function startRehearsals(): { results: Map<TestnetName, Promise<Rehearsal>>; cleanUp(): Promise<void> } {
  const project = createScratchProject("testnet", { seedBuild: true });
  const results = new Map<TestnetName, Promise<Rehearsal>>();
  let previous: Promise<unknown> = project;
  for (const target of REHEARSALS) {
    // One after the other: one node at a time, and the first deploy's build is reused by the next.
    const result = previous.catch(() => {}).then(async () => rehearse(await project, target));
    result.catch(() => {}); // each `it` awaits its own; no unhandled rejection meanwhile
    results.set(target.network, result);
    previous = result;
  }
  return {
    results,
    async cleanUp() {
      await Promise.allSettled([...results.values()]);
      await (await project).remove();
    },
  };
}

const rehearsals = startRehearsals();
// A root hook: runs once at the end of the whole run, even when a filter skipped every test of this file.
after(function () {
  this.timeout(4 * COMMAND_TIMEOUT_MS);
  return rehearsals.cleanUp();
});

describe("npx hardhat deploy --network <testnet> --skip-prompts (rehearsal on a node with the testnet's chain id)", function () {
  this.timeout(4 * COMMAND_TIMEOUT_MS);

  it("covers every documented testnet: README names, hardhat.config.ts networks and chain types, rocketh TESTNETS", async () => {
    const readme = await readFile(path.join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Deploying to a testnet"));
    expect(REHEARSALS.map((r) => r.network)).to.deep.equal([...TESTNETS]);
    for (const { network, prefix, chainType } of REHEARSALS) {
      expect(section, `README names ${network}`).to.include(`\`${network}\``);
      expect(section, `README names ${prefix}_*`).to.include(`${prefix}_*`);
      const networkConfig = hre.config.networks[network];
      expect(networkConfig?.type, network).to.equal("http");
      expect(networkConfig?.chainType, `${network} chain type`).to.equal(chainType);
    }
  });

  for (const { network, chainId } of REHEARSALS) {
    describe(network, () => {
      it(`deploys with one configured key on chain ${chainId}: every contract, wired to each other`, async () => {
        const { run, chainId: actual, saved, code, state } = await rehearsals.results.get(network)!;
        expect(actual, "the node runs the testnet's chain id").to.equal(BigInt(chainId));
        expect(run.code, describeRun(run)).to.equal(0);
        for (const name of CORE) {
          expect(saved[name], `${name} saved in deployments/${network}/`).to.be.a("string");
          expect(code[name], `${name} code on chain`).to.be.a("string").and.not.equal("0x");
        }
        const same = (a: string | undefined) => a?.toLowerCase();
        expect(same(state?.escrowRegistry), "PaymentEscrow.registry()").to.equal(same(saved.MerchantRegistry));
        expect(same(state?.escrowPoints), "PaymentEscrow.loyaltyPoints()").to.equal(same(saved.LoyaltyPoints));
        expect(same(state?.pointsRegistry), "LoyaltyPoints.registry()").to.equal(same(saved.MerchantRegistry));
        expect(same(state?.pointsMinter), "LoyaltyPoints.escrow()").to.equal(same(saved.PaymentEscrow));
      });

      it("makes the one key admin, treasury, arbiter and pauser, with the testnet's settings of rocketh/config.ts", async () => {
        const { run, deployer, state } = await rehearsals.results.get(network)!;
        expect(state, describeRun(run)).to.not.equal(undefined);
        expect(state!.admin, "the registry's defaultAdmin()").to.equal(deployer);
        expect(state!.escrowAdminIsDeployer, "the escrow's admin (asked of the registry)").to.equal(true);
        expect(state!.treasury, "treasury").to.equal(deployer);
        expect(state!.arbiterIsDeployer, "ARBITER_ROLE").to.equal(true);
        expect(state!.pauserIsDeployer, "PAUSER_ROLE").to.equal(true);
        const delay = BigInt(config.data.adminDelay[network]);
        expect(delay, "a testnet has an admin delay of its own").to.not.equal(BigInt(config.data.adminDelay.default));
        expect(state!.adminDelay, "the registry's defaultAdminDelay()").to.equal(delay);
        expect(state!.feeBps, "feeBps").to.equal(BigInt(config.data.feeBps.default));
      });

      it("prints the deployment, without Hardhat's deprecation warning for network.connect() or chain-info notices", async () => {
        const { run } = await rehearsals.results.get(network)!;
        expect(run.code, describeRun(run)).to.equal(0);
        expect(run.output, "the deploy's own lines still show").to.match(/Deploying PaymentEscrow\b/);
        expect(run.output).to.not.match(/hre\.network\.connect\(\) is deprecated/);
        expect(run.output).to.not.match(/has no public info|different chainId/);
      });

      it("deploys and allowlists no TestToken (ETH only)", async () => {
        const { run, saved, state } = await rehearsals.results.get(network)!;
        expect(run.code, describeRun(run)).to.equal(0);
        expect(saved, `deployments/${network}/`).to.not.have.property("TestToken");
        expect(state?.tokenCount, "tokenCount()").to.equal(1n);
      });
    });
  }
});
