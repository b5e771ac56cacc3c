/**
 * Scenario helpers for the PaymentEscrow tests: a fixture with registered merchants and funded payers, and small
 * functions to sign and pay invoices through each entry point.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse, Signer, TransactionResponse } from "ethers";

import { ZERO_ADDRESS } from "../../src/invoice/types.js";
import { type RejectingPayout, RejectingPayout__factory } from "../../typechain-types/index.js";
import { type Deployed, deployAll, ethers, networkHelpers } from "./fixture.js";
import { compact, makeInvoice, packInvoice, signInvoice, type TestInvoice } from "./invoices.js";

export { ZERO_ADDRESS };

/** Refund window of the `held` merchant. */
export const HOLD_PERIOD = 3n * 24n * 3600n;
/** Refund window of the `held2` merchant. */
export const HOLD_PERIOD_2 = 24n * 3600n;
/** Points of each merchant the `payer` holds when a scenario starts (earned on a seed invoice). */
export const SEED_POINTS = 1_000n;
/** Invoice number of the seed payments (kept away from the numbers tests use). */
export const SEED_INVOICE_NUMBER = 9_000_000n;
/** Tokens (6 decimals) minted to every payer and merchant key. */
export const TOKEN_FUNDS = 1_000_000n * 10n ** 6n;
/** Basis points denominator of the fee. */
export const BPS = 10_000n;

/** `IPaymentEscrow.PaymentState` (a settled payment keeps no record: its state reads `None`). */
export const PaymentState = { None: 0n, Held: 1n, Disputed: 2n, Refunded: 3n, DisputedWhileSuspended: 4n } as const;
/** `IPaymentEscrow.InvoiceStatus`. */
export const InvoiceStatus = {
  Unpaid: 0n,
  Expired: 1n,
  Held: 2n,
  Disputed: 3n,
  Settled: 4n,
  PartiallyRefunded: 5n,
  Refunded: 6n,
  Cancelled: 7n,
  Voided: 8n,
} as const;
/** `IMerchantRegistry.MerchantStatus`. */
export const MerchantStatus = { None: 0n, Active: 1n, Suspended: 2n } as const;
/** `RejectingPayout.Mode`. */
export const ReceiverMode = { Accept: 0n, Revert: 1n, BurnGas: 2n } as const;

export interface Merchant {
  id: bigint;
  owner: HardhatEthersSigner;
  signer: HardhatEthersSigner;
  /** Payout address at registration. */
  payout: string;
  holdPeriod: bigint;
}

export interface Scenario extends Deployed {
  /** Hold period 0: payments settle at once. */
  instant: Merchant;
  /** Hold period HOLD_PERIOD. */
  held: Merchant;
  /** A second held merchant (HOLD_PERIOD_2), for batches with mixed merchants. */
  held2: Merchant;
  /** Holds SEED_POINTS of every merchant, TOKEN_FUNDS and an unlimited approval. */
  payer: HardhatEthersSigner;
  /** Holds TOKEN_FUNDS and an unlimited approval, no points. */
  payer2: HardhatEthersSigner;
  /** No role anywhere. */
  stranger: HardhatEthersSigner;
  /** Spare accounts with no role (new signers, receivers). */
  spare: HardhatEthersSigner[];
  tokenAddress: string;
  escrowAddress: string;
}

function at<T>(list: T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new Error(`no account at index ${index}`);
  return value;
}

let nextNumber = 1n;

/** A fresh invoice number (unique for the whole test run). */
export function freshNumber(): bigint {
  return nextNumber++;
}

/** `merchantId << 64 | invoiceNumber`. */
export function paymentIdOf(invoice: Pick<TestInvoice, "merchantId" | "invoiceNumber">): bigint {
  return (invoice.merchantId << 64n) | invoice.invoiceNumber;
}

/** The documented fee: amount * feeBps / 10_000, rounded down. */
export function feeOf(amount: bigint, feeBps: bigint): bigint {
  return (amount * feeBps) / BPS;
}

/** The documented award: pointsAward * (amount - refunded) / amount, rounded down. */
export function pointsFor(pointsAward: bigint, amount: bigint, refunded: bigint): bigint {
  return (pointsAward * (amount - refunded)) / amount;
}

export async function now(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

/** Timestamp of the block that mined `tx`. */
export async function blockTime(tx: { blockNumber: number | null } | null): Promise<bigint> {
  if (tx === null) throw new Error("no transaction");
  const block = await ethers.provider.getBlock(tx.blockNumber!);
  return BigInt(block!.timestamp);
}

/** Builds an invoice for `merchant`: ETH, 1 ether, fresh number, expiring in an hour unless overridden. */
export async function invoiceFor(merchant: Merchant, overrides: Partial<TestInvoice> = {}): Promise<TestInvoice> {
  return makeInvoice({
    merchantId: merchant.id,
    invoiceNumber: overrides.invoiceNumber ?? freshNumber(),
    expiry: overrides.expiry ?? (await now()) + 3600n,
    ...overrides,
  });
}

/** 65-byte signature of `invoice` by `merchant`'s signer (or `signer`). */
export function sign(s: Scenario, invoice: TestInvoice, signer: Signer): Promise<string> {
  return signInvoice(signer, s.escrow, invoice);
}

export type PayVia = "pay" | "payCompact" | "payPacked";

export interface SendOptions {
  /** Who sends the transaction (default: the scenario's payer). */
  from?: Signer;
  /** Entry point (default `pay` with the 65-byte signature). */
  via?: PayVia;
  /** ETH sent (default: the amount for an ETH invoice, zero for a token invoice). */
  value?: bigint;
  /** Token index for `payPacked` (default: the token's listed index). */
  tokenIndex?: bigint;
  /** Gas limit for the transaction. */
  gasLimit?: bigint;
}

/** Sends the payment of a signed invoice; returns the transaction promise (for `expect(...)`). */
export async function sendPay(
  s: Scenario,
  invoice: TestInvoice,
  signature: string,
  options: SendOptions = {},
): Promise<ContractTransactionResponse> {
  const from = options.from ?? s.payer;
  const value = options.value ?? (invoice.token === ZERO_ADDRESS ? invoice.amount : 0n);
  const overrides = options.gasLimit === undefined ? { value } : { value, gasLimit: options.gasLimit };
  const escrow = s.escrow.connect(from);
  switch (options.via ?? "pay") {
    case "pay":
      return escrow.pay(invoice, signature, overrides);
    case "payCompact":
      return escrow.pay(invoice, compact(signature), overrides);
    case "payPacked": {
      const tokenIndex = options.tokenIndex ?? (await s.escrow.tokenIndexOf(invoice.token)).tokenIndex;
      return escrow.payPacked(packInvoice(invoice, tokenIndex, compact(signature)), overrides);
    }
  }
}

export interface Paid {
  invoice: TestInvoice;
  signature: string;
  tx: ContractTransactionResponse;
  receipt: ContractTransactionReceipt;
  /** Payment id (merchantId << 64 | invoiceNumber). */
  id: bigint;
  /** Block time of the payment. */
  paidAt: bigint;
}

/** Signs an invoice for `merchant` (overrides applied) and pays it; the payment must succeed. */
export async function payInvoice(
  s: Scenario,
  merchant: Merchant,
  overrides: Partial<TestInvoice> = {},
  options: SendOptions = {},
): Promise<Paid> {
  const invoice = await invoiceFor(merchant, overrides);
  const signature = await sign(s, invoice, merchant.signer);
  const tx = await sendPay(s, invoice, signature, options);
  const receipt = (await tx.wait())!;
  return { invoice, signature, tx, receipt, id: paymentIdOf(invoice), paidAt: await blockTime(receipt) };
}

/** Pays a token invoice (the scenario's TestToken). */
export function payTokenInvoice(
  s: Scenario,
  merchant: Merchant,
  overrides: Partial<TestInvoice> = {},
  options: SendOptions = {},
): Promise<Paid> {
  return payInvoice(s, merchant, { token: s.tokenAddress, amount: 25_000_000n, ...overrides }, options);
}

/**
 * Awaits a payment transaction and checks its InvoicePaid event with every argument (`releaseAt` = block time
 * plus the merchant's hold period). Returns the block time.
 */
export async function expectInvoicePaid(
  s: Scenario,
  tx: Promise<ContractTransactionResponse | TransactionResponse>,
  invoice: TestInvoice,
  holdPeriod: bigint,
  payer: string = s.payer.address,
): Promise<bigint> {
  const paidAt = await blockTime(await (await tx).wait());
  await expect(tx)
    .to.emit(s.escrow, "InvoicePaid")
    .withArgs(invoice.merchantId, invoice.invoiceNumber, payer, invoice.token, invoice.amount, paidAt + holdPeriod);
  return paidAt;
}

/** Moves the chain to `timestamp` (the next block is mined at it). */
export async function travelTo(timestamp: bigint): Promise<void> {
  await networkHelpers.time.increaseTo(timestamp);
}

/** Moves time to just past the hold period of `paid`. */
export async function travelToRelease(s: Scenario, paid: Paid): Promise<void> {
  const { releaseAt } = await s.escrow.paymentOf(paid.invoice.merchantId, paid.invoice.invoiceNumber);
  await travelTo(releaseAt);
}

/** Registers a merchant; returns it. */
export async function registerMerchant(
  s: Pick<Deployed, "registry">,
  owner: HardhatEthersSigner,
  signer: HardhatEthersSigner,
  payout: HardhatEthersSigner | string,
  holdPeriod: bigint,
  name = "Shop",
): Promise<Merchant> {
  const payoutAddress = typeof payout === "string" ? payout : payout.address;
  const registry = s.registry.connect(owner);
  const id = await registry.register.staticCall(owner.address, payoutAddress, signer.address, holdPeriod, name, "");
  await registry.register(owner.address, payoutAddress, signer.address, holdPeriod, name, "");
  return { id, owner, signer, payout: payoutAddress, holdPeriod };
}

/** Deploys a RejectingPayout in `mode`. */
export async function deployRejectingPayout(mode: bigint = ReceiverMode.Revert): Promise<RejectingPayout> {
  const [deployer] = await ethers.getSigners();
  const receiver = await new RejectingPayout__factory(deployer).deploy(mode);
  await receiver.waitForDeployment();
  return receiver;
}

/**
 * The shared scenario: the real deployment plus three merchants (instant, held, held2), two funded payers and
 * SEED_POINTS of each merchant in the payer's hands. Use through `networkHelpers.loadFixture(deployScenario)`.
 */
export async function deployScenario(): Promise<Scenario> {
  const d = await deployAll();
  const o = d.others;
  const instant = await registerMerchant(d, at(o, 0), at(o, 1), at(o, 2), 0n, "Instant Cafe");
  const held = await registerMerchant(d, at(o, 3), at(o, 4), at(o, 5), HOLD_PERIOD, "Held Shop");
  const held2 = await registerMerchant(d, at(o, 9), at(o, 10), at(o, 11), HOLD_PERIOD_2, "Held Shop 2");
  const payer = at(o, 6);
  const payer2 = at(o, 7);
  const stranger = at(o, 8);
  const tokenAddress = ethers.getAddress(await d.token.getAddress());
  const escrowAddress = ethers.getAddress(await d.escrow.getAddress());
  for (const account of [payer, payer2, instant.owner, instant.signer, held.owner, held.signer, held2.owner, held2.signer]) {
    await d.token.mint(account.address, TOKEN_FUNDS);
    await d.token.connect(account).approve(escrowAddress, ethers.MaxUint256);
  }
  const s: Scenario = {
    ...d,
    instant,
    held,
    held2,
    payer,
    payer2,
    stranger,
    spare: o.slice(12),
    tokenAddress,
    escrowAddress,
  };
  // Seed points: one small paid invoice per merchant, the held ones released after their hold period.
  const seeds: Paid[] = [];
  for (const merchant of [instant, held, held2]) {
    seeds.push(
      await payInvoice(s, merchant, {
        invoiceNumber: SEED_INVOICE_NUMBER,
        amount: 10_000n,
        pointsAward: SEED_POINTS,
        expiry: (await now()) + 10n * 24n * 3600n,
      }),
    );
  }
  await networkHelpers.time.increase(HOLD_PERIOD);
  await d.escrow.release([seeds[1]!.id, seeds[2]!.id]);
  return s;
}

/** Loads the shared scenario (cached snapshot). */
export function loadScenario(): Promise<Scenario> {
  return networkHelpers.loadFixture(deployScenario);
}

/** The escrow's events in a receipt, as `[name, ...args]` with bigint/string values. */
export function escrowEvents(s: Scenario, receipt: ContractTransactionReceipt): unknown[][] {
  const events: unknown[][] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== s.escrowAddress.toLowerCase()) continue;
    const parsed = s.escrow.interface.parseLog(log);
    if (parsed !== null) events.push([parsed.name, ...parsed.args.toArray()]);
  }
  return events;
}
