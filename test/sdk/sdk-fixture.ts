/**
 * Shared set-up of the SDK tests (not a test file): the real deployment plus two merchants (one settling at
 * once, one holding payments for a day), a customer with test dollars, and helpers to build and sign invoices
 * with the SDK. Use through `networkHelpers.loadFixture(sdkFixture)`.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { connectScanPay, type ScanPayContracts } from "../../src/chain/connectScanPay.js";
import type { Deployment } from "../../src/chain/resolveDeployment.js";
import { signInvoice } from "../../src/invoice/signInvoice.js";
import {
  type EscrowLocation,
  type Invoice,
  type SignedInvoice,
  ZERO_ADDRESS,
  ZERO_BYTES32,
} from "../../src/invoice/types.js";
import { registerMerchant } from "../../src/chain/registerMerchant.js";
import { type Deployed, deployAll, ethers, networkHelpers } from "../helpers/fixture.js";

export const DAY = 24n * 3600n;
/** 1 test dollar (6 decimals). */
export const USD = 1_000_000n;

export interface SdkFixture extends Deployed {
  deployment: Deployment;
  location: EscrowLocation;
  tokenAddress: string;
  owner: HardhatEthersSigner;
  invoiceKey: HardhatEthersSigner;
  payout: HardhatEthersSigner;
  customer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  /** Contracts connected to each actor. */
  asOwner: ScanPayContracts;
  asKey: ScanPayContracts;
  asCustomer: ScanPayContracts;
  asStranger: ScanPayContracts;
  /** Settles payments at once (hold period 0). */
  instantId: bigint;
  /** Holds payments for a day. */
  heldId: bigint;
}

export async function sdkFixture(): Promise<SdkFixture> {
  const d = await deployAll();
  const [owner, invoiceKey, payout, customer, stranger] = d.others as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const escrow = await d.escrow.getAddress();
  const tokenAddress = await d.token.getAddress();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const deployment: Deployment = {
    chainId,
    network: undefined,
    escrow,
    registry: await d.registry.getAddress(),
    points: await d.points.getAddress(),
    testToken: tokenAddress,
    startBlock: 0,
  };
  const asOwner = connectScanPay(owner, deployment);
  const common = { owner: owner.address, payout: payout.address, signer: invoiceKey.address };
  const instant = await registerMerchant(asOwner.registry, { ...common, name: "Instant Shop", holdPeriod: 0n });
  const held = await registerMerchant(asOwner.registry, { ...common, name: "Held Shop", holdPeriod: DAY });
  await d.token.mint(customer.address, 1_000n * USD);
  return {
    ...d,
    deployment,
    location: { chainId, escrow },
    tokenAddress,
    owner,
    invoiceKey,
    payout,
    customer,
    stranger,
    asOwner,
    asKey: connectScanPay(invoiceKey, deployment),
    asCustomer: connectScanPay(customer, deployment),
    asStranger: connectScanPay(stranger, deployment),
    instantId: instant.merchantId,
    heldId: held.merchantId,
  };
}

/**
 * An invoice valid for an hour from the latest block: ETH, 1 ether, anyone may pay, no points, no refund window
 * of its own (the merchant's applies), epoch 0 (every merchant's first epoch).
 */
export async function makeSdkInvoice(overrides: Partial<Invoice> & { merchantId: bigint; invoiceNumber: bigint }): Promise<Invoice> {
  return {
    token: ZERO_ADDRESS,
    amount: 10n ** 18n,
    expiry: BigInt(await networkHelpers.time.latest()) + 3600n,
    payer: ZERO_ADDRESS,
    pointsAward: 0n,
    pointsRedeem: 0n,
    orderRef: ZERO_BYTES32,
    holdPeriod: 0n,
    epoch: 0n,
    ...overrides,
  };
}

/** The fixture's invoice key signs `invoice` (64-byte compact signature). */
export async function signed(f: SdkFixture, invoice: Invoice): Promise<SignedInvoice> {
  return signInvoice(f.invoiceKey, invoice, f.location);
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Awaits `action`, expects it to fail with `Class` and `code`, and returns the error for further checks. */
export async function rejection<E extends Error & { code: string }>(
  action: Promise<unknown> | (() => unknown),
  Class: ErrorClass<E>,
  code: E["code"],
): Promise<E> {
  try {
    await (typeof action === "function" ? action() : action);
  } catch (error) {
    if (!(error instanceof Class)) {
      throw new Error(`expected ${Class.name} ${code}, got ${String(error)}`, { cause: error });
    }
    if (error.code !== code) throw new Error(`expected code ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  throw new Error(`expected ${Class.name} ${code}, but nothing was thrown`);
}

/**
 * Runs `action` and returns how the balances of `accounts` moved (ETH, or `token` if given). Gas is not added
 * back: for an account that sent a transaction, add its `TxResult.fee` to the ETH change.
 */
export async function balanceChanges<T>(
  accounts: readonly { getAddress(): Promise<string> }[],
  token: { balanceOf(account: string): Promise<bigint> } | undefined,
  action: () => Promise<T>,
): Promise<{ result: T; changes: bigint[] }> {
  const addresses = await Promise.all(accounts.map((a) => a.getAddress()));
  const read = () => Promise.all(addresses.map((a) => (token === undefined ? ethers.provider.getBalance(a) : token.balanceOf(a))));
  const before = await read();
  const result = await action();
  const after = await read();
  return { result, changes: after.map((value, i) => value - before[i]!) };
}
