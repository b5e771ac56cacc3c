/**
 * Gas snapshot gate for the paying calls (`pay` / `payPacked`, deposit settlements): re-runs the paying scenarios of the benchmark
 * on a fresh in-process chain and compares each receipt's gasUsed with gas/snapshot.json.
 *
 *   npx hardhat run scripts/check-gas.ts                              # check: exit 1 if any paying call got dearer
 *   UPDATE_GAS_SNAPSHOT=1 npx hardhat run scripts/check-gas.ts        # rewrite gas/snapshot.json
 *   npx hardhat build && npx tsx scripts/check-gas.ts --update        # same, with a flag (no compile step)
 *
 * (`hardhat run` does not pass arguments to the script, hence the environment variable.)
 * Fails, one line per scenario, when a scenario's gas is above its snapshot or a scenario has no snapshot;
 * a drop is reported (so the snapshot can be tightened with an update) but does not fail.
 * Deterministic: fixed accounts and keys, fixed block timestamps, fixed invoices (see scripts/bench/world.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { runAuthorizations, runDeposits } from "./bench/deposits.js";
import { type Measurement, runPaying, setup } from "./bench/scenarios.js";
import { createWorld } from "./bench/world.js";

const SNAPSHOT_PATH = fileURLToPath(new URL("../gas/snapshot.json", import.meta.url));

interface Snapshot {
  note: string;
  gas: Record<string, number>;
}

async function main(): Promise<number> {
  const update = process.argv.includes("--update") || process.env.UPDATE_GAS_SNAPSHOT === "1";
  const started = Date.now();
  const world = await createWorld("l1");
  await setup(world);
  const rows: Measurement[] = [];
  await runPaying(world, rows);
  await runDeposits(world, rows);
  await runAuthorizations(world, rows);
  const measured = Object.fromEntries(rows.map((m) => [m.id, m.gasUsed]));

  if (update) {
    const snapshot: Snapshot = {
      note:
        "Whole-transaction gasUsed of every paying scenario (scripts/bench/scenarios.ts, runPaying) on a fresh " +
        "in-process l1 chain. Checked by `npx hardhat run scripts/check-gas.ts`; rewritten by " +
        "`UPDATE_GAS_SNAPSHOT=1 npx hardhat run scripts/check-gas.ts`.",
      gas: measured,
    };
    mkdirSync(fileURLToPath(new URL("../gas/", import.meta.url)), { recursive: true });
    writeFileSync(SNAPSHOT_PATH, JSON.stringify(snapshot, null, 2) + "\n");
    console.log(`gas snapshot: wrote ${rows.length} paying scenarios to ${SNAPSHOT_PATH}`);
    return 0;
  }

  if (!existsSync(SNAPSHOT_PATH)) {
    console.error(`gas snapshot: ${SNAPSHOT_PATH} is missing; create it with UPDATE_GAS_SNAPSHOT=1`);
    return 1;
  }
  const snapshot = JSON.parse(readFileSync(SNAPSHOT_PATH, "utf8")) as Snapshot;
  const failures: string[] = [];
  const notes: string[] = [];
  for (const [id, gas] of Object.entries(measured)) {
    const before = snapshot.gas[id];
    if (before === undefined) failures.push(`${id}: ${gas} gas, not in the snapshot (run the update)`);
    else if (gas > before) failures.push(`${id}: ${gas} gas > snapshot ${before} (+${gas - before})`);
    else if (gas < before) notes.push(`${id}: ${gas} gas < snapshot ${before} (-${before - gas}); update to lock it in`);
  }
  for (const id of Object.keys(snapshot.gas)) {
    if (measured[id] === undefined) notes.push(`${id}: in the snapshot but no longer measured`);
  }
  for (const line of notes) console.log(`gas snapshot: ${line}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failures.length > 0) {
    for (const line of failures) console.error(`gas snapshot FAIL ${line}`);
    console.error(`gas snapshot: ${failures.length} of ${rows.length} paying scenarios failed (${seconds} s)`);
    return 1;
  }
  console.log(`gas snapshot: ${rows.length} paying scenarios at or below the snapshot (${seconds} s)`);
  return 0;
}

process.exitCode = await main();
