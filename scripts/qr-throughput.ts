/**
 * Measures the merchant-side pipeline per invoice: sign (EIP-712, ethers Wallet) -> encode (packed bytes, both
 * carriers) -> render (PNG of the compact carrier). Run: `npx tsx scripts/qr-throughput.ts [count]`.
 * Pure SDK code: no chain, no Hardhat.
 */
import { Wallet } from "ethers";

import { signInvoice } from "../src/invoice/signInvoice.js";
import { type Invoice, ZERO_ADDRESS, ZERO_BYTES32 } from "../src/invoice/types.js";
import { renderPng } from "../src/qr/image/index.js";
import { encodeCompactInvoice, encodeInvoiceUri, toPackedInvoice } from "../src/qr/index.js";

const count = Number(process.argv[2] ?? 300);
const wallet = new Wallet("0x" + "11".repeat(32));
const token = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const tokens = [ZERO_ADDRESS, token];
const location = { chainId: 84532n, escrow: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" };

const invoiceAt = (i: number): Invoice => ({
  merchantId: 7n,
  invoiceNumber: BigInt(1000 + i),
  token,
  amount: 12_500_000n,
  expiry: 1_800_000_000n,
  payer: ZERO_ADDRESS,
  pointsAward: 125n,
  pointsRedeem: 0n,
  orderRef: ZERO_BYTES32,
  holdPeriod: 0n,
  epoch: 0n,
});

async function main(): Promise<void> {
  const timings = { sign: 0, encode: 0, render: 0 };
  let pngBytes = 0;
  for (let i = 0; i < count; i++) {
    let t = performance.now();
    const signed = await signInvoice(wallet, invoiceAt(i), location);
    timings.sign += performance.now() - t;
    t = performance.now();
    const packed = toPackedInvoice(signed, tokens);
    const compact = encodeCompactInvoice({ ...location, packed });
    encodeInvoiceUri({ ...location, packed });
    timings.encode += performance.now() - t;
    t = performance.now();
    pngBytes += renderPng(compact).length;
    timings.render += performance.now() - t;
  }
  const total = timings.sign + timings.encode + timings.render;
  const rate = (ms: number) => ((count * 1000) / ms).toFixed(0).padStart(7);
  console.log(`${count} ERC-20 invoices, one core`);
  console.log(`  sign (EIP-712, 64-byte)      ${rate(timings.sign)} /s  ${(timings.sign / count).toFixed(2)} ms each`);
  console.log(`  encode (packed + 2 carriers) ${rate(timings.encode)} /s  ${(timings.encode / count).toFixed(3)} ms each`);
  console.log(`  render PNG (compact carrier) ${rate(timings.render)} /s  ${(timings.render / count).toFixed(2)} ms each, ${Math.round(pngBytes / count)} bytes`);
  console.log(`  sign + encode + render       ${rate(total)} /s  ${(total / count).toFixed(2)} ms each`);
}

await main();
