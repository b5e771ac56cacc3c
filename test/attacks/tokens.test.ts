/**
 * Attacks through hostile ERC-20 tokens: fee-on-transfer, no return value (USDT), `false` return, re-entrant
 * transfer hooks, an issuer blocklist (USDC), rebasing balances, and an address that is not a contract.
 * The admin must allowlist each hostile token first (`setTokenAllowed`); the escrow must then either refuse it
 * or keep every party whole. Each test names the defence it depends on.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionResponse, TransactionResponse } from "ethers";

import {
  type BlocklistToken,
  BlocklistToken__factory,
  BrokenBalanceToken__factory,
  type FeeOnTransferToken,
  FeeOnTransferToken__factory,
  type NoReturnToken,
  NoReturnToken__factory,
  type PaymentEscrow,
  type RebasingToken,
  RebasingToken__factory,
  type ReentrantToken,
  ReentrantToken__factory,
  type ReturnsFalseToken,
  ReturnsFalseToken__factory,
} from "../../typechain-types/index.js";
import { type Deployed, deployAll, ethers, networkHelpers } from "../helpers/fixture.js";
import { type Merchant, pick, register } from "../helpers/merchants.js";
import { type TestInvoice, compact, makeInvoice, packInvoice, signInvoice } from "../helpers/invoices.js";

const ETH = ethers.ZeroAddress;
const HOLD = 24n * 3600n;
const BPS = 10_000n;
const FOT_FEE_BPS = 100n;
const FUNDS = 10n ** 15n;
/** IPaymentEscrow.PaymentState. */
const HELD = 1n;
const DISPUTED = 2n;
/** Selector of OpenZeppelin's `ReentrancyGuardReentrantCall()`. */
const REENTRANT_CALL = ethers.id("ReentrancyGuardReentrantCall()").slice(0, 10);

async function latest(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

let nextNumber = 1n;

async function invoiceFor(merchant: Merchant, token: string, amount: bigint, extra: Partial<TestInvoice> = {}) {
  return makeInvoice({
    merchantId: merchant.id,
    invoiceNumber: nextNumber++,
    expiry: (await latest()) + 60n * HOLD,
    token,
    amount,
    ...extra,
  });
}

/** Signs and pays an invoice; returns it with the payment id. */
async function pay(
  escrow: PaymentEscrow,
  payer: HardhatEthersSigner,
  merchant: Merchant,
  token: string,
  amount: bigint,
) {
  const invoice = await invoiceFor(merchant, token, amount);
  const signature = await signInvoice(merchant.signer, escrow, invoice);
  await escrow.connect(payer).pay(invoice, signature, { value: token === ETH ? amount : 0n });
  return { invoice, id: (invoice.merchantId << 64n) | invoice.invoiceNumber };
}

function feeOf(amount: bigint, feeBps: bigint): bigint {
  return (amount * feeBps) / BPS;
}

interface TokenWorld extends Deployed {
  instant: Merchant;
  held: Merchant;
  held2: Merchant;
  payer: HardhatEthersSigner;
  payer2: HardhatEthersSigner;
  spare: HardhatEthersSigner[];
  escrowAddress: string;
  fot: FeeOnTransferToken;
  noReturn: NoReturnToken;
  returnsFalse: ReturnsFalseToken;
  blocklist: BlocklistToken;
  rebasing: RebasingToken;
  exactRebasing: RebasingToken;
  reentrant: ReentrantToken;
  addr: Record<"fot" | "noReturn" | "returnsFalse" | "blocklist" | "rebasing" | "exactRebasing" | "reentrant", string>;
}

/** The real deployment, three merchants, two funded payers and every hostile token allowlisted by the admin. */
async function tokenWorld(): Promise<TokenWorld> {
  const d = await deployAll();
  const o = d.others;
  const instant = await register(d.registry, pick(o, 0), pick(o, 1), pick(o, 2).address, 0n);
  const held = await register(d.registry, pick(o, 3), pick(o, 4), pick(o, 5).address, HOLD);
  const held2 = await register(d.registry, pick(o, 6), pick(o, 7), pick(o, 8).address, HOLD);
  const payer = pick(o, 9);
  const payer2 = pick(o, 10);
  const escrowAddress = ethers.getAddress(await d.escrow.getAddress());
  const deployer = d.deployer;
  const fot = await new FeeOnTransferToken__factory(deployer).deploy(FOT_FEE_BPS);
  const noReturn = await new NoReturnToken__factory(deployer).deploy();
  const returnsFalse = await new ReturnsFalseToken__factory(deployer).deploy();
  const blocklist = await new BlocklistToken__factory(deployer).deploy();
  // 1.1 tokens per share: transfers round the shares down. The second one moves exact amounts until rebased.
  const rebasing = await new RebasingToken__factory(deployer).deploy(11n * 10n ** 17n);
  const exactRebasing = await new RebasingToken__factory(deployer).deploy(10n ** 18n);
  const reentrant = await new ReentrantToken__factory(deployer).deploy();
  const addr = {
    fot: await fot.getAddress(),
    noReturn: await noReturn.getAddress(),
    returnsFalse: await returnsFalse.getAddress(),
    blocklist: await blocklist.getAddress(),
    rebasing: await rebasing.getAddress(),
    exactRebasing: await exactRebasing.getAddress(),
    reentrant: await reentrant.getAddress(),
  };
  for (const token of Object.values(addr)) await d.escrow.connect(d.admin).setTokenAllowed(token, true);
  for (const account of [payer, payer2]) {
    await fot.mint(account.address, FUNDS);
    await noReturn.mint(account.address, FUNDS);
    await returnsFalse.mint(account.address, FUNDS);
    await blocklist.mint(account.address, FUNDS);
    await rebasing.mintShares(account.address, FUNDS);
    await exactRebasing.mintShares(account.address, FUNDS);
    await reentrant.mint(account.address, FUNDS);
    await d.token.mint(account.address, FUNDS);
    for (const token of [fot, returnsFalse, blocklist, rebasing, exactRebasing, reentrant, d.token]) {
      await token.connect(account).approve(escrowAddress, ethers.MaxUint256);
    }
    await noReturn.connect(account).approve(escrowAddress, ethers.MaxUint256);
  }
  return {
    ...d,
    instant,
    held,
    held2,
    payer,
    payer2,
    spare: o.slice(11),
    escrowAddress,
    fot,
    noReturn,
    returnsFalse,
    blocklist,
    rebasing,
    exactRebasing,
    reentrant,
    addr,
  };
}

function load(): Promise<TokenWorld> {
  return networkHelpers.loadFixture(tokenWorld);
}

describe("attacks: hostile tokens", () => {
  describe("fee-on-transfer token", () => {
    // Defence: the exact-transfer check in _collect (balance after == balance before + amount).
    it("reverts pay with PaymentEscrowInexactTransfer and leaves the invoice unused", async () => {
      const w = await load();
      const amount = 1_000_000n;
      const invoice = await invoiceFor(w.instant, w.addr.fot, amount);
      const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
      const received = amount - feeOf(amount, FOT_FEE_BPS);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInexactTransfer")
        .withArgs(w.addr.fot, amount, received);
      expect(await w.escrow.isInvoiceUsed(invoice.merchantId, invoice.invoiceNumber)).to.equal(false);
      expect(await w.fot.balanceOf(w.payer.address)).to.equal(FUNDS);
      expect(await w.fot.balanceOf(w.escrowAddress)).to.equal(0n);
    });

    it("reverts a merchant-funded refundSettled in that token with PaymentEscrowInexactTransfer", async () => {
      const w = await load();
      const { invoice } = await pay(w.escrow, w.payer, w.instant, await w.token.getAddress(), 500_000n);
      await w.fot.mint(w.instant.signer.address, 1_000_000n);
      await w.fot.connect(w.instant.signer).approve(w.escrowAddress, ethers.MaxUint256);
      const amount = 200_000n;
      await expect(
        w.escrow
          .connect(w.instant.signer)
          .refundSettled(invoice.merchantId, invoice.invoiceNumber, w.payer.address, w.addr.fot, amount, 0n, 0),
      )
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInexactTransfer")
        .withArgs(w.addr.fot, amount, amount - feeOf(amount, FOT_FEE_BPS));
    });
  });

  describe("token that returns nothing (USDT-style)", () => {
    // Defence: SafeERC20 on the way in and _tryTransfer on the way out accept empty return data from a contract.
    it("pays a held invoice, refunds part of it and releases the rest", async () => {
      const w = await load();
      const amount = 3_000_000n;
      const invoice = await invoiceFor(w.held, w.addr.noReturn, amount);
      const signature = await signInvoice(w.held.signer, w.escrow, invoice);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature)).to.changeTokenBalances(
        ethers,
        w.noReturn,
        [w.payer, w.escrowAddress],
        [-amount, amount],
      );
      const refund = 1_000_000n;
      await expect(
        w.escrow.connect(w.held.signer).refund(invoice.merchantId, invoice.invoiceNumber, refund),
      ).to.changeTokenBalances(ethers, w.noReturn, [w.payer, w.escrowAddress], [refund, -refund]);
      await networkHelpers.time.increase(HOLD);
      const rest = amount - refund;
      const fee = feeOf(rest, w.feeBps);
      const id = (invoice.merchantId << 64n) | invoice.invoiceNumber;
      await expect(w.escrow.release([id])).to.changeTokenBalances(
        ethers,
        w.noReturn,
        [w.held.payout, w.escrowAddress],
        [rest - fee, -(rest - fee)],
      );
      expect(await w.escrow.withdrawableOf(w.held.payout, w.addr.noReturn)).to.equal(0n);
      expect(await w.escrow.withdrawableOf(w.treasury.address, w.addr.noReturn)).to.equal(fee);
      await expect(w.escrow.connect(w.treasury).withdraw(w.addr.noReturn, w.treasury.address)).to.changeTokenBalances(
        ethers,
        w.noReturn,
        [w.treasury, w.escrowAddress],
        [fee, -fee],
      );
    });

    it("settles an instant payment straight to the payout", async () => {
      const w = await load();
      const amount = 2_000_000n;
      const invoice = await invoiceFor(w.instant, w.addr.noReturn, amount);
      const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
      const fee = feeOf(amount, w.feeBps);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature)).to.changeTokenBalances(
        ethers,
        w.noReturn,
        [w.payer, w.instant.payout, w.escrowAddress],
        [-amount, amount - fee, fee],
      );
      expect(await w.escrow.withdrawableOf(w.instant.payout, w.addr.noReturn)).to.equal(0n);
    });
  });

  describe("token that returns false", () => {
    // Defence: SafeERC20.safeTransferFrom treats `false` as failure.
    it("reverts pay with SafeERC20FailedOperation when transferFrom returns false", async () => {
      const w = await load();
      await w.returnsFalse.setFailures(false, true);
      const invoice = await invoiceFor(w.instant, w.addr.returnsFalse, 1_000_000n);
      const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "SafeERC20FailedOperation")
        .withArgs(w.addr.returnsFalse);
      expect(await w.escrow.isInvoiceUsed(invoice.merchantId, invoice.invoiceNumber)).to.equal(false);
    });

    // Defence: _tryTransfer treats `false` as failure and credits the amount instead of losing it.
    it("credits the payout's share when transfer returns false, and the payout withdraws it later", async () => {
      const w = await load();
      await w.returnsFalse.setFailures(true, false);
      const amount = 1_000_000n;
      const invoice = await invoiceFor(w.instant, w.addr.returnsFalse, amount);
      const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
      const share = amount - feeOf(amount, w.feeBps);
      const tx = w.escrow.connect(w.payer).pay(invoice, signature);
      await expect(tx).to.emit(w.escrow, "BalanceCredited").withArgs(w.instant.payout, w.addr.returnsFalse, share);
      await expect(tx).to.changeTokenBalances(
        ethers,
        w.returnsFalse,
        [w.instant.payout, w.escrowAddress],
        [0n, amount],
      );
      expect(await w.escrow.withdrawableOf(w.instant.payout, w.addr.returnsFalse)).to.equal(share);

      await w.returnsFalse.setFailures(false, false);
      const payout = await ethers.getSigner(w.instant.payout);
      const to = pick(w.spare, 0).address;
      await expect(w.escrow.connect(payout).withdraw(w.addr.returnsFalse, to)).to.changeTokenBalances(
        ethers,
        w.returnsFalse,
        [to, w.escrowAddress],
        [share, -share],
      );
    });

    it("reverts withdraw with PaymentEscrowWithdrawFailed while transfer returns false, keeping the balance", async () => {
      const w = await load();
      const amount = 1_000_000n;
      await pay(w.escrow, w.payer, w.instant, w.addr.returnsFalse, amount);
      const fee = feeOf(amount, w.feeBps);
      await w.returnsFalse.setFailures(true, false);
      await expect(w.escrow.connect(w.treasury).withdraw(w.addr.returnsFalse, w.treasury.address))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowWithdrawFailed")
        .withArgs(w.addr.returnsFalse, w.treasury.address, fee);
      expect(await w.escrow.withdrawableOf(w.treasury.address, w.addr.returnsFalse)).to.equal(fee);
    });
  });

  describe("re-entrant token (transfer hook)", () => {
    /** Every state-changing escrow entry point a hook could try to re-enter. */
    type Inner =
      | "pay"
      | "payPacked"
      | "payPackedRaw"
      | "cancelInvoice"
      | "release"
      | "refund"
      | "refundSettled"
      | "openDispute"
      | "resolveDispute"
      | "reclaim"
      | "withdraw";
    /** Entry points that move the re-entrant token (so its hook runs inside them). */
    type Outer = "pay" | "payPacked" | "payPackedRaw" | "release" | "refund" | "refundSettled" | "withdraw";

    interface InnerCall {
      data: string;
      value: bigint;
      /** Asserts the call had no effect. */
      undone: () => Promise<void>;
    }

    interface ReentryWorld extends TokenWorld {
      inner: Record<Inner, InnerCall>;
      outer: Record<Outer, () => Promise<ContractTransactionResponse | TransactionResponse>>;
    }

    /**
     * Sets up, for each entry point, a call the token contract could legitimately make outside any other call (as
     * a payer, a merchant owner, the arbiter or a credited account), so only the re-entrancy guard can stop it
     * from inside a hook; and for each outer call a payment whose processing moves the re-entrant token.
     */
    async function reentryWorld(): Promise<ReentryWorld> {
      const w = await tokenWorld();
      const t = w.reentrant;
      const tAddress = ethers.getAddress(w.addr.reentrant);
      const iface = w.escrow.interface;
      const registryAddress = await w.registry.getAddress();
      const asToken = (to: string, data: string, value = 0n) => t.execute(to, value, data, { value });
      await w.deployer.sendTransaction({ to: tAddress, value: 10n ** 20n });

      // The token contract owns two merchants (held and instant), is the arbiter, and pays and disputes.
      const registerAs = async (hold: bigint, name: string): Promise<Merchant> => {
        const data = w.registry.interface.encodeFunctionData("register", [
          tAddress,
          pick(w.spare, 1).address,
          pick(w.spare, 2).address,
          hold,
          name,
          "",
        ]);
        await asToken(registryAddress, data);
        return { id: await w.registry.merchantCount(), signer: pick(w.spare, 2), payout: pick(w.spare, 1).address };
      };
      const tokenOwned = await registerAs(HOLD, "Token-owned held");
      const tokenOwnedInstant = await registerAs(0n, "Token-owned instant");
      const longHold = await register(
        w.registry,
        pick(w.spare, 3),
        pick(w.spare, 4),
        pick(w.spare, 0).address,
        30n * HOLD,
      );
      await w.registry.connect(w.admin).grantRole(await w.registry.ARBITER_ROLE(), tAddress);

      // The token contract has a withdrawable balance (a payout of its that returned false).
      const creditor = await register(w.registry, pick(w.spare, 3), pick(w.spare, 4), tAddress, 0n);
      await w.returnsFalse.setFailures(true, false);
      await pay(w.escrow, w.payer2, creditor, w.addr.returnsFalse, 1_000_000n);
      await w.returnsFalse.setFailures(false, false);
      const creditBefore = await w.escrow.withdrawableOf(tAddress, w.addr.returnsFalse);

      // Inner targets, all in ETH (so they never move the re-entrant token themselves).
      const innerInvoice = await invoiceFor(w.instant, ETH, 10n ** 18n);
      const innerSignature = await signInvoice(w.instant.signer, w.escrow, innerInvoice);
      const packedInvoice = await invoiceFor(w.instant, ETH, 10n ** 18n);
      const packedSignature = await signInvoice(w.instant.signer, w.escrow, packedInvoice);
      const refundTarget = await pay(w.escrow, w.payer2, tokenOwned, ETH, 10n ** 18n);
      const releaseTarget = await pay(w.escrow, w.payer2, w.held, ETH, 10n ** 18n);
      const settledTarget = await pay(w.escrow, w.payer2, tokenOwnedInstant, ETH, 10n ** 18n);
      const resolveTarget = await pay(w.escrow, w.payer2, longHold, ETH, 10n ** 18n);
      const payAsToken = async (merchant: Merchant) => {
        const invoice = await invoiceFor(merchant, ETH, 10n ** 18n);
        const signature = await signInvoice(merchant.signer, w.escrow, invoice);
        await asToken(w.escrowAddress, iface.encodeFunctionData("pay", [invoice, signature]), invoice.amount);
        return invoice;
      };
      const disputeTarget = await payAsToken(longHold);
      const reclaimTarget = await payAsToken(longHold);
      await asToken(
        w.escrowAddress,
        iface.encodeFunctionData("openDispute", [longHold.id, reclaimTarget.invoiceNumber]),
      );
      const cancelNumber = 999_999n;

      // Outer payments in the re-entrant token.
      const outerPayInvoice = await invoiceFor(w.instant, w.addr.reentrant, 1_000_000n);
      const outerPaySignature = await signInvoice(w.instant.signer, w.escrow, outerPayInvoice);
      const outerPackedInvoice = await invoiceFor(w.instant, w.addr.reentrant, 1_500_000n);
      const outerPackedSignature = await signInvoice(w.instant.signer, w.escrow, outerPackedInvoice);
      const { tokenIndex } = await w.escrow.tokenIndexOf(w.addr.reentrant);
      const outerRelease = await pay(w.escrow, w.payer, w.held2, w.addr.reentrant, 2_000_000n);
      const outerRefund = await pay(w.escrow, w.payer, w.held2, w.addr.reentrant, 3_000_000n);
      const feePayment = await pay(w.escrow, w.payer, w.instant, w.addr.reentrant, 4_000_000n);
      await w.reentrant.mint(w.instant.signer.address, 10_000_000n);
      await w.reentrant.connect(w.instant.signer).approve(w.escrowAddress, ethers.MaxUint256);
      await networkHelpers.time.increase(w.disputeTimeout + 1n); // past the holds and the dispute deadline
      // Opened after the jump: the arbiter decides before the deadline (it cannot after it).
      await w.escrow.connect(w.payer2).openDispute(longHold.id, resolveTarget.invoice.invoiceNumber);
      const payer2Balance = await ethers.provider.getBalance(w.payer2.address);

      const stateOf = async (merchant: Merchant, invoiceNumber: bigint) =>
        (await w.escrow.paymentOf(merchant.id, invoiceNumber)).state;
      return {
        ...w,
        inner: {
          pay: {
            data: iface.encodeFunctionData("pay", [innerInvoice, innerSignature]),
            value: innerInvoice.amount,
            undone: async () => {
              expect(await w.escrow.isInvoiceUsed(innerInvoice.merchantId, innerInvoice.invoiceNumber)).to.equal(false);
            },
          },
          payPacked: {
            data: iface.encodeFunctionData("payPacked", [packInvoice(packedInvoice, 0n, compact(packedSignature))]),
            value: packedInvoice.amount,
            undone: async () => {
              expect(await w.escrow.isInvoiceUsed(packedInvoice.merchantId, packedInvoice.invoiceNumber)).to.equal(
                false,
              );
            },
          },
          payPackedRaw: {
            // Same invoice as payPacked (each test starts from the fixture): selector + the packed bytes.
            data: ethers.concat([
              iface.getFunction("payPackedRaw")!.selector,
              packInvoice(packedInvoice, 0n, compact(packedSignature)),
            ]),
            value: packedInvoice.amount,
            undone: async () => {
              expect(await w.escrow.isInvoiceUsed(packedInvoice.merchantId, packedInvoice.invoiceNumber)).to.equal(
                false,
              );
            },
          },
          cancelInvoice: {
            data: iface.encodeFunctionData("cancelInvoice", [tokenOwned.id, cancelNumber]),
            value: 0n,
            undone: async () => {
              expect(await w.escrow.isInvoiceUsed(tokenOwned.id, cancelNumber)).to.equal(false);
            },
          },
          release: {
            data: iface.encodeFunctionData("release", [[releaseTarget.id]]),
            value: 0n,
            undone: async () => {
              expect(await stateOf(w.held, releaseTarget.invoice.invoiceNumber)).to.equal(HELD);
            },
          },
          refund: {
            data: iface.encodeFunctionData("refund", [tokenOwned.id, refundTarget.invoice.invoiceNumber, 10n ** 17n]),
            value: 0n,
            undone: async () => {
              expect((await w.escrow.paymentOf(tokenOwned.id, refundTarget.invoice.invoiceNumber)).refunded).to.equal(
                0n,
              );
            },
          },
          refundSettled: {
            data: iface.encodeFunctionData("refundSettled", [
              tokenOwnedInstant.id,
              settledTarget.invoice.invoiceNumber,
              w.payer2.address,
              ETH,
              10n ** 17n,
              0,
              0,
            ]),
            value: 10n ** 17n,
            undone: async () => {
              expect(await ethers.provider.getBalance(w.payer2.address)).to.equal(payer2Balance);
            },
          },
          openDispute: {
            data: iface.encodeFunctionData("openDispute", [longHold.id, disputeTarget.invoiceNumber]),
            value: 0n,
            undone: async () => {
              expect(await stateOf(longHold, disputeTarget.invoiceNumber)).to.equal(HELD);
            },
          },
          resolveDispute: {
            data: iface.encodeFunctionData("resolveDispute", [
              longHold.id,
              resolveTarget.invoice.invoiceNumber,
              10n ** 17n,
            ]),
            value: 0n,
            undone: async () => {
              expect(await stateOf(longHold, resolveTarget.invoice.invoiceNumber)).to.equal(DISPUTED);
            },
          },
          reclaim: {
            data: iface.encodeFunctionData("reclaim", [longHold.id, reclaimTarget.invoiceNumber]),
            value: 0n,
            undone: async () => {
              expect(await stateOf(longHold, reclaimTarget.invoiceNumber)).to.equal(DISPUTED);
            },
          },
          withdraw: {
            data: iface.encodeFunctionData("withdraw", [w.addr.returnsFalse, pick(w.spare, 0).address]),
            value: 0n,
            undone: async () => {
              expect(await w.escrow.withdrawableOf(tAddress, w.addr.returnsFalse)).to.equal(creditBefore);
            },
          },
        },
        outer: {
          pay: () => w.escrow.connect(w.payer).pay(outerPayInvoice, outerPaySignature),
          payPacked: () =>
            w.escrow
              .connect(w.payer)
              .payPacked(packInvoice(outerPackedInvoice, tokenIndex, compact(outerPackedSignature))),
          payPackedRaw: async () =>
            w.payer.sendTransaction({
              to: w.escrowAddress,
              data: ethers.concat([
                w.escrow.interface.getFunction("payPackedRaw").selector,
                packInvoice(outerPackedInvoice, tokenIndex, compact(outerPackedSignature)),
              ]),
            }),
          release: () => w.escrow.release([outerRelease.id]),
          refund: () =>
            w.escrow.connect(w.held2.signer).refund(w.held2.id, outerRefund.invoice.invoiceNumber, 1_000_000n),
          refundSettled: () =>
            w.escrow
              .connect(w.instant.signer)
              .refundSettled(
                w.instant.id,
                feePayment.invoice.invoiceNumber,
                w.payer.address,
                w.addr.reentrant,
                500_000n,
                0n,
                0,
              ),
          withdraw: () => w.escrow.connect(w.treasury).withdraw(w.addr.reentrant, w.treasury.address),
        },
      };
    }

    const inners: Inner[] = [
      "pay",
      "payPacked",
      "payPackedRaw",
      "cancelInvoice",
      "release",
      "refund",
      "refundSettled",
      "openDispute",
      "resolveDispute",
      "reclaim",
      "withdraw",
    ];
    const outers: Outer[] = ["pay", "payPacked", "payPackedRaw", "release", "refund", "refundSettled", "withdraw"];

    for (const inner of inners) {
      it(`control: the token contract's ${inner} call succeeds when it is not re-entrant`, async () => {
        const w = await networkHelpers.loadFixture(reentryWorld);
        const call = w.inner[inner];
        await expect(w.reentrant.execute(w.escrowAddress, call.value, call.data)).to.not.revert(ethers);
        await expect(call.undone()).to.be.rejectedWith(Error);
      });
    }

    // Defence: nonReentrant on every state-changing entry point (ReentrancyGuardTransient). Removing it from the
    // outer function, or from the inner one, lets the inner call through.
    for (const outer of outers) {
      for (const inner of inners) {
        it(`blocks ${inner} re-entered from the token hook during ${outer} (ReentrancyGuardReentrantCall)`, async () => {
          const w = await networkHelpers.loadFixture(reentryWorld);
          const call = w.inner[inner];
          await w.reentrant.arm(w.escrowAddress, call.value, call.data, false);
          await (await w.outer[outer]()).wait();
          expect(await w.reentrant.reentryCount()).to.equal(1n);
          expect(await w.reentrant.lastReentrySucceeded()).to.equal(false);
          expect(await w.reentrant.lastReentrySelector()).to.equal(REENTRANT_CALL);
          expect(await w.reentrant.lastReentryDataLength()).to.equal(4n);
          await call.undone();
        });
      }
    }

    it("reverts the outer pay with ReentrancyGuardReentrantCall when the hook bubbles the failure", async () => {
      const w = await networkHelpers.loadFixture(reentryWorld);
      const call = w.inner.pay;
      await w.reentrant.arm(w.escrowAddress, call.value, call.data, true);
      await expect(w.outer.pay()).to.be.revertedWithCustomError(w.escrow, "ReentrancyGuardReentrantCall").withArgs();
      await call.undone();
    });
  });

  describe("blocklist token (USDC-style)", () => {
    // Defence: the push fallback (_push credits a failed transfer) and the pull ledger for fees.
    it("credits a blocked payout's share and still releases the rest of the batch", async () => {
      const w = await load();
      const a = await pay(w.escrow, w.payer, w.held, w.addr.blocklist, 5_000_000n);
      const b = await pay(w.escrow, w.payer, w.held2, w.addr.blocklist, 7_000_000n);
      await w.blocklist.setBlocked(w.held.payout, true);
      await networkHelpers.time.increase(HOLD);
      const shareA = 5_000_000n - feeOf(5_000_000n, w.feeBps);
      const shareB = 7_000_000n - feeOf(7_000_000n, w.feeBps);
      const tx = w.escrow.release([a.id, b.id]);
      await expect(tx).to.emit(w.escrow, "BalanceCredited").withArgs(w.held.payout, w.addr.blocklist, shareA);
      await expect(tx).to.changeTokenBalances(
        ethers,
        w.blocklist,
        [w.held.payout, w.held2.payout, w.escrowAddress],
        [0n, shareB, -shareB],
      );
      expect(await w.escrow.withdrawableOf(w.held.payout, w.addr.blocklist)).to.equal(shareA);
      expect(await w.escrow.withdrawableOf(w.held2.payout, w.addr.blocklist)).to.equal(0n);

      // The blocked merchant takes its money out to a clean address.
      const clean = pick(w.spare, 0).address;
      const payout = await ethers.getSigner(w.held.payout);
      await expect(w.escrow.connect(payout).withdraw(w.addr.blocklist, clean))
        .to.emit(w.escrow, "Withdrawn")
        .withArgs(w.held.payout, w.addr.blocklist, clean, shareA);
      expect(await w.blocklist.balanceOf(clean)).to.equal(shareA);
      expect(await w.escrow.withdrawableOf(w.held.payout, w.addr.blocklist)).to.equal(0n);
    });

    it("credits a blocked payout when an instant payment settles, and the payment succeeds", async () => {
      const w = await load();
      await w.blocklist.setBlocked(w.instant.payout, true);
      const amount = 1_000_000n;
      const invoice = await invoiceFor(w.instant, w.addr.blocklist, amount);
      const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
      const share = amount - feeOf(amount, w.feeBps);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature))
        .to.emit(w.escrow, "BalanceCredited")
        .withArgs(w.instant.payout, w.addr.blocklist, share);
      expect(await w.escrow.isInvoiceUsed(invoice.merchantId, invoice.invoiceNumber)).to.equal(true);
      expect(await w.blocklist.balanceOf(w.escrowAddress)).to.equal(amount);
    });

    it("credits refunds to a blocked payer's withdrawable balance (refund, resolve and reclaim)", async () => {
      const w = await load();
      const refunded = await pay(w.escrow, w.payer, w.held, w.addr.blocklist, 1_000_000n);
      const resolved = await pay(w.escrow, w.payer, w.held, w.addr.blocklist, 2_000_000n);
      const reclaimed = await pay(w.escrow, w.payer, w.held, w.addr.blocklist, 3_000_000n);
      await w.escrow.connect(w.payer).openDispute(w.held.id, resolved.invoice.invoiceNumber);
      await w.escrow.connect(w.payer).openDispute(w.held.id, reclaimed.invoice.invoiceNumber);
      await w.blocklist.setBlocked(w.payer.address, true);

      await expect(w.escrow.connect(w.held.signer).refund(w.held.id, refunded.invoice.invoiceNumber, 1_000_000n))
        .to.emit(w.escrow, "BalanceCredited")
        .withArgs(w.payer.address, w.addr.blocklist, 1_000_000n);
      await expect(w.escrow.connect(w.arbiter).resolveDispute(w.held.id, resolved.invoice.invoiceNumber, 500_000n))
        .to.emit(w.escrow, "BalanceCredited")
        .withArgs(w.payer.address, w.addr.blocklist, 500_000n);
      await networkHelpers.time.increase(w.disputeTimeout);
      await expect(w.escrow.connect(w.payer).reclaim(w.held.id, reclaimed.invoice.invoiceNumber))
        .to.emit(w.escrow, "BalanceCredited")
        .withArgs(w.payer.address, w.addr.blocklist, 3_000_000n);
      expect(await w.escrow.withdrawableOf(w.payer.address, w.addr.blocklist)).to.equal(4_500_000n);
      expect(await w.blocklist.balanceOf(w.payer.address)).to.equal(FUNDS - 6_000_000n);

      const clean = pick(w.spare, 0).address;
      await expect(w.escrow.connect(w.payer).withdraw(w.addr.blocklist, clean)).to.changeTokenBalances(
        ethers,
        w.blocklist,
        [clean, w.escrowAddress],
        [4_500_000n, -4_500_000n],
      );
    });

    it("keeps accruing fees for a blocked treasury while payments go through", async () => {
      const w = await load();
      await w.blocklist.setBlocked(w.treasury.address, true);
      const amounts = [1_000_000n, 2_345_678n];
      let fees = 0n;
      for (const amount of amounts) {
        const invoice = await invoiceFor(w.instant, w.addr.blocklist, amount);
        const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
        const fee = feeOf(amount, w.feeBps);
        fees += fee;
        await expect(w.escrow.connect(w.payer).pay(invoice, signature)).to.changeTokenBalances(
          ethers,
          w.blocklist,
          [w.payer, w.instant.payout, w.escrowAddress],
          [-amount, amount - fee, fee],
        );
      }
      expect(await w.escrow.withdrawableOf(w.treasury.address, w.addr.blocklist)).to.equal(fees);
      const clean = pick(w.spare, 0).address;
      await expect(w.escrow.connect(w.treasury).withdraw(w.addr.blocklist, clean)).to.changeTokenBalances(
        ethers,
        w.blocklist,
        [clean, w.escrowAddress],
        [fees, -fees],
      );
    });
  });

  describe("rebasing token", () => {
    // Defence: the exact-transfer check catches the share rounding of the transfer.
    it("reverts pay with PaymentEscrowInexactTransfer when the transfer rounds the shares down", async () => {
      const w = await load();
      const amount = 1_000_000n;
      const index = await w.rebasing.index();
      const wad = 10n ** 18n;
      const received = (((amount * wad) / index) * index) / wad;
      expect(received).to.be.lessThan(amount);
      const invoice = await invoiceFor(w.instant, w.addr.rebasing, amount);
      const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInexactTransfer")
        .withArgs(w.addr.rebasing, amount, received);
    });

    // Residual risk (docs/SECURITY.md): a rebase after payment is invisible to the escrow, which is why the token
    // allowlist must never hold rebasing tokens. The escrow still never reverts a release over it.
    it("cannot see a rebase after payment: the payout is credited what the escrow no longer holds", async () => {
      const w = await load();
      const amount = 4_000_000n;
      const { id } = await pay(w.escrow, w.payer, w.held, w.addr.exactRebasing, amount);
      expect(await w.exactRebasing.balanceOf(w.escrowAddress)).to.equal(amount);
      await w.exactRebasing.rebase(5n * 10n ** 17n); // every balance halves
      await networkHelpers.time.increase(HOLD);
      const share = amount - feeOf(amount, w.feeBps);
      await expect(w.escrow.release([id]))
        .to.emit(w.escrow, "BalanceCredited")
        .withArgs(w.held.payout, w.addr.exactRebasing, share);
      const payout = await ethers.getSigner(w.held.payout);
      await expect(w.escrow.connect(payout).withdraw(w.addr.exactRebasing, w.held.payout))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowWithdrawFailed")
        .withArgs(w.addr.exactRebasing, w.held.payout, share);
    });
  });

  describe("token whose balance cannot be read", () => {
    /** `BrokenBalanceToken.Mode`. */
    const Mode = { Normal: 0n, Revert: 1n, Empty: 2n, Short: 3n } as const;

    async function brokenBalanceWorld() {
      const w = await load();
      const broken = await new BrokenBalanceToken__factory(w.deployer).deploy();
      const address = ethers.getAddress(await broken.getAddress());
      await w.escrow.connect(w.admin).setTokenAllowed(address, true);
      await broken.mint(w.payer.address, FUNDS);
      await broken.connect(w.payer).approve(w.escrowAddress, ethers.MaxUint256);
      const invoice = await invoiceFor(w.instant, address, 1_000_000n);
      const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
      return { w, broken, address, invoice, signature };
    }

    it("control: pays while balanceOf answers with a full word", async () => {
      const { w, broken, address, invoice, signature } = await brokenBalanceWorld();
      const fee = feeOf(invoice.amount, w.feeBps);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature)).to.changeTokenBalances(
        ethers,
        broken,
        [w.payer.address, w.instant.payout, w.escrowAddress],
        [-invoice.amount, invoice.amount - fee, fee],
      );
      expect(await w.escrow.withdrawableOf(w.treasury.address, address)).to.equal(fee);
    });

    // Defence: _balanceOfThis requires a successful call returning at least one word.
    for (const [name, mode] of [
      ["reverts", Mode.Revert],
      ["returns nothing", Mode.Empty],
      ["returns 31 bytes", Mode.Short],
    ] as const) {
      it(`reverts pay with PaymentEscrowTokenNotContract when balanceOf ${name}`, async () => {
        const { w, broken, address, invoice, signature } = await brokenBalanceWorld();
        await broken.setMode(mode);
        await expect(w.escrow.connect(w.payer).pay(invoice, signature))
          .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowTokenNotContract")
          .withArgs(address);
        expect(await w.escrow.isInvoiceUsed(invoice.merchantId, invoice.invoiceNumber)).to.equal(false);
        await broken.setMode(Mode.Normal);
        expect(await broken.balanceOf(w.payer.address)).to.equal(FUNDS);
      });
    }
  });

  describe("token that is not a contract", () => {
    // Defence: setTokenAllowed checks code length.
    it("cannot be allowlisted (PaymentEscrowTokenNotContract)", async () => {
      const w = await load();
      const eoa = pick(w.spare, 0).address;
      await expect(w.escrow.connect(w.admin).setTokenAllowed(eoa, true))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowTokenNotContract")
        .withArgs(eoa);
      const listed = await w.escrow.tokenIndexOf(eoa);
      expect(listed.listed).to.equal(false);
    });

    it("cannot be paid in (PaymentEscrowTokenNotAllowed)", async () => {
      const w = await load();
      const eoa = pick(w.spare, 0).address;
      const invoice = await invoiceFor(w.instant, eoa, 1_000_000n);
      const signature = await signInvoice(w.instant.signer, w.escrow, invoice);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(eoa);
    });
  });
});
