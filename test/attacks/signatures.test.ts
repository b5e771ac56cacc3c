/**
 * Attacks on invoice signatures: replay on the same escrow, on another deployment and on another chain;
 * malleable encodings of a used signature (high-s, 64-byte compact); every signed field tampered with; a
 * rotated signer, a suspended merchant, an expired, payer-bound, cancelled or voided invoice; mangled packed
 * bytes; and ERC-1271 signers, including two naive wallets of one key.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { type ContractTransactionResponse, SigningKey, TypedDataEncoder, type TypedDataField } from "ethers";

import { INVOICE_TYPES } from "../../src/invoice/types.js";
import {
  ERC1271DenyWallet__factory,
  ERC1271NaiveWallet__factory,
  ERC1271PresignWallet__factory,
  type MerchantRegistry,
  type PaymentEscrow,
  PaymentEscrow__factory,
} from "../../typechain-types/index.js";
import { type Deployed, deployAll, ethers, networkHelpers } from "../helpers/fixture.js";
import { pick } from "../helpers/merchants.js";
import { type TestInvoice, compact, escrowDomain, makeInvoice, packInvoice, signInvoice } from "../helpers/invoices.js";

const ZERO = ethers.ZeroAddress;
const ONE = 10n ** 18n;
/** Order of the secp256k1 group. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** The invoice's EIP-712 types, as the mutable record ethers expects. */
const TYPES: Record<string, TypedDataField[]> = { Invoice: INVOICE_TYPES.Invoice.map((field) => ({ ...field })) };
/** ERC-1271 magic value. */
const MAGIC = "0x1626ba7e";
/** A fixed key for the naive ERC-1271 wallets (test-only). */
const WALLET_KEY = new SigningKey(ethers.id("scanpay attack tests: naive wallet key"));

interface Merchant {
  id: bigint;
  owner: HardhatEthersSigner;
  signer: HardhatEthersSigner;
}

async function register(
  registry: MerchantRegistry,
  owner: HardhatEthersSigner,
  signer: string,
  payout: string,
): Promise<bigint> {
  const id = await registry.connect(owner).register.staticCall(owner.address, payout, signer, 0, "Shop", "");
  await registry.connect(owner).register(owner.address, payout, signer, 0, "Shop", "");
  return id;
}

let nextNumber = 1n;

async function latest(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

async function invoiceFor(merchantId: bigint, extra: Partial<TestInvoice> = {}): Promise<TestInvoice> {
  return makeInvoice({
    merchantId,
    invoiceNumber: nextNumber++,
    expiry: (await latest()) + 3600n,
    pointsAward: 5n,
    orderRef: ethers.id(`order ${nextNumber}`),
    ...extra,
  });
}

/** The same signature with s' = n - s and v flipped: valid for ecrecover, rejected by the low-s rule. */
function highS(signature: string): string {
  const bytes = ethers.getBytes(signature);
  const s = BigInt(ethers.hexlify(bytes.slice(32, 64)));
  const v = bytes[64] === 27 ? 28 : 27;
  return ethers.concat([bytes.slice(0, 32), ethers.toBeHex(SECP256K1_N - s, 32), Uint8Array.of(v)]);
}

/** Calls the ecrecover precompile directly (no low-s rule). */
async function ecrecover(digest: string, signature: string): Promise<string> {
  const bytes = ethers.getBytes(signature);
  const data = ethers.concat([digest, ethers.toBeHex(bytes[64]!, 32), bytes.slice(0, 32), bytes.slice(32, 64)]);
  const out = await ethers.provider.call({ to: "0x0000000000000000000000000000000000000001", data });
  return ethers.getAddress(ethers.dataSlice(out, 12));
}

interface SignatureWorld extends Deployed {
  m: Merchant;
  m2: Merchant;
  payer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  spare: HardhatEthersSigner[];
  tokenAddress: string;
}

async function signatureWorld(): Promise<SignatureWorld> {
  const d = await deployAll();
  const o = d.others;
  const m: Merchant = { id: 0n, owner: pick(o, 0), signer: pick(o, 1) };
  m.id = await register(d.registry, m.owner, m.signer.address, pick(o, 2).address);
  const m2: Merchant = { id: 0n, owner: pick(o, 3), signer: pick(o, 4) };
  m2.id = await register(d.registry, m2.owner, m2.signer.address, pick(o, 5).address);
  return {
    ...d,
    m,
    m2,
    payer: pick(o, 6),
    stranger: pick(o, 7),
    spare: o.slice(8),
    tokenAddress: await d.token.getAddress(),
  };
}

function load(): Promise<SignatureWorld> {
  return networkHelpers.loadFixture(signatureWorld);
}

function payEth(escrow: PaymentEscrow, from: HardhatEthersSigner, invoice: TestInvoice, signature: string) {
  return escrow.connect(from).pay(invoice, signature, { value: invoice.token === ZERO ? invoice.amount : 0n });
}

/** Awaits a payment and checks its InvoicePaid event in full (hold period 0: releaseAt is the block time). */
async function expectPaid(
  escrow: PaymentEscrow,
  sent: Promise<ContractTransactionResponse>,
  invoice: TestInvoice,
  payer: HardhatEthersSigner,
): Promise<void> {
  const tx = await sent;
  const block = await tx.getBlock();
  await expect(tx)
    .to.emit(escrow, "InvoicePaid")
    .withArgs(
      invoice.merchantId,
      invoice.invoiceNumber,
      payer.address,
      invoice.token,
      invoice.amount,
      BigInt(block!.timestamp),
    );
}

describe("attacks: signatures and replay", () => {
  describe("replay", () => {
    // Defence: the used-invoice bit, set before any funds move.
    it("rejects the same invoice paid twice on one escrow (PaymentEscrowInvoiceUsed)", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await payEth(w.escrow, w.payer, invoice, signature);
      await expect(payEth(w.escrow, w.stranger, invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(invoice.merchantId, invoice.invoiceNumber);
      await expect(w.escrow.connect(w.stranger).payPacked(packInvoice(invoice, 0n, compact(signature)), { value: ONE }))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(invoice.merchantId, invoice.invoiceNumber);
    });

    // Defence: the EIP-712 domain's verifyingContract.
    it("rejects a signature made for another deployment of the escrow (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const other = await new PaymentEscrow__factory(w.deployer).deploy(
        await w.registry.getAddress(),
        await w.points.getAddress(),
        w.treasury.address,
        w.feeBps,
        w.disputeTimeout,
      );
      // No points: the points contract mints only for the first escrow.
      const invoice = await invoiceFor(w.m.id, { pointsAward: 0n });
      const forA = await signInvoice(w.m.signer, w.escrow, invoice);
      await expect(payEth(other, w.payer, invoice, forA))
        .to.be.revertedWithCustomError(other, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
      // Control: the same invoice signed for B pays on B, and A's signature still pays on A.
      const forB = await signInvoice(w.m.signer, other, invoice);
      await expectPaid(other, payEth(other, w.payer, invoice, forB), invoice, w.payer);
      await expectPaid(w.escrow, payEth(w.escrow, w.payer, invoice, forA), invoice, w.payer);
    });

    // Defence: the EIP-712 domain's chainId.
    it("rejects a signature made for another chain id: the digest differs (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const domain = await escrowDomain(w.escrow);
      const otherChain = { ...domain, chainId: domain.chainId + 1n };
      const digest = await w.escrow.invoiceDigest(invoice);
      expect(TypedDataEncoder.hash(domain, TYPES, invoice)).to.equal(digest);
      expect(TypedDataEncoder.hash(otherChain, TYPES, invoice)).to.not.equal(digest);
      const signature = await w.m.signer.signTypedData(otherChain, TYPES, invoice);
      await expect(payEth(w.escrow, w.payer, invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
    });

    // Defence: the low-s rule (ECDSA.tryRecover) — checked before the used bit, so the error names it.
    it("rejects the high-s form of a used signature (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await payEth(w.escrow, w.payer, invoice, signature);
      const malleated = highS(signature);
      expect(await ecrecover(await w.escrow.invoiceDigest(invoice), malleated)).to.equal(w.m.signer.address);
      await expect(payEth(w.escrow, w.stranger, invoice, malleated))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
    });

    it("rejects an unused invoice signed with high s, and accepts the low-s original", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await expect(payEth(w.escrow, w.payer, invoice, highS(signature)))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
      expect(await w.escrow.isInvoiceUsed(w.m.id, invoice.invoiceNumber)).to.equal(false);
      await expectPaid(w.escrow, payEth(w.escrow, w.payer, invoice, signature), invoice, w.payer);
    });

    // Defence: the used bit (the 64-byte form is the same signature, valid by design).
    it("rejects the 64-byte compact form of a used signature (PaymentEscrowInvoiceUsed)", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await payEth(w.escrow, w.payer, invoice, signature);
      await expect(payEth(w.escrow, w.stranger, invoice, compact(signature)))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(w.m.id, invoice.invoiceNumber);
    });

    it("rejects the 65-byte form after the compact form was used (PaymentEscrowInvoiceUsed)", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await payEth(w.escrow, w.payer, invoice, compact(signature));
      await expect(payEth(w.escrow, w.stranger, invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(w.m.id, invoice.invoiceNumber);
    });
  });

  describe("tampered fields", () => {
    // Defence: every field is in the EIP-712 struct hash (the typehash and _invoiceDigest).
    // `epoch` is tampered in "invoice validity" (the epoch check comes first: PaymentEscrowInvoiceVoided, or
    // PaymentEscrowInvalidSignature when the merchant is at the tampered epoch).
    const tamper: Record<Exclude<keyof TestInvoice, "epoch">, (w: SignatureWorld, invoice: TestInvoice) => TestInvoice> = {
      merchantId: (w, i) => ({ ...i, merchantId: w.m2.id }),
      invoiceNumber: (_w, i) => ({ ...i, invoiceNumber: i.invoiceNumber + 1_000_000n }),
      token: (w, i) => ({ ...i, token: w.tokenAddress }),
      amount: (_w, i) => ({ ...i, amount: i.amount + 1n }),
      expiry: (_w, i) => ({ ...i, expiry: i.expiry + 1n }),
      payer: (w, i) => ({ ...i, payer: w.payer.address }),
      pointsAward: (_w, i) => ({ ...i, pointsAward: i.pointsAward + 1n }),
      pointsRedeem: (_w, i) => ({ ...i, pointsRedeem: i.pointsRedeem + 1n }),
      orderRef: (_w, i) => ({ ...i, orderRef: ethers.id("another order") }),
      holdPeriod: (_w, i) => ({ ...i, holdPeriod: i.holdPeriod + 1n }),
    };

    for (const field of Object.keys(tamper) as (keyof typeof tamper)[]) {
      it(`rejects a signature when ${field} is changed (PaymentEscrowInvalidSignature)`, async () => {
        const w = await load();
        const invoice = await invoiceFor(w.m.id);
        const signature = await signInvoice(w.m.signer, w.escrow, invoice);
        const changed = tamper[field](w, invoice);
        const expectedSigner = changed.merchantId === w.m2.id ? w.m2.signer.address : w.m.signer.address;
        await expect(payEth(w.escrow, w.payer, changed, signature))
          .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
          .withArgs(changed.merchantId, expectedSigner);
        // Control: the signature is good for the invoice it was made for.
        await expectPaid(w.escrow, payEth(w.escrow, w.payer, invoice, signature), invoice, w.payer);
      });
    }
  });

  describe("invoice validity", () => {
    // Defence: the signature is checked against the merchant's current signer.
    it("rejects an invoice signed by a rotated-away signer, and accepts the new signer's", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const oldSignature = await signInvoice(w.m.signer, w.escrow, invoice);
      const newSigner = pick(w.spare, 0);
      await w.registry.connect(w.m.owner).setSigner(w.m.id, newSigner.address);
      await expect(payEth(w.escrow, w.payer, invoice, oldSignature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
      const current = { ...invoice, epoch: 1n };
      await expect(payEth(w.escrow, w.payer, current, await signInvoice(w.m.signer, w.escrow, current)))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, newSigner.address);
      await expectPaid(
        w.escrow,
        payEth(w.escrow, w.payer, current, await signInvoice(newSigner, w.escrow, current)),
        current,
        w.payer,
      );
    });

    // Issue 8, item 10: the docs say rotation voids the old signer's invoices; rotating back must not revive them.
    it("does not revive the invoices of a signer rotated out and then back in", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await w.registry.connect(w.m.owner).setSigner(w.m.id, pick(w.spare, 0).address);
      await w.registry.connect(w.m.owner).setSigner(w.m.id, w.m.signer.address);
      await expect(payEth(w.escrow, w.payer, invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 2n);
    });

    // Defence: the merchant status check.
    it("rejects an invoice of a suspended merchant (PaymentEscrowMerchantNotActive)", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await w.registry.connect(w.admin).suspend(w.m.id);
      await expect(payEth(w.escrow, w.payer, invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowMerchantNotActive")
        .withArgs(w.m.id);
    });

    // Defence: the expiry check (block.timestamp <= expiry).
    it("rejects an expired invoice (PaymentEscrowInvoiceExpired) and accepts it at its last second", async () => {
      const w = await load();
      const late = await invoiceFor(w.m.id);
      const lateSignature = await signInvoice(w.m.signer, w.escrow, late);
      const onTime = await invoiceFor(w.m.id, { expiry: late.expiry });
      const onTimeSignature = await signInvoice(w.m.signer, w.escrow, onTime);
      await networkHelpers.time.setNextBlockTimestamp(late.expiry);
      await expectPaid(w.escrow, payEth(w.escrow, w.payer, onTime, onTimeSignature), onTime, w.payer);
      await expect(payEth(w.escrow, w.payer, late, lateSignature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceExpired")
        .withArgs(late.expiry);
    });

    // Defence: the payer check.
    it("rejects a payer-bound invoice paid by someone else (PaymentEscrowWrongPayer)", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id, { payer: w.payer.address });
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await expect(payEth(w.escrow, w.stranger, invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowWrongPayer")
        .withArgs(w.payer.address, w.stranger.address);
      await expect(
        w.escrow.connect(w.stranger).payPacked(packInvoice(invoice, 0n, compact(signature)), { value: invoice.amount }),
      )
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowWrongPayer")
        .withArgs(w.payer.address, w.stranger.address);
      await expectPaid(w.escrow, payEth(w.escrow, w.payer, invoice, signature), invoice, w.payer);
    });

    // Defence: cancelInvoice sets the used bit.
    it("rejects a cancelled invoice number (PaymentEscrowInvoiceUsed)", async () => {
      const w = await load();
      const invoice = await invoiceFor(w.m.id);
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await w.escrow.connect(w.m.signer).cancelInvoice(w.m.id, invoice.invoiceNumber);
      await expect(payEth(w.escrow, w.payer, invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(w.m.id, invoice.invoiceNumber);
    });

    // Defence: the invoice epoch check.
    it("rejects an invoice voided by voidInvoices (PaymentEscrowInvoiceVoided), not one signed for the new epoch", async () => {
      const w = await load();
      const voided = await invoiceFor(w.m.id);
      const voidedSignature = await signInvoice(w.m.signer, w.escrow, voided);
      await w.registry.connect(w.m.signer).voidInvoices(w.m.id);
      const current = await invoiceFor(w.m.id, { epoch: 1n });
      await expect(payEth(w.escrow, w.payer, voided, voidedSignature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
      // Changing the epoch in the calldata breaks the signature instead.
      await expect(payEth(w.escrow, w.payer, { ...voided, epoch: 1n }, voidedSignature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
      await expectPaid(w.escrow, payEth(w.escrow, w.payer, current, await signInvoice(w.m.signer, w.escrow, current)), current, w.payer);
    });
  });

  describe("packed bytes (payPacked)", () => {
    async function packed(w: SignatureWorld) {
      const invoice = await invoiceFor(w.m.id, { payer: w.payer.address });
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      return { invoice, signature, bytes: ethers.getBytes(packInvoice(invoice, 0n, compact(signature))) };
    }

    function send(w: SignatureWorld, bytes: Uint8Array, value: bigint = ONE) {
      return w.escrow.connect(w.payer).payPacked(ethers.hexlify(bytes), { value });
    }

    // Defence: the length checks of _decodePacked.
    it("rejects bytes cut inside the fixed part (PaymentEscrowPackedInvoiceTooShort)", async () => {
      const w = await load();
      const { bytes } = await packed(w);
      await expect(send(w, bytes.slice(0, 30)))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowPackedInvoiceTooShort")
        .withArgs(30, 42);
    });

    it("rejects bytes cut inside the flagged payer and order reference (PaymentEscrowPackedInvoiceTooShort)", async () => {
      const w = await load();
      const { bytes } = await packed(w);
      const minLength = 41 + 20 + 32 + 1;
      await expect(send(w, bytes.slice(0, 51)))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowPackedInvoiceTooShort")
        .withArgs(51, minLength);
    });

    // Defence: signature length and recovery (a shortened signature is not the signer's).
    it("rejects a signature cut by two bytes (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const { bytes } = await packed(w);
      await expect(send(w, bytes.slice(0, bytes.length - 2)))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
    });

    it("rejects a 65-byte signature with v = 28 whose v byte was cut off (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      let found: { invoice: TestInvoice; signature: string } | undefined;
      while (found === undefined) {
        const invoice = await invoiceFor(w.m.id);
        const signature = await signInvoice(w.m.signer, w.escrow, invoice);
        if (ethers.getBytes(signature)[64] === 28) found = { invoice, signature };
      }
      // 64 bytes r || s read as EIP-2098 r || vs mean v = 27: another key.
      const cut = ethers.getBytes(packInvoice(found.invoice, 0n, ethers.dataSlice(found.signature, 0, 64)));
      await expect(send(w, cut))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
    });

    it("rejects a signature extended by one byte (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const { invoice, bytes } = await packed(w);
      await expect(send(w, ethers.getBytes(ethers.concat([bytes, "0x00"]))))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
      await expectPaid(w.escrow, send(w, bytes), invoice, w.payer);
    });

    it("rejects re-ordered bytes: two amount bytes swapped (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const { bytes } = await packed(w);
      // Amount occupies bytes 16..27; its last two bytes differ for 1 ether (0x...a7640000).
      const swapped = Uint8Array.from(bytes);
      [swapped[24], swapped[25]] = [bytes[25]!, bytes[24]!];
      expect(swapped[24]).to.not.equal(bytes[24]);
      await expect(send(w, swapped))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
    });

    it("rejects re-ordered bytes: the signature's halves swapped (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const { bytes } = await packed(w);
      const sigStart = bytes.length - 64;
      const swapped = ethers.getBytes(
        ethers.concat([bytes.slice(0, sigStart), bytes.slice(sigStart + 32), bytes.slice(sigStart, sigStart + 32)]),
      );
      await expect(send(w, swapped))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(w.m.id, w.m.signer.address);
    });

    it("rejects an unknown version byte (PaymentEscrowPackedVersionUnsupported)", async () => {
      const w = await load();
      const { bytes } = await packed(w);
      const changed = Uint8Array.from(bytes);
      changed[0] = 2;
      await expect(send(w, changed))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowPackedVersionUnsupported")
        .withArgs(2);
    });

    it("rejects the EIP-2098 form made by cutting v = 27 once the invoice is used (PaymentEscrowInvoiceUsed)", async () => {
      const w = await load();
      let found: { invoice: TestInvoice; signature: string } | undefined;
      while (found === undefined) {
        const invoice = await invoiceFor(w.m.id);
        const signature = await signInvoice(w.m.signer, w.escrow, invoice);
        if (ethers.getBytes(signature)[64] === 27) found = { invoice, signature };
      }
      await payEth(w.escrow, w.payer, found.invoice, found.signature);
      const cut = ethers.getBytes(packInvoice(found.invoice, 0n, ethers.dataSlice(found.signature, 0, 64)));
      await expect(send(w, cut))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(w.m.id, found.invoice.invoiceNumber);
    });
  });

  describe("ERC-1271 signers", () => {
    async function walletMerchant(w: SignatureWorld, wallet: string): Promise<bigint> {
      return register(w.registry, pick(w.spare, 1), wallet, pick(w.spare, 2).address);
    }

    // Defence: SignatureChecker falls back to ERC-1271 for contract signers.
    it("pays an invoice whose digest the signer wallet approved", async () => {
      const w = await load();
      const owner = pick(w.spare, 3);
      const wallet = await new ERC1271PresignWallet__factory(w.deployer).deploy(owner.address);
      const walletAddress = await wallet.getAddress();
      const id = await walletMerchant(w, walletAddress);
      const invoice = await invoiceFor(id);
      await wallet.connect(owner).approveHash(await w.escrow.invoiceDigest(invoice));
      await expectPaid(w.escrow, payEth(w.escrow, w.payer, invoice, "0x"), invoice, w.payer);
      // An invoice the wallet did not approve fails.
      const unapproved = await invoiceFor(id);
      await expect(payEth(w.escrow, w.payer, unapproved, "0x"))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(id, walletAddress);
    });

    it("rejects every signature of a wallet that says no (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const wallet = await new ERC1271DenyWallet__factory(w.deployer).deploy(false);
      const walletAddress = await wallet.getAddress();
      const id = await walletMerchant(w, walletAddress);
      const invoice = await invoiceFor(id);
      // Even a valid ECDSA signature by someone: the signer is the wallet, which has no key.
      const signature = await signInvoice(w.m.signer, w.escrow, invoice);
      await expect(payEth(w.escrow, w.payer, invoice, signature))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(id, walletAddress);
    });

    it("rejects every signature of a wallet whose check reverts (PaymentEscrowInvalidSignature)", async () => {
      const w = await load();
      const wallet = await new ERC1271DenyWallet__factory(w.deployer).deploy(true);
      const walletAddress = await wallet.getAddress();
      const id = await walletMerchant(w, walletAddress);
      const invoice = await invoiceFor(id);
      await expect(payEth(w.escrow, w.payer, invoice, "0x1234"))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(id, walletAddress);
    });

    // Defence: merchantId is signed, so a naive wallet's acceptance of any owner-signed hash cannot move an
    // invoice from merchant A to merchant B.
    it("stops two naive wallets of one key from replaying merchant A's invoice as merchant B's", async () => {
      const w = await load();
      const keyAddress = ethers.computeAddress(WALLET_KEY.publicKey);
      const walletA = await new ERC1271NaiveWallet__factory(w.deployer).deploy(keyAddress);
      const walletB = await new ERC1271NaiveWallet__factory(w.deployer).deploy(keyAddress);
      const idA = await walletMerchant(w, await walletA.getAddress());
      const idB = await register(w.registry, pick(w.spare, 4), await walletB.getAddress(), pick(w.spare, 5).address);
      const invoiceA = await invoiceFor(idA);
      const digestA = await w.escrow.invoiceDigest(invoiceA);
      const signatureA = WALLET_KEY.sign(digestA).serialized;
      await expectPaid(w.escrow, payEth(w.escrow, w.payer, invoiceA, signatureA), invoiceA, w.payer);

      // Wallet B would accept A's digest: it does not bind itself into what it checks.
      expect(await walletB.isValidSignature(digestA, signatureA)).to.equal(MAGIC);
      const asB = { ...invoiceA, merchantId: idB };
      await expect(payEth(w.escrow, w.payer, asB, signatureA))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(idB, await walletB.getAddress());
      // Control: B's own invoice, signed by the key, pays.
      await expectPaid(
        w.escrow,
        payEth(w.escrow, w.payer, asB, WALLET_KEY.sign(await w.escrow.invoiceDigest(asB)).serialized),
        asB,
        w.payer,
      );
    });
  });
});
