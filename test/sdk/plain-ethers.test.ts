/**
 * The SDK as an integrator uses it: a plain ethers `JsonRpcProvider` and `Wallet` (no Hardhat plugin in between)
 * against a `hardhat node` this file starts, with the repository's deploy scripts. ethers caches identical RPC
 * reads for 250 ms, so a function sending two transactions in a row must not let the wallet read its nonce
 * twice (issue 9, item 5: "nonce has already been used").
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Wallet } from "ethers";

import { loadAndExecuteDeploymentsFromFiles } from "../../rocketh/environment.js";
import { TestToken__factory } from "../../typechain-types/index.js";
import {
  connectScanPay,
  createInvoice,
  getMerchant,
  payInvoice,
  refundSettledPayment,
  registerMerchant,
  resolveDeployment,
  ScanPayContractError,
  updateMerchant,
  type Deployment,
} from "../../src/index.js";
import { type HardhatNode, startHardhatNode } from "../helpers/child-process.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const MNEMONIC = "test test test test test test test test test test test junk";
const USD = 1_000_000n;

type Eip1193 = Parameters<typeof loadAndExecuteDeploymentsFromFiles>[0]["provider"];

describe("the SDK with a plain JsonRpcProvider + Wallet (hardhat node)", function () {
  this.timeout(60_000);

  let node: HardhatNode | undefined;
  let provider: JsonRpcProvider;
  let work = "";
  let deployment: Deployment;
  let merchantId: bigint;
  let owner: Wallet;
  let customer: Wallet;

  /** Account `index` of the node's mnemonic, as a plain Wallet on the plain provider. */
  const wallet = (index: number): Wallet => {
    const hd = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), `m/44'/60'/0'/0/${index}`);
    return new Wallet(hd.privateKey, provider);
  };

  before(async function () {
    this.timeout(60_000);
    work = await mkdtemp(path.join(tmpdir(), "scanpay-plain-"));
    node = await startHardhatNode(REPO_ROOT, 30_000);
    // Exactly what an integrator writes: no static network, no batching options, the default 250 ms cache.
    provider = new JsonRpcProvider(node.url);
    const eip1193 = {
      request: ({ method, params }: { method: string; params?: unknown[] }) => provider.send(method, params ?? []),
    } as unknown as Eip1193;
    await loadAndExecuteDeploymentsFromFiles({
      provider: eip1193,
      saveDeployments: true,
      config: { deployments: path.join(work, "deployments") },
      environment: "localhost",
    });
    const { chainId } = await provider.getNetwork();
    deployment = resolveDeployment(chainId, { deploymentsDir: path.join(work, "deployments") });
    owner = wallet(4);
    customer = wallet(5);
    const asOwner = connectScanPay(owner, deployment);
    ({ merchantId } = await registerMerchant(asOwner.registry, { name: "Plain Café", holdPeriod: 0n }));
    const token = TestToken__factory.connect(deployment.testToken!, customer);
    await (await token.mint(customer.address, 1_000n * USD)).wait();
  });

  after(async () => {
    provider?.destroy();
    await node?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  const tokenAt = (address: string) => TestToken__factory.connect(address, provider);

  describe("payInvoice", () => {
    it("pays a token invoice that needs an approval: the payment takes the approval's nonce + 1 and no allowance stays", async () => {
      const created = await createInvoice(connectScanPay(owner, deployment).escrow, owner, {
        merchantId, token: deployment.testToken!, amount: 12n * USD + USD / 2n,
      });
      const nonceBefore = await provider.getTransactionCount(customer.address, "latest");
      const paid = await payInvoice(connectScanPay(customer, deployment).escrow, created.signed);

      expect(paid.approval?.label).to.equal("approve");
      expect(paid.approval?.nonce).to.equal(nonceBefore);
      expect(paid.payment.nonce).to.equal(nonceBefore + 1);
      expect(await tokenAt(deployment.testToken!).allowance(customer.address, deployment.escrow)).to.equal(0n);
      const escrow = connectScanPay(provider, deployment).escrow;
      expect(await escrow.isInvoiceUsed(merchantId, created.signed.invoice.invoiceNumber)).to.equal(true);
    });

    it("a payment failing after its approval sets the allowance back to what it was, then throws the payment's error", async () => {
      const created = await createInvoice(connectScanPay(owner, deployment).escrow, owner, {
        merchantId, token: deployment.testToken!, amount: 3n * USD,
      });
      const asCustomer = connectScanPay(customer, deployment).escrow;
      await payInvoice(asCustomer, created.signed);
      const nonceBefore = await provider.getTransactionCount(customer.address, "latest");

      // Paid already; `check: false` skips the read-only checks, so the approval goes out and the payment reverts.
      const error = await payInvoice(asCustomer, created.signed, { check: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ScanPayContractError);
      const contractError = error as ScanPayContractError;
      expect(contractError.errorName).to.equal("PaymentEscrowInvoiceUsed");
      expect(contractError.args).to.deep.include({ merchantId, invoiceNumber: created.signed.invoice.invoiceNumber });
      expect(await tokenAt(deployment.testToken!).allowance(customer.address, deployment.escrow)).to.equal(0n);
      // The approval and its undo; the payment never left (it reverted in estimation).
      expect(await provider.getTransactionCount(customer.address, "latest")).to.equal(nonceBefore + 2);
    });
  });

  describe("refundSettledPayment", () => {
    it("approves the refund and sends it with the next nonce, leaving no allowance", async () => {
      const created = await createInvoice(connectScanPay(owner, deployment).escrow, owner, {
        merchantId, token: deployment.testToken!, amount: 4n * USD,
      });
      await payInvoice(connectScanPay(customer, deployment).escrow, created.signed); // settles at once (no hold)
      await (await TestToken__factory.connect(deployment.testToken!, owner).mint(owner.address, 10n * USD)).wait();
      const before = await tokenAt(deployment.testToken!).balanceOf(customer.address);

      const refund = await refundSettledPayment(
        connectScanPay(owner, deployment).escrow, merchantId, created.signed.invoice.invoiceNumber,
        { amount: USD, fromBlock: deployment.startBlock },
      );
      expect(refund.approval?.label).to.equal("approve");
      expect(refund.tx.nonce).to.equal(refund.approval!.nonce + 1);
      expect((await tokenAt(deployment.testToken!).balanceOf(customer.address)) - before).to.equal(USD);
      expect(await tokenAt(deployment.testToken!).allowance(owner.address, deployment.escrow)).to.equal(0n);
    });
  });

  describe("sendTx (every transaction-sending function)", () => {
    it("two SDK transactions in a row from one wallet both go through (a stale cached nonce is retried)", async () => {
      const asOwner = connectScanPay(owner, deployment);
      const first = await registerMerchant(asOwner.registry, { name: "Back to back 1" });
      const second = await registerMerchant(asOwner.registry, { name: "Back to back 2" });
      expect(second.merchantId).to.equal(first.merchantId + 1n);
      expect(second.tx.nonce).to.equal(first.tx.nonce + 1);
    });
  });

  describe("updateMerchant", () => {
    it("sends several settings in a row, each with the previous transaction's nonce + 1", async () => {
      const sent = await updateMerchant(connectScanPay(owner, deployment).registry, merchantId, {
        payout: wallet(8).address, holdPeriod: 3_600n, name: "Plain Café 2",
      });
      expect(sent.map((tx) => tx.label)).to.deep.equal(["setPayout", "setHoldPeriod", "setProfile"]);
      expect(sent.map((tx) => tx.nonce - sent[0]!.nonce)).to.deep.equal([0, 1, 2]);
      const merchant = await getMerchant(connectScanPay(provider, deployment).registry, merchantId);
      expect([merchant.payout, merchant.holdPeriod, merchant.name]).to.deep.equal([wallet(8).address, 3_600n, "Plain Café 2"]);
    });
  });
});
