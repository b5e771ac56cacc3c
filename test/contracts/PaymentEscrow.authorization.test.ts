/**
 * PaymentEscrow.payWithAuthorization: paying an invoice in an EIP-3009 token (USDC, EURC) with one signature of
 * the payer (ReceiveWithAuthorization to the escrow, value = amount, nonce = the invoice digest) that anyone
 * submits. AuthorizationToken behaves as Circle's FiatToken v2.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { Signature, type Signer } from "ethers";

import {
  type AuthorizationToken,
  AuthorizationToken__factory,
  type DepositRouter,
  DepositRouter__factory,
} from "../../typechain-types/index.js";
import {
  expectInvoicePaid,
  feeOf,
  invoiceFor,
  type Merchant,
  now,
  PaymentState,
  paymentIdOf,
  type Scenario,
  SEED_POINTS,
  loadScenario,
  sendPay,
  sign,
  travelTo,
  ZERO_ADDRESS,
} from "../helpers/escrow-scenarios.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import type { TestInvoice } from "../helpers/invoices.js";

const RECEIVE_TYPES = {
  ReceiveWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
};
const TRANSFER_TYPES = { TransferWithAuthorization: RECEIVE_TYPES.ReceiveWithAuthorization };
const CANCEL_TYPES = {
  CancelAuthorization: [
    { name: "authorizer", type: "address" },
    { name: "nonce", type: "bytes32" },
  ],
};

interface Authorization {
  from: string;
  validAfter: bigint;
  validBefore: bigint;
  v: number;
  r: string;
  s: string;
}

describe("PaymentEscrow: payWithAuthorization (EIP-3009)", () => {
  let s: Scenario;
  let usdc: AuthorizationToken;
  let usdcAddress: string;
  let relayer: HardhatEthersSigner;

  async function deployUsdc(): Promise<{ s: Scenario; usdc: AuthorizationToken }> {
    const scenario = await loadScenario();
    const token = await new AuthorizationToken__factory(scenario.deployer).deploy();
    await token.waitForDeployment();
    await (await scenario.escrow.connect(scenario.admin).setTokenAllowed(await token.getAddress(), true)).wait();
    for (const account of [scenario.payer, scenario.payer2]) await (await token.mint(account.address, 10n ** 12n)).wait();
    return { s: scenario, usdc: token };
  }

  beforeEach(async () => {
    ({ s, usdc } = await networkHelpers.loadFixture(deployUsdc));
    usdcAddress = await usdc.getAddress();
    relayer = s.stranger;
  });

  async function usdcDomain() {
    const { chainId } = await ethers.provider.getNetwork();
    return { name: "USD Coin", version: "2", chainId, verifyingContract: usdcAddress };
  }

  /** A USDC invoice of `merchant`, signed by its signer. */
  async function usdcInvoice(merchant: Merchant, overrides: Partial<TestInvoice> = {}) {
    const invoice = await invoiceFor(merchant, { token: usdcAddress, amount: 12_500_000n, ...overrides });
    return { invoice, signature: await sign(s, invoice, merchant.signer) };
  }

  /** `from`'s ReceiveWithAuthorization for `invoice` (overrides: a tampered field). */
  async function authorize(
    from: Signer,
    invoice: TestInvoice,
    overrides: { to?: string; value?: bigint; nonce?: string; validAfter?: bigint; validBefore?: bigint } = {},
    types: Record<string, { name: string; type: string }[]> = RECEIVE_TYPES,
  ): Promise<Authorization> {
    const validAfter = overrides.validAfter ?? 0n;
    const validBefore = overrides.validBefore ?? (await now()) + 3_600n;
    const message = {
      from: await from.getAddress(),
      to: overrides.to ?? s.escrowAddress,
      value: overrides.value ?? invoice.amount,
      validAfter,
      validBefore,
      nonce: overrides.nonce ?? (await s.escrow.invoiceDigest(invoice)),
    };
    const { v, r, s: sigS } = Signature.from(await from.signTypedData(await usdcDomain(), types, message));
    return { from: message.from, validAfter, validBefore, v, r, s: sigS };
  }

  function submit(invoice: TestInvoice, signature: string, authorization: Authorization, by: Signer = relayer) {
    return s.escrow.connect(by).payWithAuthorization(invoice, signature, authorization);
  }

  it("the mock is FiatToken v2's EIP-3009: domain USD Coin / 2, USDC's typehashes, 6 decimals", async () => {
    expect(await usdc.decimals()).to.equal(6n);
    expect(await usdc.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(await usdcDomain()));
    expect(await usdc.RECEIVE_WITH_AUTHORIZATION_TYPEHASH()).to.equal(
      ethers.id("ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"),
    );
    expect(await usdc.TRANSFER_WITH_AUTHORIZATION_TYPEHASH()).to.equal(
      ethers.id("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"),
    );
    expect(await usdc.CANCEL_AUTHORIZATION_TYPEHASH()).to.equal(ethers.id("CancelAuthorization(address authorizer,bytes32 nonce)"));
    // USDC's published values (FiatTokenV2 / EIP3009).
    expect(await usdc.RECEIVE_WITH_AUTHORIZATION_TYPEHASH()).to.equal("0xd099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8");
    expect(await usdc.TRANSFER_WITH_AUTHORIZATION_TYPEHASH()).to.equal("0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267");
    expect(await usdc.CANCEL_AUTHORIZATION_TYPEHASH()).to.equal("0x158b0a9edf7a828aad02f63cd515c68ef2f50ba807396f6d12842833a1597429");
  });

  it("settles at once with one signature of a payer that holds no ETH, submitted by a relayer", async () => {
    const wallet = ethers.Wallet.createRandom().connect(ethers.provider);
    await (await usdc.mint(wallet.address, 20_000_000n)).wait();
    const { invoice, signature } = await usdcInvoice(s.instant, { pointsAward: 12n });
    const authorization = await authorize(wallet, invoice);
    const digest = await s.escrow.invoiceDigest(invoice);
    const fee = feeOf(invoice.amount, s.feeBps);
    const tx = submit(invoice, signature, authorization);
    await expect(tx).to.changeTokenBalances(
      ethers,
      usdc,
      [wallet.address, s.instant.payout, s.escrowAddress, relayer],
      [-invoice.amount, invoice.amount - fee, fee, 0n],
    );
    await expectInvoicePaid(s, tx, invoice, 0n, wallet.address);
    await expect(tx).to.emit(s.escrow, "PaymentSettled").withArgs(s.instant.id, invoice.invoiceNumber, invoice.amount - fee, fee, 12n);
    await expect(tx).to.emit(usdc, "AuthorizationUsed").withArgs(wallet.address, digest);
    expect(await ethers.provider.getBalance(wallet.address)).to.equal(0n);
    expect(await usdc.authorizationState(wallet.address, digest)).to.equal(true);
    expect(await s.points.balanceOf(wallet.address, s.instant.id)).to.equal(12n);
    expect(await s.points.balanceOf(relayer.address, s.instant.id)).to.equal(0n);
    expect(await s.escrow.withdrawableOf(s.treasury.address, usdcAddress)).to.equal(fee);
  });

  it("holds a held merchant's payment with `from` as the payer, who alone may dispute it", async () => {
    const { invoice, signature } = await usdcInvoice(s.held);
    const tx = submit(invoice, signature, await authorize(s.payer2, invoice));
    await expect(tx).to.changeTokenBalances(ethers, usdc, [s.payer2, s.escrowAddress, s.held.payout], [-invoice.amount, invoice.amount, 0n]);
    const paidAt = await expectInvoicePaid(s, tx, invoice, s.held.holdPeriod, s.payer2.address);
    await expect(tx).not.to.emit(s.escrow, "PaymentSettled");
    const record = await s.escrow.paymentOf(s.held.id, invoice.invoiceNumber);
    expect(record.payer).to.equal(s.payer2.address);
    expect(record.state).to.equal(PaymentState.Held);
    expect(record.releaseAt).to.equal(paidAt + s.held.holdPeriod);
    expect(record.tokenIndex).to.equal((await s.escrow.tokenIndexOf(usdcAddress)).tokenIndex);
    await expect(s.escrow.connect(relayer).openDispute(s.held.id, invoice.invoiceNumber))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotPayer")
      .withArgs(s.payer2.address, relayer.address);
    const refund = s.escrow.connect(s.held.signer).refund(s.held.id, invoice.invoiceNumber, invoice.amount);
    await expect(refund).to.changeTokenBalances(ethers, usdc, [s.payer2, relayer], [invoice.amount, 0n]);
  });

  it("burns the redeemed points from `from` at payment and awards the earned ones to it on release", async () => {
    const { invoice, signature } = await usdcInvoice(s.held, { pointsRedeem: 100n, pointsAward: 30n });
    const tx = submit(invoice, signature, await authorize(s.payer, invoice));
    await expectInvoicePaid(s, tx, invoice, s.held.holdPeriod, s.payer.address);
    expect(await s.points.balanceOf(s.payer.address, s.held.id)).to.equal(SEED_POINTS - 100n);
    const record = await s.escrow.paymentOf(s.held.id, invoice.invoiceNumber);
    expect(record.pointsRedeem).to.equal(100n);
    await travelTo(record.releaseAt);
    await expect(s.escrow.connect(relayer).release([paymentIdOf(invoice)]))
      .to.emit(s.escrow, "PaymentSettled")
      .withArgs(s.held.id, invoice.invoiceNumber, invoice.amount - feeOf(invoice.amount, s.feeBps), feeOf(invoice.amount, s.feeBps), 30n);
    expect(await s.points.balanceOf(s.payer.address, s.held.id)).to.equal(SEED_POINTS - 100n + 30n);
    expect(await s.points.balanceOf(relayer.address, s.held.id)).to.equal(0n);
  });

  it("cannot redeem points `from` does not hold (the whole payment reverts, no tokens move)", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant, { pointsRedeem: 1n });
    const before = await usdc.balanceOf(s.payer2.address);
    await expect(submit(invoice, signature, await authorize(s.payer2, invoice)))
      .to.be.revertedWithCustomError(s.points, "ERC6909InsufficientBalance")
      .withArgs(s.payer2.address, 0n, 1n, s.instant.id);
    expect(await usdc.balanceOf(s.payer2.address)).to.equal(before);
  });

  it("cannot be replayed: a second submission reverts PaymentEscrowInvoiceUsed, and the token marks the nonce used", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant);
    const authorization = await authorize(s.payer, invoice);
    await (await submit(invoice, signature, authorization)).wait();
    await expect(submit(invoice, signature, authorization, s.payer))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
      .withArgs(s.instant.id, invoice.invoiceNumber);
    // Even the payee itself could not use it twice.
    const digest = await s.escrow.invoiceDigest(invoice);
    await networkHelpers.impersonateAccount(s.escrowAddress);
    await networkHelpers.setBalance(s.escrowAddress, 10n ** 18n);
    const asEscrow = await ethers.getSigner(s.escrowAddress);
    const { from, validAfter, validBefore, v, r, s: sigS } = authorization;
    await expect(usdc.connect(asEscrow).receiveWithAuthorization(from, s.escrowAddress, invoice.amount, validAfter, validBefore, digest, v, r, sigS))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenAuthorizationUsed")
      .withArgs(s.payer.address, digest);
    await networkHelpers.stopImpersonatingAccount(s.escrowAddress);
  });

  it("cannot pay another invoice (its nonce is the other digest: the token rejects the signature)", async () => {
    const a = await usdcInvoice(s.instant);
    const b = await usdcInvoice(s.instant, { amount: a.invoice.amount });
    const authorization = await authorize(s.payer, a.invoice);
    await expect(submit(b.invoice, b.signature, authorization))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenInvalidSignature")
      .withArgs(s.payer.address);
    expect(await s.escrow.isInvoiceUsed(s.instant.id, b.invoice.invoiceNumber)).to.equal(false);
    // It still pays its own invoice.
    await expectInvoicePaid(s, submit(a.invoice, a.signature, authorization), a.invoice, 0n);
  });

  it("cannot move another amount or pay anyone but the escrow (value and `to` are signed)", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant);
    await expect(submit(invoice, signature, await authorize(s.payer, invoice, { value: invoice.amount + 1n })))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenInvalidSignature")
      .withArgs(s.payer.address);
    await expect(submit(invoice, signature, await authorize(s.payer, invoice, { to: relayer.address })))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenInvalidSignature")
      .withArgs(s.payer.address);
  });

  it("a front-runner cannot use the signature with transferWithAuthorization (other typehash) nor receiveWithAuthorization (not the payee)", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant);
    const authorization = await authorize(s.payer, invoice);
    const digest = await s.escrow.invoiceDigest(invoice);
    const { from, validAfter, validBefore, v, r, s: sigS } = authorization;
    const thief = usdc.connect(relayer);
    await expect(thief.transferWithAuthorization(from, s.escrowAddress, invoice.amount, validAfter, validBefore, digest, v, r, sigS))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenInvalidSignature")
      .withArgs(s.payer.address);
    await expect(thief.receiveWithAuthorization(from, s.escrowAddress, invoice.amount, validAfter, validBefore, digest, v, r, sigS))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenCallerNotPayee")
      .withArgs(relayer.address, s.escrowAddress);
    expect(await usdc.authorizationState(s.payer.address, digest)).to.equal(false);
    // Control: a TransferWithAuthorization signature of the same fields does move the tokens (only the typehash
    // differs), and it uses up the nonce, so the invoice can no longer be paid with the payer's authorization.
    const transfer = await authorize(s.payer, invoice, {}, TRANSFER_TYPES);
    await expect(
      thief.transferWithAuthorization(
        from,
        s.escrowAddress,
        invoice.amount,
        transfer.validAfter,
        transfer.validBefore,
        digest,
        transfer.v,
        transfer.r,
        transfer.s,
      ),
    ).to.changeTokenBalances(ethers, usdc, [s.payer, s.escrowAddress], [-invoice.amount, invoice.amount]);
    await expect(submit(invoice, signature, authorization))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenAuthorizationUsed")
      .withArgs(s.payer.address, digest);
  });

  it("reverts PaymentEscrowWrongPayer when the invoice is bound to another payer", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant, { payer: s.payer2.address });
    await expect(submit(invoice, signature, await authorize(s.payer, invoice)))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowWrongPayer")
      .withArgs(s.payer2.address, s.payer.address);
    await expectInvoicePaid(s, submit(invoice, signature, await authorize(s.payer2, invoice)), invoice, 0n, s.payer2.address);
  });

  it("respects the authorization's window: expired validBefore, not yet validAfter", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant);
    const t = await now();
    const expired = await authorize(s.payer, invoice, { validBefore: t + 10n });
    await networkHelpers.time.setNextBlockTimestamp(t + 10n);
    await expect(submit(invoice, signature, expired))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenExpired")
      .withArgs(t + 10n, t + 10n);
    const early = await authorize(s.payer, invoice, { validAfter: t + 100n });
    await networkHelpers.time.setNextBlockTimestamp(t + 100n);
    await expect(submit(invoice, signature, early))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenNotYetValid")
      .withArgs(t + 100n, t + 100n);
    await networkHelpers.time.setNextBlockTimestamp(t + 101n);
    await expectInvoicePaid(s, submit(invoice, signature, early), invoice, 0n);
  });

  it("fails once the payer cancelled the authorization", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant);
    const authorization = await authorize(s.payer, invoice);
    const digest = await s.escrow.invoiceDigest(invoice);
    const cancel = Signature.from(
      await s.payer.signTypedData(await usdcDomain(), CANCEL_TYPES, { authorizer: s.payer.address, nonce: digest }),
    );
    await expect(usdc.connect(relayer).cancelAuthorization(s.payer.address, digest, cancel.v, cancel.r, cancel.s))
      .to.emit(usdc, "AuthorizationCanceled")
      .withArgs(s.payer.address, digest);
    await expect(submit(invoice, signature, authorization))
      .to.be.revertedWithCustomError(usdc, "AuthorizationTokenAuthorizationUsed")
      .withArgs(s.payer.address, digest);
  });

  it("applies the rules of pay: pause, allowlist, merchant signature, expiry", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant);
    const authorization = await authorize(s.payer, invoice);
    await (await s.escrow.connect(s.pauser).pause()).wait();
    await expect(submit(invoice, signature, authorization)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused");
    await (await s.escrow.connect(s.pauser).unpause()).wait();
    await (await s.escrow.connect(s.admin).setTokenAllowed(usdcAddress, false)).wait();
    await expect(submit(invoice, signature, authorization))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
      .withArgs(usdcAddress);
    await (await s.escrow.connect(s.admin).setTokenAllowed(usdcAddress, true)).wait();
    await expect(submit(invoice, await sign(s, invoice, relayer), authorization))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
      .withArgs(s.instant.id, s.instant.signer.address);

    const late = await usdcInvoice(s.instant);
    const lateAuthorization = await authorize(s.payer, late.invoice, { validBefore: late.invoice.expiry + 1_000n });
    await travelTo(late.invoice.expiry + 1n);
    await expect(submit(late.invoice, late.signature, lateAuthorization))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceExpired")
      .withArgs(late.invoice.expiry);
  });

  it("an invoice paid with pay or by deposit cannot also be paid with an authorization, nor the reverse", async () => {
    const router: DepositRouter = DepositRouter__factory.connect(await s.escrow.depositRouter(), relayer);
    // pay first (the payer approves USDC like any token).
    const a = await usdcInvoice(s.instant);
    await (await usdc.connect(s.payer).approve(s.escrowAddress, a.invoice.amount)).wait();
    await (await sendPay(s, a.invoice, a.signature)).wait();
    await expect(submit(a.invoice, a.signature, await authorize(s.payer, a.invoice)))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
      .withArgs(s.instant.id, a.invoice.invoiceNumber);
    // deposit first.
    const b = await usdcInvoice(s.instant, { payer: s.payer.address });
    await (await usdc.connect(s.payer).transfer(await router.depositAddress(b.invoice), b.invoice.amount)).wait();
    await (await router.settleDeposit(b.invoice, b.signature, ZERO_ADDRESS)).wait();
    await expect(submit(b.invoice, b.signature, await authorize(s.payer, b.invoice)))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
      .withArgs(s.instant.id, b.invoice.invoiceNumber);
    // authorization first: neither pay nor the deposit can pay it again.
    const c = await usdcInvoice(s.instant, { payer: s.payer.address });
    await (await submit(c.invoice, c.signature, await authorize(s.payer, c.invoice))).wait();
    await expect(sendPay(s, c.invoice, c.signature))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
      .withArgs(s.instant.id, c.invoice.invoiceNumber);
    await (await usdc.connect(s.payer).transfer(await router.depositAddress(c.invoice), c.invoice.amount)).wait();
    await expect(router.settleDeposit(c.invoice, c.signature, ZERO_ADDRESS))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
      .withArgs(s.instant.id, c.invoice.invoiceNumber);
  });

  it("reverts for a token without EIP-3009 (no receiveWithAuthorization) and for an ETH invoice", async () => {
    const { invoice, signature } = await usdcInvoice(s.instant, { token: s.tokenAddress });
    await expect(submit(invoice, signature, await authorize(s.payer, invoice))).to.be.revertedWithoutReason(ethers);
    const eth = await usdcInvoice(s.instant, { token: ZERO_ADDRESS, amount: 10n ** 15n });
    await expect(submit(eth.invoice, eth.signature, await authorize(s.payer, eth.invoice)))
      .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotContract")
      .withArgs(ZERO_ADDRESS);
  });
});
