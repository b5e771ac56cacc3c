/**
 * Pays every QR code the SDK produces by default the way a plain phone wallet does (MetaMask mobile, Rainbow,
 * Ledger Live...): parse the EIP-681 URI, then either send ETH or call the token's `transfer`, nothing else. The
 * merchant's side then settles the deposit, and the escrow records the payment.
 * The parser is eth-url-parser, the EIP-681 parser MetaMask mobile uses: an independent reading of what the SDK
 * wrote. The SDK's own parser (src/qr/parseTransferUri.ts) must read the same request.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { parse as parseEip681 } from "eth-url-parser";

import { collectDeposits } from "../../src/chain/collectDeposits.js";
import { createInvoice, type CreatedInvoice } from "../../src/chain/createInvoice.js";
import { invoiceStatus } from "../../src/chain/invoiceStatus.js";
import { settleDeposit } from "../../src/chain/settleDeposit.js";
import { QrDecodeError } from "../../src/qr/errors.js";
import { parseTransferUri } from "../../src/qr/parseTransferUri.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import { rejection, type SdkFixture, sdkFixture, USD } from "./sdk-fixture.js";

/** What a plain wallet does with a scanned QR text: one ETH send or one ERC-20 `transfer`. Returns the tx hash. */
async function plainWalletPays(wallet: HardhatEthersSigner, text: string): Promise<string> {
  const parsed = parseEip681(text);
  const { chainId } = await ethers.provider.getNetwork();
  expect(parsed.scheme).to.equal("ethereum");
  expect(parsed.chain_id, "the QR names the wallet's chain").to.equal(chainId.toString());
  const parameters = parsed.parameters ?? {};
  // The SDK's own parser reads the same request (an independent cross-check of both readings).
  const request = parseTransferUri(text);
  if (parsed.function_name === undefined) {
    // A plain ETH send: the only other thing the wallet reads is `value`, a plain integer.
    expect(Object.keys(parameters)).to.deep.equal(["value"]);
    const value = BigInt(parameters.value!);
    expect(request).to.include({ kind: "native", to: parsed.target_address, amount: value });
    const tx = await wallet.sendTransaction({ to: parsed.target_address, value });
    await tx.wait();
    return tx.hash;
  }
  expect(parsed.function_name, "nothing but transfer").to.equal("transfer");
  expect(Object.keys(parameters).sort()).to.deep.equal(["address", "uint256"]);
  const to = parameters.address!;
  const amount = BigInt(parameters.uint256!);
  expect(request).to.include({ kind: "erc20", token: parsed.target_address, to, amount });
  const token = new ethers.Contract(parsed.target_address, ["function transfer(address to, uint256 amount) returns (bool)"], wallet);
  const tx = (await token.getFunction("transfer")(to, amount)) as { hash: string; wait(): Promise<unknown> };
  await tx.wait();
  return tx.hash;
}

describe("SDK: a plain wallet pays every default QR code", () => {
  let f: SdkFixture;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
  });

  const cases: { name: string; params: (f: SdkFixture) => Parameters<typeof createInvoice>[2] }[] = [
    { name: "ETH, anyone may pay, settles at once", params: (f) => ({ merchantId: f.instantId, amount: 10n ** 16n }) },
    { name: "ETH, bound to the customer, held a day", params: (f) => ({ merchantId: f.heldId, amount: 1n, payer: f.customer.address }) },
    { name: "ERC-20, anyone may pay", params: (f) => ({ merchantId: f.instantId, token: f.tokenAddress, amount: 12_500_000n }) },
    {
      name: "ERC-20, bound, with points and an order reference",
      params: (f) => ({ merchantId: f.heldId, token: f.tokenAddress, amount: 3n * USD, payer: f.customer.address, pointsAward: 9n, orderRef: ethers.id("o-1") }),
    },
  ];

  for (const c of cases) {
    it(`${c.name}: transfer to the deposit address, settle, InvoicePaid`, async () => {
      const created: CreatedInvoice = await createInvoice(f.escrow, f.invoiceKey, c.params(f));
      expect(created.qrForm).to.equal("deposit");
      expect(created.qr).to.equal(created.depositUri);
      const hash = await plainWalletPays(f.customer, created.qr);
      const receipt = await ethers.provider.getTransactionReceipt(hash);
      expect(receipt?.to, "the wallet called nothing but the deposit address or the token").to.equal(
        created.signed.invoice.token === ethers.ZeroAddress ? created.depositAddress : created.signed.invoice.token,
      );
      const { invoice } = created.signed;
      const bound = invoice.payer !== ethers.ZeroAddress;
      // A bound invoice: anyone settles it. An unbound one: the merchant's keeper names the sender it saw.
      const router = bound ? f.asStranger.depositRouter : f.asKey.depositRouter;
      const result = await settleDeposit(router, created.signed, bound ? {} : { payer: f.customer.address });
      await expect(result.tx.hash)
        .to.emit(f.escrow, "InvoicePaid")
        .withArgs(invoice.merchantId, invoice.invoiceNumber, f.customer.address, invoice.token, invoice.amount, result.paid[0]!.releaseAt);
      const status = await invoiceStatus(f.escrow, invoice.merchantId, invoice.invoiceNumber);
      expect(status.status).to.equal(invoice.holdPeriod > 0n ? "Held" : "Settled");
    });
  }

  it("the keeper settles all of them at once after the wallet paid", async () => {
    const created = [];
    // Distinct numbers: nothing is paid yet, so the default numbering would hand out the same one.
    for (const [i, c] of cases.entries()) created.push(await createInvoice(f.escrow, f.invoiceKey, { ...c.params(f), invoiceNumber: BigInt(i + 1) }));
    const fromBlock = await ethers.provider.getBlockNumber();
    for (const c of created) await plainWalletPays(f.customer, c.qr);
    const result = await collectDeposits(f.asKey.depositRouter, created.map((c) => c.signed), { fromBlock });
    expect(result.failed.map((x) => x.error.message)).to.deep.equal([]);
    expect(result.settlement?.paid.map((p) => p.payer)).to.deep.equal(created.map(() => f.customer.address));
  });

  it("an invoice that redeems points keeps the payPacked URI, which a plain wallet refuses", async () => {
    const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, amount: 5n, pointsRedeem: 1n });
    expect([created.qrForm, created.qr, created.depositUri]).to.deep.equal(["payPacked", created.uri, undefined]);
    expect(created.depositUnavailable).to.match(/redeems points/);
    await rejection(() => parseTransferUri(created.qr), QrDecodeError, "QR_UNSUPPORTED_FUNCTION");
    // What MetaMask mobile's parser sees: a call of payPacked, neither a send nor a transfer, which it does not run.
    expect(parseEip681(created.qr).function_name).to.equal("payPacked");
  });

  it("warns when the amount is one the wallets' parser turns into exponent notation (10^21 base units or more)", async () => {
    const small = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, token: f.tokenAddress, amount: 10n ** 21n - 1n });
    expect(small.depositWarning).to.equal(undefined);
    const large = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, token: f.tokenAddress, amount: 10n ** 21n, invoiceNumber: 999n });
    expect(large.qrForm).to.equal("deposit");
    expect(large.depositWarning).to.match(/MetaMask mobile and Rainbow/);
    expect(parseEip681(large.qr).parameters?.uint256).to.equal("1e+21");
  });
});
