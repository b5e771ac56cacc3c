/**
 * Test helpers to build and sign invoices (EIP-712, domain of the deployed escrow).
 */
import type { BaseContract, Signer } from "ethers";
import { Signature } from "ethers";

import type { IPaymentEscrow } from "../../typechain-types/index.js";
import { EIP712_NAME, EIP712_VERSION, type Invoice, INVOICE_TYPES, ZERO_ADDRESS, ZERO_BYTES32 } from "../../src/invoice/types.js";

export type InvoiceStruct = IPaymentEscrow.InvoiceStruct;

/** The SDK's invoice type: tests build exactly what the SDK signs. */
export type TestInvoice = Invoice;

/** An invoice with sensible defaults: ETH, 1 ether, anyone may pay, no points, no signed refund window, epoch 0. */
export function makeInvoice(overrides: Partial<TestInvoice> & { merchantId: bigint; invoiceNumber: bigint; expiry: bigint }): TestInvoice {
  return {
    token: ZERO_ADDRESS,
    amount: 10n ** 18n,
    payer: ZERO_ADDRESS,
    pointsAward: 0n,
    pointsRedeem: 0n,
    orderRef: ZERO_BYTES32,
    holdPeriod: 0n,
    epoch: 0n,
    ...overrides,
  };
}

export async function escrowDomain(escrow: BaseContract) {
  const { chainId } = await escrow.runner!.provider!.getNetwork();
  return { name: EIP712_NAME, version: EIP712_VERSION, chainId, verifyingContract: await escrow.getAddress() };
}

/** 65-byte r||s||v signature of `invoice` by `signer` for `escrow`'s domain. */
export async function signInvoice(signer: Signer, escrow: BaseContract, invoice: TestInvoice): Promise<string> {
  return signer.signTypedData(await escrowDomain(escrow), { Invoice: [...INVOICE_TYPES.Invoice] }, invoice);
}

/** EIP-2098 64-byte compact form of a 65-byte signature. */
export function compact(signature: string): string {
  return Signature.from(signature).compactSerialized;
}

function hex(value: bigint, bytes: number): string {
  return value.toString(16).padStart(bytes * 2, "0");
}

/** Packs an invoice for `payPacked` (layout in docs/qr-format.md). */
export function packInvoice(invoice: TestInvoice, tokenIndex: bigint, signature: string): string {
  let flags = 0;
  if (invoice.payer !== ZERO_ADDRESS) flags |= 1;
  if (invoice.orderRef !== ZERO_BYTES32) flags |= 2;
  if (invoice.holdPeriod !== 0n) flags |= 4;
  if (invoice.epoch !== 0n) flags |= 8;
  let out = "0x01" + hex(BigInt(flags), 1);
  out += hex(invoice.merchantId, 4) + hex(invoice.invoiceNumber, 8) + hex(tokenIndex, 2) + hex(invoice.amount, 12);
  out += hex(invoice.expiry, 5) + hex(invoice.pointsAward, 4) + hex(invoice.pointsRedeem, 4);
  if (flags & 1) out += invoice.payer.slice(2).toLowerCase();
  if (flags & 2) out += invoice.orderRef.slice(2);
  if (flags & 4) out += hex(invoice.holdPeriod, 4);
  if (flags & 8) out += hex(invoice.epoch, 4);
  return out + signature.slice(2);
}
