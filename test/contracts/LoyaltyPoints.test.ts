import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";

import { type Deployed, deployAll, ethers, networkHelpers } from "../helpers/fixture.js";
import { type TestInvoice, compact, makeInvoice, packInvoice, signInvoice } from "../helpers/invoices.js";

const ZERO = ethers.ZeroAddress;
const UINT32_MAX = 2n ** 32n - 1n;
/** IPaymentEscrow.PaymentState.Refunded. */
const PAYMENT_STATE_REFUNDED = 3n;

interface Actors {
  owner: HardhatEthersSigner;
  payout: HardhatEthersSigner;
  signer: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
}

function actors(d: Deployed): Actors {
  const [owner, payout, signer, alice, bob, carol] = d.others;
  if (carol === undefined) throw new Error("not enough unprivileged accounts");
  return { owner: owner!, payout: payout!, signer: signer!, alice: alice!, bob: bob!, carol };
}

/**
 * Deployment with two merchants owned by `owner` (1: settles at once, 2: held for one hour) and a signer
 * impersonating the escrow, the only account allowed to mint and burn.
 */
async function withMerchants() {
  const d = await networkHelpers.loadFixture(deployAll);
  const a = actors(d);
  await d.registry.connect(a.owner).register(a.owner.address, a.payout.address, a.signer.address, 0, "Instant", "");
  await d.registry.connect(a.owner).register(a.owner.address, a.payout.address, a.signer.address, 3600, "Held", "");
  const escrowAddress = await addressOf(d.escrow);
  await networkHelpers.impersonateAccount(escrowAddress);
  await networkHelpers.setBalance(escrowAddress, 10n ** 18n);
  const escrowSigner = await ethers.getSigner(escrowAddress);
  return { d, a, escrowSigner, escrowAddress };
}

/** As `withMerchants`, with 100 points of merchant 1 minted to alice. */
async function withAlicePoints() {
  const f = await networkHelpers.loadFixture(withMerchants);
  await f.d.points.connect(f.escrowSigner).mint(f.a.alice.address, 1, 100);
  return f;
}

/** As `withAlicePoints`, after a clawback of 130: alice holds nothing and owes 30. */
async function aliceOwes30() {
  const w = await networkHelpers.loadFixture(withAlicePoints);
  await w.d.points.connect(w.escrowSigner).clawBack(w.a.alice.address, 1, 130);
  return w;
}

async function payPacked(d: Deployed, signer: HardhatEthersSigner, payer: HardhatEthersSigner, invoice: TestInvoice) {
  const packed = packInvoice(invoice, 0n, compact(await signInvoice(signer, d.escrow, invoice)));
  return d.escrow.connect(payer).payPacked(packed, { value: invoice.amount });
}

/** Checksummed address of a contract (the fixture connects them with lower-case addresses). */
async function addressOf(contract: { getAddress(): Promise<string> }): Promise<string> {
  return ethers.getAddress(await contract.getAddress());
}

async function expiry(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest()) + 3600n;
}

describe("LoyaltyPoints", () => {
  describe("constructor", () => {
    async function freshPoints() {
      const d = await networkHelpers.loadFixture(deployAll);
      const [deployer, stranger, minter] = d.others;
      const factory = await ethers.getContractFactory("LoyaltyPoints", deployer!);
      return { d, factory, deployer: deployer!, stranger: stranger!, minter: minter! };
    }

    it("fixes the escrow and the registry given at construction", async () => {
      const { d, factory, deployer, minter } = await freshPoints();
      const points = await factory.deploy(await addressOf(d.registry), minter.address);
      await points.waitForDeployment();
      expect(await points.escrow()).to.equal(minter.address);
      expect(await points.registry()).to.equal(await addressOf(d.registry));
      // The given escrow can mint, the deployer cannot.
      await expect(points.connect(minter).mint(deployer.address, 1, 5))
        .to.emit(points, "Transfer")
        .withArgs(minter.address, ZERO, deployer.address, 1n, 5n);
      await expect(points.connect(deployer).mint(deployer.address, 1, 5))
        .to.be.revertedWithCustomError(points, "LoyaltyPointsNotEscrow")
        .withArgs(deployer.address);
      expect(await points.balanceOf(deployer.address, 1)).to.equal(5n);
    });

    it("reverts with LoyaltyPointsInvalidEscrow when the escrow is the zero address", async () => {
      const { d, factory } = await freshPoints();
      await expect(factory.deploy(await addressOf(d.registry), ZERO))
        .to.be.revertedWithCustomError(factory, "LoyaltyPointsInvalidEscrow")
        .withArgs(ZERO);
    });

    it("offers no function to change the minter: the only state-changing functions are ERC-6909's and the program's", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      const mutating = d.points.interface.fragments
        .filter((f) => f.type === "function")
        .map((f) => f as unknown as { name: string; stateMutability: string })
        .filter((f) => f.stateMutability !== "view" && f.stateMutability !== "pure")
        .map((f) => f.name)
        .sort();
      expect(mutating).to.deep.equal(
        ["approve", "burn", "clawBack", "mint", "setOperator", "setTransferable", "transfer", "transferFrom"].sort(),
      );
    });
  });

  describe("mint", () => {
    it("mints to the receiver and emits Transfer(escrow, 0, to, id, amount)", async () => {
      const { d, a, escrowSigner, escrowAddress } = await networkHelpers.loadFixture(withMerchants);
      await expect(d.points.connect(escrowSigner).mint(a.alice.address, 2, 40))
        .to.emit(d.points, "Transfer")
        .withArgs(escrowAddress, ZERO, a.alice.address, 2n, 40n);
      expect(await d.points.balanceOf(a.alice.address, 2)).to.equal(40n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(0n);
    });

    it("reverts for anyone but the escrow (deployer, admin, merchant owner)", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      for (const caller of [d.deployer, d.admin, a.owner, a.alice]) {
        await expect(d.points.connect(caller).mint(a.alice.address, 1, 1))
          .to.be.revertedWithCustomError(d.points, "LoyaltyPointsNotEscrow")
          .withArgs(caller.address);
      }
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(0n);
    });
  });

  describe("burn", () => {
    it("burns exactly the amount and emits Transfer(escrow, from, 0, id, amount)", async () => {
      const { d, a, escrowSigner, escrowAddress } = await networkHelpers.loadFixture(withAlicePoints);
      await expect(d.points.connect(escrowSigner).burn(a.alice.address, 1, 30))
        .to.emit(d.points, "Transfer")
        .withArgs(escrowAddress, a.alice.address, ZERO, 1n, 30n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(70n);
    });

    it("reverts with ERC6909InsufficientBalance when the balance is short", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(withAlicePoints);
      await expect(d.points.connect(escrowSigner).burn(a.alice.address, 1, 101))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientBalance")
        .withArgs(a.alice.address, 100n, 101n, 1n);
      await expect(d.points.connect(escrowSigner).burn(a.alice.address, 2, 1))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientBalance")
        .withArgs(a.alice.address, 0n, 1n, 2n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(100n);
    });

    it("reverts for anyone but the escrow, including the holder", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      for (const caller of [a.alice, a.owner, d.deployer]) {
        await expect(d.points.connect(caller).burn(a.alice.address, 1, 1))
          .to.be.revertedWithCustomError(d.points, "LoyaltyPointsNotEscrow")
          .withArgs(caller.address);
      }
    });
  });

  describe("clawBack", () => {
    it("burns the full amount when the balance covers it, records no debt, and returns it", async () => {
      const { d, a, escrowSigner, escrowAddress } = await networkHelpers.loadFixture(withAlicePoints);
      expect(await d.points.connect(escrowSigner).clawBack.staticCall(a.alice.address, 1, 60)).to.equal(60n);
      const tx = d.points.connect(escrowSigner).clawBack(a.alice.address, 1, 60);
      await expect(tx).to.emit(d.points, "Transfer").withArgs(escrowAddress, a.alice.address, ZERO, 1n, 60n);
      await expect(tx).to.not.emit(d.points, "LoyaltyPointsDebtRecorded");
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(40n);
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(0n);
    });

    it("burns the balance and records the rest as a debt (LoyaltyPointsDebtRecorded) when the points were spent", async () => {
      const { d, a, escrowSigner, escrowAddress } = await networkHelpers.loadFixture(withAlicePoints);
      expect(await d.points.connect(escrowSigner).clawBack.staticCall(a.alice.address, 1, 250)).to.equal(100n);
      const tx = d.points.connect(escrowSigner).clawBack(a.alice.address, 1, 250);
      await expect(tx).to.emit(d.points, "Transfer").withArgs(escrowAddress, a.alice.address, ZERO, 1n, 100n);
      await expect(tx).to.emit(d.points, "LoyaltyPointsDebtRecorded").withArgs(a.alice.address, 1n, 150n, 150n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(0n);
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(150n);
      // A second clawback adds up; other merchants' points are untouched.
      await expect(d.points.connect(escrowSigner).clawBack(a.alice.address, 1, 10))
        .to.emit(d.points, "LoyaltyPointsDebtRecorded")
        .withArgs(a.alice.address, 1n, 10n, 160n);
      expect(await d.points.debtOf(a.alice.address, 2)).to.equal(0n);
    });

    it("returns 0, burns nothing and records the whole amount as debt when the balance is empty", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(withAlicePoints);
      expect(await d.points.connect(escrowSigner).clawBack.staticCall(a.bob.address, 1, 10)).to.equal(0n);
      await expect(d.points.connect(escrowSigner).clawBack(a.bob.address, 1, 10)).to.not.emit(d.points, "Transfer");
      expect(await d.points.debtOf(a.bob.address, 1)).to.equal(10n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(100n);
    });

    it("reverts for anyone but the escrow", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      await expect(d.points.connect(a.owner).clawBack(a.alice.address, 1, 1))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsNotEscrow")
        .withArgs(a.owner.address);
    });
  });

  describe("points debt", () => {
    it("a redemption (burn) pays the debt first (LoyaltyPointsDebtRepaid) and needs the balance for both", async () => {
      const { d, a, escrowSigner, escrowAddress } = await networkHelpers.loadFixture(aliceOwes30);
      await d.points.connect(escrowSigner).mint(a.alice.address, 1, 50);
      await expect(d.points.connect(escrowSigner).burn(a.alice.address, 1, 21))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientBalance")
        .withArgs(a.alice.address, 20n, 21n, 1n);
      const tx = d.points.connect(escrowSigner).burn(a.alice.address, 1, 20);
      await expect(tx).to.emit(d.points, "LoyaltyPointsDebtRepaid").withArgs(a.alice.address, 1n, 30n);
      await expect(tx).to.emit(d.points, "Transfer").withArgs(escrowAddress, a.alice.address, ZERO, 1n, 20n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(0n);
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(0n);
    });

    it("a transfer pays the debt first, so points cannot be moved away from a clawback", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(aliceOwes30);
      await d.points.connect(a.owner).setTransferable(1, true);
      await d.points.connect(escrowSigner).mint(a.alice.address, 1, 40);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, 1, 11))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientBalance")
        .withArgs(a.alice.address, 10n, 11n, 1n);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, 1, 10))
        .to.emit(d.points, "LoyaltyPointsDebtRepaid")
        .withArgs(a.alice.address, 1n, 30n);
      expect(await d.points.balanceOf(a.bob.address, 1)).to.equal(10n);
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(0n);
    });

    it("minting does not touch the debt (earning stays as cheap as before); the debt shows in debtOf", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(aliceOwes30);
      await expect(d.points.connect(escrowSigner).mint(a.alice.address, 1, 5)).to.not.emit(d.points, "LoyaltyPointsDebtRepaid");
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(5n);
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(30n);
    });
  });

  describe("transfer / transferFrom", () => {
    it("reverts transfer with LoyaltyPointsTransferDisabled while the program is not transferable", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      expect(await d.points.isTransferable(1)).to.equal(false);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, 1, 10))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsTransferDisabled")
        .withArgs(1n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(100n);
      expect(await d.points.balanceOf(a.bob.address, 1)).to.equal(0n);
    });

    it("reverts transferFrom with LoyaltyPointsTransferDisabled even with an allowance or as operator", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      await d.points.connect(a.alice).approve(a.bob.address, 1, 50);
      await expect(d.points.connect(a.bob).transferFrom(a.alice.address, a.bob.address, 1, 10))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsTransferDisabled")
        .withArgs(1n);
      await d.points.connect(a.alice).setOperator(a.carol.address, true);
      await expect(d.points.connect(a.carol).transferFrom(a.alice.address, a.carol.address, 1, 10))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsTransferDisabled")
        .withArgs(1n);
      expect(await d.points.allowance(a.alice.address, a.bob.address, 1)).to.equal(50n);
    });

    it("transfers once the merchant owner enabled it, emitting Transfer(caller, sender, receiver, id, amount)", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      await d.points.connect(a.owner).setTransferable(1, true);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, 1, 25))
        .to.emit(d.points, "Transfer")
        .withArgs(a.alice.address, a.alice.address, a.bob.address, 1n, 25n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(75n);
      expect(await d.points.balanceOf(a.bob.address, 1)).to.equal(25n);
    });

    it("transferFrom spends the allowance and emits Transfer with the spender as caller", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      await d.points.connect(a.owner).setTransferable(1, true);
      await expect(d.points.connect(a.alice).approve(a.bob.address, 1, 40))
        .to.emit(d.points, "Approval")
        .withArgs(a.alice.address, a.bob.address, 1n, 40n);
      await expect(d.points.connect(a.bob).transferFrom(a.alice.address, a.carol.address, 1, 30))
        .to.emit(d.points, "Transfer")
        .withArgs(a.bob.address, a.alice.address, a.carol.address, 1n, 30n);
      expect(await d.points.allowance(a.alice.address, a.bob.address, 1)).to.equal(10n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(70n);
      expect(await d.points.balanceOf(a.carol.address, 1)).to.equal(30n);
      await expect(d.points.connect(a.bob).transferFrom(a.alice.address, a.carol.address, 1, 11))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientAllowance")
        .withArgs(a.bob.address, 10n, 11n, 1n);
    });

    it("reverts a transfer above the balance with ERC6909InsufficientBalance", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      await d.points.connect(a.owner).setTransferable(1, true);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, 1, 101))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientBalance")
        .withArgs(a.alice.address, 100n, 101n, 1n);
    });

    it("enabling one merchant's program does not enable another's", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(withAlicePoints);
      await d.points.connect(escrowSigner).mint(a.alice.address, 2, 10);
      await d.points.connect(a.owner).setTransferable(1, true);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, 2, 1))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsTransferDisabled")
        .withArgs(2n);
    });

    it("blocks transfers again once the owner disables them", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      await d.points.connect(a.owner).setTransferable(1, true);
      await d.points.connect(a.alice).transfer(a.bob.address, 1, 1);
      await d.points.connect(a.owner).setTransferable(1, false);
      await expect(d.points.connect(a.bob).transfer(a.alice.address, 1, 1))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsTransferDisabled")
        .withArgs(1n);
    });

    it("reverts with LoyaltyPointsInvalidId for an id above uint32, while uint32 max is a merchant id", async () => {
      const { d, a } = await networkHelpers.loadFixture(withAlicePoints);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, UINT32_MAX + 1n, 0))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsInvalidId")
        .withArgs(UINT32_MAX + 1n);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, 2n ** 256n - 1n, 0))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsInvalidId")
        .withArgs(2n ** 256n - 1n);
      // The id (1 << 32) | 1 must not alias merchant 1, whose transfers are enabled.
      await d.points.connect(a.owner).setTransferable(1, true);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, (1n << 32n) | 1n, 0))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsInvalidId")
        .withArgs((1n << 32n) | 1n);
      await d.points.connect(a.alice).approve(a.bob.address, UINT32_MAX + 1n, 1);
      await expect(d.points.connect(a.bob).transferFrom(a.alice.address, a.bob.address, UINT32_MAX + 1n, 0))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsInvalidId")
        .withArgs(UINT32_MAX + 1n);
      await expect(d.points.connect(a.alice).transfer(a.bob.address, UINT32_MAX, 0))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsTransferDisabled")
        .withArgs(UINT32_MAX);
    });
  });

  describe("setTransferable", () => {
    it("emits LoyaltyPointsTransferabilityChanged and updates isTransferable", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      await expect(d.points.connect(a.owner).setTransferable(2, true))
        .to.emit(d.points, "LoyaltyPointsTransferabilityChanged")
        .withArgs(2n, true);
      expect(await d.points.isTransferable(2)).to.equal(true);
      expect(await d.points.isTransferable(1)).to.equal(false);
      await expect(d.points.connect(a.owner).setTransferable(2, false))
        .to.emit(d.points, "LoyaltyPointsTransferabilityChanged")
        .withArgs(2n, false);
      expect(await d.points.isTransferable(2)).to.equal(false);
    });

    it("reverts when the caller is not the merchant owner (signer, admin, deployer, escrow)", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(withMerchants);
      for (const caller of [a.signer, a.alice, d.admin, d.deployer, escrowSigner]) {
        await expect(d.points.connect(caller).setTransferable(1, true))
          .to.be.revertedWithCustomError(d.points, "LoyaltyPointsNotMerchantOwner")
          .withArgs(1n, caller.address);
      }
      expect(await d.points.isTransferable(1)).to.equal(false);
    });

    it("reverts for an unknown merchant", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      await expect(d.points.connect(a.owner).setTransferable(3, true))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsNotMerchantOwner")
        .withArgs(3n, a.owner.address);
    });

    it("follows merchant ownership: the new owner controls it, the old owner no longer does", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      await d.registry.connect(a.owner).transferMerchantOwnership(1, a.carol.address);
      await d.registry.connect(a.carol).acceptMerchantOwnership(1);
      await expect(d.points.connect(a.owner).setTransferable(1, true))
        .to.be.revertedWithCustomError(d.points, "LoyaltyPointsNotMerchantOwner")
        .withArgs(1n, a.owner.address);
      await expect(d.points.connect(a.carol).setTransferable(1, true))
        .to.emit(d.points, "LoyaltyPointsTransferabilityChanged")
        .withArgs(1n, true);
    });
  });

  describe("views", () => {
    it("decimals is 0 for every id", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      for (const id of [0n, 1n, UINT32_MAX, UINT32_MAX + 1n]) expect(await d.points.decimals(id)).to.equal(0n);
    });

    it("registry() and escrow() return the deployed MerchantRegistry and PaymentEscrow", async () => {
      const d = await networkHelpers.loadFixture(deployAll);
      expect(await d.points.registry()).to.equal(await addressOf(d.registry));
      expect(await d.points.escrow()).to.equal(await addressOf(d.escrow));
    });
  });

  describe("through the escrow", () => {
    it("mints pointsAward to the payer when a payment settles at once", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      const invoice = makeInvoice({ merchantId: 1n, invoiceNumber: 1n, expiry: await expiry(), pointsAward: 25n });
      const fee = (invoice.amount * d.feeBps) / 10_000n;
      const tx = payPacked(d, a.signer, a.alice, invoice);
      await expect(tx)
        .to.emit(d.points, "Transfer")
        .withArgs(await addressOf(d.escrow), ZERO, a.alice.address, 1n, 25n);
      await expect(tx).to.emit(d.escrow, "PaymentSettled").withArgs(1n, 1n, invoice.amount - fee, fee, 25n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(25n);
      expect(await d.points.balanceOf(a.alice.address, 2)).to.equal(0n);
    });

    it("burns pointsRedeem from the payer when the invoice redeems them", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      await payPacked(d, a.signer, a.alice, makeInvoice({ merchantId: 1n, invoiceNumber: 1n, expiry: await expiry(), pointsAward: 25n }));
      const redeem = makeInvoice({ merchantId: 1n, invoiceNumber: 2n, expiry: await expiry(), pointsRedeem: 10n, pointsAward: 3n });
      const tx = payPacked(d, a.signer, a.alice, redeem);
      await expect(tx)
        .to.emit(d.points, "Transfer")
        .withArgs(await addressOf(d.escrow), a.alice.address, ZERO, 1n, 10n);
      await expect(tx).to.changeEtherBalance(ethers, a.alice, -redeem.amount);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(25n - 10n + 3n);
    });

    it("rejects a payment that redeems more points than the payer holds, leaving the invoice unpaid", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      await payPacked(d, a.signer, a.alice, makeInvoice({ merchantId: 1n, invoiceNumber: 1n, expiry: await expiry(), pointsAward: 5n }));
      const invoice = makeInvoice({ merchantId: 1n, invoiceNumber: 2n, expiry: await expiry(), pointsRedeem: 6n });
      await expect(payPacked(d, a.signer, a.alice, invoice))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientBalance")
        .withArgs(a.alice.address, 5n, 6n, 1n);
      expect(await d.escrow.isInvoiceUsed(1, 2)).to.equal(false);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(5n);
    });

    it("does not let one merchant's points pay at another merchant", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(withMerchants);
      await d.points.connect(escrowSigner).mint(a.alice.address, 2, 50);
      const invoice = makeInvoice({ merchantId: 1n, invoiceNumber: 1n, expiry: await expiry(), pointsRedeem: 1n });
      await expect(payPacked(d, a.signer, a.alice, invoice))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientBalance")
        .withArgs(a.alice.address, 0n, 1n, 1n);
    });

    it("on a held payment burns the redeemed points at once and mints the award only on release", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(withMerchants);
      await d.points.connect(escrowSigner).mint(a.alice.address, 2, 8);
      const invoice = makeInvoice({ merchantId: 2n, invoiceNumber: 1n, expiry: await expiry(), pointsAward: 30n, pointsRedeem: 5n });
      await expect(payPacked(d, a.signer, a.alice, invoice)).to.not.emit(d.escrow, "PaymentSettled");
      expect(await d.points.balanceOf(a.alice.address, 2)).to.equal(3n);
      await networkHelpers.time.increase(3600);
      await expect(d.escrow.release([await d.escrow.paymentId(2, 1)]))
        .to.emit(d.points, "Transfer")
        .withArgs(await addressOf(d.escrow), ZERO, a.alice.address, 2n, 30n);
      expect(await d.points.balanceOf(a.alice.address, 2)).to.equal(33n);
    });

    it("mints back the redeemed points on a full refund and awards nothing", async () => {
      const { d, a, escrowSigner } = await networkHelpers.loadFixture(withMerchants);
      await d.points.connect(escrowSigner).mint(a.alice.address, 2, 8);
      const invoice = makeInvoice({ merchantId: 2n, invoiceNumber: 1n, expiry: await expiry(), pointsAward: 30n, pointsRedeem: 5n });
      await payPacked(d, a.signer, a.alice, invoice);
      await expect(d.escrow.connect(a.signer).refund(2, 1, invoice.amount))
        .to.emit(d.points, "Transfer")
        .withArgs(await addressOf(d.escrow), ZERO, a.alice.address, 2n, 5n);
      expect(await d.points.balanceOf(a.alice.address, 2)).to.equal(8n);
      await networkHelpers.time.increase(3600);
      const ids = [await d.escrow.paymentId(2, 1)];
      expect(await d.escrow.release.staticCall(ids)).to.equal(0n);
      await expect(d.escrow.release(ids)).to.not.emit(d.points, "Transfer");
      expect((await d.escrow.paymentOf(2, 1)).state).to.equal(PAYMENT_STATE_REFUNDED);
      expect(await d.points.balanceOf(a.alice.address, 2)).to.equal(8n);
    });

    it("claws back pointsToClawBack on a merchant-funded refundSettled; what the payer no longer holds becomes debt", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      const invoice = makeInvoice({ merchantId: 1n, invoiceNumber: 1n, expiry: await expiry(), pointsAward: 25n });
      await payPacked(d, a.signer, a.alice, invoice);
      const refund = invoice.amount / 2n;
      const tx = d.escrow.connect(a.signer).refundSettled(1, 1, a.alice.address, ZERO, refund, 0n, 40, { value: refund });
      await expect(tx)
        .to.emit(d.points, "Transfer")
        .withArgs(await addressOf(d.escrow), a.alice.address, ZERO, 1n, 25n);
      await expect(tx).to.emit(d.points, "LoyaltyPointsDebtRecorded").withArgs(a.alice.address, 1n, 15n, 15n);
      await expect(tx)
        .to.emit(d.escrow, "SettledPaymentRefunded")
        .withArgs(1n, 1n, a.alice.address, ZERO, refund, 0n, 40n);
      await expect(tx).to.changeEtherBalances(ethers, [a.signer, a.alice], [-refund, refund]);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(0n);
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(15n);
    });

    it("keeps no points of a refunded purchase even when the payer spent them before asking for the refund", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      // Purchase 1 (settles at once) earns 25 points; purchase 2 spends them as a discount.
      const first = makeInvoice({ merchantId: 1n, invoiceNumber: 1n, expiry: await expiry(), pointsAward: 25n });
      await payPacked(d, a.signer, a.alice, first);
      const second = makeInvoice({ merchantId: 1n, invoiceNumber: 2n, expiry: await expiry(), pointsRedeem: 25n });
      await payPacked(d, a.signer, a.alice, second);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(0n);
      // Purchase 1 is refunded in full: its 25 points are owed, and the next points Alice earns pay them back
      // before she can redeem or move any.
      await d.escrow.connect(a.signer).refundSettled(1, 1, a.alice.address, ZERO, first.amount, 0n, 25, { value: first.amount });
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(25n);
      const third = makeInvoice({ merchantId: 1n, invoiceNumber: 3n, expiry: await expiry(), pointsAward: 30n });
      await payPacked(d, a.signer, a.alice, third);
      const fourth = makeInvoice({ merchantId: 1n, invoiceNumber: 4n, expiry: await expiry(), pointsRedeem: 6n });
      await expect(payPacked(d, a.signer, a.alice, fourth))
        .to.be.revertedWithCustomError(d.points, "ERC6909InsufficientBalance")
        .withArgs(a.alice.address, 5n, 6n, 1n);
      const fifth = makeInvoice({ merchantId: 1n, invoiceNumber: 5n, expiry: await expiry(), pointsRedeem: 5n });
      await payPacked(d, a.signer, a.alice, fifth);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(0n);
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(0n);
    });

    it("restores the points redeemed on a payment on a full merchant-funded refund, as a refund while held does", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      await payPacked(d, a.signer, a.alice, makeInvoice({ merchantId: 1n, invoiceNumber: 1n, expiry: await expiry(), pointsAward: 50n }));
      const invoice = makeInvoice({ merchantId: 1n, invoiceNumber: 2n, expiry: await expiry(), pointsRedeem: 40n, pointsAward: 3n });
      await payPacked(d, a.signer, a.alice, invoice);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(13n);
      // Restore the 40 redeemed, claw back the 3 earned: 13 + 40 - 3.
      const tx = d.escrow
        .connect(a.signer)
        .refundSettled(1, 2, a.alice.address, ZERO, invoice.amount, 40n, 3n, { value: invoice.amount });
      await expect(tx)
        .to.emit(d.points, "Transfer")
        .withArgs(await addressOf(d.escrow), ZERO, a.alice.address, 1n, 40n);
      await expect(tx)
        .to.emit(d.escrow, "SettledPaymentRefunded")
        .withArgs(1n, 2n, a.alice.address, ZERO, invoice.amount, 40n, 3n);
      expect(await d.points.balanceOf(a.alice.address, 1)).to.equal(50n);
      expect(await d.points.debtOf(a.alice.address, 1)).to.equal(0n);
    });

    it("awards points pro rata to the unrefunded amount, rounded down, after a partial refund", async () => {
      const { d, a } = await networkHelpers.loadFixture(withMerchants);
      const invoice = makeInvoice({ merchantId: 2n, invoiceNumber: 1n, expiry: await expiry(), amount: 1000n, pointsAward: 10n });
      await payPacked(d, a.signer, a.alice, invoice);
      await d.escrow.connect(a.owner).refund(2, 1, 333);
      await networkHelpers.time.increase(3600);
      // 10 * 667 / 1000 = 6.67, rounded down to 6.
      await expect(d.escrow.release([await d.escrow.paymentId(2, 1)]))
        .to.emit(d.points, "Transfer")
        .withArgs(await addressOf(d.escrow), ZERO, a.alice.address, 2n, 6n);
      expect(await d.points.balanceOf(a.alice.address, 2)).to.equal(6n);
    });
  });
});
