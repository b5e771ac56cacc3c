/**
 * The hosted checkout's wallet payment routes on the in-process chain with the real deployment and a FiatToken-like
 * EIP-3009 token (contracts/mocks/AuthorizationToken.sol): GET /v1/public/invoices/{id}/wallet-payment (each flow's
 * answer, and that its calls and typed data really pay the invoice) and POST /v1/public/invoices/{id}/authorization
 * (the gateway relays the payer's one signature with the merchant's signer key, once), with every refusal by status
 * and code, on both storage backends.
 */
import { expect } from "chai";
import { parseEther, type Signer } from "ethers";

import { invoiceStatus } from "../../src/chain/invoiceStatus.js";
import { invoiceDigest } from "../../src/invoice/invoiceDigest.js";
import { encodePackedInvoice } from "../../src/qr/encodePackedInvoice.js";
import { decodeQrImage } from "../../src/qr/image/decodeQrImage.js";
import { deployAuthorizationToken } from "../../gateway/src/dev/authorizationToken.js";
import { connectChainView } from "../../gateway/src/services/index.js";
import { claimRelay } from "../../gateway/src/store/index.js";
import { AuthorizationToken__factory, PaymentEscrow__factory, TestToken__factory } from "../../typechain-types/index.js";
import { networkHelpers } from "../helpers/fixture.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, newMerchant, sdkInvoiceOf, useApiSuite, type TestMerchant } from "./helpers/apiFixture.js";

const escrowInterface = PaymentEscrow__factory.createInterface();
const tokenInterface = TestToken__factory.createInterface();
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

interface WalletTypedData {
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  message: { from: string; to: string; value: string; validAfter: string; validBefore: string; nonce: string };
}

/** What a wallet does with eth_signTypedData_v4 (ethers derives EIP712Domain itself). */
async function signTypedData(signer: Signer, typed: WalletTypedData): Promise<string> {
  const { EIP712Domain: _domainType, ...types } = typed.types;
  return signer.signTypedData(typed.domain, types, typed.message);
}

describe("gateway API: wallet payments of the hosted checkout", function () {
  this.timeout(120_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    let usdc: string;
    let unfunded: TestMerchant;

    before(async function () {
      const { setup, ctx } = s();
      const f = setup.f;
      ctx.provider = f.owner.provider ?? undefined;
      usdc = (await deployAuthorizationToken(f.deployer, f.admin, f.deployment.escrow, [f.customer.address, f.stranger.address], 1_000_000_000n)).address;
      // A fresh view: the shared one read the escrow's token list before this token was allowed.
      const view = await connectChainView({ runner: f.owner, escrow: f.deployment.escrow });
      ctx.chain = { ...view, blockTime: setup.chain.blockTime! };
      // Merchant A's signer relays (and pays the gas); this one's signer holds no ETH.
      await (await f.owner.sendTransaction({ to: s().a.signer.address, value: parseEther("1") })).wait();
      unfunded = await newMerchant(suite.db, s().keyring, setup, "Unfunded relay");
    });

    const create = async (body: Record<string, unknown>, merchant: TestMerchant = s().a) => {
      const res = await call(s().app, "POST", "/v1/invoices", { key: merchant.keys.create, body: { amount: "2.5", token: usdc, ...body } });
      expect(res.status, res.text).to.equal(201);
      return res.json;
    };
    const plan = (id: string, from: string) => call(s().app, "GET", `/v1/public/invoices/${id}/wallet-payment?from=${from}`);
    const submit = (id: string, body: unknown) => call(s().app, "POST", `/v1/public/invoices/${id}/authorization`, { body });
    /** The customer signs the plan's typed data; the body the page posts. */
    const signedBody = async (id: string, signer: Signer = s().setup.f.customer, tweak: Partial<WalletTypedData["message"]> = {}) => {
      const res = await plan(id, await signer.getAddress());
      expect(res.status, res.text).to.equal(200);
      const typed: WalletTypedData = { ...res.json.typedData, message: { ...res.json.typedData.message, ...tweak } };
      const signature = await signTypedData(signer, typed);
      const m = typed.message;
      return { from: m.from, signature, validAfter: m.validAfter, validBefore: m.validBefore, nonce: m.nonce };
    };
    const chainStatus = (merchant: TestMerchant, invoice: { invoiceNumber: string }) =>
      invoiceStatus(s().setup.f.escrow, merchant.onChainId, BigInt(invoice.invoiceNumber));
    /** Mines a block after the invoice's expiry (the escrow and the gateway judge expiry by block time). */
    const pastExpiry = async (invoice: { expiresAt: number }) => {
      const t = await now();
      await networkHelpers.time.increase(Math.max(1, invoice.expiresAt - Number(t) + 2));
    };
    const now = async () => BigInt((await s().setup.f.owner.provider!.getBlock("latest"))!.timestamp);

    describe("GET /v1/public/invoices/{id}/wallet-payment", function () {
      it("offers one signature for an EIP-3009 token: the token's ReceiveWithAuthorization of exactly this invoice to the escrow", async function () {
        const { setup } = s();
        const f = setup.f;
        const invoice = await create({});
        const res = await plan(invoice.id, f.customer.address);
        expect(res.status, res.text).to.equal(200);
        const body = res.json;
        expect(body).to.deep.include({
          flow: "authorization",
          invoiceId: invoice.id,
          chainId: setup.chain.location.chainId.toString(),
          from: f.customer.address,
          escrow: f.deployment.escrow,
          merchantName: "Shop A",
          amount: { baseUnits: "2500000", decimal: "2.5" },
          balance: "1000000000",
          allowance: "0",
        });
        expect(body.token).to.deep.equal({ address: usdc, symbol: "USDC", decimals: 6 });
        expect(body.typedData.primaryType).to.equal("ReceiveWithAuthorization");
        expect(body.typedData.domain).to.deep.equal({ name: "USD Coin", version: "2", chainId: Number(setup.chain.location.chainId), verifyingContract: usdc });
        expect(Object.keys(body.typedData.types).sort()).to.deep.equal(["EIP712Domain", "ReceiveWithAuthorization"]);
        expect(body.typedData.message).to.deep.equal({
          from: f.customer.address,
          to: f.deployment.escrow,
          value: "2500000",
          validAfter: "0",
          validBefore: String(invoice.expiresAt + 1),
          nonce: invoiceDigest(sdkInvoiceOf(invoice), setup.chain.location),
        });
        // The fallback for a wallet that cannot sign typed data: approve, then payPacked.
        expect(body.calls.map((c: { action: string }) => c.action)).to.deep.equal(["approve", "pay"]);
      });

      it("answers approve + pay for a plain ERC-20, and those two transactions from the wallet pay the invoice", async function () {
        const { setup, symbol } = s();
        const f = setup.f;
        const invoice = await create({ token: symbol });
        const res = await plan(invoice.id, f.customer.address);
        expect(res.status, res.text).to.equal(200);
        expect(res.json.flow).to.equal("approve-and-pay");
        expect(res.json.typedData).to.equal(null);
        const [approve, pay] = res.json.calls;
        expect(approve).to.include({ action: "approve", to: f.tokenAddress, value: "0" });
        expect(tokenInterface.decodeFunctionData("approve", approve.data).map(String)).to.deep.equal([f.deployment.escrow, "2500000"]);
        expect(pay).to.include({ action: "pay", to: f.deployment.escrow, value: "0" });
        const { token: _token, ...fields } = sdkInvoiceOf(invoice);
        const packed = encodePackedInvoice({ invoice: fields, tokenIndex: 1, signature: invoice.signature });
        expect(escrowInterface.decodeFunctionData("payPacked", pay.data)[0]).to.equal(`0x${Buffer.from(packed).toString("hex")}`);
        const gas: bigint[] = [];
        for (const tx of res.json.calls) gas.push((await (await f.customer.sendTransaction({ to: tx.to, data: tx.data, value: BigInt(tx.value) })).wait())!.gasUsed);
        expect((await chainStatus(s().a, invoice)).status).to.equal("Settled");
        console.log(`      [${suite.backendName}] approve + payPacked from the wallet: ${gas[0]} + ${gas[1]} = ${gas[0]! + gas[1]!} gas, paid by the customer`);
      });

      it("answers pay (one transaction) when the allowance already covers the amount, and for ETH with the amount as value", async function () {
        const { setup, symbol } = s();
        const f = setup.f;
        const invoice = await create({ token: symbol, amount: "1" });
        await (await f.token.connect(f.customer).approve(f.deployment.escrow, 1_000_000n)).wait();
        const res = await plan(invoice.id, f.customer.address);
        expect(res.json.flow).to.equal("pay");
        expect(res.json.allowance).to.equal("1000000");
        expect(res.json.calls.map((c: { action: string }) => c.action)).to.deep.equal(["pay"]);
        await (await f.token.connect(f.customer).approve(f.deployment.escrow, 0n)).wait();

        const eth = await create({ token: "ETH", amount: "0.01" });
        const ethPlan = await plan(eth.id, f.customer.address);
        expect(ethPlan.json.flow).to.equal("pay");
        expect(ethPlan.json.allowance).to.equal(null);
        expect(ethPlan.json.calls).to.have.length(1);
        expect(ethPlan.json.calls[0]).to.include({ action: "pay", to: f.deployment.escrow, value: parseEther("0.01").toString() });
        const tx = ethPlan.json.calls[0];
        await (await f.customer.sendTransaction({ to: tx.to, data: tx.data, value: BigInt(tx.value) })).wait();
        expect((await chainStatus(s().a, eth)).status).to.equal("Settled");
      });

      it("refuses an unknown id (404 NOT_FOUND), a bad address (400 INVALID_INPUT), another payer (403 PAYER_NOT_ALLOWED), an expired or cancelled invoice (409)", async function () {
        const { f } = s().setup;
        expectError(await plan(UNKNOWN_ID, f.customer.address), 404, "NOT_FOUND");
        expectError(await plan("not-a-uuid", f.customer.address), 404, "NOT_FOUND");
        const open = await create({});
        expectError(await call(s().app, "GET", `/v1/public/invoices/${open.id}/wallet-payment?from=0x123`), 400, "INVALID_INPUT");
        expectError(await call(s().app, "GET", `/v1/public/invoices/${open.id}/wallet-payment`), 400, "INVALID_INPUT");
        const restricted = await create({ payer: f.stranger.address });
        expectError(await plan(restricted.id, f.customer.address), 403, "PAYER_NOT_ALLOWED");
        expect((await plan(restricted.id, f.stranger.address)).status).to.equal(200);
        const cancelled = await create({});
        expect((await call(s().app, "POST", `/v1/invoices/${cancelled.id}/cancel`, { key: s().a.keys.all })).status).to.equal(200);
        expectError(await plan(cancelled.id, f.customer.address), 409, "INVOICE_NOT_OPEN");
        const short = await create({ expiresIn: 1 });
        await pastExpiry(short);
        expectError(await plan(short.id, f.customer.address), 409, "INVOICE_EXPIRED");
      });
    });

    describe("GET /v1/public/invoices/{id}/qr.png?form=checkout", function () {
      it("encodes the https link of the checkout page: the configured public address, else the request's origin", async function () {
        const { app, ctx } = s();
        const invoice = await create({});
        const fromOrigin = await app.request(`/v1/public/invoices/${invoice.id}/qr.png?form=checkout`);
        expect(fromOrigin.status).to.equal(200);
        expect(decodeQrImage(new Uint8Array(await fromOrigin.arrayBuffer()))).to.equal(`http://localhost/pay/${invoice.id}`);
        ctx.publicBaseUrl = "https://pay.example.com/";
        try {
          const configured = await app.request(`/v1/public/invoices/${invoice.id}/qr.png?form=checkout`);
          expect(decodeQrImage(new Uint8Array(await configured.arrayBuffer()))).to.equal(`https://pay.example.com/pay/${invoice.id}`);
        } finally {
          delete ctx.publicBaseUrl;
        }
      });
    });

    describe("POST /v1/public/invoices/{id}/authorization", function () {
      it("relays the payer's one signature with the merchant's signer: the payer pays exactly the amount and is the payer of record; a second submission is refused", async function () {
        const { setup, a } = s();
        const f = setup.f;
        const invoice = await create({ pointsAward: 25 });
        const token = AuthorizationToken__factory.connect(usdc, f.owner);
        const before = await token.balanceOf(f.customer.address);
        const ethBefore = await f.owner.provider!.getBalance(f.customer.address);
        const body = await signedBody(invoice.id);
        const started = performance.now();
        const res = await submit(invoice.id, body);
        const relayMs = performance.now() - started;
        expect(res.status, res.text).to.equal(200);
        expect(res.json).to.deep.include({ invoiceId: invoice.id, payer: f.customer.address, relayer: a.signer.address });
        expect(res.json.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
        expect(await token.balanceOf(f.customer.address)).to.equal(before - 2_500_000n);
        expect(await f.owner.provider!.getBalance(f.customer.address)).to.equal(ethBefore); // no gas from the payer
        expect((await chainStatus(a, invoice)).status).to.equal("Settled");
        const receipt = await f.owner.provider!.getTransactionReceipt(res.json.transactionHash);
        const paid = receipt!.logs
          .filter((log) => log.address === f.deployment.escrow)
          .map((log) => escrowInterface.parseLog(log))
          .find((log) => log?.name === "InvoicePaid");
        expect(paid?.args.payer).to.equal(f.customer.address);
        console.log(`      [${suite.backendName}] payWithAuthorization relayed: ${receipt!.gasUsed} gas paid by the merchant's signer; POST answered in ${relayMs.toFixed(0)} ms (checks, send, receipt on the automining chain)`);
        expect(await f.points.balanceOf(f.customer.address, a.onChainId)).to.be.greaterThanOrEqual(25n);

        const again = await submit(invoice.id, body);
        expectError(again, 409, "INVOICE_NOT_OPEN");
        expect(again.json.error.message).to.include(res.json.transactionHash);
        // Before the indexer moves the row, the plan already knows (no second payment by transactions).
        const planAgain = await plan(invoice.id, f.customer.address);
        expectError(planAgain, 409, "INVOICE_NOT_OPEN");
        expect(planAgain.json.error.message).to.include(res.json.transactionHash);
      });

      it("lets only one of two simultaneous submissions relay (the other 409 RELAY_IN_PROGRESS or INVOICE_NOT_OPEN), and refuses while a claim is open", async function () {
        const { f } = s().setup;
        const invoice = await create({});
        const body = await signedBody(invoice.id);
        const [first, second] = await Promise.all([submit(invoice.id, body), submit(invoice.id, body)]);
        const ok = [first, second].filter((r) => r.status === 200);
        const refused = [first, second].filter((r) => r.status !== 200);
        expect(ok).to.have.length(1);
        expect(refused).to.have.length(1);
        expect(refused[0]!.status).to.equal(409);
        expect(["RELAY_IN_PROGRESS", "INVOICE_NOT_OPEN"]).to.include(refused[0]!.json.error.code);

        const claimed = await create({});
        const claimedBody = await signedBody(claimed.id);
        await claimRelay(suite.db, claimed.id, f.customer.address);
        expectError(await submit(claimed.id, claimedBody), 409, "RELAY_IN_PROGRESS");
        expectError(await plan(claimed.id, f.customer.address), 409, "RELAY_IN_PROGRESS");
        expect((await chainStatus(s().a, claimed)).status).to.equal("Unpaid");
      });

      it("refuses a signature of another account, of other values or of another invoice with 400 INVALID_SIGNATURE, and sends nothing", async function () {
        const { f } = s().setup;
        const invoice = await create({});
        const byStranger = await signedBody(invoice.id, f.stranger);
        expectError(await submit(invoice.id, { ...byStranger, from: f.customer.address }), 400, "INVALID_SIGNATURE");
        const honest = await signedBody(invoice.id);
        expectError(await submit(invoice.id, { ...honest, validBefore: String(BigInt(honest.validBefore) - 1n) }), 400, "INVALID_SIGNATURE");
        const other = await create({});
        const forOther = await signedBody(other.id);
        expectError(await submit(invoice.id, forOther), 400, "INVALID_SIGNATURE");
        expectError(await submit(invoice.id, { ...honest, signature: `0x${"00".repeat(65)}` }), 400, "INVALID_SIGNATURE");
        expectError(await submit(invoice.id, { ...honest, signature: "0x1234" }), 400, "INVALID_INPUT");
        expect((await chainStatus(s().a, invoice)).status).to.equal("Unpaid");
        // The honest one still works afterwards: nothing was claimed by the refusals.
        expect((await submit(invoice.id, honest)).status).to.equal(200);
      });

      it("refuses a window that does not hold now with 409 AUTHORIZATION_NOT_VALID_NOW", async function () {
        const invoice = await create({});
        const t = await now();
        const early = await signedBody(invoice.id, undefined, { validAfter: String(t + 3600n), validBefore: String(t + 7200n) });
        expectError(await submit(invoice.id, early), 409, "AUTHORIZATION_NOT_VALID_NOW");
        const late = await signedBody(invoice.id, undefined, { validAfter: "0", validBefore: String(t - 10n) });
        expectError(await submit(invoice.id, late), 409, "AUTHORIZATION_NOT_VALID_NOW");
      });

      it("refuses a token without EIP-3009 and an ETH invoice with 409 AUTHORIZATION_UNSUPPORTED", async function () {
        const { symbol } = s();
        const usdcInvoice = await create({});
        const body = await signedBody(usdcInvoice.id);
        const plain = await create({ token: symbol });
        expectError(await submit(plain.id, body), 409, "AUTHORIZATION_UNSUPPORTED");
        const eth = await create({ token: "ETH", amount: "0.01" });
        expectError(await submit(eth.id, body), 409, "AUTHORIZATION_UNSUPPORTED");
      });

      it("refuses an unknown invoice (404), another payer (403 PAYER_NOT_ALLOWED), an expired one (409 INVOICE_EXPIRED) and a malformed body (400/415)", async function () {
        const { f } = s().setup;
        const open = await create({});
        const body = await signedBody(open.id);
        expectError(await submit(UNKNOWN_ID, body), 404, "NOT_FOUND");
        const restricted = await create({ payer: f.stranger.address });
        expectError(await submit(restricted.id, body), 403, "PAYER_NOT_ALLOWED");
        const short = await create({ expiresIn: 1 });
        const shortBody = await signedBody(short.id);
        await pastExpiry(short);
        expectError(await submit(short.id, shortBody), 409, "INVOICE_EXPIRED");
        expectError(await submit(open.id, { ...body, extra: 1 }), 400, "INVALID_INPUT");
        expectError(await submit(open.id, { ...body, validAfter: "-1" }), 400, "INVALID_INPUT");
        expectError(await call(s().app, "POST", `/v1/public/invoices/${open.id}/authorization`, { rawBody: "{", headers: { "content-type": "application/json" } }), 400, "MALFORMED_JSON");
        expectError(await call(s().app, "POST", `/v1/public/invoices/${open.id}/authorization`, { rawBody: "x", headers: { "content-type": "text/plain" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
      });

      it("costs less gas in all than approve + payPacked of the same token, merchant and amount (and none of it to the payer)", async function () {
        const { f } = s().setup;
        // Warm: the merchant has been paid in this token before (first payments write fresh storage).
        const [byCalls, bySignature] = [await create({ amount: "4" }), await create({ amount: "4" })];
        const planned = await plan(byCalls.id, f.customer.address);
        let callsGas = 0n;
        for (const tx of planned.json.calls) callsGas += (await (await f.customer.sendTransaction({ to: tx.to, data: tx.data, value: BigInt(tx.value) })).wait())!.gasUsed;
        const relayed = await submit(bySignature.id, await signedBody(bySignature.id));
        expect(relayed.status, relayed.text).to.equal(200);
        const relayGas = (await f.owner.provider!.getTransactionReceipt(relayed.json.transactionHash))!.gasUsed;
        expect((await chainStatus(s().a, byCalls)).status).to.equal("Settled");
        expect((await chainStatus(s().a, bySignature)).status).to.equal("Settled");
        expect(relayGas).to.be.lessThan(callsGas);
        console.log(`      [${suite.backendName}] same USDC invoice, warm: approve + payPacked ${callsGas} gas (customer) vs relayed payWithAuthorization ${relayGas} gas (merchant's signer)`);
      });

      it("relays another merchant's invoice with that merchant's own signer: unfunded, 409 SENDER_UNDERFUNDED frees the claim, and once funded the retry pays", async function () {
        const { f } = s().setup;
        const invoice = await create({}, unfunded);
        const body = await signedBody(invoice.id);
        expectError(await submit(invoice.id, body), 409, "SENDER_UNDERFUNDED");
        await (await f.owner.sendTransaction({ to: unfunded.signer.address, value: parseEther("1") })).wait();
        const res = await submit(invoice.id, body);
        expect(res.status, res.text).to.equal(200);
        expect(res.json.relayer).to.equal(unfunded.signer.address);
        expect((await chainStatus(unfunded, invoice)).status).to.equal("Settled");
      });
    });
  });
});
