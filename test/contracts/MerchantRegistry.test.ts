import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";

import type { MerchantRegistry } from "../../typechain-types/index.js";
import { type Deployed, deployAll, ethers, networkHelpers } from "../helpers/fixture.js";
import { makeInvoice, packInvoice, signInvoice } from "../helpers/invoices.js";

/** MerchantStatus enum of IMerchantRegistry. */
const Status = { None: 0n, Active: 1n, Suspended: 2n } as const;
const ZERO = ethers.ZeroAddress;
const DAY = 24n * 3600n;
const MAX_NAME_BYTES = 64n;

interface Actors {
  owner: HardhatEthersSigner;
  payout: HardhatEthersSigner;
  signer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  newOwner: HardhatEthersSigner;
  payer: HardhatEthersSigner;
}

function actors(d: Deployed): Actors {
  const [owner, payout, signer, stranger, newOwner, payer] = d.others;
  if (payer === undefined) throw new Error("not enough unprivileged accounts");
  return { owner: owner!, payout: payout!, signer: signer!, stranger: stranger!, newOwner: newOwner!, payer };
}

/** Deployment plus one registered merchant (id 1, hold period 1 hour) owned by `owner`. */
async function withMerchant() {
  const d = await networkHelpers.loadFixture(deployAll);
  const a = actors(d);
  await d.registry.connect(a.owner).register(a.owner.address, a.payout.address, a.signer.address, 3600, "Cafe", "ipfs://cafe");
  return { d, a, id: 1n };
}

async function register(registry: MerchantRegistry, a: Actors, name = "Shop", holdPeriod: bigint = 0n) {
  return registry.connect(a.owner).register(a.owner.address, a.payout.address, a.signer.address, holdPeriod, name, "");
}

describe("MerchantRegistry", () => {
  describe("constructor", () => {
    it("emits MaxHoldPeriodChanged with the initial maximum and makes the given account the admin", async () => {
      const [deployer, admin, pauser, arbiter] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MerchantRegistry", deployer!);
      const registry = await factory.deploy(3600, admin!.address, pauser!.address, arbiter!.address, 10n * DAY);
      await expect(registry.deploymentTransaction()).to.emit(registry, "MaxHoldPeriodChanged").withArgs(10n * DAY);
      expect(await registry.maxHoldPeriod()).to.equal(10n * DAY);
      expect(await registry.defaultAdmin()).to.equal(admin!.address);
      expect(await registry.defaultAdminDelay()).to.equal(3600n);
      expect(await registry.merchantCount()).to.equal(0n);
    });

    it("grants PAUSER_ROLE and ARBITER_ROLE to the given accounts, emitting RoleGranted", async () => {
      const [deployer, admin, pauser, arbiter] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MerchantRegistry", deployer!);
      const registry = await factory.deploy(3600, admin!.address, pauser!.address, arbiter!.address, DAY);
      const [pauserRole, arbiterRole] = [await registry.PAUSER_ROLE(), await registry.ARBITER_ROLE()];
      const deployment = registry.deploymentTransaction();
      await expect(deployment).to.emit(registry, "RoleGranted").withArgs(pauserRole, pauser!.address, deployer!.address);
      await expect(deployment).to.emit(registry, "RoleGranted").withArgs(arbiterRole, arbiter!.address, deployer!.address);
      expect(await registry.hasRole(pauserRole, pauser!.address)).to.equal(true);
      expect(await registry.hasRole(arbiterRole, arbiter!.address)).to.equal(true);
      expect(await registry.hasRole(pauserRole, arbiter!.address)).to.equal(false);
      expect(await registry.hasRole(arbiterRole, pauser!.address)).to.equal(false);
      expect(await registry.hasRole(pauserRole, admin!.address)).to.equal(false);
      expect(await registry.hasRole(arbiterRole, admin!.address)).to.equal(false);
      expect(await registry.hasRole(pauserRole, deployer!.address)).to.equal(false);
    });

    it("grants neither role for a zero pauser and a zero arbiter", async () => {
      const [deployer, admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MerchantRegistry", deployer!);
      const registry = await factory.deploy(0, admin!.address, ZERO, ZERO, DAY);
      const [pauserRole, arbiterRole] = [await registry.PAUSER_ROLE(), await registry.ARBITER_ROLE()];
      // Only the admin role is granted.
      const receipt = await registry.deploymentTransaction()!.wait();
      const granted = receipt!.logs
        .map((log) => registry.interface.parseLog(log))
        .filter((event) => event?.name === "RoleGranted")
        .map((event) => [event!.args[0], event!.args[1]]);
      expect(granted).to.deep.equal([[ethers.ZeroHash, admin!.address]]);
      expect(await registry.hasRole(pauserRole, ZERO)).to.equal(false);
      expect(await registry.hasRole(arbiterRole, ZERO)).to.equal(false);
    });

    it("reverts when the initial maximum hold period exceeds the 365-day limit", async () => {
      const [deployer, admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MerchantRegistry", deployer!);
      await expect(factory.deploy(0, admin!.address, ZERO, ZERO, 365n * DAY + 1n))
        .to.be.revertedWithCustomError(factory, "MerchantRegistryMaxHoldPeriodTooLong")
        .withArgs(365n * DAY + 1n, 365n * DAY);
    });

    it("reverts when the initial admin is the zero address", async () => {
      const [deployer] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MerchantRegistry", deployer!);
      await expect(factory.deploy(0, ZERO, ZERO, ZERO, DAY))
        .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
        .withArgs(ZERO);
    });
  });

  describe("MAX_HOLD_PERIOD_LIMIT", () => {
    it("is 365 days", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      expect(await d.registry.MAX_HOLD_PERIOD_LIMIT()).to.equal(365n * DAY);
    });
  });

  describe("PAUSER_ROLE / ARBITER_ROLE", () => {
    it("are keccak256 of their names, the escrow's role ids, administered by the platform admin", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      expect(await d.registry.PAUSER_ROLE()).to.equal(ethers.id("PAUSER_ROLE"));
      expect(await d.registry.ARBITER_ROLE()).to.equal(ethers.id("ARBITER_ROLE"));
      expect(await d.registry.PAUSER_ROLE()).to.equal(await d.escrow.PAUSER_ROLE());
      expect(await d.registry.ARBITER_ROLE()).to.equal(await d.escrow.ARBITER_ROLE());
      expect(await d.registry.getRoleAdmin(await d.registry.PAUSER_ROLE())).to.equal(ethers.ZeroHash);
      expect(await d.registry.getRoleAdmin(await d.registry.ARBITER_ROLE())).to.equal(ethers.ZeroHash);
    });

    it("are held by the deployment's pauser and arbiter", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      expect(await d.registry.hasRole(await d.registry.PAUSER_ROLE(), d.pauser.address)).to.equal(true);
      expect(await d.registry.hasRole(await d.registry.ARBITER_ROLE(), d.arbiter.address)).to.equal(true);
    });
  });

  describe("grantRole / revokeRole / renounceRole", () => {
    it("lets the admin grant and revoke PAUSER_ROLE and ARBITER_ROLE, emitting RoleGranted and RoleRevoked", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const { stranger } = actors(d);
      for (const role of [await d.registry.PAUSER_ROLE(), await d.registry.ARBITER_ROLE()]) {
        await expect(d.registry.connect(d.admin).grantRole(role, stranger.address))
          .to.emit(d.registry, "RoleGranted")
          .withArgs(role, stranger.address, d.admin.address);
        expect(await d.registry.hasRole(role, stranger.address)).to.equal(true);
        await expect(d.registry.connect(d.admin).revokeRole(role, stranger.address))
          .to.emit(d.registry, "RoleRevoked")
          .withArgs(role, stranger.address, d.admin.address);
        expect(await d.registry.hasRole(role, stranger.address)).to.equal(false);
      }
    });

    it("reverts AccessControlUnauthorizedAccount when anyone but the admin grants or revokes a role", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const { stranger } = actors(d);
      for (const role of [await d.registry.PAUSER_ROLE(), await d.registry.ARBITER_ROLE()]) {
        // (The local pauser is the admin's account: rocketh/config.ts.)
        for (const caller of [d.deployer, d.arbiter, d.treasury, stranger]) {
          await expect(d.registry.connect(caller).grantRole(role, stranger.address))
            .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, ethers.ZeroHash);
          await expect(d.registry.connect(caller).revokeRole(role, d.pauser.address))
            .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, ethers.ZeroHash);
        }
      }
    });

    it("lets a role holder renounce its own role only (AccessControlBadConfirmation otherwise)", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const role = await d.registry.ARBITER_ROLE();
      await expect(d.registry.connect(d.admin).renounceRole(role, d.arbiter.address))
        .to.be.revertedWithCustomError(d.registry, "AccessControlBadConfirmation")
        .withArgs();
      await expect(d.registry.connect(d.arbiter).renounceRole(role, d.arbiter.address))
        .to.emit(d.registry, "RoleRevoked")
        .withArgs(role, d.arbiter.address, d.arbiter.address);
      expect(await d.registry.hasRole(role, d.arbiter.address)).to.equal(false);
    });
  });

  describe("register", () => {
    it("emits MerchantRegistered with all fields and stores the merchant as Active", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      await expect(
        d.registry
          .connect(a.owner)
          .register(a.owner.address, a.payout.address, a.signer.address, 7200, "Corner Cafe", "ipfs://meta"),
      )
        .to.emit(d.registry, "MerchantRegistered")
        .withArgs(1n, a.owner.address, a.payout.address, a.signer.address, 7200n, "Corner Cafe", "ipfs://meta");

      const terms = await d.registry.paymentTerms(1);
      expect(terms.signer).to.equal(a.signer.address);
      expect(terms.holdPeriod).to.equal(7200n);
      expect(terms.status).to.equal(Status.Active);
      expect(terms.payout).to.equal(a.payout.address);
      expect(terms.epoch).to.equal(0n);
      expect(await d.registry.ownerOf(1)).to.equal(a.owner.address);
      expect(await d.registry.pendingOwnerOf(1)).to.equal(ZERO);
      const [name, uri] = await d.registry.profileOf(1);
      expect(name).to.equal("Corner Cafe");
      expect(uri).to.equal("ipfs://meta");
      expect(await d.registry.merchantCount()).to.equal(1n);
    });

    it("assigns sequential ids from 1 and returns the new id", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      expect(await d.registry.merchantCount()).to.equal(0n);
      for (const expected of [1n, 2n, 3n]) {
        const returned = await d.registry
          .connect(a.stranger)
          .register.staticCall(a.owner.address, a.payout.address, a.signer.address, 0, `Shop ${expected}`, "");
        expect(returned).to.equal(expected);
        await expect(register(d.registry, a, `Shop ${expected}`))
          .to.emit(d.registry, "MerchantRegistered")
          .withArgs(expected, a.owner.address, a.payout.address, a.signer.address, 0n, `Shop ${expected}`, "");
        expect(await d.registry.merchantCount()).to.equal(expected);
      }
      expect((await d.registry.profileOf(2))[0]).to.equal("Shop 2");
    });

    it("lets anyone register a merchant for another owner", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      await expect(
        d.registry.connect(a.stranger).register(a.owner.address, a.payout.address, a.signer.address, 0, "Shop", ""),
      )
        .to.emit(d.registry, "MerchantRegistered")
        .withArgs(1n, a.owner.address, a.payout.address, a.signer.address, 0n, "Shop", "");
      expect(await d.registry.ownerOf(1)).to.equal(a.owner.address);
      expect(await d.registry.isOwnerOrSigner(1, a.stranger.address)).to.equal(false);
    });

    it("accepts a hold period equal to the maximum and a name of exactly 64 bytes", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      const name = "n".repeat(Number(MAX_NAME_BYTES));
      await expect(
        d.registry.connect(a.owner).register(a.owner.address, a.payout.address, a.signer.address, d.maxHoldPeriod, name, ""),
      )
        .to.emit(d.registry, "MerchantRegistered")
        .withArgs(1n, a.owner.address, a.payout.address, a.signer.address, d.maxHoldPeriod, name, "");
      expect((await d.registry.paymentTerms(1)).holdPeriod).to.equal(d.maxHoldPeriod);
    });

    it("reverts when the owner is the zero address", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      await expect(d.registry.register(ZERO, a.payout.address, a.signer.address, 0, "Shop", ""))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryInvalidOwner")
        .withArgs(ZERO);
    });

    it("reverts when the payout is the zero address", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      await expect(d.registry.register(a.owner.address, ZERO, a.signer.address, 0, "Shop", ""))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryInvalidPayout")
        .withArgs(ZERO);
    });

    it("reverts when the signer is the zero address", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      await expect(d.registry.register(a.owner.address, a.payout.address, ZERO, 0, "Shop", ""))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryInvalidSigner")
        .withArgs(ZERO);
    });

    it("reverts when the hold period is above the maximum", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      await expect(
        d.registry.register(a.owner.address, a.payout.address, a.signer.address, d.maxHoldPeriod + 1n, "Shop", ""),
      )
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryHoldPeriodTooLong")
        .withArgs(d.maxHoldPeriod + 1n, d.maxHoldPeriod);
      expect(await d.registry.merchantCount()).to.equal(0n);
    });

    it("reverts when the name is over 64 bytes", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      await expect(d.registry.register(a.owner.address, a.payout.address, a.signer.address, 0, "n".repeat(65), ""))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNameTooLong")
        .withArgs(65n, MAX_NAME_BYTES);
    });

    it("counts the name length in UTF-8 bytes, not characters", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      const name = "é".repeat(33); // 33 characters, 66 bytes
      expect(ethers.toUtf8Bytes(name).length).to.equal(66);
      await expect(d.registry.register(a.owner.address, a.payout.address, a.signer.address, 0, name, ""))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNameTooLong")
        .withArgs(66n, MAX_NAME_BYTES);
    });

    it("reverts when all uint32 ids are used up", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const a = actors(d);
      await register(d.registry, a);
      // Find the packed slot (maxHoldPeriod << 32 | merchantCount) and set the count to 2^32 - 1.
      const address = await d.registry.getAddress();
      const expected = (d.maxHoldPeriod << 32n) | 1n;
      let slot = -1;
      for (let i = 0; i < 32; i++) {
        if (BigInt(await ethers.provider.getStorage(address, i)) === expected) slot = i;
      }
      expect(slot, "storage slot of merchantCount").to.be.greaterThanOrEqual(0);
      const maxId = 2n ** 32n - 1n;
      await networkHelpers.setStorageAt(address, slot, (d.maxHoldPeriod << 32n) | maxId);
      expect(await d.registry.merchantCount()).to.equal(maxId);
      await expect(register(d.registry, a)).to.be.revertedWithCustomError(d.registry, "MerchantRegistryIdsExhausted");
    });
  });

  describe("setPayout", () => {
    it("emits MerchantPayoutChanged and updates the payout", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setPayout(id, a.stranger.address))
        .to.emit(d.registry, "MerchantPayoutChanged")
        .withArgs(id, a.stranger.address);
      expect((await d.registry.paymentTerms(id)).payout).to.equal(a.stranger.address);
    });

    it("reverts for an unknown merchant", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setPayout(2, a.payout.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(2n);
    });

    it("reverts when the caller is not the owner, even the signer", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      for (const caller of [a.signer, a.payout, a.stranger]) {
        await expect(d.registry.connect(caller).setPayout(id, caller.address))
          .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
          .withArgs(id, caller.address);
      }
      expect((await d.registry.paymentTerms(id)).payout).to.equal(a.payout.address);
    });

    it("reverts when the payout is the zero address", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setPayout(id, ZERO))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryInvalidPayout")
        .withArgs(ZERO);
    });
  });

  describe("setSigner", () => {
    it("emits MerchantSignerChanged, and the old signer loses its rights", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setSigner(id, a.stranger.address))
        .to.emit(d.registry, "MerchantSignerChanged")
        .withArgs(id, a.stranger.address);
      expect((await d.registry.paymentTerms(id)).signer).to.equal(a.stranger.address);
      expect(await d.registry.isOwnerOrSigner(id, a.signer.address)).to.equal(false);
      expect(await d.registry.isOwnerOrSigner(id, a.stranger.address)).to.equal(true);
      await expect(d.registry.connect(a.signer).voidInvoices(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwnerOrSigner")
        .withArgs(id, a.signer.address);
      await expect(d.registry.connect(a.stranger).voidInvoices(id))
        .to.emit(d.registry, "MerchantInvoicesVoided")
        .withArgs(id, 2n);
    });

    it("moves to the next epoch (MerchantInvoicesVoided), so rotating back to an old key revives none of its invoices", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      const expiry = BigInt(await networkHelpers.time.latest()) + 3600n;
      const old = makeInvoice({ merchantId: id, invoiceNumber: 1n, expiry });
      const oldSignature = await signInvoice(a.signer, d.escrow, old);
      await expect(d.registry.connect(a.owner).setSigner(id, a.stranger.address))
        .to.emit(d.registry, "MerchantInvoicesVoided")
        .withArgs(id, 1n);
      await expect(d.registry.connect(a.owner).setSigner(id, a.signer.address))
        .to.emit(d.registry, "MerchantInvoicesVoided")
        .withArgs(id, 2n);
      expect((await d.registry.paymentTerms(id)).epoch).to.equal(2n);
      await expect(d.escrow.connect(a.payer).pay(old, oldSignature, { value: old.amount }))
        .to.be.revertedWithCustomError(d.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 2n);
      const fresh = makeInvoice({ merchantId: id, invoiceNumber: 1n, expiry, epoch: 2n });
      await expect(d.escrow.connect(a.payer).pay(fresh, await signInvoice(a.signer, d.escrow, fresh), { value: fresh.amount }))
        .to.emit(d.escrow, "InvoicePaid");
    });

    it("reverts for an unknown merchant", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setSigner(7, a.signer.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(7n);
    });

    it("reverts when the caller is not the owner, even the signer", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.signer).setSigner(id, a.stranger.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.signer.address);
      expect((await d.registry.paymentTerms(id)).signer).to.equal(a.signer.address);
    });

    it("reverts when the signer is the zero address", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setSigner(id, ZERO))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryInvalidSigner")
        .withArgs(ZERO);
    });
  });

  describe("setHoldPeriod", () => {
    it("emits MerchantHoldPeriodChanged and accepts 0 and the maximum", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setHoldPeriod(id, 0))
        .to.emit(d.registry, "MerchantHoldPeriodChanged")
        .withArgs(id, 0n);
      expect((await d.registry.paymentTerms(id)).holdPeriod).to.equal(0n);
      await expect(d.registry.connect(a.owner).setHoldPeriod(id, d.maxHoldPeriod))
        .to.emit(d.registry, "MerchantHoldPeriodChanged")
        .withArgs(id, d.maxHoldPeriod);
      expect((await d.registry.paymentTerms(id)).holdPeriod).to.equal(d.maxHoldPeriod);
    });

    it("reverts when the hold period is above the maximum", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setHoldPeriod(id, d.maxHoldPeriod + 1n))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryHoldPeriodTooLong")
        .withArgs(d.maxHoldPeriod + 1n, d.maxHoldPeriod);
      expect((await d.registry.paymentTerms(id)).holdPeriod).to.equal(3600n);
    });

    it("reverts for an unknown merchant", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setHoldPeriod(0, 0))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(0n);
    });

    it("reverts when the caller is not the owner", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.signer).setHoldPeriod(id, 0))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.signer.address);
    });
  });

  describe("setProfile", () => {
    it("emits MerchantProfileChanged and updates name and metadata URI", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setProfile(id, "Cafe Deluxe", "https://cafe.example/meta.json"))
        .to.emit(d.registry, "MerchantProfileChanged")
        .withArgs(id, "Cafe Deluxe", "https://cafe.example/meta.json");
      const [name, uri] = await d.registry.profileOf(id);
      expect(name).to.equal("Cafe Deluxe");
      expect(uri).to.equal("https://cafe.example/meta.json");
    });

    it("accepts a name of exactly 64 bytes and an empty URI", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      const name = "x".repeat(Number(MAX_NAME_BYTES));
      await expect(d.registry.connect(a.owner).setProfile(id, name, ""))
        .to.emit(d.registry, "MerchantProfileChanged")
        .withArgs(id, name, "");
      expect(await d.registry.profileOf(id)).to.deep.equal([name, ""]);
    });

    it("reverts when the name is over 64 bytes", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setProfile(id, "x".repeat(100), ""))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNameTooLong")
        .withArgs(100n, MAX_NAME_BYTES);
      expect((await d.registry.profileOf(id))[0]).to.equal("Cafe");
    });

    it("reverts for an unknown merchant", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setProfile(2, "Shop", ""))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(2n);
    });

    it("reverts when the caller is not the owner", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.stranger).setProfile(id, "Hijacked", ""))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.stranger.address);
    });
  });

  describe("voidInvoices", () => {
    it("emits MerchantInvoicesVoided with the next epoch when the owner or the signer calls it", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).voidInvoices(id)).to.emit(d.registry, "MerchantInvoicesVoided").withArgs(id, 1n);
      expect(await d.registry.connect(a.signer).voidInvoices.staticCall(id)).to.equal(2n);
      await expect(d.registry.connect(a.signer).voidInvoices(id)).to.emit(d.registry, "MerchantInvoicesVoided").withArgs(id, 2n);
      expect((await d.registry.paymentTerms(id)).epoch).to.equal(2n);
    });

    it("cannot make the merchant id unusable: after any number of voids by a stolen signer key, new invoices pay", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      for (let i = 0; i < 5; i++) await d.registry.connect(a.signer).voidInvoices(id);
      // The owner rotates the leaked key (one more epoch) and the till signs for the current epoch.
      await d.registry.connect(a.owner).setSigner(id, a.stranger.address);
      const epoch = (await d.registry.paymentTerms(id)).epoch;
      expect(epoch).to.equal(6n);
      const expiry = BigInt(await networkHelpers.time.latest()) + 3600n;
      const invoice = makeInvoice({ merchantId: id, invoiceNumber: 2n ** 64n - 1n, expiry, epoch });
      await expect(d.escrow.connect(a.payer).pay(invoice, await signInvoice(a.stranger, d.escrow, invoice), { value: invoice.amount }))
        .to.emit(d.escrow, "InvoicePaid");
    });

    it("reverts for an unknown merchant", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).voidInvoices(2))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(2n);
    });

    it("reverts when the caller is neither the owner nor the signer", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      for (const caller of [a.payout, a.stranger, d.admin]) {
        await expect(d.registry.connect(caller).voidInvoices(id))
          .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwnerOrSigner")
          .withArgs(id, caller.address);
      }
    });

    it("voids every unpaid invoice signed for an earlier epoch, whatever its number", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      const expiry = BigInt(await networkHelpers.time.latest()) + 3600n;
      const invoice = makeInvoice({ merchantId: id, invoiceNumber: 9n, expiry });
      const packed = packInvoice(invoice, 0n, await signInvoice(a.signer, d.escrow, invoice));
      await d.registry.connect(a.signer).voidInvoices(id);
      await expect(d.escrow.connect(a.payer).payPacked(packed, { value: invoice.amount }))
        .to.be.revertedWithCustomError(d.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
      expect(await d.escrow.invoiceStatus(id, 9n, 0, 0)).to.equal(8n); // Voided
      expect(await d.escrow.invoiceStatus(id, 9n, 0, 1)).to.equal(0n); // Unpaid
    });
  });

  describe("setRecovery / recoverOwnership", () => {
    it("lets the owner set a recovery address once; afterwards only the recovery address changes it", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).setRecovery(id, a.newOwner.address))
        .to.emit(d.registry, "MerchantRecoveryChanged")
        .withArgs(id, a.newOwner.address);
      expect(await d.registry.recoveryOf(id)).to.equal(a.newOwner.address);
      // A stolen owner key cannot replace it.
      await expect(d.registry.connect(a.owner).setRecovery(id, a.stranger.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotRecovery")
        .withArgs(id, a.owner.address);
      await expect(d.registry.connect(a.newOwner).setRecovery(id, a.stranger.address))
        .to.emit(d.registry, "MerchantRecoveryChanged")
        .withArgs(id, a.stranger.address);
      // Removing it hands the choice back to the owner.
      await d.registry.connect(a.stranger).setRecovery(id, ZERO);
      await expect(d.registry.connect(a.owner).setRecovery(id, a.payout.address))
        .to.emit(d.registry, "MerchantRecoveryChanged")
        .withArgs(id, a.payout.address);
    });

    it("reverts setRecovery from anyone but the owner while none is set, and for an unknown merchant", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.signer).setRecovery(id, a.signer.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.signer.address);
      await expect(d.registry.connect(a.owner).setRecovery(9, a.signer.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(9n);
    });

    it("recoverOwnership moves ownership at once, cancels a thief's pending transfer, and the new owner takes the payout back", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await d.registry.connect(a.owner).setRecovery(id, a.newOwner.address);
      // The owner key leaks: the thief redirects the payout and starts handing the merchant to itself.
      await d.registry.connect(a.owner).setPayout(id, a.stranger.address);
      await d.registry.connect(a.owner).transferMerchantOwnership(id, a.stranger.address);
      await expect(d.registry.connect(a.newOwner).recoverOwnership(id, a.newOwner.address))
        .to.emit(d.registry, "MerchantOwnershipTransferred")
        .withArgs(id, a.owner.address, a.newOwner.address);
      expect(await d.registry.ownerOf(id)).to.equal(a.newOwner.address);
      expect(await d.registry.pendingOwnerOf(id)).to.equal(ZERO);
      await expect(d.registry.connect(a.stranger).acceptMerchantOwnership(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotPendingOwner")
        .withArgs(id, a.stranger.address);
      await expect(d.registry.connect(a.owner).setPayout(id, a.owner.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.owner.address);
      await expect(d.registry.connect(a.newOwner).setPayout(id, a.payout.address))
        .to.emit(d.registry, "MerchantPayoutChanged")
        .withArgs(id, a.payout.address);
    });

    it("reverts recoverOwnership from anyone but the recovery address, to the zero address, and when none is set", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).recoverOwnership(id, a.owner.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotRecovery")
        .withArgs(id, a.owner.address);
      await d.registry.connect(a.owner).setRecovery(id, a.newOwner.address);
      for (const caller of [a.owner, a.signer, d.admin]) {
        await expect(d.registry.connect(caller).recoverOwnership(id, caller.address))
          .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotRecovery")
          .withArgs(id, caller.address);
      }
      await expect(d.registry.connect(a.newOwner).recoverOwnership(id, ZERO))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryInvalidNewOwner")
        .withArgs(ZERO);
    });
  });

  describe("transferMerchantOwnership / acceptMerchantOwnership", () => {
    it("emits MerchantOwnershipTransferStarted and records the pending owner without moving ownership", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).transferMerchantOwnership(id, a.newOwner.address))
        .to.emit(d.registry, "MerchantOwnershipTransferStarted")
        .withArgs(id, a.owner.address, a.newOwner.address);
      expect(await d.registry.pendingOwnerOf(id)).to.equal(a.newOwner.address);
      expect(await d.registry.ownerOf(id)).to.equal(a.owner.address);
      // The pending owner has no rights yet.
      await expect(d.registry.connect(a.newOwner).setPayout(id, a.newOwner.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.newOwner.address);
    });

    it("emits MerchantOwnershipTransferred on accept, clears the pending owner and moves all rights", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await d.registry.connect(a.owner).transferMerchantOwnership(id, a.newOwner.address);
      await expect(d.registry.connect(a.newOwner).acceptMerchantOwnership(id))
        .to.emit(d.registry, "MerchantOwnershipTransferred")
        .withArgs(id, a.owner.address, a.newOwner.address);
      expect(await d.registry.ownerOf(id)).to.equal(a.newOwner.address);
      expect(await d.registry.pendingOwnerOf(id)).to.equal(ZERO);
      expect(await d.registry.isOwnerOrSigner(id, a.owner.address)).to.equal(false);
      expect(await d.registry.isOwnerOrSigner(id, a.newOwner.address)).to.equal(true);

      // The old owner lost every owner right.
      await expect(d.registry.connect(a.owner).setPayout(id, a.owner.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.owner.address);
      await expect(d.registry.connect(a.owner).transferMerchantOwnership(id, a.owner.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.owner.address);
      await expect(d.registry.connect(a.owner).voidInvoices(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwnerOrSigner")
        .withArgs(id, a.owner.address);
      // The new owner has them, and accepting again is impossible.
      await expect(d.registry.connect(a.newOwner).setPayout(id, a.newOwner.address))
        .to.emit(d.registry, "MerchantPayoutChanged")
        .withArgs(id, a.newOwner.address);
      await expect(d.registry.connect(a.newOwner).acceptMerchantOwnership(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotPendingOwner")
        .withArgs(id, a.newOwner.address);
    });

    it("cancels a pending transfer with address(0)", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await d.registry.connect(a.owner).transferMerchantOwnership(id, a.newOwner.address);
      await expect(d.registry.connect(a.owner).transferMerchantOwnership(id, ZERO))
        .to.emit(d.registry, "MerchantOwnershipTransferStarted")
        .withArgs(id, a.owner.address, ZERO);
      expect(await d.registry.pendingOwnerOf(id)).to.equal(ZERO);
      await expect(d.registry.connect(a.newOwner).acceptMerchantOwnership(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotPendingOwner")
        .withArgs(id, a.newOwner.address);
      expect(await d.registry.ownerOf(id)).to.equal(a.owner.address);
    });

    it("replaces the pending owner when a second transfer starts", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await d.registry.connect(a.owner).transferMerchantOwnership(id, a.newOwner.address);
      await d.registry.connect(a.owner).transferMerchantOwnership(id, a.stranger.address);
      await expect(d.registry.connect(a.newOwner).acceptMerchantOwnership(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotPendingOwner")
        .withArgs(id, a.newOwner.address);
      await expect(d.registry.connect(a.stranger).acceptMerchantOwnership(id))
        .to.emit(d.registry, "MerchantOwnershipTransferred")
        .withArgs(id, a.owner.address, a.stranger.address);
    });

    it("reverts transferMerchantOwnership for an unknown merchant", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.owner).transferMerchantOwnership(3, a.newOwner.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(3n);
    });

    it("reverts transferMerchantOwnership when the caller is not the owner", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.signer).transferMerchantOwnership(id, a.signer.address))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotOwner")
        .withArgs(id, a.signer.address);
      expect(await d.registry.pendingOwnerOf(id)).to.equal(ZERO);
    });

    it("reverts acceptMerchantOwnership when the caller is not the pending owner", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.newOwner).acceptMerchantOwnership(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotPendingOwner")
        .withArgs(id, a.newOwner.address);
      await d.registry.connect(a.owner).transferMerchantOwnership(id, a.newOwner.address);
      await expect(d.registry.connect(a.owner).acceptMerchantOwnership(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotPendingOwner")
        .withArgs(id, a.owner.address);
    });

    it("reverts acceptMerchantOwnership for an unknown merchant", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(a.stranger).acceptMerchantOwnership(99))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryNotPendingOwner")
        .withArgs(99n, a.stranger.address);
    });
  });

  describe("suspend / reinstate", () => {
    it("suspend emits MerchantStatusChanged(Suspended), reinstate emits MerchantStatusChanged(Active)", async () => {
      const { d, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(d.admin).suspend(id))
        .to.emit(d.registry, "MerchantStatusChanged")
        .withArgs(id, Status.Suspended);
      expect((await d.registry.paymentTerms(id)).status).to.equal(Status.Suspended);
      await expect(d.registry.connect(d.admin).reinstate(id))
        .to.emit(d.registry, "MerchantStatusChanged")
        .withArgs(id, Status.Active);
      expect((await d.registry.paymentTerms(id)).status).to.equal(Status.Active);
    });

    it("reverts when suspending twice", async () => {
      const { d, id } = await networkHelpers.loadFixture(withMerchant);
      await d.registry.connect(d.admin).suspend(id);
      await expect(d.registry.connect(d.admin).suspend(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryStatusUnchanged")
        .withArgs(id, Status.Suspended);
    });

    it("reverts when reinstating an active merchant", async () => {
      const { d, id } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(d.admin).reinstate(id))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryStatusUnchanged")
        .withArgs(id, Status.Active);
    });

    it("reverts for an unknown merchant", async () => {
      const { d } = await networkHelpers.loadFixture(withMerchant);
      await expect(d.registry.connect(d.admin).suspend(2))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(2n);
      await expect(d.registry.connect(d.admin).reinstate(0))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryUnknownMerchant")
        .withArgs(0n);
    });

    it("reverts with AccessControlUnauthorizedAccount for anyone but the admin, including the merchant owner", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      const role = await d.registry.DEFAULT_ADMIN_ROLE();
      for (const caller of [d.deployer, d.arbiter, a.owner]) {
        await expect(d.registry.connect(caller).suspend(id))
          .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      await d.registry.connect(d.admin).suspend(id);
      await expect(d.registry.connect(a.owner).reinstate(id))
        .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
        .withArgs(a.owner.address, role);
    });

    it("stops payments while suspended and allows them again once reinstated", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await d.registry.connect(a.owner).setHoldPeriod(id, 0);
      const expiry = BigInt(await networkHelpers.time.latest()) + 3600n;
      const invoice = makeInvoice({ merchantId: id, invoiceNumber: 1n, expiry });
      const packed = packInvoice(invoice, 0n, await signInvoice(a.signer, d.escrow, invoice));
      await d.registry.connect(d.admin).suspend(id);
      await expect(d.escrow.connect(a.payer).payPacked(packed, { value: invoice.amount }))
        .to.be.revertedWithCustomError(d.escrow, "PaymentEscrowMerchantNotActive")
        .withArgs(id);
      await d.registry.connect(d.admin).reinstate(id);
      await expect(d.escrow.connect(a.payer).payPacked(packed, { value: invoice.amount })).to.changeEtherBalances(
        ethers,
        [a.payer, a.payout],
        [-invoice.amount, invoice.amount - (invoice.amount * d.feeBps) / 10_000n],
      );
    });

    it("keeps owner management working while suspended", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await d.registry.connect(d.admin).suspend(id);
      await expect(d.registry.connect(a.owner).setPayout(id, a.stranger.address))
        .to.emit(d.registry, "MerchantPayoutChanged")
        .withArgs(id, a.stranger.address);
      await expect(d.registry.connect(a.signer).voidInvoices(id))
        .to.emit(d.registry, "MerchantInvoicesVoided")
        .withArgs(id, 1n);
      expect((await d.registry.paymentTerms(id)).status).to.equal(Status.Suspended);
    });
  });

  describe("setMaxHoldPeriod", () => {
    it("emits MaxHoldPeriodChanged and accepts exactly the 365-day limit", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const limit = await d.registry.MAX_HOLD_PERIOD_LIMIT();
      await expect(d.registry.connect(d.admin).setMaxHoldPeriod(limit))
        .to.emit(d.registry, "MaxHoldPeriodChanged")
        .withArgs(limit);
      expect(await d.registry.maxHoldPeriod()).to.equal(limit);
    });

    it("reverts when above the 365-day limit", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      await expect(d.registry.connect(d.admin).setMaxHoldPeriod(365n * DAY + 1n))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryMaxHoldPeriodTooLong")
        .withArgs(365n * DAY + 1n, 365n * DAY);
      expect(await d.registry.maxHoldPeriod()).to.equal(d.maxHoldPeriod);
    });

    it("reverts with AccessControlUnauthorizedAccount for a non-admin", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const [stranger] = d.others;
      await expect(d.registry.connect(stranger!).setMaxHoldPeriod(DAY))
        .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger!.address, await d.registry.DEFAULT_ADMIN_ROLE());
    });

    it("bounds later hold-period changes but leaves existing merchants untouched", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      await d.registry.connect(d.admin).setMaxHoldPeriod(600);
      expect((await d.registry.paymentTerms(id)).holdPeriod).to.equal(3600n);
      await expect(d.registry.connect(a.owner).setHoldPeriod(id, 601))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryHoldPeriodTooLong")
        .withArgs(601n, 600n);
      await expect(register(d.registry, a, "Shop", 601n))
        .to.be.revertedWithCustomError(d.registry, "MerchantRegistryHoldPeriodTooLong")
        .withArgs(601n, 600n);
      await expect(d.registry.connect(a.owner).setHoldPeriod(id, 600))
        .to.emit(d.registry, "MerchantHoldPeriodChanged")
        .withArgs(id, 600n);
    });
  });

  describe("views", () => {
    it("paymentTerms, ownerOf, pendingOwnerOf and profileOf return zero values for an unknown id", async () => {
      const { d } = await networkHelpers.loadFixture(withMerchant);
      const terms = await d.registry.paymentTerms(2);
      expect([terms.signer, terms.holdPeriod, terms.status, terms.payout, terms.epoch]).to.deep.equal([
        ZERO,
        0n,
        Status.None,
        ZERO,
        0n,
      ]);
      expect(await d.registry.ownerOf(2)).to.equal(ZERO);
      expect(await d.registry.pendingOwnerOf(2)).to.equal(ZERO);
      expect(await d.registry.recoveryOf(2)).to.equal(ZERO);
      expect(await d.registry.profileOf(2)).to.deep.equal(["", ""]);
    });

    it("isOwnerOrSigner is true for the owner and the signer only, and never for address(0)", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      expect(await d.registry.isOwnerOrSigner(id, a.owner.address)).to.equal(true);
      expect(await d.registry.isOwnerOrSigner(id, a.signer.address)).to.equal(true);
      expect(await d.registry.isOwnerOrSigner(id, a.payout.address)).to.equal(false);
      expect(await d.registry.isOwnerOrSigner(id, a.stranger.address)).to.equal(false);
      expect(await d.registry.isOwnerOrSigner(id, ZERO)).to.equal(false);
      // An unknown merchant has a zero owner and signer: the zero address must not match them.
      expect(await d.registry.isOwnerOrSigner(2, ZERO)).to.equal(false);
      expect(await d.registry.isOwnerOrSigner(2, a.owner.address)).to.equal(false);
    });

    it("maxHoldPeriod and merchantCount reflect the deployment settings and registrations", async () => {
      const { d } = await networkHelpers.loadFixture(withMerchant);
      expect(await d.registry.maxHoldPeriod()).to.equal(d.maxHoldPeriod);
      expect(await d.registry.merchantCount()).to.equal(1n);
    });
  });

  describe("platform admin handover (AccessControlDefaultAdminRules)", () => {
    it("moves the admin in two steps: the old admin loses suspend, the new admin gains it", async () => {
      const { d, a, id } = await networkHelpers.loadFixture(withMerchant);
      const role = await d.registry.DEFAULT_ADMIN_ROLE();
      const [, , , , , , next] = d.others;
      const newAdmin = next!;
      const delay = await d.registry.defaultAdminDelay();
      const tx = await d.registry.connect(d.admin).beginDefaultAdminTransfer(newAdmin.address);
      const schedule = BigInt((await tx.getBlock())!.timestamp) + delay;
      await expect(tx).to.emit(d.registry, "DefaultAdminTransferScheduled").withArgs(newAdmin.address, schedule);
      expect(await d.registry.pendingDefaultAdmin()).to.deep.equal([newAdmin.address, schedule]);
      // Before acceptance the old admin still rules.
      expect(await d.registry.defaultAdmin()).to.equal(d.admin.address);
      await expect(d.registry.connect(newAdmin).suspend(id))
        .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
        .withArgs(newAdmin.address, role);
      // Only the pending admin may accept.
      await expect(d.registry.connect(a.stranger).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(d.registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(a.stranger.address);

      await networkHelpers.time.increaseTo(schedule + 1n);
      await expect(d.registry.connect(newAdmin).acceptDefaultAdminTransfer())
        .to.emit(d.registry, "RoleGranted")
        .withArgs(role, newAdmin.address, newAdmin.address);
      expect(await d.registry.defaultAdmin()).to.equal(newAdmin.address);
      expect(await d.registry.owner()).to.equal(newAdmin.address);
      expect(await d.registry.hasRole(role, d.admin.address)).to.equal(false);

      await expect(d.registry.connect(d.admin).suspend(id))
        .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
        .withArgs(d.admin.address, role);
      await expect(d.registry.connect(newAdmin).suspend(id))
        .to.emit(d.registry, "MerchantStatusChanged")
        .withArgs(id, Status.Suspended);
    });

    it("enforces a non-zero delay before the new admin can accept", async () => {
      const [deployer, admin, newAdmin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MerchantRegistry", deployer!);
      const delay = 2n * DAY;
      const registry = await factory.deploy(delay, admin!.address, ZERO, ZERO, DAY);
      await registry.connect(admin!).beginDefaultAdminTransfer(newAdmin!.address);
      const [, schedule] = await registry.pendingDefaultAdmin();
      expect(schedule).to.equal(BigInt(await networkHelpers.time.latest()) + delay);
      await expect(registry.connect(newAdmin!).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      await networkHelpers.time.increaseTo(schedule + 1n);
      await registry.connect(newAdmin!).acceptDefaultAdminTransfer();
      expect(await registry.defaultAdmin()).to.equal(newAdmin!.address);
    });

    it("refuses a direct grant of the admin role", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const [stranger] = d.others;
      await expect(
        d.registry.connect(d.admin).grantRole(await d.registry.DEFAULT_ADMIN_ROLE(), stranger!.address),
      )
        .to.be.revertedWithCustomError(d.registry, "AccessControlEnforcedDefaultAdminRules")
        .withArgs();
    });
  });
});
