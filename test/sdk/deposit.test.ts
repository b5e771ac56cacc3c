/**
 * Deposit addresses and gasless payments through the SDK: the pure address derivation against the chain's, the
 * plain-transfer request, settling (one, a batch, the keeper `collectDeposits`), returning, batched balances, and
 * the EIP-3009 typed data (checked offline: digest and signer recovery).
 */
import { expect } from "chai";
import type { JsonRpcPayload, JsonRpcResult } from "ethers";

import { type AuthorizationToken, AuthorizationToken__factory } from "../../typechain-types/index.js";
import { buildReceiveAuthorization } from "../../src/authorization/buildReceiveAuthorization.js";
import { RECEIVE_WITH_AUTHORIZATION_TYPES } from "../../src/authorization/types.js";
import { cancelInvoice } from "../../src/chain/cancelInvoice.js";
import { collectDeposits } from "../../src/chain/collectDeposits.js";
import { connectScanPay } from "../../src/chain/connectScanPay.js";
import { depositBalances } from "../../src/chain/depositBalances.js";
import { InvalidArgumentError, ScanPayContractError } from "../../src/chain/errors.js";
import { payWithAuthorization } from "../../src/chain/payWithAuthorization.js";
import { returnDeposit } from "../../src/chain/returnDeposit.js";
import { settleDeposit } from "../../src/chain/settleDeposit.js";
import { settleDeposits } from "../../src/chain/settleDeposits.js";
import { signReceiveAuthorization } from "../../src/chain/signReceiveAuthorization.js";
import { withdrawableBalance } from "../../src/chain/withdrawableBalance.js";
import {
  depositAddress,
  depositRouterAddress,
  depositTransferRequest,
  encodeDepositUri,
  SWEEPER_INIT_CODE,
  SWEEPER_INIT_CODE_HASH,
} from "../../src/deposit/index.js";
import { InvoiceFieldError } from "../../src/invoice/errors.js";
import { invoiceDigest } from "../../src/invoice/invoiceDigest.js";
import { type SignedInvoice, ZERO_ADDRESS } from "../../src/invoice/types.js";
import { parseTransferUri } from "../../src/qr/parseTransferUri.js";
import { ethers, networkHelpers, provider } from "../helpers/fixture.js";
import { makeSdkInvoice, rejection, type SdkFixture, sdkFixture, signed, USD } from "./sdk-fixture.js";

describe("SDK: deposit addresses", () => {
  let f: SdkFixture;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
  });

  describe("derivation (pure) against the chain", () => {
    it("SWEEPER_INIT_CODE_HASH is keccak256 of the init code, and the router is the escrow's CREATE address at nonce 1", async () => {
      expect(ethers.keccak256(SWEEPER_INIT_CODE)).to.equal(SWEEPER_INIT_CODE_HASH);
      expect(ethers.dataLength(SWEEPER_INIT_CODE)).to.equal(78);
      expect(depositRouterAddress(f.location.escrow)).to.equal(await f.escrow.depositRouter());
      expect(depositRouterAddress(f.location.escrow.toLowerCase())).to.equal(await f.escrow.depositRouter());
      expect(await f.asKey.depositRouter.getAddress()).to.equal(await f.escrow.depositRouter());
      expect(await f.asKey.depositRouter.escrow()).to.equal(f.location.escrow);
    });

    it("depositAddress equals router.depositAddress(invoice) and depositAddressOf(digest) for varied invoices", async () => {
      const router = f.asKey.depositRouter;
      const seen = new Set<string>();
      for (const [i, overrides] of [
        {},
        { token: f.tokenAddress, amount: 12_500_000n },
        { payer: f.customer.address, pointsAward: 7n },
        { orderRef: ethers.id("order"), holdPeriod: 3600n, epoch: 3n },
        { merchantId: f.heldId, invoiceNumber: 2n ** 64n - 1n, amount: 2n ** 96n - 1n },
      ].entries()) {
        const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: BigInt(i + 1), ...overrides });
        const address = depositAddress(invoice, f.location);
        expect(address).to.equal(await router.depositAddress(invoice));
        expect(address).to.equal(await router.depositAddressOf(invoiceDigest(invoice, f.location)));
        expect(address).to.equal(ethers.getAddress(address));
        seen.add(address);
      }
      expect(seen.size).to.equal(5);
    });

    it("differs per chain and per escrow", async () => {
      const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n });
      const here = depositAddress(invoice, f.location);
      expect(depositAddress(invoice, { ...f.location, chainId: 8453n })).to.not.equal(here);
      expect(depositAddress(invoice, { ...f.location, escrow: f.tokenAddress })).to.not.equal(here);
    });

    it("depositTransferRequest / encodeDepositUri give the plain ETH send and ERC-20 transfer, integers only", async () => {
      const eth = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 10n ** 18n });
      const to = depositAddress(eth, f.location);
      expect(depositTransferRequest(eth, f.location)).to.deep.equal({ kind: "native", to, amount: 10n ** 18n, chainId: f.location.chainId });
      expect(encodeDepositUri(eth, f.location)).to.equal(`ethereum:${to}@${f.location.chainId}?value=1000000000000000000`);
      const usd = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 2n, token: f.tokenAddress.toLowerCase(), amount: 12_500_000n });
      const usdTo = depositAddress(usd, f.location);
      const uri = encodeDepositUri(usd, f.location);
      expect(uri).to.equal(`ethereum:${f.tokenAddress}@${f.location.chainId}/transfer?address=${usdTo}&uint256=12500000`);
      expect(parseTransferUri(uri)).to.deep.equal(depositTransferRequest(usd, f.location));
    });

    it("refuses an invoice that redeems points, a zero amount and a bad location", async () => {
      const redeem = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, pointsRedeem: 1n });
      expect((await rejection(() => encodeDepositUri(redeem, f.location), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("pointsRedeem");
      const zero = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 0n });
      expect((await rejection(() => depositTransferRequest(zero, f.location), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("amount");
      expect((await rejection(() => depositRouterAddress(ZERO_ADDRESS), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("escrow");
      expect((await rejection(() => depositAddress(zero, { ...f.location, chainId: 0n }), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("chainId");
    });
  });

  describe("settleDeposit / settleDeposits", () => {
    it("anyone settles a bound ETH invoice after the payer's plain send; an overpayment is credited to the payer", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, payer: f.customer.address }));
      const to = depositAddress(s.invoice, f.location);
      await (await f.customer.sendTransaction({ to, value: s.invoice.amount + 5n })).wait();
      const result = await settleDeposit(f.asStranger.depositRouter, s);
      expect(result.paid).to.have.length(1);
      expect(result.paid[0]).to.deep.include({ merchantId: f.instantId, invoiceNumber: 1n, payer: f.customer.address, token: ZERO_ADDRESS, amount: s.invoice.amount });
      await expect(result.tx.hash).to.emit(f.escrow, "InvoicePaid");
      expect(result.credited).to.deep.equal([{ account: f.customer.address, token: ZERO_ADDRESS, amount: 5n }]);
      expect(await withdrawableBalance(f.escrow, f.customer.address)).to.equal(5n);
      expect(await ethers.provider.getBalance(to)).to.equal(0n);
    });

    it("the merchant's signer names the payer of an unbound token invoice; a batch settles several", async () => {
      const a = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, token: f.tokenAddress, amount: 3n * USD }));
      const b = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 1n, token: f.tokenAddress, amount: 2n * USD }));
      for (const s of [a, b]) await (await f.token.connect(f.customer).transfer(depositAddress(s.invoice, f.location), s.invoice.amount)).wait();
      const result = await settleDeposits(f.asKey.depositRouter, [
        { ...a, payer: f.customer.address },
        { ...b, payer: f.customer.address },
      ]);
      expect(result.tx.label).to.equal("settleDeposits");
      expect(result.paid.map((p) => [p.merchantId, p.payer, p.amount])).to.deep.equal([
        [f.instantId, f.customer.address, 3n * USD],
        [f.heldId, f.customer.address, 2n * USD],
      ]);
    });

    it("refuses before sending: an empty batch, points to redeem, an unbound invoice without a payer", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n }));
      await rejection(settleDeposits(f.asKey.depositRouter, []), InvalidArgumentError, "INVALID_ARGUMENT");
      expect((await rejection(settleDeposit(f.asKey.depositRouter, s), InvalidArgumentError, "INVALID_ARGUMENT")).argument).to.equal("payer");
      const redeem = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 2n, pointsRedeem: 1n }));
      expect((await rejection(settleDeposit(f.asKey.depositRouter, redeem, { payer: f.customer.address }), InvalidArgumentError, "INVALID_ARGUMENT")).argument).to.equal("pointsRedeem");
    });

    it("decodes the chain's refusals: a short deposit, a stranger naming the payer", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, payer: f.customer.address }));
      const to = depositAddress(s.invoice, f.location);
      await (await f.customer.sendTransaction({ to, value: 1n })).wait();
      const short = await rejection(settleDeposit(f.asStranger.depositRouter, s), ScanPayContractError, "CONTRACT_REVERT");
      expect(short.errorName).to.equal("PaymentEscrowDepositShort");
      expect(short.message).to.equal(
        `the deposit address ${to} holds 1 but the invoice asks for ${s.invoice.amount}: wait for the rest (or return it with returnDeposit once the invoice can no longer be paid)`,
      );
      const unbound = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 2n }));
      await (await f.customer.sendTransaction({ to: depositAddress(unbound.invoice, f.location), value: unbound.invoice.amount })).wait();
      const notMerchant = await rejection(
        settleDeposit(f.asStranger.depositRouter, unbound, { payer: f.stranger.address }),
        ScanPayContractError,
        "CONTRACT_REVERT",
      );
      expect(notMerchant.errorName).to.equal("PaymentEscrowNotMerchant");
    });
  });

  describe("collectDeposits", () => {
    it("settles what is fully paid in one batch, finding the senders, and reports underpaid, empty and failing ones", async () => {
      const fromBlock = await ethers.provider.getBlockNumber();
      const invoice = (n: bigint, extra: object = {}) => makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: n, ...extra });
      const ethUnbound = await signed(f, await invoice(1n));
      const usdUnbound = await signed(f, await invoice(2n, { token: f.tokenAddress, amount: 4n * USD }));
      const usdBound = await signed(f, await invoice(3n, { token: f.tokenAddress, amount: 1n * USD, payer: f.customer.address }));
      const underpaid = await signed(f, await invoice(4n, { token: f.tokenAddress, amount: 5n * USD }));
      const empty = await signed(f, await invoice(5n));
      const used = await signed(f, await invoice(6n, { payer: f.customer.address }));
      const address = (s: SignedInvoice) => depositAddress(s.invoice, f.location);
      await (await f.customer.sendTransaction({ to: address(ethUnbound), value: ethUnbound.invoice.amount })).wait();
      await (await f.stranger.sendTransaction({ to: address(used), value: used.invoice.amount })).wait();
      const usd = f.token.connect(f.customer);
      await (await usd.transfer(address(usdUnbound), 4n * USD)).wait();
      await (await usd.transfer(address(usdBound), 1n * USD)).wait();
      await (await usd.transfer(address(underpaid), 2n * USD)).wait();
      await cancelInvoice(f.asKey.escrow, f.instantId, 6n);

      const items = [ethUnbound, usdUnbound, usdBound, underpaid, empty, used];
      const dry = await collectDeposits(f.asKey.depositRouter, items, { fromBlock, dryRun: true });
      expect(dry.settlement).to.equal(undefined);
      expect(dry.ready.map((r) => r.signed.invoice.invoiceNumber)).to.deep.equal([1n, 2n, 3n]);

      const result = await collectDeposits(f.asKey.depositRouter, items, { fromBlock });
      expect(result.ready.map((r) => [r.signed.invoice.invoiceNumber, r.payer])).to.deep.equal([
        [1n, f.customer.address],
        [2n, f.customer.address],
        [3n, f.customer.address],
      ]);
      expect(result.settlement?.paid.map((p) => [p.invoiceNumber, p.payer, p.amount])).to.deep.equal([
        [1n, f.customer.address, 10n ** 18n],
        [2n, f.customer.address, 4n * USD],
        [3n, f.customer.address, 1n * USD],
      ]);
      expect(result.underpaid.map((u) => [u.signed.invoice.invoiceNumber, u.balance, u.missing])).to.deep.equal([[4n, 2n * USD, 3n * USD]]);
      expect(result.empty.map((e) => e.signed.invoice.invoiceNumber)).to.deep.equal([5n]);
      expect(result.failed.map((e) => [e.signed.invoice.invoiceNumber, (e.error as ScanPayContractError).errorName])).to.deep.equal([
        [6n, "PaymentEscrowInvoiceUsed"],
      ]);

      // A second round finds nothing left to settle.
      const again = await collectDeposits(f.asKey.depositRouter, items.slice(0, 3), { fromBlock });
      expect(again.settlement).to.equal(undefined);
      expect(again.empty).to.have.length(3);
    });

    it("reports an unbound deposit whose sender it cannot find (block range too recent) as failed with INVALID_ARGUMENT", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n }));
      await (await f.customer.sendTransaction({ to: depositAddress(s.invoice, f.location), value: s.invoice.amount })).wait();
      const result = await collectDeposits(f.asKey.depositRouter, [s], { fromBlock: (await ethers.provider.getBlockNumber()) + 1 });
      expect(result.failed.map((e) => e.error.code)).to.deep.equal(["INVALID_ARGUMENT"]);
      expect(result.settlement).to.equal(undefined);
    });
  });

  describe("returnDeposit and depositBalances", () => {
    it("returns a cancelled invoice's deposit to its payer, and a stray asset at any time", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, payer: f.customer.address }));
      const to = depositAddress(s.invoice, f.location);
      await (await f.token.connect(f.customer).transfer(to, 3n * USD)).wait();
      // The token is not the ETH invoice's asset: it goes back at once.
      const stray = await returnDeposit(f.asStranger.depositRouter, s.invoice, f.tokenAddress);
      expect([stray.to, stray.returned, stray.etherReturned]).to.deep.equal([f.customer.address, 3n * USD, 0n]);
      await (await f.customer.sendTransaction({ to, value: 9n })).wait();
      const [before] = await depositBalances(ethers.provider, [{ address: to, token: ZERO_ADDRESS }]);
      expect(before).to.deep.equal({ address: to, token: ZERO_ADDRESS, balance: 9n, ether: 9n });
      const stillPayable = await rejection(returnDeposit(f.asStranger.depositRouter, s.invoice, ZERO_ADDRESS), ScanPayContractError, "CONTRACT_REVERT");
      expect(stillPayable.errorName).to.equal("DepositRouterStillPayable");
      expect(stillPayable.message).to.match(/^invoice 1 of merchant \d+ can still be paid/);
      await cancelInvoice(f.asKey.escrow, f.instantId, 1n);
      const back = await returnDeposit(f.asStranger.depositRouter, s.invoice, ZERO_ADDRESS);
      expect([back.to, back.returned, back.etherReturned]).to.deep.equal([f.customer.address, 9n, 0n]);
      const nothing = await rejection(returnDeposit(f.asStranger.depositRouter, s.invoice, ZERO_ADDRESS), ScanPayContractError, "CONTRACT_REVERT");
      expect(nothing.errorName).to.equal("DepositRouterNothingToReturn");
    });

    it("the merchant names where an unbound invoice's deposit goes back; a stranger may not", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, token: f.tokenAddress, amount: USD }));
      const to = depositAddress(s.invoice, f.location);
      await (await f.customer.sendTransaction({ to, value: 4n })).wait();
      const stranger = await rejection(returnDeposit(f.asStranger.depositRouter, s.invoice, ZERO_ADDRESS, f.stranger.address), ScanPayContractError, "CONTRACT_REVERT");
      expect(stranger.errorName).to.equal("DepositRouterNotMerchant");
      // Stray ETH at a token invoice's address goes back while the invoice is still payable.
      const back = await returnDeposit(f.asKey.depositRouter, s.invoice, ZERO_ADDRESS, f.customer.address);
      expect([back.to, back.returned, back.etherReturned]).to.deep.equal([f.customer.address, 4n, 0n]);
    });

    it("reads many deposit balances at once, in order, with stray ETH at a token address", async () => {
      const a = depositAddress(await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, token: f.tokenAddress }), f.location);
      const b = depositAddress(await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 2n }), f.location);
      await (await f.token.connect(f.customer).transfer(a, 11n)).wait();
      await (await f.customer.sendTransaction({ to: a, value: 2n })).wait();
      await (await f.customer.sendTransaction({ to: b, value: 5n })).wait();
      expect(
        await depositBalances(ethers.provider, [
          { address: a, token: f.tokenAddress },
          { address: b.toLowerCase(), token: ZERO_ADDRESS },
        ]),
      ).to.deep.equal([
        { address: a, token: f.tokenAddress, balance: 11n, ether: 2n },
        { address: b, token: ZERO_ADDRESS, balance: 5n, ether: 5n },
      ]);
    });
  });

  it("depositBalances sends all its reads as one JSON-RPC batch", async () => {
    // A JsonRpcProvider whose transport is the in-process chain, counting the batches it sends.
    const chain = provider;
    class CountingProvider extends ethers.JsonRpcProvider {
      readonly batches: string[][] = [];
      override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
        const list = Array.isArray(payload) ? payload : [payload];
        this.batches.push(list.map((p) => p.method));
        return Promise.all(
          list.map(async (p) => ({ id: p.id, result: await chain.request({ method: p.method, params: p.params as unknown[] }) })),
        );
      }
    }
    const counting = new CountingProvider(undefined, f.location.chainId, { staticNetwork: true });
    const items = [];
    for (let n = 1n; n <= 6n; n++) {
      const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: n, ...(n % 2n === 0n ? { token: f.tokenAddress } : {}) });
      items.push({ address: depositAddress(invoice, f.location), token: invoice.token });
    }
    await (await f.token.connect(f.customer).transfer(items[1]!.address, 5n)).wait();
    const balances = await depositBalances(counting, items);
    expect(balances.map((b) => b.balance)).to.deep.equal([0n, 5n, 0n, 0n, 0n, 0n]);
    // 6 eth_getBalance and 3 balanceOf calls, in one request.
    expect(counting.batches.map((b) => b.length)).to.deep.equal([9]);
    counting.destroy();
  });

  describe("EIP-3009 authorization (typed data, offline)", () => {
    it("builds ReceiveWithAuthorization on the token's domain: to = escrow, value = amount, nonce = invoice digest", async () => {
      const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, token: f.tokenAddress, amount: 12_500_000n });
      const typed = buildReceiveAuthorization(invoice, f.location, f.customer.address.toLowerCase(), { name: "USD Coin", version: "2" });
      expect(typed.primaryType).to.equal("ReceiveWithAuthorization");
      expect(typed.domain).to.deep.equal({ name: "USD Coin", version: "2", chainId: f.location.chainId, verifyingContract: f.tokenAddress });
      expect(typed.message).to.deep.equal({
        from: f.customer.address,
        to: f.location.escrow,
        value: 12_500_000n,
        validAfter: 0n,
        validBefore: invoice.expiry + 1n,
        nonce: invoiceDigest(invoice, f.location),
      });
      const typeString = ethers.TypedDataEncoder.from(typed.types).encodeType("ReceiveWithAuthorization");
      expect(typeString).to.equal(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)",
      );
      expect(RECEIVE_WITH_AUTHORIZATION_TYPES.ReceiveWithAuthorization).to.have.length(6);
      // The digest FiatToken computes: keccak256(0x1901 || DOMAIN_SEPARATOR || structHash).
      const domainSeparator = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "bytes32", "bytes32", "uint256", "address"],
          [
            ethers.id("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
            ethers.id("USD Coin"),
            ethers.id("2"),
            f.location.chainId,
            f.tokenAddress,
          ],
        ),
      );
      const structHash = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "address", "address", "uint256", "uint256", "uint256", "bytes32"],
          [ethers.id(typeString), f.customer.address, f.location.escrow, 12_500_000n, 0n, invoice.expiry + 1n, typed.message.nonce],
        ),
      );
      const digest = ethers.keccak256(ethers.concat(["0x1901", domainSeparator, structHash]));
      expect(ethers.TypedDataEncoder.hash(typed.domain, typed.types, typed.message)).to.equal(digest);

      // signReceiveAuthorization signs it; the signature recovers to the payer.
      const auth = await signReceiveAuthorization(f.customer, invoice, f.location, { tokenDomain: { name: "USD Coin", version: "2" } });
      expect([auth.from, auth.validAfter, auth.validBefore]).to.deep.equal([f.customer.address, 0n, invoice.expiry + 1n]);
      expect(ethers.recoverAddress(digest, { v: auth.v, r: auth.r, s: auth.s })).to.equal(f.customer.address);
    });

    it("refuses an ETH invoice, an empty window; reads the name and needs a version the token lacks", async () => {
      const eth = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n });
      const domain = { name: "USD Coin", version: "2" };
      expect((await rejection(() => buildReceiveAuthorization(eth, f.location, f.customer.address, domain), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("token");
      const usd = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, token: f.tokenAddress });
      const window = { validAfter: 10n, validBefore: 11n };
      expect((await rejection(() => buildReceiveAuthorization(usd, f.location, f.customer.address, domain, window), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("validBefore");
      // TestToken has name() but no version(): the version must be given.
      const auth = await signReceiveAuthorization(f.customer, usd, f.location, { tokenDomain: { version: "1" } });
      const typed = buildReceiveAuthorization(usd, f.location, f.customer.address, { name: await f.token.name(), version: "1" });
      expect(ethers.verifyTypedData(typed.domain, typed.types, typed.message, ethers.Signature.from(auth))).to.equal(f.customer.address);
      const noVersion = await rejection(signReceiveAuthorization(f.customer, usd, f.location), InvalidArgumentError, "INVALID_ARGUMENT");
      expect(noVersion.message).to.equal(
        `token ${f.tokenAddress} has no readable version(): give options.tokenDomain.version (its EIP-712 domain version)`,
      );
    });
  });

  it("connectScanPay gives the router to any runner", async () => {
    const router = connectScanPay(ethers.provider, f.deployment).depositRouter;
    expect(await router.escrow()).to.equal(f.location.escrow);
  });
});

describe("SDK: payWithAuthorization on chain (EIP-3009 mock token)", () => {
  // contracts/mocks/AuthorizationToken.sol: FiatToken v2-like ("USD Coin", "2"), with EIP-5267 eip712Domain().
  let f: SdkFixture;
  let usdc: AuthorizationToken;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
    usdc = await new AuthorizationToken__factory(f.deployer).deploy();
    await (await f.escrow.connect(f.admin).setTokenAllowed(await usdc.getAddress(), true)).wait();
    await (await usdc.mint(f.customer.address, 100n * USD)).wait();
  });

  it("the payer signs once (name and version read from the token), a stranger submits, the payer is of record", async () => {
    const token = await usdc.getAddress();
    const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, token, amount: 12_500_000n }));
    const auth = await signReceiveAuthorization(f.customer, s.invoice, f.location);
    const result = await payWithAuthorization(f.asStranger.escrow, s, auth);
    expect([result.payer, result.paymentId]).to.deep.equal([f.customer.address, (f.instantId << 64n) | 1n]);
    await expect(result.payment.hash).to.emit(f.escrow, "InvoicePaid").withArgs(f.instantId, 1n, f.customer.address, token, 12_500_000n, result.releaseAt);
    expect(await usdc.balanceOf(f.customer.address)).to.equal(100n * USD - 12_500_000n);
    // The authorization pays that invoice once: a replay is refused by the escrow or the token.
    await rejection(payWithAuthorization(f.asStranger.escrow, s, auth), ScanPayContractError, "CONTRACT_REVERT");
  });
});
