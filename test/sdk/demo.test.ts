import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { runDemo, type DemoResult } from "../../scripts/demo.js";
import { decodeQrImage } from "../../src/qr/image/index.js";
import { decodeCompactInvoice, decodeInvoiceUri, parseTransferUri } from "../../src/qr/index.js";
import { ZERO_ADDRESS } from "../../src/invoice/types.js";

describe("demo (scripts/demo.ts)", function () {
  this.timeout(60_000);
  let outDir: string;
  let lines: string[];
  let result: DemoResult;

  before(async () => {
    outDir = mkdtempSync(join(tmpdir(), "scanpay-demo-"));
    lines = [];
    result = await runDemo({ outDir, log: (line) => lines.push(line) });
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it("finishes well within a minute", () => {
    expect(result.wallTimeMs).to.be.lessThan(60_000);
  });

  it("settles the ETH and the token invoice, refunds the points purchase and voids the outstanding one", () => {
    expect(result.invoices.map((i) => [i.invoiceNumber, i.status])).to.deep.equal([
      [1n, "Settled"],
      [2n, "Settled"],
      [3n, "Refunded"],
      [4n, "Voided"],
      [5n, "Settled"],
    ]);
    expect(result.invoices[0]!.token).to.equal(ZERO_ADDRESS);
    expect(result.invoices[1]!.token).to.equal(result.deployment.testToken);
  });

  it("pays the merchant the invoice amounts less the 1% fee, which the treasury withdrew", () => {
    const [eth, token] = result.invoices as [DemoResult["invoices"][number], DemoResult["invoices"][number]];
    expect(result.fees).to.deep.equal({ eth: (eth.amount * 100n) / 10_000n, token: (token.amount * 100n) / 10_000n });
    expect(result.payout).to.deep.equal({ eth: eth.amount - result.fees.eth, token: token.amount - result.fees.token });
  });

  it("awards points on release, burns the redeemed ones and returns them on the refund", () => {
    expect(result.points).to.deep.equal({ afterRelease: 175n, afterRedeem: 75n, afterRefund: 175n });
  });

  it("voids the outstanding invoice by moving to epoch 1, and a scan of it is refused with INVOICE_VOIDED", () => {
    expect(result.voided).to.deep.equal({ invoiceNumber: 4n, epoch: 1n, code: "INVOICE_VOIDED" });
  });

  it("warns about the one unbound invoice with a refund window, and binds the others to the customer", () => {
    const text = lines.join("\n");
    expect(text.match(/warning: unbound with a refund window/g)?.length).to.equal(1);
    expect(text).to.match(/#1 {2}0\.05 ETH.*only 0x\w+…\w+ may pay/);
    expect(text).to.match(/#2 {2}12\.50 tUSD.*anyone may pay/);
  });

  it("reports both payments once, each with at least 2 confirmations", () => {
    expect(result.confirmed.map((p) => p.invoiceNumber).sort()).to.deep.equal([1n, 2n]);
    expect(result.confirmed.every((p) => p.confirmations >= 2)).to.equal(true);
  });

  it("leaves PNG files that read back as the invoices' carriers", () => {
    for (const invoice of result.invoices.slice(0, 2)) {
      expect(existsSync(invoice.compactPng)).to.equal(true);
      const compact = decodeQrImage(readFileSync(invoice.compactPng));
      expect(decodeCompactInvoice(compact).packed.invoice.invoiceNumber).to.equal(invoice.invoiceNumber);
      const uri = decodeQrImage(readFileSync(invoice.uriPng));
      expect(decodeInvoiceUri(uri).packed.invoice.amount).to.equal(invoice.amount);
      expect(invoice.compactPng.startsWith(outDir)).to.equal(true);
    }
  });

  it("pays #5 with a plain transfer to its deposit address, read back from the PNG, and the keeper names the sender", () => {
    const { deposit } = result;
    expect(deposit.invoiceNumber).to.equal(5n);
    const request = parseTransferUri(decodeQrImage(readFileSync(deposit.png)));
    expect(request).to.deep.equal({
      kind: "erc20",
      token: result.deployment.testToken,
      to: deposit.depositAddress,
      amount: 8_000_000n,
      chainId: result.chainId,
    });
    expect(deposit.uri).to.equal(
      `ethereum:${result.deployment.testToken}@${result.chainId}/transfer?address=${deposit.depositAddress}&uint256=8000000`,
    );
    expect(deposit.arrival).to.deep.include({ invoiceNumber: 5n, amount: 8_000_000n, received: 8_000_000n, expected: 8_000_000n, status: "exact" });
    expect(deposit.payerOfRecord).to.equal(deposit.arrival.from);
    expect(result.confirmed.map((p) => p.payer)).to.not.include(deposit.payerOfRecord);
  });

  it("refunds part of the deposit payment to its payer of record and awards points on the rest", () => {
    expect(result.deposit.refunded).to.equal(2_000_000n);
    expect(result.deposit.points).to.equal(60n);
  });

  it("pays gaslessly with one EIP-3009 signature through a relayer, refunds a quarter of it, and awards the rest's points", () => {
    const text = lines.join("\n");
    expect(result.gasless, "the gasless step ran").to.not.equal(undefined);
    if (result.gasless === undefined) return;
    expect(result.gasless.invoiceNumber).to.equal(6n);
    expect(result.gasless.relayer).to.not.equal(result.gasless.payer);
    expect(result.gasless.refunded).to.equal(1_500_000n);
    expect(result.gasless.points).to.equal(45n);
    expect(text).to.match(/invoice #6 .*Settled/);
  });

  it("fits the compact ERC-20 invoice in QR version 8 at level M", () => {
    expect(result.invoices[1]!.compactQrVersion).to.be.at.most(8);
    expect(result.invoices[1]!.compactQrVersion).to.be.lessThan(result.invoices[1]!.uriQrVersion);
  });

  it("logs every step with its gas and says where the images are", () => {
    const text = lines.join("\n");
    for (const title of ["Deploy", "Merchant", "Invoices", "scans the PNG files", "pays", "release", "Second purchase", "Refund", "Incident drill", "fees", "Deposit address", "Gasless", "Refund window", "Summary"]) {
      expect(text).to.contain(title);
    }
    expect(result.steps.length).to.be.greaterThan(8);
    for (const step of result.steps) {
      expect(step.gasUsed > 20_000n).to.equal(true);
      expect(text).to.contain(step.gasUsed.toLocaleString("en-US"));
    }
    expect(text).to.contain(result.invoices[0]!.compactPng.split("/").pop()!);
  });
});
