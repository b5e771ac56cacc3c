import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { checkDeployment } from "../../src/chain/checkDeployment.js";
import { connectScanPay } from "../../src/chain/connectScanPay.js";
import { DeploymentError, InvalidArgumentError, RunnerError, ScanPayContractError } from "../../src/chain/errors.js";
import { getMerchant } from "../../src/chain/getMerchant.js";
import { recoverOwnership, setRecovery } from "../../src/chain/recovery.js";
import { registerMerchant } from "../../src/chain/registerMerchant.js";
import { resolveDeployment } from "../../src/chain/resolveDeployment.js";
import { updateMerchant } from "../../src/chain/updateMerchant.js";
import { InvoiceFieldError, MerchantNotActiveError } from "../../src/invoice/errors.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import { DAY, rejection, type SdkFixture, sdkFixture } from "./sdk-fixture.js";

const ADDRESSES = {
  escrow: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  points: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  token: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
};

/** Writes a rocketh-style deployments folder: `.chain` and one JSON per contract. */
function writeDeployment(root: string, network: string, chainId: string, blocks: Record<string, string>): void {
  const dir = join(root, network);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".chain"), JSON.stringify({ chainId, genesisHash: "0x" + "00".repeat(32) }));
  const files: Record<string, string> = {
    PaymentEscrow: ADDRESSES.escrow,
    MerchantRegistry: ADDRESSES.registry,
    LoyaltyPoints: ADDRESSES.points,
    TestToken: ADDRESSES.token,
  };
  for (const [name, address] of Object.entries(files)) {
    if (blocks[name] === undefined) continue;
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ address: address.toLowerCase(), abi: [], receipt: { blockNumber: blocks[name] } }));
  }
}

describe("chain: merchants and deployments", () => {
  let f: SdkFixture;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
  });

  describe("registerMerchant", () => {
    it("registers with the sender as owner, payout and signer by default and returns the id from the event", async () => {
      const result = await registerMerchant(f.asStranger.registry, { name: "Kiosk" });
      expect(result.merchantId).to.equal(3n);
      expect(result.tx.receipt.status).to.equal(1);
      expect(result.tx.gasUsed).to.equal(result.tx.receipt.gasUsed);
      await expect(result.tx.hash)
        .to.emit(f.registry, "MerchantRegistered")
        .withArgs(3n, f.stranger.address, f.stranger.address, f.stranger.address, 0n, "Kiosk", "");
      expect(await getMerchant(f.registry, 3n)).to.deep.equal({
        merchantId: 3n,
        status: "Active",
        owner: f.stranger.address,
        pendingOwner: ethers.ZeroAddress,
        payout: f.stranger.address,
        signer: f.stranger.address,
        holdPeriod: 0n,
        epoch: 0n,
        recovery: ethers.ZeroAddress,
        name: "Kiosk",
        metadataURI: "",
      });
    });

    it("reports each broadcast through onSent", async () => {
      const sent: string[] = [];
      const result = await registerMerchant(f.asStranger.registry, { name: "Kiosk" }, { onSent: (tx) => sent.push(`${tx.label} ${tx.hash}`) });
      expect(sent).to.deep.equal([`register ${result.tx.hash}`]);
    });

    it("throws ScanPayContractError MerchantRegistryHoldPeriodTooLong with its arguments", async () => {
      const tooLong = f.maxHoldPeriod + 1n;
      const error = await rejection(
        registerMerchant(f.asStranger.registry, { name: "Kiosk", holdPeriod: tooLong }),
        ScanPayContractError,
        "CONTRACT_REVERT",
      );
      expect(error.errorName).to.equal("MerchantRegistryHoldPeriodTooLong");
      expect(error.args).to.deep.equal({ holdPeriod: tooLong, maxHoldPeriod: f.maxHoldPeriod });
      expect(error.message).to.equal(`a hold period of ${tooLong} s exceeds the platform maximum of ${f.maxHoldPeriod} s`);
    });

    it("throws RunnerError NO_SIGNER for a registry connected to a provider only", async () => {
      const readOnly = connectScanPay(ethers.provider, f.deployment);
      await rejection(registerMerchant(readOnly.registry, { name: "Kiosk" }), RunnerError, "NO_SIGNER");
    });
  });

  describe("getMerchant", () => {
    it("reads the fixture's held merchant", async () => {
      const merchant = await getMerchant(f.registry, f.heldId);
      expect(merchant.holdPeriod).to.equal(DAY);
      expect(merchant.signer).to.equal(f.invoiceKey.address);
      expect(merchant.payout).to.equal(f.payout.address);
      expect(merchant.name).to.equal("Held Shop");
    });

    it("reports a suspended merchant as Suspended", async () => {
      await f.registry.connect(f.admin).suspend(f.heldId);
      expect((await getMerchant(f.registry, f.heldId)).status).to.equal("Suspended");
    });

    it("throws MerchantNotActiveError MERCHANT_UNKNOWN for an unregistered id", async () => {
      expect((await rejection(getMerchant(f.registry, 42n), MerchantNotActiveError, "MERCHANT_UNKNOWN")).merchantId).to.equal(42n);
    });
  });

  describe("updateMerchant", () => {
    it("sends one transaction per changed setting and skips unchanged ones", async () => {
      const sent = await updateMerchant(f.asOwner.registry, f.heldId, {
        payout: f.stranger.address,
        signer: f.invoiceKey.address, // unchanged
        holdPeriod: 3600n,
        name: "Held Shop 2",
      });
      expect(sent.map((tx) => tx.label)).to.deep.equal(["setPayout", "setHoldPeriod", "setProfile"]);
      await expect(sent[0]!.hash).to.emit(f.registry, "MerchantPayoutChanged").withArgs(f.heldId, f.stranger.address);
      await expect(sent[1]!.hash).to.emit(f.registry, "MerchantHoldPeriodChanged").withArgs(f.heldId, 3600n);
      await expect(sent[2]!.hash).to.emit(f.registry, "MerchantProfileChanged").withArgs(f.heldId, "Held Shop 2", "");
      const after = await getMerchant(f.registry, f.heldId);
      expect([after.payout, after.signer, after.holdPeriod, after.name]).to.deep.equal([f.stranger.address, f.invoiceKey.address, 3600n, "Held Shop 2"]);
    });

    it("keeps the name when only the metadata URI changes", async () => {
      const sent = await updateMerchant(f.asOwner.registry, f.heldId, { metadataURI: "ipfs://meta" });
      await expect(sent[0]!.hash).to.emit(f.registry, "MerchantProfileChanged").withArgs(f.heldId, "Held Shop", "ipfs://meta");
    });

    it("sends nothing when nothing changes", async () => {
      const nonce = await ethers.provider.getTransactionCount(f.owner.address);
      expect(await updateMerchant(f.asOwner.registry, f.heldId, { holdPeriod: DAY, name: "Held Shop" })).to.deep.equal([]);
      expect(await ethers.provider.getTransactionCount(f.owner.address)).to.equal(nonce);
    });

    it("rotating the signer moves to the next invoice epoch (signer change, then invoices voided)", async () => {
      const [tx] = await updateMerchant(f.asOwner.registry, f.heldId, { signer: f.stranger.address });
      expect(tx!.label).to.equal("setSigner");
      await expect(tx!.hash).to.emit(f.registry, "MerchantSignerChanged").withArgs(f.heldId, f.stranger.address);
      await expect(tx!.hash).to.emit(f.registry, "MerchantInvoicesVoided").withArgs(f.heldId, 1n);
      expect((await getMerchant(f.registry, f.heldId)).epoch).to.equal(1n);
    });

    it("throws ScanPayContractError MerchantRegistryNotOwner for the signer key", async () => {
      const error = await rejection(updateMerchant(f.asKey.registry, f.heldId, { holdPeriod: 1n }), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("MerchantRegistryNotOwner");
      expect(error.args).to.deep.equal({ merchantId: f.heldId, caller: f.invoiceKey.address });
      expect(error.message).to.equal(`${f.invoiceKey.address} is not the owner of merchant ${f.heldId}`);
    });
  });

  describe("setRecovery and recoverOwnership", () => {
    it("lets the owner set a recovery address, which getMerchant shows and which can take ownership back", async () => {
      await f.registry.connect(f.owner).transferMerchantOwnership(f.heldId, f.payout.address);
      const set = await setRecovery(f.asOwner.registry, f.heldId, f.stranger.address);
      await expect(set.hash).to.emit(f.registry, "MerchantRecoveryChanged").withArgs(f.heldId, f.stranger.address);
      expect((await getMerchant(f.registry, f.heldId)).recovery).to.equal(f.stranger.address);
      const recovered = await recoverOwnership(f.asStranger.registry, f.heldId, f.customer.address);
      await expect(recovered.hash).to.emit(f.registry, "MerchantOwnershipTransferred").withArgs(f.heldId, f.owner.address, f.customer.address);
      const after = await getMerchant(f.registry, f.heldId);
      expect([after.owner, after.pendingOwner, after.recovery]).to.deep.equal([f.customer.address, ethers.ZeroAddress, f.stranger.address]);
    });

    it("lets only the recovery address change it once set, so a stolen owner key cannot replace it", async () => {
      await setRecovery(f.asOwner.registry, f.heldId, f.stranger.address);
      const error = await rejection(setRecovery(f.asOwner.registry, f.heldId, f.owner.address), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("MerchantRegistryNotRecovery");
      expect(error.args).to.deep.equal({ merchantId: f.heldId, caller: f.owner.address });
      expect(error.message).to.equal(`${f.owner.address} is not the recovery address of merchant ${f.heldId}`);
      const moved = await setRecovery(f.asStranger.registry, f.heldId, f.customer.address);
      await expect(moved.hash).to.emit(f.registry, "MerchantRecoveryChanged").withArgs(f.heldId, f.customer.address);
    });

    it("refuses recovery by anyone but the recovery address, and a zero new owner", async () => {
      await setRecovery(f.asOwner.registry, f.heldId, f.stranger.address);
      const notRecovery = await rejection(recoverOwnership(f.asOwner.registry, f.heldId, f.owner.address), ScanPayContractError, "CONTRACT_REVERT");
      expect(notRecovery.errorName).to.equal("MerchantRegistryNotRecovery");
      const zero = await rejection(recoverOwnership(f.asStranger.registry, f.heldId, ethers.ZeroAddress), ScanPayContractError, "CONTRACT_REVERT");
      expect([zero.errorName, zero.args]).to.deep.equal(["MerchantRegistryInvalidNewOwner", { newOwner: ethers.ZeroAddress }]);
      expect(zero.message).to.equal("the new owner address must not be zero");
      const malformed = await rejection(recoverOwnership(f.asStranger.registry, f.heldId, "0x1234"), InvoiceFieldError, "INVOICE_INVALID_FIELD");
      expect(malformed.field).to.equal("newOwner");
    });
  });

  describe("resolveDeployment", () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), "scanpay-deployments-"));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("reads the folder whose .chain matches, with the earliest receipt block as startBlock", () => {
      writeDeployment(root, "sepolia", "11155111", { PaymentEscrow: "0x30", MerchantRegistry: "0x2a", LoyaltyPoints: "0x2b", TestToken: "0x40" });
      writeDeployment(root, "localhost", "31337", { PaymentEscrow: "0x3", MerchantRegistry: "0x1", LoyaltyPoints: "0x2" });
      expect(resolveDeployment(11155111n, { deploymentsDir: root })).to.deep.equal({
        chainId: 11155111n,
        network: "sepolia",
        escrow: ADDRESSES.escrow,
        registry: ADDRESSES.registry,
        points: ADDRESSES.points,
        testToken: ADDRESSES.token,
        startBlock: 42,
      });
      const local = resolveDeployment(31337n, { deploymentsDir: root });
      expect([local.network, local.startBlock, local.testToken]).to.deep.equal(["localhost", 1, undefined]);
    });

    it("lets overrides win, field by field", () => {
      writeDeployment(root, "localhost", "31337", { PaymentEscrow: "0x3", MerchantRegistry: "0x1", LoyaltyPoints: "0x2" });
      const other = ethers.Wallet.createRandom().address;
      const deployment = resolveDeployment(31337n, { deploymentsDir: root, escrow: other.toLowerCase(), startBlock: 7 });
      expect([deployment.escrow, deployment.registry, deployment.startBlock]).to.deep.equal([other, ADDRESSES.registry, 7]);
    });

    it("works from overrides alone when there is no folder", () => {
      const deployment = resolveDeployment(10n, {
        deploymentsDir: join(root, "missing"),
        escrow: ADDRESSES.escrow,
        registry: ADDRESSES.registry,
        points: ADDRESSES.points,
      });
      expect([deployment.network, deployment.startBlock, deployment.testToken]).to.deep.equal([undefined, 0, undefined]);
    });

    it("throws DEPLOYMENT_NOT_FOUND for an unknown chain or a folder missing a contract", async () => {
      writeDeployment(root, "localhost", "31337", { PaymentEscrow: "0x3", MerchantRegistry: "0x1" });
      await rejection(() => resolveDeployment(1n, { deploymentsDir: root }), DeploymentError, "DEPLOYMENT_NOT_FOUND");
      const error = await rejection(() => resolveDeployment(31337n, { deploymentsDir: root }), DeploymentError, "DEPLOYMENT_NOT_FOUND");
      expect(error.message).to.contain("has no points");
    });

    it("throws DEPLOYMENT_AMBIGUOUS for two folders of one chain unless the network is named", async () => {
      writeDeployment(root, "localhost", "31337", { PaymentEscrow: "0x3", MerchantRegistry: "0x1", LoyaltyPoints: "0x2" });
      writeDeployment(root, "other", "31337", { PaymentEscrow: "0x9", MerchantRegistry: "0x8", LoyaltyPoints: "0x7" });
      await rejection(() => resolveDeployment(31337n, { deploymentsDir: root }), DeploymentError, "DEPLOYMENT_AMBIGUOUS");
      expect(resolveDeployment(31337n, { deploymentsDir: root, network: "other" }).startBlock).to.equal(7);
      await rejection(() => resolveDeployment(1n, { deploymentsDir: root, network: "other" }), DeploymentError, "DEPLOYMENT_NOT_FOUND");
    });

    it("reads no folder unless one is given: ./deployments of the current directory is ignored", async () => {
      writeDeployment(root, "localhost", "31337", { PaymentEscrow: "0x3", MerchantRegistry: "0x1", LoyaltyPoints: "0x2" });
      // A project folder with deployments/localhost for chain 31337, made the current directory.
      const project = join(root, "project");
      writeDeployment(join(project, "deployments"), "localhost", "31337", { PaymentEscrow: "0x3", MerchantRegistry: "0x1", LoyaltyPoints: "0x2" });
      const cwd = process.cwd();
      process.chdir(project);
      let error: DeploymentError;
      try {
        error = await rejection(() => resolveDeployment(31337n), DeploymentError, "DEPLOYMENT_NOT_FOUND");
      } finally {
        process.chdir(cwd);
      }
      expect(error.message).to.contain("no known ScanPay deployment for chain 31337");
      expect(resolveDeployment(31337n, { deploymentsDir: root }).escrow).to.equal(ADDRESSES.escrow);
    });

    it("starts from the table of known deployments keyed by chain id, explicit addresses winning", () => {
      const known = {
        "10": { escrow: ADDRESSES.escrow.toLowerCase(), registry: ADDRESSES.registry, points: ADDRESSES.points, startBlock: 99 },
      };
      expect(resolveDeployment(10n, { known })).to.deep.equal({
        chainId: 10n, network: undefined, escrow: ADDRESSES.escrow, registry: ADDRESSES.registry, points: ADDRESSES.points,
        testToken: undefined, startBlock: 99,
      });
      const other = ethers.Wallet.createRandom().address;
      expect(resolveDeployment(10n, { known, escrow: other }).escrow).to.equal(other);
      expect(() => resolveDeployment(11n, { known })).to.throw(DeploymentError, /no known ScanPay deployment for chain 11/);
    });

    it("throws InvalidArgumentError for a malformed override", async () => {
      const error = await rejection(() => resolveDeployment(1n, { deploymentsDir: root, escrow: "0x1234" }), InvalidArgumentError, "INVALID_ARGUMENT");
      expect(error.argument).to.equal("escrow");
    });
  });

  describe("checkDeployment", () => {
    it("accepts the live deployment", async () => {
      await checkDeployment(ethers.provider, f.deployment);
    });

    it("throws DEPLOYMENT_WRONG_CHAIN for another chain id", async () => {
      await rejection(checkDeployment(ethers.provider, { ...f.deployment, chainId: 1n }), DeploymentError, "DEPLOYMENT_WRONG_CHAIN");
    });

    it("throws DEPLOYMENT_NO_CODE for an address without code and for a foreign registry", async () => {
      const error = await rejection(
        checkDeployment(ethers.provider, { ...f.deployment, escrow: f.customer.address }),
        DeploymentError,
        "DEPLOYMENT_NO_CODE",
      );
      expect(error.message).to.contain(`no escrow contract at ${f.customer.address}`);
      await rejection(checkDeployment(ethers.provider, { ...f.deployment, registry: f.tokenAddress }), DeploymentError, "DEPLOYMENT_NO_CODE");
    });
  });

  describe("connectScanPay", () => {
    it("connects the three contracts at the deployment's addresses to the runner", async () => {
      const contracts = connectScanPay(f.customer, f.deployment);
      expect(await contracts.escrow.getAddress()).to.equal(f.deployment.escrow);
      expect(await contracts.registry.getAddress()).to.equal(f.deployment.registry);
      expect(await contracts.points.getAddress()).to.equal(f.deployment.points);
      expect(contracts.escrow.runner).to.equal(f.customer);
      expect(contracts.deployment).to.equal(f.deployment);
    });
  });
});
