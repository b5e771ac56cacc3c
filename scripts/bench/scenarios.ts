/**
 * The benchmark scenarios. Each one states its preconditions, sends exactly one measured transaction and
 * records the receipt's `gasUsed`. Setup transactions are sent but not measured.
 *
 * Order matters (the chain state carries over), so every runner is called in the same order by `bench.ts`
 * and by `check-gas.ts`: the paying scenarios always come first, on a fresh chain.
 */
import { getBytes, type Signer } from "ethers";

import {
  type Asset,
  advanceClock,
  type Entry,
  freshPayer,
  fundTokens,
  HOLD_PERIOD,
  nextInvoice,
  payInvoice,
  paymentIdOf,
  registerMerchants,
  send,
  type Sent,
  TOKEN_AMOUNT,
  type World,
} from "./world.js";

export type Group = "baseline" | "pay" | "deposit" | "authorization" | "release" | "refund" | "dispute" | "withdraw" | "register";

export interface Measurement {
  /** Stable id, the key of the snapshot. */
  id: string;
  group: Group;
  /** A paying call (`pay` / `payPacked`): gated by the snapshot and costed on `op`. */
  paying: boolean;
  /** What the row measures, in words. */
  label: string;
  /** State the measured transaction starts from. */
  preconditions: string;
  gasUsed: number;
  /** For batches: number of payments and gas per payment (whole transaction / count). */
  count?: number;
  perPayment?: number;
  /** Calldata of the measured transaction and its intrinsic cost (4 gas per zero byte, 16 per other byte). */
  calldataBytes: number;
  calldataGas: number;
  hash: string;
  /** The raw receipt (on `op` it carries l1Fee, l1GasUsed, ...). */
  receipt: Record<string, string>;
}

function calldataGas(data: string): number {
  let gas = 0;
  for (const byte of getBytes(data)) gas += byte === 0 ? 4 : 16;
  return gas;
}

export function record(
  out: Measurement[],
  sent: Sent,
  m: Omit<Measurement, "gasUsed" | "calldataBytes" | "calldataGas" | "hash" | "receipt">,
): Measurement {
  const measurement: Measurement = {
    ...m,
    gasUsed: Number(sent.gasUsed),
    calldataBytes: getBytes(sent.data).length,
    calldataGas: calldataGas(sent.data),
    hash: sent.hash,
    receipt: sent.raw,
    ...(m.count !== undefined ? { perPayment: Math.round(Number(sent.gasUsed) / m.count) } : {}),
  };
  out.push(measurement);
  return measurement;
}

const COMMON_REPEAT =
  "payer already holds points of this merchant; the invoice's word in the replay bitmap is already non-zero " +
  "(sequential invoice numbers); payout's token/ETH balance and the treasury's fee balance already non-zero";
const ERC20_READY = "payer holds tUSD and approved the escrow for an unlimited amount (no allowance write)";

/**
 * Unmeasured warm-up: registers the merchants, funds the repeat customer and makes it a customer of both
 * merchants (one ETH and one ERC-20 payment each, the held ones released), so that every "repeat" precondition
 * holds.
 */
export async function setup(world: World): Promise<void> {
  await registerMerchants(world);
  await fundTokens(world, world.customer);
  for (const asset of ["ETH", "ERC20"] as const) {
    await payInvoice(world, world.customer, await nextInvoice(world, world.instantMerchant, asset), "struct");
  }
  const held: bigint[] = [];
  for (const asset of ["ETH", "ERC20"] as const) {
    const signed = await nextInvoice(world, world.heldMerchant, asset);
    await payInvoice(world, world.customer, signed, "struct");
    held.push(paymentIdOf(signed.invoice));
  }
  advanceClock(world, HOLD_PERIOD);
  await send(world, (o) => world.escrow.connect(world.deployer).release(held, o));
}

/** Plain ETH transfer and plain ERC-20 transfer to an existing holder (sender keeps a balance). */
export async function runBaselines(world: World, out: Measurement[]): Promise<void> {
  const from = world.customer;
  const to = world.payout.address;
  const eth = await send(world, async (o) => {
    const tx = await from.sendTransaction({ to, value: 10n ** 15n, ...o });
    return { hash: tx.hash, data: tx.data, wait: () => tx.wait() };
  });
  record(out, eth, {
    id: "baseline.eth.transfer",
    group: "baseline",
    paying: false,
    label: "plain ETH transfer",
    preconditions: "EOA to an existing EOA",
  });
  const erc20 = await send(world, (o) => world.token.connect(from).transfer(to, TOKEN_AMOUNT, o));
  record(out, erc20, {
    id: "baseline.erc20.transfer",
    group: "baseline",
    paying: false,
    label: "plain ERC-20 transfer (tUSD)",
    preconditions: "recipient already holds tUSD, sender keeps a balance (OpenZeppelin ERC20)",
  });
}

const ENTRY_NAMES: Record<Entry, string> = { packed: "payPacked", raw: "payPackedRaw", struct: "pay(struct)" };

/** Every paying scenario, in a fixed order. */
export async function runPaying(world: World, out: Measurement[]): Promise<void> {
  const mode = (held: boolean) => (held ? "held" : "instant");
  for (const held of [false, true]) {
    for (const asset of ["ERC20", "ETH"] as Asset[]) {
      for (const customer of ["repeat", "first"] as const) {
        for (const entry of ["packed", "raw", "struct"] as Entry[]) {
          const merchant = held ? world.heldMerchant : world.instantMerchant;
          const payer = customer === "repeat" ? world.customer : await freshPayer(world);
          const sent = await payInvoice(world, payer, await nextInvoice(world, merchant, asset), entry);
          const pre = [
            customer === "repeat"
              ? COMMON_REPEAT
              : "payer has never paid this merchant (no points balance yet" +
                (held ? ", though points are only minted at release" : ": the mint writes a fresh slot") +
                "); bitmap word, payout and treasury balances already non-zero",
            asset === "ERC20" ? ERC20_READY : "ETH sent as msg.value",
            held
              ? `merchant holds for ${HOLD_PERIOD} s: writes the 2-slot Payment record; no push, fee or points until release`
              : "merchant settles at once: fee to the treasury's balance, points minted, merchant share pushed to payout",
            entry === "packed"
              ? "payPacked(bytes): 41-byte fixed part + 64-byte EIP-2098 signature, no payer, no orderRef"
              : entry === "raw"
                ? "payPackedRaw(): selector + the same 105 packed bytes, no ABI offset/length/padding"
                : "pay(Invoice, bytes): ABI-encoded struct + 65-byte signature",
          ].join("; ");
          record(out, sent, {
            id: `pay.${asset.toLowerCase()}.${mode(held)}.${customer}.${entry}`,
            group: "pay",
            paying: true,
            label: `pay ${asset === "ERC20" ? "ERC-20" : "ETH"} ${held ? "held" : "settled at once"}, ${customer === "repeat" ? "repeat" : "first-time"} customer, ${ENTRY_NAMES[entry]}`,
            preconditions: pre,
          });
        }
      }
    }
  }

  // Variants of the main case (ERC-20, settled at once, repeat customer, packed).
  const base = `${COMMON_REPEAT}; ${ERC20_READY}; merchant settles at once`;

  const withRefs = await nextInvoice(world, world.instantMerchant, "ERC20", {
    payer: world.customer.address,
    orderRef: "0x" + "5c".repeat(32),
  });
  record(out, await payInvoice(world, world.customer, withRefs, "packed"), {
    id: "pay.erc20.instant.repeat.packed.payerAndRef",
    group: "pay",
    paying: true,
    label: "pay ERC-20 at once, repeat, payPacked, invoice bound to the payer + orderRef",
    preconditions: `${base}; packed flags 1|2: +20-byte payer, +32-byte orderRef`,
  });
  const withRefsRaw = await nextInvoice(world, world.instantMerchant, "ERC20", {
    payer: world.customer.address,
    orderRef: "0x" + "5c".repeat(32),
  });
  record(out, await payInvoice(world, world.customer, withRefsRaw, "raw"), {
    id: "pay.erc20.instant.repeat.raw.payerAndRef",
    group: "pay",
    paying: true,
    label: "pay ERC-20 at once, repeat, payPackedRaw, invoice bound to the payer + orderRef",
    preconditions: `${base}; packed flags 1|2: +20-byte payer, +32-byte orderRef; no ABI wrapper`,
  });

  const redeem = await nextInvoice(world, world.instantMerchant, "ERC20", { pointsRedeem: 5n });
  record(out, await payInvoice(world, world.customer, redeem, "packed"), {
    id: "pay.erc20.instant.repeat.packed.redeem",
    group: "pay",
    paying: true,
    label: "pay ERC-20 at once, repeat, payPacked, redeeming 5 points",
    preconditions: `${base}; pointsRedeem 5 burned from the payer's existing points`,
  });

  await send(world, (o) => world.token.connect(world.customer).approve(world.escrowAddress, 10n ** 12n, o));
  const finite = await nextInvoice(world, world.instantMerchant, "ERC20");
  record(out, await payInvoice(world, world.customer, finite, "packed"), {
    id: "pay.erc20.instant.repeat.packed.finiteAllowance",
    group: "pay",
    paying: true,
    label: "pay ERC-20 at once, repeat, payPacked, finite allowance",
    preconditions: `${COMMON_REPEAT}; allowance is finite (10^12 > amount): transferFrom also rewrites the allowance slot`,
  });
  await send(world, (o) => world.token.connect(world.customer).approve(world.escrowAddress, 2n ** 256n - 1n, o));

  // First invoice of a fresh 256-invoice word: the replay bit's SSTORE goes from zero to non-zero.
  const current = world.nextInvoice.get(world.instantMerchant)!;
  world.nextInvoice.set(world.instantMerchant, ((current >> 8n) + 1n) << 8n);
  const newWord = await nextInvoice(world, world.instantMerchant, "ERC20");
  record(out, await payInvoice(world, world.customer, newWord, "packed"), {
    id: "pay.erc20.instant.repeat.packed.newBitmapWord",
    group: "pay",
    paying: true,
    label: "pay ERC-20 at once, repeat, payPacked, first invoice of a new bitmap word (1 in 256)",
    preconditions: `payer already holds points; ${ERC20_READY}; invoice number ${newWord.invoice.invoiceNumber} opens a fresh replay-bitmap word (zero before)`,
  });
}

/** Pays `count` held ERC-20 invoices at the held merchant (packed), one per payer; returns the payment ids. */
async function payHeld(world: World, payers: Signer[], asset: Asset = "ERC20"): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const payer of payers) {
    const signed = await nextInvoice(world, world.heldMerchant, asset);
    await payInvoice(world, payer, signed, "packed");
    ids.push(paymentIdOf(signed.invoice));
  }
  return ids;
}

/** Release, refund, dispute, withdraw, registration. */
export async function runOthers(world: World, out: Measurement[]): Promise<void> {
  const merchant = world.heldMerchant;
  const releaser = world.escrow.connect(world.deployer);
  const heldPre = "held ERC-20 payment past its release time; merchant active; payout and treasury balances non-zero";

  // release alone: repeat customer, first-time customer, ETH.
  let [id] = await payHeld(world, [world.customer]);
  advanceClock(world, HOLD_PERIOD);
  record(out, await send(world, (o) => releaser.release([id!], o)), {
    id: "release.erc20.single.repeat",
    group: "release",
    paying: false,
    label: "release alone (ERC-20), repeat customer",
    preconditions: `${heldPre}; payer already holds points of this merchant`,
  });
  const first = await freshPayer(world);
  [id] = await payHeld(world, [first]);
  advanceClock(world, HOLD_PERIOD);
  record(out, await send(world, (o) => releaser.release([id!], o)), {
    id: "release.erc20.single.first",
    group: "release",
    paying: false,
    label: "release alone (ERC-20), first-time customer",
    preconditions: `${heldPre}; payer holds no points of this merchant yet (fresh balance slot)`,
  });
  [id] = await payHeld(world, [world.customer], "ETH");
  advanceClock(world, HOLD_PERIOD);
  record(out, await send(world, (o) => releaser.release([id!], o)), {
    id: "release.eth.single.repeat",
    group: "release",
    paying: false,
    label: "release alone (ETH), repeat customer",
    preconditions: "held ETH payment past its release time; payer already holds points; payout EOA",
  });

  // A batch of 20 payments of the same merchant from 20 different customers: first-time, then repeat.
  const batchPayers: Signer[] = [];
  for (let i = 0; i < 20; i++) batchPayers.push(await freshPayer(world, "batch"));
  for (const customers of ["first", "repeat"] as const) {
    const ids = await payHeld(world, batchPayers);
    advanceClock(world, HOLD_PERIOD);
    record(out, await send(world, (o) => releaser.release(ids, o)), {
      id: `release.erc20.batch20.${customers}`,
      group: "release",
      paying: false,
      label: `release, batch of 20 (ERC-20, same merchant, 20 ${customers === "first" ? "first-time" : "repeat"} customers)`,
      preconditions: `20 held ERC-20 payments of one merchant, 20 distinct payers ${customers === "first" ? "holding no points yet" : "already holding points"}; one registry read for the batch`,
      count: 20,
    });
  }

  // Refunds while held, by the merchant's signer (the till's key).
  const refunder = world.escrow.connect(world.signer);
  const refundCase = async (key: string, label: string, asset: Asset, amount: (a: bigint) => bigint): Promise<void> => {
    const signed = await nextInvoice(world, merchant, asset);
    await payInvoice(world, world.customer, signed, "packed");
    const { invoice } = signed;
    record(out, await send(world, (o) => refunder.refund(invoice.merchantId, invoice.invoiceNumber, amount(invoice.amount), o)), {
      id: key,
      group: "refund",
      paying: false,
      label,
      preconditions: `held ${asset === "ETH" ? "ETH" : "ERC-20"} payment within its hold period; caller is the merchant's signer; payer's balance non-zero`,
    });
  };
  await refundCase("refund.erc20.full.held", "refund in full while held (ERC-20)", "ERC20", (a) => a);
  await refundCase("refund.erc20.partial.held", "refund half while held (ERC-20)", "ERC20", (a) => a / 2n);
  await refundCase("refund.eth.full.held", "refund in full while held (ETH)", "ETH", (a) => a);

  // Disputes.
  for (const split of [true, false]) {
    const signed = await nextInvoice(world, merchant, "ERC20");
    await payInvoice(world, world.customer, signed, "packed");
    const { invoice } = signed;
    const opened = await send(world, (o) =>
      world.escrow.connect(world.customer).openDispute(invoice.merchantId, invoice.invoiceNumber, o),
    );
    if (split) {
      record(out, opened, {
        id: "dispute.open",
        group: "dispute",
        paying: false,
        label: "openDispute",
        preconditions: "held ERC-20 payment within its hold period; caller is the payer",
      });
    }
    const refundAmount = split ? invoice.amount / 2n : invoice.amount;
    record(
      out,
      await send(world, (o) =>
        world.escrow.connect(world.arbiter).resolveDispute(invoice.merchantId, invoice.invoiceNumber, refundAmount, o),
      ),
      {
        id: split ? "dispute.resolve.split" : "dispute.resolve.fullRefund",
        group: "dispute",
        paying: false,
        label: split ? "resolveDispute: half refunded, rest settled" : "resolveDispute: full refund",
        preconditions: split
          ? "disputed ERC-20 payment; arbiter refunds half (push to payer) and settles the rest (fee, points, push to payout)"
          : "disputed ERC-20 payment; arbiter refunds all (push to payer, no points)",
      },
    );
  }

  // Withdraw: the treasury takes its accrued tUSD fees.
  record(out, await send(world, (o) => world.escrow.connect(world.treasury).withdraw(world.tokenAddress, world.treasury.address, o)), {
    id: "withdraw.treasury.erc20",
    group: "withdraw",
    paying: false,
    label: "withdraw (treasury's tUSD fees)",
    preconditions: "treasury's withdrawable tUSD is non-zero; it is emptied (slot cleared) and sent to the treasury, an existing holder",
  });

  // Merchant registration.
  record(
    out,
    await send(world, (o) =>
      world.registry
        .connect(world.owner)
        .register(
          world.owner.address,
          world.payout.address,
          world.signer.address,
          HOLD_PERIOD,
          "Corner Bakery",
          "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
          o,
        ),
    ),
    {
      id: "register.merchant",
      group: "register",
      paying: false,
      label: "register a merchant",
      preconditions: "13-byte name, 66-byte metadata URI, hold period 3600 s",
    },
  );
}
