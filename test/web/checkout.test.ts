/**
 * The hosted checkout page /pay/{invoice} in Chromium against the whole gateway runtime, with an injected EIP-1193
 * wallet: a provider put in the page (`addInitScript`) whose requests go to the test process (`exposeFunction`),
 * where a Hardhat account answers them and every request is recorded. Journeys: one-signature payment (EIP-3009
 * token, relayed by the gateway), approve + pay (plain token, two transactions or one EIP-5792 batch), a rejected
 * signature, a browser without a wallet, an unknown link. Each checks that the wallet was asked exactly what the
 * page showed, the receipt's transaction, axe (WCAG 2.1 AA) and zero console errors or CSP violations; phone and
 * tablet screenshots go to test-artifacts/web/.
 */
import path from "node:path";

import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Page } from "playwright-core";

import { deployAuthorizationToken } from "../../gateway/src/dev/authorizationToken.js";
import { connectChainView } from "../../gateway/src/services/index.js";
import { invoiceStatus } from "../../src/chain/invoiceStatus.js";
import { chainOnce } from "../gateway/helpers/apiFixture.js";
import { ARTIFACTS_DIR, axeViolations, startWebSuite, VIEWPORTS, type WatchedPage, type WebSuite } from "./helpers/webFixture.js";

interface WalletRequest {
  method: string;
  params: unknown[];
}

interface WalletOptions {
  /** Methods the customer refuses (EIP-1193 4001), once each. */
  rejectOnce?: Set<string>;
  /** Methods the wallet does not have (EIP-1193 4200, "unsupported method"). */
  unsupported?: Set<string>;
  /** Whether wallet_getCapabilities says the wallet batches atomically (EIP-5792); default: it does not know the method. */
  atomicBatch?: boolean;
  /** The chain the wallet starts on (hex); default the invoice's. wallet_switchEthereumChain moves it. */
  startChain?: string;
}

/** Puts an EIP-1193 provider backed by `account` into every page of the context; returns the log of its requests. */
async function injectWallet(watched: WatchedPage, account: HardhatEthersSigner, options: WalletOptions = {}): Promise<WalletRequest[]> {
  const requests: WalletRequest[] = [];
  const provider = account.provider!;
  const chainHex = `0x${(await provider.getNetwork()).chainId.toString(16)}`;
  const batches = new Map<string, string[]>();
  let walletChain = options.startChain ?? chainHex;
  const answer = async (method: string, params: unknown[]): Promise<unknown> => {
    if (options.rejectOnce?.delete(method)) throw Object.assign(new Error("User rejected the request."), { code: 4001 });
    if (options.unsupported?.has(method)) throw Object.assign(new Error("The requested method is not supported"), { code: 4200 });
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [account.address];
      case "eth_chainId":
        return walletChain;
      case "wallet_switchEthereumChain": {
        const wanted = (params[0] as { chainId: string }).chainId;
        if (wanted !== chainHex) throw Object.assign(new Error("Unrecognized chain ID"), { code: 4902 });
        walletChain = wanted;
        return null;
      }
      case "eth_signTypedData_v4": {
        const typed = JSON.parse(params[1] as string) as { types: Record<string, { name: string; type: string }[]>; domain: Record<string, unknown>; message: Record<string, unknown> };
        const { EIP712Domain: _domain, ...types } = typed.types;
        return account.signTypedData(typed.domain, types, typed.message);
      }
      case "eth_sendTransaction": {
        const tx = params[0] as { to: string; data: string; value: string };
        return (await account.sendTransaction({ to: tx.to, data: tx.data, value: BigInt(tx.value) })).hash;
      }
      case "eth_getTransactionReceipt": {
        const receipt = await provider.getTransactionReceipt(params[0] as string);
        return receipt === null ? null : { transactionHash: receipt.hash, status: receipt.status === 1 ? "0x1" : "0x0" };
      }
      case "wallet_getCapabilities":
        if (options.atomicBatch !== true) throw Object.assign(new Error("Method not supported"), { code: 4200 });
        return { [chainHex]: { atomic: { status: "supported" } } };
      case "wallet_sendCalls": {
        const { calls } = params[0] as { calls: { to: string; data: string; value: string }[] };
        const hashes: string[] = [];
        for (const call of calls) {
          const sent = await account.sendTransaction({ to: call.to, data: call.data, value: BigInt(call.value) });
          await sent.wait();
          hashes.push(sent.hash);
        }
        const id = `batch-${batches.size + 1}`;
        batches.set(id, hashes);
        return { id };
      }
      case "wallet_getCallsStatus": {
        const hashes = batches.get(params[0] as string) ?? [];
        return { version: "2.0.0", id: params[0], status: 200, atomic: true, receipts: hashes.map((hash) => ({ transactionHash: hash, status: "0x1" })) };
      }
      default:
        throw Object.assign(new Error(`unsupported method ${method}`), { code: 4200 });
    }
  };
  await watched.page.exposeFunction("__scanpayTestWallet", async (method: string, params: unknown[]) => {
    requests.push({ method, params });
    try {
      return { result: await answer(method, params) };
    } catch (error) {
      const e = error as { code?: number; message?: string };
      return { error: { code: e.code ?? -32603, message: e.message ?? String(error) } };
    }
  });
  await watched.page.addInitScript(() => {
    const call = (globalThis as unknown as { __scanpayTestWallet: (method: string, params: unknown[]) => Promise<{ result?: unknown; error?: { code: number; message: string } }> }).__scanpayTestWallet;
    (globalThis as unknown as { ethereum: unknown }).ethereum = {
      isTestWallet: true,
      async request({ method, params }: { method: string; params?: unknown[] }) {
        const answer = await call(method, params ?? []);
        if (answer.error !== undefined) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
        return answer.result;
      },
    };
  });
  return requests;
}

/** The review's `data-field` texts (of the call at `index`, or of the signature review). */
async function shownFields(page: Page, index?: number): Promise<Record<string, string>> {
  const scope = index === undefined ? page.locator("#review") : page.locator(`#review li[data-call="${index}"]`);
  const fields: Record<string, string> = {};
  for (const element of await scope.locator("[data-field]").all()) {
    fields[(await element.getAttribute("data-field"))!] = (await element.textContent())!.trim();
  }
  return fields;
}

const methods = (requests: WalletRequest[]) => requests.map((r) => r.method);

describe("web: hosted checkout /pay/{invoice}", function () {
  this.timeout(180_000);
  let suite: WebSuite;
  let usdc: string;
  let customer: HardhatEthersSigner;

  before(async function () {
    const setup = await chainOnce();
    const f = setup.f;
    customer = f.customer;
    usdc = (await deployAuthorizationToken(f.deployer, f.admin, f.deployment.escrow, [f.customer.address], 1_000_000_000n)).address;
    // A fresh view: the shared one may have read the escrow's token list before this token was allowed.
    const view = await connectChainView({ runner: f.owner, escrow: f.deployment.escrow });
    suite = await startWebSuite({ chain: { ...view, blockTime: setup.chain.blockTime! } });
  });
  after(async function () {
    await suite?.close();
  });

  const createInvoice = async (body: Record<string, unknown>) => {
    const res = await fetch(`${suite.url}/v1/invoices`, {
      method: "POST",
      headers: { authorization: `Bearer ${suite.shop.keys.create}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).to.equal(201);
    return (await res.json()) as { id: string; invoiceNumber: string; expiresAt: number };
  };
  const publicView = async (id: string) => (await (await fetch(`${suite.url}/v1/public/invoices/${id}`)).json()) as { status: string; transactionHash: string | null };
  const open = async (watched: WatchedPage, id: string) => {
    await watched.page.goto(`/pay/${id}`);
    await watched.page.waitForSelector("#app[data-ready]");
  };
  const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS_DIR, `checkout-${name}.png`), fullPage: true });
  const expectAxeClean = async (page: Page) => expect(await axeViolations(page)).to.deep.equal([]);

  describe("one signature (EIP-3009 token)", function () {
    it("shows what is paid, states the typed data, has the wallet sign exactly that once, and shows the receipt with the relayed transaction", async function () {
      const invoice = await createInvoice({ amount: "3.75", token: usdc, pointsAward: 10 });
      const watched = await suite.newPage({ viewport: VIEWPORTS.phone });
      const { page, problems } = watched;
      const requests = await injectWallet(watched, customer);
      await open(watched, invoice.id);
      expect(await page.locator("#amount").textContent()).to.equal("3.75 USDC");
      expect(await page.locator("#merchant").textContent()).to.equal("Web Shop");
      expect(await page.locator("#points").textContent()).to.equal("You earn 10 points");
      expect(await page.locator("#status").textContent()).to.equal("Waiting for your payment");
      expect(await page.locator("#open-in-wallet").getAttribute("href")).to.match(/^ethereum:/);
      expect(await page.locator("img.qr").evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).to.be.greaterThan(0);
      await screenshot(page, "phone-open");
      await expectAxeClean(page);

      await page.click("#pay-button");
      await page.waitForSelector("#review[data-flow=authorization]");
      expect(methods(requests)).to.deep.equal(["eth_requestAccounts", "eth_chainId"]); // nothing to sign before the review
      const shown = await shownFields(page);
      await screenshot(page, "phone-review-signature");
      await expectAxeClean(page);

      await page.click("#confirm-button");
      await page.waitForSelector("#receipt.confirmed", { timeout: 30_000 });
      expect(methods(requests)).to.deep.equal(["eth_requestAccounts", "eth_chainId", "eth_signTypedData_v4"]);
      const [from, json] = requests[2]!.params as [string, string];
      const typed = JSON.parse(json) as { primaryType: string; domain: { verifyingContract: string; name: string; version: string }; message: Record<string, string> };
      expect(from).to.equal(customer.address);
      expect(shown).to.deep.equal({
        value: `3.75 USDC (${typed.message.value} base units)`,
        from: typed.message.from,
        to: typed.message.to,
        token: typed.domain.verifyingContract,
        validBefore: shown.validBefore, // a local clock time, checked below by its unix part
        primaryType: `${typed.primaryType} (EIP-3009) of “${typed.domain.name}” version ${typed.domain.version}`,
        nonce: typed.message.nonce,
      });
      expect(shown.validBefore).to.include(`(before ${typed.message.validBefore})`);
      expect(typed.message).to.deep.include({ from: customer.address, to: suite.setup.chain.location.escrow, value: "3750000", validBefore: String(invoice.expiresAt + 1) });
      expect(typed.domain.verifyingContract).to.equal(usdc);

      const hash = (await page.locator("#transaction").textContent())!;
      expect(hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(await page.locator("#transaction").evaluate((el) => el.tagName)).to.equal("SPAN"); // a local chain has no explorer
      expect(await page.locator("#status").textContent()).to.equal("Paid");
      expect(await page.locator(".merchant").textContent()).to.equal("Paid to Web Shop");
      expect(await page.locator("#points").textContent()).to.equal("You earned 10 points");
      const view = await publicView(invoice.id);
      expect(view.transactionHash).to.equal(hash);
      expect(["held", "settled"]).to.include(view.status);
      expect((await invoiceStatus(suite.setup.f.escrow, suite.shop.onChainId, BigInt(invoice.invoiceNumber))).status).to.equal("Settled");
      await screenshot(page, "phone-receipt");
      await expectAxeClean(page);
      expect(problems).to.deep.equal([]);
    });

    it("after a rejected signature (4001) says so, keeps the invoice open and the button usable (by keyboard), and paying again works", async function () {
      const invoice = await createInvoice({ amount: "1.5", token: usdc });
      const watched = await suite.newPage({ viewport: VIEWPORTS.tablet });
      const { page, problems } = watched;
      const requests = await injectWallet(watched, customer, { rejectOnce: new Set(["eth_signTypedData_v4"]) });
      await open(watched, invoice.id);
      await page.focus("#pay-button");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#review");
      await page.focus("#confirm-button");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#wallet-error");
      expect(await page.locator("#wallet-error").textContent()).to.equal(
        "You declined the request in your wallet. Nothing was paid and the invoice is still open: you can try again.",
      );
      expect(await page.locator("#status").textContent()).to.equal("Waiting for your payment");
      expect((await publicView(invoice.id)).status).to.equal("open");
      expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).to.equal("pay-button");
      expect(await page.locator("#pay-button").isEnabled()).to.equal(true);
      await screenshot(page, "tablet-rejected");
      await expectAxeClean(page);

      await page.keyboard.press("Enter");
      await page.waitForSelector("#confirm-button");
      await page.focus("#confirm-button");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#receipt.confirmed", { timeout: 30_000 });
      expect(methods(requests).filter((m) => m === "eth_signTypedData_v4")).to.have.length(2);
      expect(problems).to.deep.equal([]);
    });
  });

  describe("a wallet that cannot sign typed data", function () {
    it("falls back to the plan's transactions, reviewed again before anything is sent, and pays", async function () {
      const invoice = await createInvoice({ amount: "0.75", token: usdc });
      const watched = await suite.newPage({ viewport: VIEWPORTS.phone });
      const { page, problems } = watched;
      const requests = await injectWallet(watched, customer, { unsupported: new Set(["eth_signTypedData_v4"]) });
      await open(watched, invoice.id);
      await page.click("#pay-button");
      await page.waitForSelector("#review[data-flow=authorization]");
      await page.click("#confirm-button");
      await page.waitForSelector("#review[data-flow=approve-and-pay]");
      expect(await page.locator("#wallet-notice").textContent()).to.include("Your wallet cannot sign this kind of message");
      expect(methods(requests).filter((m) => m === "eth_sendTransaction")).to.have.length(0); // nothing sent before the new review
      const shown = [await shownFields(page, 0), await shownFields(page, 1)];
      await expectAxeClean(page);
      await page.click("#confirm-button");
      await page.waitForSelector("#receipt.confirmed", { timeout: 30_000 });
      const sent = requests.filter((r) => r.method === "eth_sendTransaction").map((r) => r.params[0] as { to: string; data: string; value: string });
      expect(sent.map((tx) => ({ to: tx.to, value: `0 ETH (${BigInt(tx.value)} wei)`, data: tx.data }))).to.deep.equal(shown);
      expect(problems).to.deep.equal([]);
    });
  });

  describe("the wallet on another network", function () {
    it("asks the wallet to switch to the invoice's chain before anything else, then pays", async function () {
      const invoice = await createInvoice({ amount: "0.25", token: usdc });
      const watched = await suite.newPage({ viewport: VIEWPORTS.phone });
      const { page, problems } = watched;
      const requests = await injectWallet(watched, customer, { startChain: "0x1" });
      await open(watched, invoice.id);
      await page.click("#pay-button");
      await page.waitForSelector("#review");
      const chainHex = `0x${suite.setup.chain.location.chainId.toString(16)}`;
      expect(requests.slice(0, 4)).to.deep.equal([
        { method: "eth_requestAccounts", params: [] },
        { method: "eth_chainId", params: [] },
        { method: "wallet_switchEthereumChain", params: [{ chainId: chainHex }] },
        { method: "eth_chainId", params: [] },
      ]);
      await page.click("#confirm-button");
      await page.waitForSelector("#receipt.confirmed", { timeout: 30_000 });
      expect(problems).to.deep.equal([]);
    });
  });

  describe("approve + pay (plain ERC-20)", function () {
    it("states both transactions, sends exactly those in order, and shows the receipt with the payment's hash", async function () {
      const symbol = await suite.setup.f.token.symbol();
      const invoice = await createInvoice({ amount: "2.25", token: symbol });
      const watched = await suite.newPage({ viewport: VIEWPORTS.tablet });
      const { page, problems } = watched;
      const requests = await injectWallet(watched, customer);
      await open(watched, invoice.id);
      await page.click("#pay-button");
      await page.waitForSelector("#review[data-flow=approve-and-pay]");
      expect(await page.locator("#review-title").textContent()).to.equal("Your wallet will ask you to send 2 transactions, one after the other");
      const shown = [await shownFields(page, 0), await shownFields(page, 1)];
      await screenshot(page, "tablet-review-approve-and-pay");
      await expectAxeClean(page);
      await page.click("#confirm-button");
      await page.waitForSelector("#receipt.confirmed", { timeout: 30_000 });

      const sent = requests.filter((r) => r.method === "eth_sendTransaction").map((r) => r.params[0] as { from: string; to: string; data: string; value: string });
      expect(sent).to.have.length(2);
      for (const [index, tx] of sent.entries()) {
        expect(tx.from).to.equal(customer.address);
        expect(shown[index]).to.deep.equal({ to: tx.to, value: `0 ETH (${BigInt(tx.value)} wei)`, data: tx.data });
      }
      expect(sent[0]!.to).to.equal(suite.setup.f.tokenAddress);
      expect(sent[1]!.to).to.equal(suite.setup.chain.location.escrow);
      expect(methods(requests)).to.include("wallet_getCapabilities");
      expect(methods(requests)).to.not.include("eth_signTypedData_v4");
      const hash = (await page.locator("#transaction").textContent())!;
      const receipt = await suite.setup.f.owner.provider!.getTransaction(hash);
      expect(receipt?.to).to.equal(suite.setup.chain.location.escrow); // the payment, not the approval
      expect((await publicView(invoice.id)).transactionHash).to.equal(hash);
      await screenshot(page, "tablet-receipt");
      await expectAxeClean(page);
      expect(problems).to.deep.equal([]);
    });

    it("sends the two calls as one EIP-5792 batch when the wallet can do that atomically", async function () {
      const symbol = await suite.setup.f.token.symbol();
      const invoice = await createInvoice({ amount: "0.5", token: symbol });
      const watched = await suite.newPage({ viewport: VIEWPORTS.phone });
      const { page, problems } = watched;
      const requests = await injectWallet(watched, customer, { atomicBatch: true });
      await open(watched, invoice.id);
      await page.click("#pay-button");
      await page.waitForSelector("#review");
      expect(await page.locator("#review-title").textContent()).to.equal("Your wallet will ask you to confirm one batch of 2 calls");
      const shown = [await shownFields(page, 0), await shownFields(page, 1)];
      await page.click("#confirm-button");
      await page.waitForSelector("#receipt.confirmed", { timeout: 30_000 });
      const batch = requests.find((r) => r.method === "wallet_sendCalls")!.params[0] as { atomicRequired: boolean; calls: { to: string; data: string; value: string }[] };
      expect(batch.atomicRequired).to.equal(true);
      expect(batch.calls.map((c) => ({ to: c.to, value: `0 ETH (${BigInt(c.value)} wei)`, data: c.data }))).to.deep.equal(shown);
      expect(methods(requests)).to.not.include("eth_sendTransaction");
      expect(problems).to.deep.equal([]);
    });
  });

  describe("without a wallet, and a wrong link", function () {
    it("offers the QR code and the open-in-wallet link, and says no wallet was found", async function () {
      const invoice = await createInvoice({ amount: "9.99", token: usdc });
      const { page, problems } = await suite.newPage({ viewport: VIEWPORTS.phone });
      await page.goto(`/pay/${invoice.id}`);
      await page.waitForSelector("#app[data-ready]");
      expect(await page.locator("#pay-button").count()).to.equal(0);
      expect(await page.locator("#no-wallet").textContent()).to.include("No wallet was found in this browser");
      expect(await page.locator("#open-in-wallet").getAttribute("href")).to.match(/^ethereum:0x[0-9a-fA-F]{40}@\d+\/transfer\?/);
      await screenshot(page, "phone-no-wallet");
      await expectAxeClean(page);
      expect(problems).to.deep.equal([]);
    });

    it("says the payment is not found for an unknown id (the API's 404 is the only console line)", async function () {
      const { page, problems } = await suite.newPage({ viewport: VIEWPORTS.phone });
      await page.goto("/pay/00000000-0000-4000-8000-000000000000");
      await page.waitForSelector("#app[data-ready]");
      expect(await page.locator("h1").textContent()).to.equal("Payment not found");
      expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of 404/.test(p))).to.deep.equal([]);
      await expectAxeClean(page);
    });
  });
});
