/**
 * POST /v1/invoices/{id}/refund and /release on the in-process chain with the real deployment: held refunds
 * (unsigned, sent by the merchant's signer key, partial then full), settled refunds as approve + refundSettled
 * sent from the merchant's own wallet, every refusal with its code, releases before and after the refund window,
 * and isolation between merchants.
 */
import { expect } from "chai";
import { parseEther } from "ethers";

import { invoiceStatus } from "../../src/chain/invoiceStatus.js";
import { payInvoice } from "../../src/chain/payInvoice.js";
import { PaymentEscrow__factory, TestToken__factory } from "../../typechain-types/index.js";
import { networkHelpers } from "../helpers/fixture.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, newMerchant, sdkInvoiceOf, useApiSuite, type TestMerchant } from "./helpers/apiFixture.js";

const escrowInterface = PaymentEscrow__factory.createInterface();
const tokenInterface = TestToken__factory.createInterface();
const HOUR = 3600n;

describe("gateway API: refunds and releases", function () {
  this.timeout(120_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    let held: TestMerchant;
    let unfunded: TestMerchant;

    before(async function () {
      const { setup, keyring, ctx } = s();
      ctx.provider = setup.f.owner.provider ?? undefined;
      held = await newMerchant(suite.db, keyring, setup, "Held", HOUR);
      unfunded = await newMerchant(suite.db, keyring, setup, "Unfunded", HOUR);
      // The signer pays the gas of `send`; the other merchants' signers stay without ETH.
      await (await setup.f.owner.sendTransaction({ to: held.signer.address, value: parseEther("1") })).wait();
    });

    /** Creates an invoice through the API and pays it from the customer's wallet. */
    const paidInvoice = async (merchant: TestMerchant, body: Record<string, unknown> = {}) => {
      const { app, symbol, setup } = s();
      const created = await call(app, "POST", "/v1/invoices", { key: merchant.keys.create, body: { amount: "5", token: symbol, ...body } });
      expect(created.status, created.text).to.equal(201);
      await payInvoice(setup.f.asCustomer.escrow, { invoice: sdkInvoiceOf(created.json), signature: created.json.signature });
      return created.json;
    };
    const refund = (id: string, body: unknown, key = held.keys.refund) => call(s().app, "POST", `/v1/invoices/${id}/refund`, { key, body });
    const release = (id: string, body: unknown, key = held.keys.refund) => call(s().app, "POST", `/v1/invoices/${id}/release`, { key, body });
    const chainStatus = (merchant: TestMerchant, invoice: { invoiceNumber: string }) =>
      invoiceStatus(s().setup.f.escrow, merchant.onChainId, BigInt(invoice.invoiceNumber));
    /** Sends unsigned transactions from the merchant's owner wallet, in order. */
    const sendAll = async (transactions: { to: string; data: string; value: string; chainId: string }[]) => {
      const owner = s().setup.f.owner;
      for (const t of transactions) {
        expect(BigInt(t.chainId)).to.equal(s().setup.chain.location.chainId);
        await (await owner.sendTransaction({ to: t.to, data: t.data, value: BigInt(t.value) })).wait();
      }
    };

    describe("POST /v1/invoices/{id}/refund", function () {
      it("returns the unsigned full refund of a held payment, which the merchant's wallet can send", async function () {
        const invoice = await paidInvoice(held);
        const res = await refund(invoice.id, { mode: "unsigned" });
        expect(res.status, res.text).to.equal(200);
        expect(res.json.mode).to.equal("unsigned");
        expect(res.json.sent).to.equal(undefined);
        expect(res.json.transactions).to.have.length(1);
        const [tx] = res.json.transactions;
        expect(tx.to).to.equal(s().setup.chain.location.escrow);
        expect(tx.value).to.equal("0");
        const decoded = escrowInterface.decodeFunctionData("refund", tx.data);
        expect(decoded.map(String)).to.deep.equal([held.onChainId.toString(), invoice.invoiceNumber, "5000000"]);
        const summary = res.json.summary;
        expect(summary).to.include({ action: "refund", chainStatus: "Held", full: true, payer: s().setup.f.customer.address, invoiceId: invoice.id });
        expect(summary.amount).to.deep.equal({ baseUnits: "5000000", decimal: "5" });
        expect(summary.refundable).to.deep.equal({ baseUnits: "5000000", decimal: "5" });
        expect(BigInt(summary.paymentId)).to.equal((held.onChainId << 64n) | BigInt(invoice.invoiceNumber));
        // Nothing was sent: the escrow still holds it, and the stored status did not move.
        expect((await chainStatus(held, invoice)).status).to.equal("Held");
        await sendAll(res.json.transactions);
        expect((await chainStatus(held, invoice)).status).to.equal("Refunded");
        const row = await suite.db.selectFrom("invoices").select("status").where("id", "=", invoice.id).executeTakeFirstOrThrow();
        expect(row.status).to.equal("open");
        expectError(await refund(invoice.id, { mode: "unsigned" }), 409, "ALREADY_REFUNDED");
      });

      it("sends a partial refund with the merchant's signer key, refuses more than is left (naming it), then refunds the rest", async function () {
        const { setup } = s();
        const invoice = await paidInvoice(held);
        const token = TestToken__factory.connect(setup.f.tokenAddress, setup.f.owner);
        const before = await token.balanceOf(setup.f.customer.address);
        const first = await refund(invoice.id, { amount: "1.25", mode: "send" });
        expect(first.status, first.text).to.equal(200);
        expect(first.json.mode).to.equal("send");
        expect(first.json.transactions).to.equal(undefined);
        expect(first.json.sent.hash).to.match(/^0x[0-9a-f]{64}$/);
        expect(first.json.sent.from).to.equal(held.signer.address);
        expect(Number(first.json.sent.gasUsed)).to.be.greaterThan(21_000);
        expect(first.json.summary).to.include({ full: false, chainStatus: "Held" });
        if (process.env.SCANPAY_PRINT_GAS !== undefined) console.log(`refund (partial, sent): ${first.json.sent.gasUsed} gas`);
        const receipt = await setup.f.owner.provider!.getTransactionReceipt(first.json.sent.hash);
        expect(receipt?.status).to.equal(1);
        expect(receipt?.from).to.equal(held.signer.address);
        const after = await chainStatus(held, invoice);
        expect(after.status).to.equal("PartiallyRefunded");
        expect(after.payment?.refunded).to.equal(1_250_000n);
        expect((await token.balanceOf(setup.f.customer.address)) - before).to.equal(1_250_000n);

        const tooMuch = await refund(invoice.id, { amount: "3.76", mode: "send" });
        expectError(tooMuch, 409, "REFUND_TOO_LARGE");
        expect(tooMuch.json.error.message).to.include("3.75").and.include("3750000");
        const decimals = await refund(invoice.id, { amount: "0.1234567", mode: "send" });
        expectError(decimals, 400, "INVALID_INPUT");
        expect(decimals.json.error.message).to.include("7 decimals");
        expectError(await refund(invoice.id, { amount: "0", mode: "send" }), 400, "INVALID_INPUT");
        expectError(await refund(invoice.id, { amount: 1, mode: "send" }), 400, "INVALID_INPUT");
        expectError(await refund(invoice.id, { mode: "later" }), 400, "INVALID_INPUT");
        expectError(await refund(invoice.id, {}), 400, "INVALID_INPUT");

        const rest = await refund(invoice.id, { mode: "send" });
        expect(rest.status, rest.text).to.equal(200);
        expect(rest.json.summary.amount.baseUnits).to.equal("3750000");
        expect(rest.json.summary.chainStatus).to.equal("PartiallyRefunded");
        expect(rest.json.summary.full).to.equal(true);
        if (process.env.SCANPAY_PRINT_GAS !== undefined) console.log(`refund (rest, sent): ${rest.json.sent.gasUsed} gas`);
        expect((await chainStatus(held, invoice)).status).to.equal("Refunded");
        expectError(await refund(invoice.id, { mode: "send" }), 409, "ALREADY_REFUNDED");
      });

      it("sends at most once under an Idempotency-Key: concurrent and later retries get the first answer, never a second transaction", async function () {
        const invoice = await paidInvoice(held);
        const headers = { "Idempotency-Key": `refund-${invoice.id}` };
        const send = (body: unknown) => call(s().app, "POST", `/v1/invoices/${invoice.id}/refund`, { key: held.keys.refund, body, headers });
        const results = await Promise.all([send({ amount: "1", mode: "send" }), send({ amount: "1", mode: "send" })]);
        const ok = results.filter((r) => r.status === 200);
        expect(ok.length, results.map((r) => r.text).join("\n")).to.be.at.least(1);
        for (const other of results.filter((r) => r.status !== 200)) expectError(other, 409, "IDEMPOTENCY_KEY_IN_USE");
        expect(new Set(ok.map((r) => r.json.sent.hash)).size).to.equal(1);
        const first = ok[0]!;
        const again = await send({ amount: "1", mode: "send" });
        expect(again.status).to.equal(200);
        expect(again.headers.get("idempotent-replayed")).to.equal("true");
        expect(again.json).to.deep.equal(first.json);
        expectError(await send({ amount: "2", mode: "send" }), 409, "IDEMPOTENCY_CONFLICT");
        expect((await chainStatus(held, invoice)).payment?.refunded).to.equal(1_000_000n);
        // Without a key, another request is another refund.
        expect((await refund(invoice.id, { amount: "1", mode: "send" })).status).to.equal(200);
        expect((await chainStatus(held, invoice)).payment?.refunded).to.equal(2_000_000n);
      });

      it("frees the Idempotency-Key of a send that failed before broadcasting, so the same key works once fixed", async function () {
        const { setup } = s();
        const invoice = await paidInvoice(unfunded);
        const headers = { "Idempotency-Key": `unfunded-${invoice.id}` };
        const send = () => call(s().app, "POST", `/v1/invoices/${invoice.id}/refund`, { key: unfunded.keys.refund, body: { mode: "send" }, headers });
        expectError(await send(), 409, "SENDER_UNDERFUNDED");
        await (await setup.f.owner.sendTransaction({ to: unfunded.signer.address, value: parseEther("0.1") })).wait();
        try {
          const res = await send();
          expect(res.status, res.text).to.equal(200);
          expect(res.headers.get("idempotent-replayed")).to.equal(null);
          expect((await chainStatus(unfunded, invoice)).status).to.equal("Refunded");
        } finally {
          // Leave the signer without ETH for the other tests (send back what is left, minus the gas).
          const wallet = unfunded.signer.connect(setup.f.owner.provider);
          const balance = await setup.f.owner.provider!.getBalance(wallet.address);
          const gas = 21_000n * 10n ** 11n;
          if (balance > gas) await (await wallet.sendTransaction({ to: setup.f.owner.address, value: balance - gas, gasLimit: 21_000n, gasPrice: 10n ** 11n })).wait();
        }
      });

      it("keeps merchants apart even while a send for the invoice is in flight", async function () {
        const invoice = await paidInvoice(held);
        const [mine, theirs] = await Promise.all([
          refund(invoice.id, { amount: "1", mode: "send" }),
          refund(invoice.id, { amount: "1", mode: "send" }, s().b.keys.refund),
        ]);
        expect(mine.status, mine.text).to.equal(200);
        expectError(theirs, 404, "NOT_FOUND");
        expect((await chainStatus(held, invoice)).payment?.refunded).to.equal(1_000_000n);
      });

      it("refuses an invoice nobody paid, with the escrow's status", async function () {
        const { app, symbol } = s();
        const created = await call(app, "POST", "/v1/invoices", { key: held.keys.create, body: { amount: "1", token: symbol } });
        const res = await refund(created.json.id, { mode: "unsigned" });
        expectError(res, 409, "INVOICE_NOT_PAID");
        expect(res.json.error.message).to.include("Unpaid");
      });

      it("refunds a settled token payment only as approve + refundSettled for the merchant's wallet, funded by it", async function () {
        const { a, setup } = s();
        const invoice = await paidInvoice(a, { amount: "2.5" });
        expectError(await refund(invoice.id, { mode: "send" }, a.keys.refund), 409, "REFUND_SETTLED_UNSIGNED_ONLY");
        const res = await refund(invoice.id, { amount: "1", mode: "unsigned" }, a.keys.refund);
        expect(res.status, res.text).to.equal(200);
        expect(res.json.summary).to.include({ action: "refundSettled", chainStatus: "Settled", full: false, payer: setup.f.customer.address });
        expect(res.json.summary.refundable.baseUnits).to.equal("2500000");
        const [approve, refundTx] = res.json.transactions;
        expect(res.json.transactions).to.have.length(2);
        expect(approve.to).to.equal(setup.f.tokenAddress);
        expect(tokenInterface.decodeFunctionData("approve", approve.data).map(String)).to.deep.equal([setup.chain.location.escrow, "1000000"]);
        const args = escrowInterface.decodeFunctionData("refundSettled", refundTx.data);
        expect(args.map(String)).to.deep.equal([a.onChainId.toString(), invoice.invoiceNumber, setup.f.customer.address, setup.f.tokenAddress, "1000000", "0", "0"]);
        expect(refundTx.value).to.equal("0");

        const token = TestToken__factory.connect(setup.f.tokenAddress, setup.f.owner);
        await (await token.mint(setup.f.owner.address, 10_000_000n)).wait();
        const before = await token.balanceOf(setup.f.customer.address);
        await sendAll(res.json.transactions);
        expect((await token.balanceOf(setup.f.customer.address)) - before).to.equal(1_000_000n);
        // What is left to refund now counts the settled refund (read from the escrow's events).
        const again = await refund(invoice.id, { amount: "1.6", mode: "unsigned" }, a.keys.refund);
        expectError(again, 409, "REFUND_TOO_LARGE");
        expect(again.json.error.message).to.include("1.5");
        const rest = await refund(invoice.id, { mode: "unsigned" }, a.keys.refund);
        expect(rest.json.summary).to.include({ full: true });
        expect(rest.json.summary.amount.baseUnits).to.equal("1500000");
      });

      it("refunds a settled ETH payment as one refundSettled carrying the ETH", async function () {
        const { a } = s();
        const invoice = await paidInvoice(a, { amount: "0.01", token: "ETH" });
        const res = await refund(invoice.id, { mode: "unsigned" }, a.keys.refund);
        expect(res.status, res.text).to.equal(200);
        expect(res.json.transactions).to.have.length(1);
        expect(res.json.transactions[0].value).to.equal("10000000000000000");
        expect(res.json.summary.amount).to.deep.equal({ baseUnits: "10000000000000000", decimal: "0.01" });
        await sendAll(res.json.transactions);
        expectError(await refund(invoice.id, { mode: "unsigned" }, a.keys.refund), 409, "ALREADY_REFUNDED");
      });

      it("says which signer lacks ETH when it cannot pay the gas, and sends nothing", async function () {
        const invoice = await paidInvoice(unfunded);
        const res = await refund(invoice.id, { mode: "send" }, unfunded.keys.refund);
        expectError(res, 409, "SENDER_UNDERFUNDED");
        expect(res.json.error.message).to.include(unfunded.signer.address);
        expect((await chainStatus(unfunded, invoice)).status).to.equal("Held");
      });

      it("answers SENDER_UNAVAILABLE (send) and CHAIN_UNAVAILABLE (unsigned) without a provider", async function () {
        const invoice = await paidInvoice(held);
        const { ctx } = s();
        const provider = ctx.provider;
        delete ctx.provider;
        try {
          expectError(await refund(invoice.id, { mode: "send" }), 409, "SENDER_UNAVAILABLE");
          expectError(await refund(invoice.id, { mode: "unsigned" }), 409, "CHAIN_UNAVAILABLE");
          expectError(await release(invoice.id, { mode: "send" }), 409, "SENDER_UNAVAILABLE");
        } finally {
          ctx.provider = provider;
        }
      });

      it("keeps merchants apart (404) and needs the refund scope (403)", async function () {
        const { b } = s();
        const invoice = await paidInvoice(held);
        expectError(await refund(invoice.id, { mode: "unsigned" }, b.keys.refund), 404, "NOT_FOUND");
        expectError(await release(invoice.id, { mode: "unsigned" }, b.keys.refund), 404, "NOT_FOUND");
        expectError(await refund(invoice.id, { mode: "unsigned" }, held.keys.all), 403, "FORBIDDEN_SCOPE");
        expectError(await release(invoice.id, { mode: "unsigned" }, held.keys.read), 403, "FORBIDDEN_SCOPE");
        expectError(await call(s().app, "POST", `/v1/invoices/${invoice.id}/refund`, { body: { mode: "unsigned" } }), 401, "UNAUTHENTICATED");
        expectError(await refund("not-a-uuid", { mode: "unsigned" }), 404, "NOT_FOUND");
        expect((await chainStatus(held, invoice)).status).to.equal("Held");
      });
    });

    describe("POST /v1/invoices/{id}/release", function () {
      it("refuses a payment that settled at once, and one that was never paid", async function () {
        const { a, app, symbol } = s();
        const invoice = await paidInvoice(a);
        expectError(await release(invoice.id, { mode: "unsigned" }, a.keys.refund), 409, "PAYMENT_NOT_HELD");
        const open = await call(app, "POST", "/v1/invoices", { key: a.keys.create, body: { amount: "1", token: symbol } });
        expectError(await release(open.json.id, { mode: "unsigned" }, a.keys.refund), 409, "INVOICE_NOT_PAID");
      });

      it("refuses a release before the refund window ends (with releaseAt), then sends it once due", async function () {
        const { setup } = s();
        const invoice = await paidInvoice(held);
        const early = await release(invoice.id, { mode: "send" });
        expectError(early, 409, "RELEASE_NOT_DUE");
        const { payment } = await chainStatus(held, invoice);
        expect(early.json.error.message).to.include(`releaseAt ${payment!.releaseAt}`);

        // Last test of the suite: moving the chain's clock makes invoices created before now expired.
        await networkHelpers.time.increase(Number(HOUR) + 1);
        const unsigned = await release(invoice.id, { mode: "unsigned" });
        expect(unsigned.status, unsigned.text).to.equal(200);
        const ids = escrowInterface.decodeFunctionData("release", unsigned.json.transactions[0].data)[0] as bigint[];
        expect(ids).to.deep.equal([(held.onChainId << 64n) | BigInt(invoice.invoiceNumber)]);
        expect(unsigned.json.summary).to.include({ action: "release", sender: "anyone", releaseAt: Number(payment!.releaseAt) });

        const sent = await release(invoice.id, { mode: "send" });
        expect(sent.status, sent.text).to.equal(200);
        if (process.env.SCANPAY_PRINT_GAS !== undefined) console.log(`release (sent): ${sent.json.sent.gasUsed} gas`);
        const receipt = await setup.f.owner.provider!.getTransactionReceipt(sent.json.sent.hash);
        const settled = receipt!.logs.map((log) => { try { return escrowInterface.parseLog(log); } catch { return null; } }).filter((l) => l?.name === "PaymentSettled");
        expect(settled).to.have.length(1);
        expect((await chainStatus(held, invoice)).status).to.equal("Settled");
        const again = await release(invoice.id, { mode: "send" });
        expectError(again, 409, "PAYMENT_NOT_HELD");
        expect(again.json.error.message).to.include("already settled");
      });
    });
  });
});

