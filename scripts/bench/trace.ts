/**
 * Per-component gas breakdown of a mined transaction, from `debug_traceTransaction` (struct logs with memory).
 *
 * Every opcode of the top frame (the escrow) is charged what it actually cost: the drop in gas to the next
 * step of the same frame, so a CALL is charged the call itself plus everything the callee spent. Storage slots
 * are named from the compiler's storage layout and the KECCAK256 preimages seen in the trace; calls are named by
 * callee and 4-byte selector. Intrinsic gas (21,000 + calldata) and the refund are added so the components sum
 * to the receipt's gasUsed, which is checked.
 */
import { getBytes, keccak256 } from "ethers";
import { artifacts } from "hardhat";

import type { World } from "./world.js";

interface StructLog {
  pc: number;
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
  memory?: string[];
  refund?: number;
}

export interface Breakdown {
  /** Component name -> gas. Sums to gasUsed. */
  components: Record<string, number>;
  /** Finer detail: each storage access / call / event with its cost, in execution order. */
  items: { component: string; what: string; gas: number }[];
  gasUsed: number;
  refund: number;
}

interface Layout {
  bySlot: Map<bigint, string>;
}

const layoutCache = new Map<string, Layout>();

/** Storage layout of a contract from its build info (`storageLayout` is part of Hardhat's compiler output). */
async function storageLayout(contractName: string): Promise<Layout> {
  const cached = layoutCache.get(contractName);
  if (cached !== undefined) return cached;
  const artifact = await artifacts.readArtifact(contractName);
  const bySlot = new Map<bigint, string>();
  const buildInfoId = (artifact as unknown as { buildInfoId?: string }).buildInfoId;
  const outputPath = buildInfoId === undefined ? undefined : await artifacts.getBuildInfoOutputPath(buildInfoId);
  if (outputPath !== undefined) {
    const { readFile } = await import("node:fs/promises");
    const output = JSON.parse(await readFile(outputPath, "utf8")) as {
      output: { contracts: Record<string, Record<string, { storageLayout?: { storage: { label: string; slot: string }[] } }>> };
    };
    const entry = Object.entries(output.output.contracts).find(([, cs]) => cs[contractName] !== undefined);
    for (const item of entry?.[1][contractName]?.storageLayout?.storage ?? []) {
      const slot = BigInt(item.slot);
      bySlot.set(slot, bySlot.has(slot) ? `${bySlot.get(slot)}|${item.label}` : item.label);
    }
  }
  const layout = { bySlot };
  layoutCache.set(contractName, layout);
  return layout;
}

/** What an escrow storage variable is, in the breakdown's terms. */
function escrowComponent(variable: string, keys: bigint[], world: World): string {
  if (variable === "_usedInvoices") return "replay bit (bitmap word)";
  if (variable === "_payments") return "held Payment record";
  if (variable === "_fees") return "fee ledger (treasury balance)";
  if (variable === "_withdrawable") {
    return keys[0] === BigInt(world.treasury.address) ? "fee ledger (treasury balance)" : "withdrawable balance";
  }
  if (variable.includes("_treasury") || variable.includes("_paused")) return "config slot (paused, fee, treasury)";
  if (variable === "_tokenAt" || variable === "_tokenIndexOf") return "token allowlist lookup";
  if (variable === "_roles") return "access control";
  return `storage ${variable}`;
}

function shortHex(value: string): bigint {
  return BigInt(value);
}

function readMemory(memory: string[] | undefined, offset: number, size: number): string {
  const hex = (memory ?? []).map((w) => w.replace(/^0x/, "")).join("");
  return "0x" + hex.slice(offset * 2, (offset + size) * 2).padEnd(size * 2, "0");
}

/** Breaks `hash` down. The transaction must be a call to the escrow or the registry. */
export async function breakdown(world: World, hash: string): Promise<Breakdown> {
  const trace = (await world.conn.provider.request({
    method: "debug_traceTransaction",
    params: [hash, { enableMemory: true }],
  })) as { structLogs: StructLog[] };
  const tx = (await world.conn.provider.request({ method: "eth_getTransactionByHash", params: [hash] })) as {
    to: string;
    input: string;
  };
  const receipt = (await world.conn.provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as {
    gasUsed: string;
  };
  const gasUsed = Number(BigInt(receipt.gasUsed));
  const to = tx.to.toLowerCase();
  const names: Record<string, string> = {
    [world.escrowAddress.toLowerCase()]: "escrow",
    [world.registryAddress.toLowerCase()]: "registry",
    [world.pointsAddress.toLowerCase()]: "points",
    [world.tokenAddress.toLowerCase()]: "token",
  };
  const contractName = names[to] === "registry" ? "MerchantRegistry" : "PaymentEscrow";
  const layout = await storageLayout(contractName);

  const logs = trace.structLogs;
  const preimages = new Map<string, { key: bigint; base: bigint }>();
  const items: Breakdown["items"] = [];
  const components: Record<string, number> = {};
  const pendingCodeChecks: { index: number; target: string }[] = [];
  const add = (component: string, what: string, gas: number): void => {
    components[component] = (components[component] ?? 0) + gas;
    items.push({ component, what, gas });
  };

  // Resolve a storage key of the top frame to (variable, mapping keys, struct field).
  const hex32 = (v: bigint): string => "0x" + v.toString(16).padStart(64, "0");
  const resolve = (slot: bigint): { variable: string; keys: bigint[]; field: number } => {
    for (const field of [0n, 1n]) {
      let current = slot - field;
      const keys: bigint[] = [];
      for (let pre = preimages.get(hex32(current)); pre !== undefined; pre = preimages.get(hex32(current))) {
        keys.unshift(pre.key);
        current = pre.base;
      }
      if (field === 1n && keys.length === 0) continue;
      const variable = layout.bySlot.get(current);
      if (variable !== undefined) return { variable, keys, field: Number(field) };
    }
    return { variable: hex32(slot), keys: [], field: 0 };
  };
  const selectors: Record<string, string> = {};
  for (const contract of [world.token, world.points] as const) {
    contract.interface.forEachFunction((fn) => {
      selectors[fn.selector] = fn.name;
    });
  }

  for (let i = 0; i < logs.length; i++) {
    const step = logs[i]!;
    if (step.depth !== 1) continue;
    // Cost = gas here minus gas at the next step of this frame (covers callees); last step: its own gasCost.
    let j = i + 1;
    while (j < logs.length && logs[j]!.depth > 1) j++;
    const cost = j < logs.length ? step.gas - logs[j]!.gas : step.gasCost;
    const stack = step.stack ?? [];
    const top = (n: number): string => stack[stack.length - 1 - n] ?? "0x0";

    if (step.op === "KECCAK256" || step.op === "SHA3") {
      const offset = Number(shortHex(top(0)));
      const size = Number(shortHex(top(1)));
      const input = readMemory(step.memory, offset, size);
      const out = keccak256(input);
      if (size === 64) {
        const bytes = getBytes(input);
        const key = BigInt("0x" + Buffer.from(bytes.slice(0, 32)).toString("hex"));
        const base = BigInt("0x" + Buffer.from(bytes.slice(32)).toString("hex"));
        preimages.set(out, { key, base });
        add("other execution (dispatch, ABI decoding, checks, memory)", "keccak256 of a mapping key", cost);
      } else {
        add("signature (EIP-712 digest + ecrecover)", `keccak256 over ${size} bytes`, cost);
      }
      continue;
    }
    if (step.op === "SLOAD" || step.op === "SSTORE") {
      const slot = shortHex(top(0));
      const { variable, keys, field } = resolve(slot);
      const component =
        contractName === "PaymentEscrow" ? escrowComponent(variable, keys, world) : `registry storage ${variable}`;
      const keyText = keys.map((k) => (k > 2n ** 64n ? "0x" + k.toString(16) : k.toString())).join("][");
      add(component, `${step.op} ${variable}${keyText ? `[${keyText}]` : ""}${field ? ` (slot +${field})` : ""}`, cost);
      continue;
    }
    if (step.op.startsWith("LOG")) {
      add("events", step.op, cost);
      continue;
    }
    if (step.op === "TLOAD" || step.op === "TSTORE") {
      add("reentrancy guard (transient)", step.op, cost);
      continue;
    }
    if (step.op === "CALL" || step.op === "STATICCALL" || step.op === "DELEGATECALL") {
      const target = "0x" + shortHex(top(1)).toString(16).padStart(40, "0");
      const value = step.op === "CALL" ? shortHex(top(2)) : 0n;
      const argsOffset = Number(shortHex(top(step.op === "CALL" ? 3 : 2)));
      const selector = readMemory(step.memory, argsOffset, 4);
      const fn = selectors[selector] ?? selector;
      const callee = names[target];
      let component: string;
      if (BigInt(target) === 1n) component = "signature (EIP-712 digest + ecrecover)";
      else if (callee === "registry") component = "registry read";
      else if (callee === "points") component = fn === "burn" ? "points burn (redeem)" : "points mint";
      else if (callee === "token") {
        component =
          fn === "transferFrom"
            ? "token pull (transferFrom)"
            : fn === "balanceOf"
              ? "exact-amount check (balanceOf x2)"
              : "push (token transfer)";
      } else if (value > 0n) component = "push (ETH)";
      else component = `call ${target}`;
      add(component, `${step.op} ${callee ?? target}${callee ? `.${fn}` : ""}${value > 0n ? ` value ${value}` : ""}`, cost);
      for (const check of pendingCodeChecks.splice(0)) {
        const item = items[check.index]!;
        if (check.target !== target) continue;
        const other = "other execution (dispatch, ABI decoding, checks, memory)";
        components[other] = components[other]! - item.gas;
        components[component] = (components[component] ?? 0) + item.gas;
        item.component = component;
        item.what = `EXTCODESIZE ${callee ?? target} (before the call)`;
      }
      continue;
    }
    if (step.op === "EXTCODESIZE") {
      // Solidity checks the callee has code before a call that returns nothing: this is where the callee's
      // account is first touched (cold), so it belongs to that call. Named when the call comes.
      pendingCodeChecks.push({ index: items.length, target: "0x" + shortHex(top(0)).toString(16).padStart(40, "0") });
      add("other execution (dispatch, ABI decoding, checks, memory)", "EXTCODESIZE", cost);
      continue;
    }
    add("other execution (dispatch, ABI decoding, checks, memory)", step.op, cost);
  }

  // Merge the per-opcode "other" items into one line for readability.
  const merged: Breakdown["items"] = [];
  for (const item of items) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.component === item.component && item.component.startsWith("other")) {
      last.gas += item.gas;
      last.what = "opcodes";
    } else merged.push({ ...item });
  }

  let calldata = 0;
  for (const byte of getBytes(tx.input)) calldata += byte === 0 ? 4 : 16;
  const execution = Object.values(components).reduce((a, b) => a + b, 0);
  const refundCounter = logs.length > 0 ? (logs[logs.length - 1]!.refund ?? 0) : 0;
  const refund = Math.min(refundCounter, Math.floor((21_000 + calldata + execution) / 5));
  const result: Record<string, number> = {
    "base transaction (21,000)": 21_000,
    calldata: calldata,
    ...components,
  };
  if (refund !== 0) result["storage refund"] = -refund;
  const total = Object.values(result).reduce((a, b) => a + b, 0);
  if (total !== gasUsed) result["unattributed (trace vs receipt)"] = gasUsed - total;
  return { components: result, items: merged, gasUsed, refund };
}
