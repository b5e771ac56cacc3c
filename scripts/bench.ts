/**
 * `npm run bench` (= `npx hardhat run scripts/bench.ts`): ScanPay's gas and size benchmark.
 *
 * On fresh in-process chains, deploys through the deploy scripts and measures from receipts (`gasUsed`):
 * the baselines (plain ETH and ERC-20 transfers), every paying call (ETH / ERC-20, settled at once / held,
 * first-time / repeat customer, `pay(struct, sig)` / `payPacked(bytes)`), release alone and in a batch of 20,
 * refunds, disputes, withdraw and merchant registration; the calldata bytes of each paying call, its total
 * cost on the `op` chain type (L2 execution + L1 data fee from the receipt) and its ratio to the plain ERC-20
 * transfer. Prints a table, the targets of issue 5 (met / missed) and a per-component breakdown of the main
 * calls, and writes everything to gas/bench.json. See docs/gas.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { Interface, Transaction } from "ethers";

import { runAuthorizations, runDeposits } from "./bench/deposits.js";
import { type Measurement, runBaselines, runOthers, runPaying, setup } from "./bench/scenarios.js";
import { type Breakdown, breakdown } from "./bench/trace.js";
import { createWorld, OP_FEES, type World } from "./bench/world.js";

const REPORT_PATH = fileURLToPath(new URL("../gas/bench.json", import.meta.url));
const GAS_PRICE_ORACLE = "0x420000000000000000000000000000000000000F";

interface Target {
  name: string;
  limit: number;
  unit: "gas" | "bytes";
  /** Rows the target is judged on, and which figure of the row. */
  checks: { id: string; metric: "gasUsed" | "perPayment" | "calldataBytes" }[];
}

const TARGETS: Target[] = [
  {
    name: "pay ERC-20, settled at once, fee + points, repeat customer",
    limit: 100_000,
    unit: "gas",
    checks: [
      { id: "pay.erc20.instant.repeat.packed", metric: "gasUsed" },
      { id: "pay.erc20.instant.repeat.raw", metric: "gasUsed" },
      { id: "pay.erc20.instant.repeat.struct", metric: "gasUsed" },
    ],
  },
  {
    name: "pay ETH, settled at once, fee + points, repeat customer",
    limit: 85_000,
    unit: "gas",
    checks: [
      { id: "pay.eth.instant.repeat.packed", metric: "gasUsed" },
      { id: "pay.eth.instant.repeat.struct", metric: "gasUsed" },
    ],
  },
  {
    name: "pay ERC-20 held, repeat customer",
    limit: 120_000,
    unit: "gas",
    checks: [
      { id: "pay.erc20.held.repeat.packed", metric: "gasUsed" },
      { id: "pay.erc20.held.repeat.struct", metric: "gasUsed" },
    ],
  },
  {
    name: "release, per payment in a batch of 20",
    limit: 35_000,
    unit: "gas",
    checks: [
      { id: "release.erc20.batch20.repeat", metric: "perPayment" },
      { id: "release.erc20.batch20.first", metric: "perPayment" },
    ],
  },
  {
    name: "release alone",
    limit: 60_000,
    unit: "gas",
    checks: [
      { id: "release.erc20.single.repeat", metric: "gasUsed" },
      { id: "release.eth.single.repeat", metric: "gasUsed" },
      { id: "release.erc20.single.first", metric: "gasUsed" },
    ],
  },
  {
    name: "refund while held",
    limit: 55_000,
    unit: "gas",
    checks: [
      { id: "refund.erc20.full.held", metric: "gasUsed" },
      { id: "refund.erc20.partial.held", metric: "gasUsed" },
      { id: "refund.eth.full.held", metric: "gasUsed" },
    ],
  },
  {
    name: "settle one ERC-20 deposit at once (issue 10)",
    limit: 110_000,
    unit: "gas",
    checks: [{ id: "deposit.erc20.instant.repeat.settle", metric: "gasUsed" }],
  },
  {
    name: "settle ERC-20 deposits, per payment in a batch of 20 (issue 10)",
    limit: 85_000,
    unit: "gas",
    checks: [{ id: "deposit.erc20.instant.batch20.settle", metric: "perPayment" }],
  },
  {
    name: "payer's plain ERC-20 transfer to a fresh deposit address (issue 10)",
    limit: 51_600,
    unit: "gas",
    checks: [{ id: "deposit.erc20.transfer", metric: "gasUsed" }],
  },
  {
    name: "gasless EIP-3009 payment through the escrow, settled at once (issue 10)",
    limit: 125_000,
    unit: "gas",
    checks: [{ id: "authorization.erc20.instant.repeat", metric: "gasUsed" }],
  },
  {
    name: "calldata of the packed pay",
    limit: 200,
    unit: "bytes",
    checks: [
      { id: "pay.erc20.instant.repeat.packed", metric: "calldataBytes" },
      { id: "pay.eth.instant.repeat.packed", metric: "calldataBytes" },
      { id: "pay.erc20.instant.repeat.packed.payerAndRef", metric: "calldataBytes" },
      { id: "pay.erc20.instant.repeat.raw", metric: "calldataBytes" },
      { id: "pay.erc20.instant.repeat.raw.payerAndRef", metric: "calldataBytes" },
    ],
  },
];

/** Rows broken down per component (the first is the main paying call). */
const BREAKDOWN_IDS = [
  "pay.erc20.instant.repeat.packed",
  "pay.eth.instant.repeat.packed",
  "pay.erc20.held.repeat.packed",
  "pay.erc20.instant.first.packed",
  "pay.erc20.instant.repeat.struct",
  "deposit.erc20.instant.repeat.settle",
  "deposit.erc20.instant.batch20.settle",
  "authorization.erc20.instant.repeat",
  "release.erc20.single.repeat",
  "release.erc20.single.first",
  "release.erc20.batch20.repeat",
  "release.erc20.batch20.first",
  "refund.erc20.full.held",
  "refund.erc20.partial.held",
];

interface OpCost {
  gasUsed: number;
  effectiveGasPrice: string;
  l2Fee: string;
  l1Fee: string;
  l1GasUsed: number;
  total: string;
  /** total / L2 gas price: the whole cost in L2 gas units. */
  totalInL2Gas: number;
  ratioToErc20Transfer: number;
}

function opCost(m: Measurement): Omit<OpCost, "ratioToErc20Transfer"> {
  const r = m.receipt;
  const price = BigInt(r.effectiveGasPrice!);
  const l2Fee = BigInt(r.gasUsed!) * price;
  const l1Fee = BigInt(r.l1Fee ?? "0x0");
  const total = l2Fee + l1Fee;
  return {
    gasUsed: m.gasUsed,
    effectiveGasPrice: price.toString(),
    l2Fee: l2Fee.toString(),
    l1Fee: l1Fee.toString(),
    l1GasUsed: Number(BigInt(r.l1GasUsed ?? "0x0")),
    total: total.toString(),
    totalInL2Gas: Number(total / OP_FEES.l2GasPrice),
  };
}

/** The GasPriceOracle's `getL1Fee` over the unsigned transaction, to cross-check the receipt's l1Fee. */
async function oracleL1Fee(world: World, hash: string): Promise<bigint> {
  const tx = (await world.conn.provider.request({ method: "eth_getTransactionByHash", params: [hash] })) as Record<
    string,
    string
  >;
  const unsigned = Transaction.from({
    type: Number(tx.type),
    chainId: BigInt(tx.chainId!),
    nonce: Number(tx.nonce),
    to: tx.to!,
    value: BigInt(tx.value!),
    data: tx.input!,
    gasLimit: BigInt(tx.gas!),
    maxFeePerGas: BigInt(tx.maxFeePerGas!),
    maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas!),
    accessList: [],
  }).unsignedSerialized;
  const oracle = new Interface(["function getL1Fee(bytes) view returns (uint256)"]);
  const out = (await world.conn.provider.request({
    method: "eth_call",
    params: [{ to: GAS_PRICE_ORACLE, data: oracle.encodeFunctionData("getL1Fee", [unsigned]) }, "latest"],
  })) as string;
  return oracle.decodeFunctionResult("getL1Fee", out)[0] as bigint;
}

const fmt = (n: number): string => n.toLocaleString("en-US");
const gwei = (wei: string): string => (Number(BigInt(wei)) / 1e9).toFixed(2);

function pad(cells: string[], widths: number[], right: boolean[]): string {
  return cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
}

function printTable(rows: string[][], right: boolean[]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(pad(rows[0]!, widths, right));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows.slice(1)) console.log(pad(row, widths, right));
}

async function main(): Promise<void> {
  const started = Date.now();

  // 1. The l1 chain: everything.
  const l1 = await createWorld("l1");
  await setup(l1);
  const rows: Measurement[] = [];
  await runBaselines(l1, rows);
  await runPaying(l1, rows);
  await runDeposits(l1, rows);
  await runAuthorizations(l1, rows);
  await runOthers(l1, rows);
  const byId = new Map(rows.map((m) => [m.id, m]));
  const erc20Transfer = byId.get("baseline.erc20.transfer")!.gasUsed;

  // 2. The op chain: the same baselines and paying calls, for their L1 data fee.
  const opWorld = await createWorld("op");
  await setup(opWorld);
  const opRows: Measurement[] = [];
  await runBaselines(opWorld, opRows);
  await runPaying(opWorld, opRows);
  const opById = new Map(opRows.map((m) => [m.id, opCost(m)]));
  const opErc20Total = BigInt(opById.get("baseline.erc20.transfer")!.total);
  const op: Record<string, OpCost> = {};
  for (const [id, cost] of opById) {
    op[id] = { ...cost, ratioToErc20Transfer: Number((BigInt(cost.total) * 1000n) / opErc20Total) / 1000 };
  }
  const mainOp = opRows.find((m) => m.id === "pay.erc20.instant.repeat.packed")!;
  const oracleCheck = {
    id: mainOp.id,
    receiptL1Fee: BigInt(mainOp.receipt.l1Fee ?? "0x0").toString(),
    oracleGetL1Fee: (await oracleL1Fee(opWorld, mainOp.hash)).toString(),
  };

  // 3. Breakdowns.
  const breakdowns: Record<string, Breakdown> = {};
  for (const id of BREAKDOWN_IDS) {
    const m = byId.get(id);
    if (m !== undefined) breakdowns[id] = await breakdown(l1, m.hash);
  }

  // 4. Table.
  console.log(`\nScanPay gas benchmark (in-process chains; whole-transaction gasUsed from receipts)\n`);
  const header = ["scenario", "gas", "per payment", "x ERC-20 transfer", "calldata B", "op: L1 fee (gwei)", "op: total (gwei)", "op: x ERC-20"];
  const table: string[][] = [header];
  for (const m of rows) {
    const o = op[m.id];
    const gas = m.perPayment ?? m.gasUsed;
    table.push([
      m.id,
      fmt(m.gasUsed),
      m.perPayment !== undefined ? fmt(m.perPayment) : "",
      (gas / erc20Transfer).toFixed(2),
      String(m.calldataBytes),
      o ? gwei(o.l1Fee) : "",
      o ? gwei(o.total) : "",
      o ? o.ratioToErc20Transfer.toFixed(2) : "",
    ]);
  }
  printTable(table, [false, true, true, true, true, true, true, true]);
  console.log(
    `\nop chain fee inputs: L2 gas price ${OP_FEES.l2GasPrice} wei (base fee, no tip); L1 base fee ${OP_FEES.l1BaseFee} wei; ` +
      `blob base fee ${OP_FEES.l1BlobBaseFee} wei; scalars ${OP_FEES.baseFeeScalar} / ${OP_FEES.blobBaseFeeScalar}. ` +
      `total = gasUsed x effectiveGasPrice + receipt l1Fee. Oracle check (${oracleCheck.id}): receipt l1Fee ${oracleCheck.receiptL1Fee}, ` +
      `GasPriceOracle.getL1Fee(unsigned tx) ${oracleCheck.oracleGetL1Fee}.`,
  );
  const gasMismatch = opRows.filter((m) => byId.get(m.id)?.gasUsed !== m.gasUsed).map((m) => m.id);
  if (gasMismatch.length > 0) console.log(`NOTE: gasUsed differs between l1 and op for: ${gasMismatch.join(", ")}`);

  // 5. Targets.
  console.log(`\nTargets (issue 5)\n`);
  const targetResults = TARGETS.map((t) => ({
    ...t,
    results: t.checks.map((c) => {
      const m = byId.get(c.id)!;
      const value = c.metric === "perPayment" ? m.perPayment! : c.metric === "calldataBytes" ? m.calldataBytes : m.gasUsed;
      return { ...c, value, met: value <= t.limit };
    }),
  }));
  const targetTable: string[][] = [["target", "limit", "scenario", "measured", "result"]];
  for (const t of targetResults) {
    for (const r of t.results) {
      targetTable.push([t.name, `<= ${fmt(t.limit)} ${t.unit}`, r.id, fmt(r.value), r.met ? "met" : `MISSED by ${fmt(r.value - t.limit)}`]);
    }
  }
  printTable(targetTable, [false, true, false, true, false]);

  // 6. Breakdowns.
  console.log(`\nPer-component breakdown (debug_traceTransaction; components sum to gasUsed)\n`);
  for (const [id, b] of Object.entries(breakdowns)) {
    const count = byId.get(id)!.count ?? 1;
    console.log(`${id}: ${fmt(b.gasUsed)} gas${count > 1 ? ` (${fmt(Math.round(b.gasUsed / count))} per payment)` : ""}`);
    for (const [name, gas] of Object.entries(b.components)) {
      console.log(`  ${name.padEnd(58)} ${fmt(gas).padStart(8)}${count > 1 ? `  (${fmt(Math.round(gas / count))} / payment)` : ""}`);
    }
  }

  // 7. Preconditions.
  console.log(`\nPreconditions\n`);
  for (const m of rows) console.log(`${m.id}: ${m.preconditions}`);

  // 8. JSON.
  const report = {
    generatedBy: "npx hardhat run scripts/bench.ts",
    note: "Whole-transaction gasUsed from receipts on Hardhat's in-process chains (EDR). See docs/gas.md.",
    opFeeInputs: Object.fromEntries(Object.entries(OP_FEES).map(([k, v]) => [k, String(v)])),
    baselines: { ethTransfer: byId.get("baseline.eth.transfer")!.gasUsed, erc20Transfer },
    scenarios: rows.map((m) => ({
      id: m.id,
      group: m.group,
      paying: m.paying,
      label: m.label,
      preconditions: m.preconditions,
      gasUsed: m.gasUsed,
      ...(m.count !== undefined ? { count: m.count, perPayment: m.perPayment } : {}),
      calldataBytes: m.calldataBytes,
      calldataGas: m.calldataGas,
      ratioToErc20Transfer: Number(((m.perPayment ?? m.gasUsed) / erc20Transfer).toFixed(3)),
      ...(op[m.id] !== undefined ? { op: op[m.id] } : {}),
    })),
    targets: targetResults.map((t) => ({ name: t.name, limit: t.limit, unit: t.unit, results: t.results })),
    oracleCheck,
    breakdowns: Object.fromEntries(
      Object.entries(breakdowns).map(([id, b]) => [id, { gasUsed: b.gasUsed, components: b.components, items: b.items }]),
    ),
  };
  mkdirSync(fileURLToPath(new URL("../gas/", import.meta.url)), { recursive: true });
  writeFileSync(REPORT_PATH, JSON.stringify(report, null, 2) + "\n");
  console.log(`\nWrote ${REPORT_PATH} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();
