/**
 * The benchmark's world: a chain (the in-process `l1` one or the `op` one), the contracts deployed by the
 * real deploy scripts, fixed actors, a fixed clock, and helpers that send one transaction per block and
 * return its receipt. Everything is deterministic: fixed accounts (Hardhat's default mnemonic and keys
 * derived from fixed labels), a timestamp set before every block, and fixed invoice contents.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type BaseContract, concat, type ContractTransactionResponse, type Signer, Wallet, id as keccakText } from "ethers";
import { network } from "hardhat";

import { loadAndExecuteDeploymentsFromFiles } from "../../rocketh/environment.js";
import {
  type LoyaltyPoints,
  LoyaltyPoints__factory,
  type MerchantRegistry,
  MerchantRegistry__factory,
  type PaymentEscrow,
  PaymentEscrow__factory,
  type TestToken,
  TestToken__factory,
} from "../../typechain-types/index.js";
import { compact, makeInvoice, packInvoice, signInvoice, type TestInvoice } from "../../test/helpers/invoices.js";

export type Connection = Awaited<ReturnType<typeof network.create>>;
export type ChainKind = "l1" | "op";

/** Unix time of the first measured block (fixed, so calldata, records and signatures never vary). */
export const T0 = 2_000_000_000;
/** Seconds between blocks. */
export const BLOCK_TIME = 12;
/** Expiry carried by every invoice: fixed, so calldata is identical run to run. */
export const EXPIRY = BigInt(T0 + 10 * 365 * 24 * 3600);
/** Hold period of the held merchant. */
export const HOLD_PERIOD = 3600;
/** ERC-20 invoice amount: 12.50 tUSD (6 decimals). */
export const TOKEN_AMOUNT = 12_500_000n;
/** ETH invoice amount: 0.005 ETH. */
export const ETH_AMOUNT = 5n * 10n ** 15n;
/** Points awarded per invoice. */
export const POINTS = 12n;

/**
 * Fee inputs of the `op` chain. L2 execution is priced at a fixed base fee with no tip; the L1 data fee uses
 * the Ecotone/Fjord formula with these L1 prices and scalars (written into the L1Block predeploy).
 */
export const OP_FEES = {
  /** L2 base fee (wei) set before every block; the tip is 0, so it is the effective gas price. */
  l2GasPrice: 1_000_000n, // 0.001 gwei
  /** L1 base fee (wei) seen by the L1Block predeploy. */
  l1BaseFee: 1_000_000_000n, // 1 gwei
  /** L1 blob base fee (wei). */
  l1BlobBaseFee: 1n,
  /** Ecotone scalars: the OP Mainnet values EDR's genesis carries (see docs/gas.md). */
  baseFeeScalar: 5227,
  blobBaseFeeScalar: 1_014_213,
} as const;

const L1_BLOCK = "0x4200000000000000000000000000000000000015";

export interface World {
  kind: ChainKind;
  conn: Connection;
  registry: MerchantRegistry;
  points: LoyaltyPoints;
  escrow: PaymentEscrow;
  token: TestToken;
  escrowAddress: string;
  tokenAddress: string;
  registryAddress: string;
  pointsAddress: string;
  tokenIndex: bigint;
  feeBps: bigint;
  deployer: HardhatEthersSigner;
  admin: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
  /** Merchant owner (cold key), invoice signer (hot key), payout address. */
  owner: HardhatEthersSigner;
  signer: HardhatEthersSigner;
  payout: HardhatEthersSigner;
  /** The repeat customer. */
  customer: HardhatEthersSigner;
  /** Merchant that settles at once (hold 0) and merchant that holds for HOLD_PERIOD. */
  instantMerchant: bigint;
  heldMerchant: bigint;
  /** Next invoice number per merchant (sequential). */
  nextInvoice: Map<bigint, bigint>;
  /** Timestamp of the next block. */
  clock: number;
  /** Counter for fresh (first-time) payers. */
  freshCount: number;
}

/** Runs `fn` with console output muted (rocketh logs every deployment transaction). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const mute = (): void => undefined;
  console.log = console.info = console.warn = console.error = mute;
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

/** Connects to a fresh in-process chain of `kind` and deploys through the deploy scripts. */
export async function createWorld(kind: ChainKind): Promise<World> {
  // A fresh connection per world: every run starts from genesis.
  const { conn, env } = await quietly(async () => {
    const conn = kind === "l1" ? await network.create() : await network.create({ network: "hardhatOp" });
    return { conn, env: await loadAndExecuteDeploymentsFromFiles({ provider: conn.provider }) };
  });
  const signers = await conn.ethers.getSigners();
  const byAddress = (address: string): HardhatEthersSigner => {
    const found = signers.find((s) => s.address.toLowerCase() === address.toLowerCase());
    if (found === undefined) throw new Error(`no local signer for ${address}`);
    return found;
  };
  const named = env.namedAccounts;
  const roleHolders = new Set(
    [named.deployer, named.admin, named.treasury, named.arbiter, named.pauser].map((a) => a.toLowerCase()),
  );
  const others = signers.filter((s) => !roleHolders.has(s.address.toLowerCase()));
  const [owner, signer, payout, customer] = others;
  if (customer === undefined) throw new Error("not enough local accounts");
  const deployer = byAddress(named.deployer);
  const escrowAddress = env.get("PaymentEscrow").address;
  const tokenAddress = env.get("TestToken").address;
  const escrow = PaymentEscrow__factory.connect(escrowAddress, deployer);
  const [, tokenIndex] = await escrow.tokenIndexOf(tokenAddress);
  const world: World = {
    kind,
    conn,
    registry: MerchantRegistry__factory.connect(env.get("MerchantRegistry").address, deployer),
    points: LoyaltyPoints__factory.connect(env.get("LoyaltyPoints").address, deployer),
    escrow,
    token: TestToken__factory.connect(tokenAddress, deployer),
    escrowAddress,
    tokenAddress,
    registryAddress: env.get("MerchantRegistry").address,
    pointsAddress: env.get("LoyaltyPoints").address,
    tokenIndex,
    feeBps: await escrow.feeBps(),
    deployer,
    admin: byAddress(named.admin),
    treasury: byAddress(named.treasury),
    arbiter: byAddress(named.arbiter),
    owner: owner!,
    signer: signer!,
    payout: payout!,
    customer,
    instantMerchant: 0n,
    heldMerchant: 0n,
    nextInvoice: new Map(),
    clock: T0,
    freshCount: 0,
  };
  if (kind === "op") await setOpFeeInputs(world);
  return world;
}

/** Writes the L1 fee inputs into the L1Block predeploy (the slots op-revm reads for the L1 data fee). */
async function setOpFeeInputs(world: World): Promise<void> {
  const word = (hex: string): string => "0x" + hex.padStart(64, "0");
  const set = (slot: number, value: string): Promise<unknown> =>
    world.conn.provider.request({ method: "hardhat_setStorageAt", params: [L1_BLOCK, "0x" + slot.toString(16), value] });
  // slot 1: L1 base fee; slot 7: blob base fee.
  await set(1, word(OP_FEES.l1BaseFee.toString(16)));
  await set(7, word(OP_FEES.l1BlobBaseFee.toString(16)));
  // slot 3, from the low-order end: sequenceNumber (uint64) | blobBaseFeeScalar (uint32) | baseFeeScalar (uint32).
  const current = (await world.conn.provider.request({
    method: "eth_getStorageAt",
    params: [L1_BLOCK, "0x3", "latest"],
  })) as string;
  const sequenceNumber = BigInt(current) & ((1n << 64n) - 1n);
  const packed =
    (BigInt(OP_FEES.baseFeeScalar) << 96n) | (BigInt(OP_FEES.blobBaseFeeScalar) << 64n) | sequenceNumber;
  await set(3, word(packed.toString(16)));
}

/** Fixes the next block's timestamp (and, on `op`, its base fee) and returns tx overrides pinning the gas price. */
export async function nextBlock(world: World, advance = BLOCK_TIME): Promise<{ maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }> {
  world.clock += advance;
  await world.conn.provider.request({ method: "evm_setNextBlockTimestamp", params: [world.clock] });
  if (world.kind !== "op") return {};
  await world.conn.provider.request({
    method: "hardhat_setNextBlockBaseFeePerGas",
    params: ["0x" + OP_FEES.l2GasPrice.toString(16)],
  });
  return { maxFeePerGas: OP_FEES.l2GasPrice, maxPriorityFeePerGas: 0n };
}

/** A mined transaction and its raw receipt (which on `op` carries the L1 fee fields). */
export interface Sent {
  hash: string;
  gasUsed: bigint;
  data: string;
  raw: Record<string, string>;
}

/** Sends one transaction in its own block (timestamp fixed first) and returns its receipt. */
export async function send(
  world: World,
  build: (overrides: { maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }) => Promise<ContractTransactionResponse | { hash: string; data: string; wait: () => Promise<unknown> }>,
  advance = BLOCK_TIME,
): Promise<Sent> {
  const overrides = await nextBlock(world, advance);
  const tx = await build(overrides);
  await tx.wait();
  const raw = (await world.conn.provider.request({ method: "eth_getTransactionReceipt", params: [tx.hash] })) as Record<
    string,
    string
  >;
  if (raw.status !== "0x1") throw new Error(`transaction ${tx.hash} failed`);
  return { hash: tx.hash, gasUsed: BigInt(raw.gasUsed!), data: tx.data, raw };
}

/** Moves the clock forward without a transaction (the next block gets the later time). */
export function advanceClock(world: World, seconds: number): void {
  world.clock += seconds;
}

/** Registers the two benchmark merchants (unmeasured) with fixed owner, signer and payout. */
export async function registerMerchants(world: World): Promise<void> {
  const r = world.registry.connect(world.owner);
  await send(world, (o) =>
    r.register(world.owner.address, world.payout.address, world.signer.address, 0, "Instant Cafe", "", o),
  );
  await send(world, (o) =>
    r.register(world.owner.address, world.payout.address, world.signer.address, HOLD_PERIOD, "Held Store", "", o),
  );
  world.instantMerchant = 1n;
  world.heldMerchant = 2n;
}

/** A fresh account that has never paid: a deterministic key, some ETH, tokens and an unlimited approval. */
export async function freshPayer(world: World, label = "first-time"): Promise<Wallet> {
  world.freshCount += 1;
  const wallet = new Wallet(keccakText(`scanpay-bench/${label}/${world.freshCount}`), world.conn.ethers.provider);
  await world.conn.provider.request({
    method: "hardhat_setBalance",
    params: [wallet.address, "0x" + (10n ** 20n).toString(16)],
  });
  await fundTokens(world, wallet);
  return wallet;
}

/** Mints tokens to `who` and approves the escrow for an unlimited amount (unmeasured setup). */
export async function fundTokens(world: World, who: Signer, allowance = 2n ** 256n - 1n): Promise<void> {
  const address = await who.getAddress();
  await send(world, (o) => world.token.connect(world.deployer).mint(address, 10n ** 12n, o));
  await send(world, (o) => world.token.connect(who).approve(world.escrowAddress, allowance, o));
}

export type Asset = "ETH" | "ERC20";

/** The next sequential invoice of `merchantId`, signed by the merchant's signer. */
export async function nextInvoice(
  world: World,
  merchantId: bigint,
  asset: Asset,
  extra: Partial<TestInvoice> = {},
): Promise<{ invoice: TestInvoice; signature: string }> {
  const invoiceNumber = world.nextInvoice.get(merchantId) ?? 1n;
  world.nextInvoice.set(merchantId, invoiceNumber + 1n);
  const invoice = makeInvoice({
    merchantId,
    invoiceNumber,
    expiry: EXPIRY,
    token: asset === "ETH" ? "0x0000000000000000000000000000000000000000" : world.tokenAddress,
    amount: asset === "ETH" ? ETH_AMOUNT : TOKEN_AMOUNT,
    pointsAward: POINTS,
    ...extra,
  });
  const signature = await signInvoice(world.signer, world.escrow as unknown as BaseContract, invoice);
  return { invoice, signature };
}

export type Entry = "struct" | "packed" | "raw";

/**
 * Pays a signed invoice from `payer` through `pay(struct, 65-byte sig)`, `payPacked(bytes)` (64-byte sig) or
 * `payPackedRaw()` (selector + the same packed bytes, no ABI wrapper).
 */
export async function payInvoice(
  world: World,
  payer: Signer,
  signed: { invoice: TestInvoice; signature: string },
  entry: Entry,
): Promise<Sent> {
  const { invoice, signature } = signed;
  const value = invoice.token === "0x0000000000000000000000000000000000000000" ? invoice.amount : 0n;
  const escrow = world.escrow.connect(payer);
  if (entry === "struct") return send(world, (o) => escrow.pay(invoice, signature, { value, ...o }));
  const tokenIndex = value === 0n ? world.tokenIndex : 0n;
  const packed = packInvoice(invoice, tokenIndex, compact(signature));
  if (entry === "raw") {
    const data = concat([escrow.interface.getFunction("payPackedRaw").selector, packed]);
    const to = await escrow.getAddress();
    return send(world, (o) => payer.sendTransaction({ to, data, value, ...o }));
  }
  return send(world, (o) => escrow.payPacked(packed, { value, ...o }));
}

/** `merchantId << 64 | invoiceNumber`. */
export function paymentIdOf(invoice: TestInvoice): bigint {
  return (invoice.merchantId << 64n) | invoice.invoiceNumber;
}
