/**
 * The deploy scripts (deploy/, run through rocketh): wiring, roles and settings of a fresh deployment, re-runs,
 * and a rehearsal against a separate `hardhat node` process over HTTP.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Network } from "ethers";
import hre, { network } from "hardhat";

import { config } from "../../rocketh/config.js";
import { LOCAL_CHAIN_IDS, TESTNETS, isLocalChain } from "../../rocketh/local-chains.js";
import { loadAndExecuteDeploymentsFromFiles } from "../../rocketh/environment.js";
import {
  LoyaltyPoints__factory,
  MerchantRegistry__factory,
  PaymentEscrow__factory,
  TestToken__factory,
} from "../../typechain-types/index.js";
import { deployAll, ethers, networkHelpers, provider } from "../helpers/fixture.js";
import { makeInvoice, packInvoice, signInvoice } from "../helpers/invoices.js";
import { type HardhatNode, startHardhatNode } from "../helpers/child-process.js";
import { VERIFIED_CONTRACTS, verificationRequests } from "../../scripts/verify/verificationRequests.js";

const ZERO = ethers.ZeroAddress;
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const CONTRACTS = ["MerchantRegistry", "LoyaltyPoints", "PaymentEscrow", "TestToken"] as const;
const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

type Eip1193 = Parameters<typeof loadAndExecuteDeploymentsFromFiles>[0]["provider"];

/** The account a named account of rocketh/config.ts resolves to on a local chain. */
async function named(name: keyof typeof config.accounts): Promise<string> {
  const signers = await ethers.getSigners();
  return signers[config.accounts[name].default]!.address;
}

/** Runs the deploy scripts with deployments saved to `dir`, as `hardhat deploy` does on a persistent network. */
function deployPersisted(eip1193: Eip1193, dir: string, extra: { environment?: string; tags?: string[] } = {}) {
  return loadAndExecuteDeploymentsFromFiles({ provider: eip1193, saveDeployments: true, config: { deployments: dir }, ...extra });
}

function addressesOf(env: { get(name: string): { address: string } }): string[] {
  return CONTRACTS.map((name) => env.get(name).address.toLowerCase());
}

async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "scanpay-deployments-"));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("deploy scripts", () => {
  describe("wiring", () => {
    it("binds LoyaltyPoints to the PaymentEscrow as its only minter", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const escrow = await d.escrow.getAddress();
      expect((await d.points.escrow()).toLowerCase()).to.equal(escrow.toLowerCase());
      expect((await d.points.registry()).toLowerCase()).to.equal((await d.registry.getAddress()).toLowerCase());
    });

    it("gives PaymentEscrow the deployed registry and loyalty points", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      expect((await d.escrow.registry()).toLowerCase()).to.equal((await d.registry.getAddress()).toLowerCase());
      expect((await d.escrow.loyaltyPoints()).toLowerCase()).to.equal((await d.points.getAddress()).toLowerCase());
    });

    it("lets the escrow actually mint: a paid invoice awards points", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const [owner, payer] = d.others;
      await d.registry.connect(owner!).register(owner!.address, owner!.address, owner!.address, 0, "Shop", "");
      const invoice = makeInvoice({
        merchantId: 1n,
        invoiceNumber: 1n,
        expiry: BigInt(await networkHelpers.time.latest()) + 600n,
        pointsAward: 7n,
      });
      const packed = packInvoice(invoice, 0n, await signInvoice(owner!, d.escrow, invoice));
      await d.escrow.connect(payer!).payPacked(packed, { value: invoice.amount });
      expect(await d.points.balanceOf(payer!.address, 1)).to.equal(7n);
    });
  });

  describe("roles", () => {
    it("makes the configured admin the default admin of the registry, the one governance of both contracts", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const admin = await named("admin");
      expect(d.admin.address).to.equal(admin);
      expect(await d.registry.owner()).to.equal(admin);
      expect(await d.registry.defaultAdmin()).to.equal(admin);
      expect(await d.registry.hasRole(DEFAULT_ADMIN_ROLE, admin)).to.equal(true);
      expect(await d.registry.defaultAdminDelay()).to.equal(BigInt(config.data.adminDelay.default));
      expect(await d.registry.pendingDefaultAdmin()).to.deep.equal([ZERO, 0n]);
      // The escrow asks the registry: the registry's admin is the escrow's admin.
      await expect(d.escrow.connect(d.admin).setFee(d.feeBps)).to.emit(d.escrow, "FeeChanged").withArgs(d.feeBps);
    });

    it("grants ARBITER_ROLE to the arbiter and PAUSER_ROLE to the pauser only, on the registry", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const arbiter = await named("arbiter");
      const pauser = await named("pauser");
      const arbiterRole = await d.registry.ARBITER_ROLE();
      const pauserRole = await d.registry.PAUSER_ROLE();
      expect(await d.escrow.ARBITER_ROLE()).to.equal(arbiterRole);
      expect(await d.escrow.PAUSER_ROLE()).to.equal(pauserRole);
      expect(await d.registry.hasRole(arbiterRole, arbiter)).to.equal(true);
      expect(await d.registry.hasRole(pauserRole, pauser)).to.equal(true);
      expect(await d.registry.hasRole(pauserRole, arbiter)).to.equal(false);
      expect(await d.registry.hasRole(arbiterRole, pauser)).to.equal(false);
      expect(await d.registry.hasRole(DEFAULT_ADMIN_ROLE, arbiter)).to.equal(false);
      // The roles work on the escrow: the pauser pauses, the arbiter cannot.
      await expect(d.escrow.connect(d.arbiter).pause())
        .to.be.revertedWithCustomError(d.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(arbiter, pauserRole);
      await expect(d.escrow.connect(d.pauser).pause()).to.emit(d.escrow, "Paused").withArgs(pauser);
    });

    it("leaves the deployer and the treasury with no role at all", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const deployer = await named("deployer");
      const treasury = await named("treasury");
      const roles = [DEFAULT_ADMIN_ROLE, await d.registry.ARBITER_ROLE(), await d.registry.PAUSER_ROLE()];
      for (const account of [deployer, treasury]) {
        for (const role of roles) {
          expect(await d.registry.hasRole(role, account), `registry role ${role} of ${account}`).to.equal(false);
        }
      }
      await expect(d.registry.connect(d.deployer).setMaxHoldPeriod(1))
        .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
        .withArgs(deployer, DEFAULT_ADMIN_ROLE);
      await expect(d.escrow.connect(d.deployer).setFee(0))
        .to.be.revertedWithCustomError(d.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(deployer, DEFAULT_ADMIN_ROLE);
    });
  });

  describe("settings", () => {
    it("uses feeBps, treasury, disputeTimeout and maxHoldPeriod of rocketh/config.ts", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      expect(await d.escrow.feeBps()).to.equal(BigInt(config.data.feeBps.default));
      expect(await d.escrow.treasury()).to.equal(await named("treasury"));
      expect(await d.escrow.disputeTimeout()).to.equal(BigInt(config.data.disputeTimeout.default));
      expect(await d.registry.maxHoldPeriod()).to.equal(BigInt(config.data.maxHoldPeriod.default));
      expect(await d.escrow.paused()).to.equal(false);
      expect(await d.registry.merchantCount()).to.equal(0n);
    });

    it("allowlists the TestToken at index 1, after ETH at index 0", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const token = await d.token.getAddress();
      const [listed, index, allowed] = await d.escrow.tokenIndexOf(token);
      expect([listed, index, allowed]).to.deep.equal([true, 1n, true]);
      const [at1, allowed1] = await d.escrow.tokenAt(1);
      expect(at1.toLowerCase()).to.equal(token.toLowerCase());
      expect(allowed1).to.equal(true);
      expect(await d.escrow.tokenAt(0)).to.deep.equal([ZERO, true]);
      expect(await d.escrow.tokenCount()).to.equal(2n);
      expect(await d.token.decimals()).to.equal(6n);
    });
  });

  describe("re-running", () => {
    it("is a no-op once the deployments are saved: same addresses, no transaction", async () => {
      await networkHelpers.loadFixture(deployAll);
      await withTempDir(async (dir) => {
        const first = await deployPersisted(provider as Eip1193, dir);
        const block = await ethers.provider.getBlockNumber();
        const deployer = await named("deployer");
        const admin = await named("admin");
        const nonces = [await ethers.provider.getTransactionCount(deployer), await ethers.provider.getTransactionCount(admin)];

        const second = await deployPersisted(provider as Eip1193, dir);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        expect([await ethers.provider.getTransactionCount(deployer), await ethers.provider.getTransactionCount(admin)]).to.deep.equal(nonces);
        expect(addressesOf(second)).to.deep.equal(addressesOf(first));
        const points = LoyaltyPoints__factory.connect(second.get("LoyaltyPoints").address, ethers.provider);
        expect((await points.escrow()).toLowerCase()).to.equal(second.get("PaymentEscrow").address.toLowerCase());
      });
    });

    it("without saved deployments (in-memory, as after the fixture) deploys a complete, correctly wired new set", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const env = await loadAndExecuteDeploymentsFromFiles({ provider });
      const fixtureAddresses = await Promise.all([d.registry, d.points, d.escrow, d.token].map(async (c) => (await c.getAddress()).toLowerCase()));
      // rocketh keeps no record of the in-memory environment between runs, so nothing is reused.
      for (const address of addressesOf(env)) expect(fixtureAddresses).to.not.include(address);
      const points = LoyaltyPoints__factory.connect(env.get("LoyaltyPoints").address, ethers.provider);
      const escrow = PaymentEscrow__factory.connect(env.get("PaymentEscrow").address, ethers.provider);
      expect((await points.escrow()).toLowerCase()).to.equal(env.get("PaymentEscrow").address.toLowerCase());
      expect((await escrow.loyaltyPoints()).toLowerCase()).to.equal(env.get("LoyaltyPoints").address.toLowerCase());
      expect((await escrow.tokenIndexOf(env.get("TestToken").address))[1]).to.equal(1n);
    });

    it("completes a deployment interrupted after LoyaltyPoints, keeping the predicted escrow address", async () => {
      await networkHelpers.loadFixture(deployAll);
      await withTempDir(async (dir) => {
        const partial = await deployPersisted(provider as Eip1193, dir, { tags: ["LoyaltyPoints"] });
        expect(partial.getOrNull("PaymentEscrow")).to.equal(null);
        const full = await deployPersisted(provider as Eip1193, dir);
        expect(full.get("LoyaltyPoints").address).to.equal(partial.get("LoyaltyPoints").address);
        const points = LoyaltyPoints__factory.connect(full.get("LoyaltyPoints").address, ethers.provider);
        expect((await points.escrow()).toLowerCase()).to.equal(full.get("PaymentEscrow").address.toLowerCase());
      });
    });

    it("never leaves the escrow and points on another registry than the one the deployments record", async () => {
      await networkHelpers.loadFixture(deployAll);
      await withTempDir(async (dir) => {
        const first = await deployPersisted(provider as Eip1193, dir);
        // Simulate a change since the first run that makes rocketh redeploy MerchantRegistry (its code was edited,
        // or a constructor setting of rocketh/config.ts changed): the saved constructor arguments differ.
        const saved = path.join(dir, "memory", "MerchantRegistry.json");
        const record = JSON.parse(await readFile(saved, "utf8")) as { argsData: string };
        record.argsData = "0x00";
        await writeFile(saved, JSON.stringify(record));

        let rerun: Awaited<ReturnType<typeof deployPersisted>>;
        try {
          rerun = await deployPersisted(provider as Eip1193, dir);
        } catch {
          return; // Refusing loudly is acceptable; silently mis-wiring is not.
        }
        const registry = rerun.get("MerchantRegistry").address.toLowerCase();
        const escrow = PaymentEscrow__factory.connect(rerun.get("PaymentEscrow").address, ethers.provider);
        const points = LoyaltyPoints__factory.connect(rerun.get("LoyaltyPoints").address, ethers.provider);
        // The registry is never redeployed by a re-run (skipIfAlreadyDeployed), so the wiring holds.
        expect(registry, "MerchantRegistry kept").to.equal(first.get("MerchantRegistry").address.toLowerCase());
        expect((await escrow.registry()).toLowerCase(), "PaymentEscrow.registry()").to.equal(registry);
        expect((await points.registry()).toLowerCase(), "LoyaltyPoints.registry()").to.equal(registry);
      });
    });

    it("refuses to finish when another deployer transaction took the escrow's predicted nonce", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      await withTempDir(async (dir) => {
        await deployPersisted(provider as Eip1193, dir, { tags: ["LoyaltyPoints"] });
        await d.deployer.sendTransaction({ to: d.deployer.address, value: 0 });
        let error: unknown;
        try {
          await deployPersisted(provider as Eip1193, dir);
        } catch (e) {
          error = e;
        }
        expect(error, "the deploy must fail").to.be.instanceOf(Error);
        expect((error as Error).message).to.match(/another transaction from the deployer came in between/);
      });
    });
  });

  describe("rehearsal on a separate hardhat node", function () {
    this.timeout(30_000);

    let node: HardhatNode | undefined;
    let rpc: JsonRpcProvider | undefined;
    let dir: string | undefined;
    let url = "";

    before(async () => {
      node = await startHardhatNode(REPO_ROOT, 20_000);
      url = node.url;
      rpc = new JsonRpcProvider(url, Network.from(31337), { staticNetwork: true, batchMaxCount: 1 });
      dir = await mkdtemp(path.join(tmpdir(), "scanpay-rehearsal-"));
    });

    after(async () => {
      rpc?.destroy();
      await node?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it("deploys a wired PaymentEscrow over HTTP as `hardhat deploy --network localhost` would, and a re-run is a no-op", async () => {
      const eip1193 = {
        request: ({ method, params }: { method: string; params?: unknown[] }) => rpc!.send(method, params ?? []),
      } as unknown as Eip1193;
      const env = await deployPersisted(eip1193, dir!, { environment: "localhost" });
      const escrowAddress = env.get("PaymentEscrow").address;
      expect(await rpc!.getCode(escrowAddress)).to.not.equal("0x");
      expect(existsSync(path.join(dir!, "localhost", "PaymentEscrow.json")), "saved deployment").to.equal(true);

      const escrow = PaymentEscrow__factory.connect(escrowAddress, rpc!);
      const points = LoyaltyPoints__factory.connect(env.get("LoyaltyPoints").address, rpc!);
      const registry = MerchantRegistry__factory.connect(env.get("MerchantRegistry").address, rpc!);
      const token = TestToken__factory.connect(env.get("TestToken").address, rpc!);
      expect((await points.escrow()).toLowerCase()).to.equal(escrowAddress.toLowerCase());
      expect((await escrow.registry()).toLowerCase()).to.equal((await registry.getAddress()).toLowerCase());
      expect(await registry.defaultAdmin()).to.equal(await named("admin"));
      expect(await registry.hasRole(await registry.ARBITER_ROLE(), await named("arbiter"))).to.equal(true);
      expect(await registry.hasRole(await registry.PAUSER_ROLE(), await named("pauser"))).to.equal(true);
      expect(await escrow.feeBps()).to.equal(BigInt(config.data.feeBps.default));
      expect((await escrow.tokenIndexOf(await token.getAddress())).slice(0, 3)).to.deep.equal([true, 1n, true]);

      const block = await rpc!.getBlockNumber();
      const again = await deployPersisted(eip1193, dir!, { environment: "localhost" });
      expect(await rpc!.getBlockNumber()).to.equal(block);
      expect(addressesOf(again)).to.deep.equal(addressesOf(env));
    });
  });
});

describe("build profiles (hardhat.config.ts)", () => {
  it("compile with the production profile's compiler settings in the default profile, which `hardhat deploy` builds with", () => {
    const { default: byDefault, production } = hre.config.solidity.profiles;
    expect(byDefault, "default profile").to.not.equal(undefined);
    expect(production, "production profile").to.not.equal(undefined);
    expect(byDefault!.compilers).to.deep.equal(production!.compilers);
    expect(byDefault!.overrides).to.deep.equal(production!.overrides);
  });
});

describe("isLocalChain (rocketh/local-chains.ts)", () => {
  it("is true for Hardhat's chain id 31337 and 1337 under a local network name", () => {
    for (const name of ["default", "localhost", "hardhatOp", "memory"]) {
      expect(isLocalChain(31337, name), name).to.equal(true);
      expect(isLocalChain("1337", name), name).to.equal(true);
    }
    expect(LOCAL_CHAIN_IDS).to.deep.equal([31337, 1337]);
  });

  it("is false for the testnets' chain ids, even on a network named localhost", () => {
    for (const chainId of [11155111, 84532, 11155420, 1, 10, 8453]) expect(isLocalChain(chainId, "localhost"), String(chainId)).to.equal(false);
  });

  it("is false for a network named like a testnet, even on chain 31337", () => {
    expect(TESTNETS).to.deep.equal(["sepolia", "baseSepolia", "opSepolia"]);
    for (const name of TESTNETS) expect(isLocalChain(31337, name), name).to.equal(false);
  });
});

describe("TestToken deploy script (deploy/04)", () => {
  /** Runs every deploy script on a new in-process chain with `chainId`, as the rocketh environment `environment`. */
  async function deployOn(chainId: number, environment: string) {
    const chain = await network.create({ override: { chainId } });
    // rocketh warns (console.warn) when the chain id is not the one of the environment's name (localhost on a
    // testnet's chain id): collected and returned, so that the test log stays clean and the test can check them.
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...data: unknown[]) => void warnings.push(data.map(String).join(" "));
    try {
      // Nothing saved: an in-memory deployment (like the fixture), whatever the environment is called.
      const env = await loadAndExecuteDeploymentsFromFiles({ provider: chain.provider as unknown as Eip1193, environment, saveDeployments: false });
      const escrow = PaymentEscrow__factory.connect(env.get("PaymentEscrow").address, chain.ethers.provider);
      return { testToken: env.getOrNull("TestToken"), tokenCount: await escrow.tokenCount(), warnings };
    } finally {
      console.warn = warn;
      await chain.close();
    }
  }

  it("deploys and allowlists no public-mint token on a chain with a testnet's chain id", async () => {
    for (const environment of ["sepolia", "localhost"]) {
      const { testToken, tokenCount, warnings } = await deployOn(11155111, environment);
      expect(testToken, `${environment} on chain 11155111`).to.equal(null);
      expect(tokenCount, "only ETH is allowlisted").to.equal(1n);
      // Only the mismatch of a local name with a testnet's chain id is worth a warning.
      if (environment === "localhost") expect(warnings.join("\n")).to.match(/11155111/);
      else expect(warnings, environment).to.deep.equal([]);
    }
  });

  it("deploys no public-mint token for a testnet's environment, even on a local chain id", async () => {
    const { testToken, tokenCount } = await deployOn(31337, "baseSepolia");
    expect(testToken).to.equal(null);
    expect(tokenCount).to.equal(1n);
  });

  it("deploys and allowlists the TestToken on a local chain (localhost rehearsal)", async () => {
    const { testToken, tokenCount } = await deployOn(31337, "localhost");
    expect(testToken).to.not.equal(null);
    expect(tokenCount).to.equal(2n);
  });
});

describe("verificationRequests (scripts/verify.ts)", () => {
  it("lists every deployed contract with the constructor arguments of its deploy transaction", async () => {
    const d = await networkHelpers.loadFixture(deployAll);
    await withTempDir(async (dir) => {
      const env = await deployPersisted(provider as Eip1193, dir);
      const requests = await verificationRequests(path.join(dir, "memory"));
      expect(requests.map((r) => r.name)).to.deep.equal(Object.keys(VERIFIED_CONTRACTS));
      for (const request of requests) {
        const saved = env.get(request.name) as { address: string; argsData: string; abi: ConstructorParameters<typeof ethers.Interface>[0] };
        expect(request.address).to.equal(saved.address);
        expect(request.contract).to.equal(VERIFIED_CONTRACTS[request.name]);
        // Encoding the decoded arguments again gives back the deploy transaction's arguments, byte for byte.
        const inputs = new ethers.Interface(saved.abi).deploy.inputs;
        expect(ethers.AbiCoder.defaultAbiCoder().encode(inputs, request.constructorArgs)).to.equal(saved.argsData);
      }
      const escrow = requests.find((r) => r.name === "PaymentEscrow")!;
      expect(escrow.constructorArgs.slice(0, 2).map((a) => String(a).toLowerCase())).to.deep.equal([
        env.get("MerchantRegistry").address.toLowerCase(),
        env.get("LoyaltyPoints").address.toLowerCase(),
      ]);
      // (registry, points, treasury, feeBps, disputeTimeout): the roles are the registry's arguments.
      expect(escrow.constructorArgs.slice(2).map(String)).to.deep.equal([
        await named("treasury"),
        String(d.feeBps),
        String(d.disputeTimeout),
      ]);
      const registry = requests.find((r) => r.name === "MerchantRegistry")!;
      expect(registry.constructorArgs.slice(1, 4).map(String)).to.deep.equal([
        await named("admin"),
        await named("pauser"),
        await named("arbiter"),
      ]);
    });
  });
});
