import { expect } from "chai";

import { foldInvoiceState, transitionEventType, type FoldHead, type FoldLog } from "../../gateway/src/services/index.js";

const TOKEN = "0x00000000000000000000000000000000000000aa";
const OTHER = "0x00000000000000000000000000000000000000bb";
const ESCROW = "0x00000000000000000000000000000000000000ee";
const PAYER = "0x00000000000000000000000000000000000000cc";
const invoice = { amount: 1000n, token: TOKEN, expiry: 5000n };
const head = (number: bigint, confirmations = 0, timestamp = 1000n): FoldHead => ({ number, timestamp, confirmations });

let index = 0;
function log(event: string, block: bigint, args: Record<string, string> = {}, tx = `0xtx${block}`, address = ESCROW): FoldLog {
  return { event, blockNumber: block, logIndex: index++, transactionHash: tx, address, args };
}
const paid = (block: bigint, releaseAt = 2000n, tx?: string) => log("InvoicePaid", block, { payer: PAYER, token: TOKEN, amount: "1000", releaseAt: releaseAt.toString() }, tx);
const settledLog = (block: bigint, tx?: string) => log("PaymentSettled", block, { merchantAmount: "990", fee: "10", pointsAwarded: "0" }, tx);
const refundedLog = (block: bigint, amount: bigint, total: bigint) => log("PaymentRefunded", block, { amount: amount.toString(), totalRefunded: total.toString() });

describe("foldInvoiceState", function () {
  it("is open without logs, and expired once the head's time is past the expiry", function () {
    expect(foldInvoiceState(invoice, [], head(10n)).status).to.equal("open");
    expect(foldInvoiceState(invoice, [], head(10n, 0, 5000n)).status).to.equal("open");
    expect(foldInvoiceState(invoice, [], head(10n, 0, 5001n)).status).to.equal("expired");
  });

  it("sees a deposit of the invoice's token at once (even with confirmations), with amount, sender and transaction", function () {
    const t = log("Transfer", 10n, { from: PAYER, to: "0xdd", value: "600" }, "0xdep", TOKEN);
    const f = foldInvoiceState(invoice, [t], head(10n, 12));
    expect(f.status).to.equal("seen");
    expect(f.fundsSeen).to.equal(true);
    expect(f.deposit).to.deep.equal({ amount: 600n, from: PAYER, transactionHash: "0xdep", blockNumber: 10n });
    expect(f.cause).to.equal(t);
    const two = foldInvoiceState(invoice, [t, log("Transfer", 11n, { from: OTHER, to: "0xdd", value: "400" }, "0xdep2", TOKEN)], head(11n));
    expect(two.deposit?.amount).to.equal(1000n);
    expect(two.deposit?.from).to.equal(OTHER);
  });

  it("ignores a transfer of another token, and a deposit returned to its sender leaves the invoice expired", function () {
    expect(foldInvoiceState(invoice, [log("Transfer", 10n, { from: PAYER, to: "0xdd", value: "5" }, "0x1", OTHER)], head(10n)).status).to.equal("open");
    const logs = [log("Transfer", 10n, { from: PAYER, value: "5" }, "0x1", TOKEN), log("DepositReturned", 11n, { to: PAYER, token: TOKEN, amount: "5" })];
    const f = foldInvoiceState(invoice, logs, head(11n, 0, 6000n));
    expect(f.status).to.equal("expired");
    expect(f.deposit).to.equal(null);
  });

  it("counts ETH seen by balance (the zero-address token)", function () {
    const eth = { ...invoice, token: "0x0000000000000000000000000000000000000000" };
    const f = foldInvoiceState(eth, [log("Transfer", 10n, { from: "", value: "7", balance: "true" }, "", "0x0000000000000000000000000000000000000000")], head(10n));
    expect(f.status).to.equal("seen");
    expect(f.deposit?.amount).to.equal(7n);
  });

  it("shows a payment with fewer confirmations than required as seen, and held at the depth", function () {
    const p = paid(10n);
    const early = foldInvoiceState(invoice, [p], head(11n, 3));
    expect(early.status).to.equal("seen");
    expect(early.paidBlock).to.equal(null);
    expect(early.cause).to.equal(p);
    const deep = foldInvoiceState(invoice, [p], head(12n, 3));
    expect(deep.status).to.equal("held");
    expect(deep).to.include({ paidBy: PAYER, paidTransaction: "0xtx10", paidBlock: 10n, paidAmount: 1000n, refundedAmount: 0n, releaseAt: 2000n });
  });

  it("settles a payment whose transaction also settled it, and a held one when it is released later", function () {
    expect(foldInvoiceState(invoice, [paid(10n, 1000n, "0xa"), settledLog(10n, "0xa")], head(10n)).status).to.equal("settled");
    const held = foldInvoiceState(invoice, [paid(10n)], head(10n));
    expect(held.status).to.equal("held");
    const released = foldInvoiceState(invoice, [paid(10n), settledLog(20n)], head(20n));
    expect(released.status).to.equal("settled");
    expect(released.cause?.event).to.equal("PaymentSettled");
  });

  it("refunds in part (partially_refunded), in whole (refunded), and releases the rest of a partial refund (settled)", function () {
    const p = paid(10n);
    const part = foldInvoiceState(invoice, [p, refundedLog(11n, 300n, 300n)], head(11n));
    expect(part.status).to.equal("partially_refunded");
    expect(part.refundedAmount).to.equal(300n);
    expect(foldInvoiceState(invoice, [p, refundedLog(11n, 300n, 300n), refundedLog(12n, 700n, 1000n)], head(12n)).status).to.equal("refunded");
    const rest = foldInvoiceState(invoice, [p, refundedLog(11n, 300n, 300n), settledLog(13n)], head(13n));
    expect(rest.status).to.equal("settled");
    expect(rest.refundedAmount).to.equal(300n);
  });

  it("keeps a settled payment settled when part of it is refunded, refunded when all of it is", function () {
    const base = [paid(10n, 1000n, "0xa"), settledLog(10n, "0xa")];
    const srf = (block: bigint, amount: string) => log("SettledPaymentRefunded", block, { payer: PAYER, token: TOKEN, amount, pointsRestored: "0", pointsClawedBack: "0" });
    const part = foldInvoiceState(invoice, [...base, srf(11n, "400")], head(11n));
    expect(part.status).to.equal("settled");
    expect(part.refundedAmount).to.equal(400n);
    const all = foldInvoiceState(invoice, [...base, srf(11n, "400"), srf(12n, "600")], head(12n));
    expect(all.status).to.equal("refunded");
    expect(all.refundedAmount).to.equal(1000n);
  });

  it("follows a dispute: opened (deadline as releaseAt), partial refund stays disputed, resolved by split, in full, or for the merchant", function () {
    const opened = [paid(10n), log("DisputeOpened", 11n, { deadline: "9000" })];
    const d = foldInvoiceState(invoice, opened, head(11n));
    expect(d.status).to.equal("disputed");
    expect(d.releaseAt).to.equal(9000n);
    expect(foldInvoiceState(invoice, [...opened, refundedLog(12n, 100n, 100n)], head(12n)).status).to.equal("disputed");
    const resolved = (refund: bigint, rest: FoldLog[]) => [...opened, log("DisputeResolved", 13n, { arbiter: OTHER, refundAmount: refund.toString() }), ...rest];
    const split = foldInvoiceState(invoice, resolved(400n, [refundedLog(13n, 400n, 400n), settledLog(13n)]), head(13n));
    expect(split.status).to.equal("settled");
    expect(split.refundedAmount).to.equal(400n);
    expect(foldInvoiceState(invoice, resolved(1000n, [refundedLog(13n, 1000n, 1000n)]), head(13n)).status).to.equal("refunded");
    expect(foldInvoiceState(invoice, resolved(0n, [settledLog(13n)]), head(13n)).status).to.equal("settled");
  });

  it("refunds a reclaimed dispute in full (reclaim emits PaymentRefunded of the rest)", function () {
    const f = foldInvoiceState(invoice, [paid(10n), log("DisputeOpened", 11n, { deadline: "9000" }), refundedLog(20n, 1000n, 1000n)], head(20n));
    expect(f.status).to.equal("refunded");
  });

  it("cancels on a confirmed InvoiceCancelled only", function () {
    const c = log("InvoiceCancelled", 10n);
    expect(foldInvoiceState(invoice, [c], head(10n)).status).to.equal("cancelled");
    expect(foldInvoiceState(invoice, [c], head(10n, 5)).status).to.equal("open");
    expect(foldInvoiceState(invoice, [c], head(14n, 5)).status).to.equal("cancelled");
  });

  it("lets a payment take over from a deposit, and ignores deposits after it", function () {
    const logs = [log("Transfer", 9n, { from: PAYER, value: "1000" }, "0xd", TOKEN), paid(10n), log("Transfer", 11n, { from: PAYER, value: "5" }, "0xe", TOKEN)];
    const f = foldInvoiceState(invoice, logs, head(11n));
    expect(f.status).to.equal("held");
    expect(f.deposit?.amount).to.equal(1000n);
  });

  it("folds logs in chain order whatever order they come in, and ignores logs above the head", function () {
    const logs = [settledLog(20n), paid(10n)];
    expect(foldInvoiceState(invoice, logs, head(20n)).status).to.equal("settled");
    expect(foldInvoiceState(invoice, logs, head(15n)).status).to.equal("held");
  });
});

describe("transitionEventType", function () {
  it("names a transition by the new status, a confirmed payment invoice.paid, a rollback invoice.reverted", function () {
    expect(transitionEventType("open", "seen", false)).to.equal("invoice.seen");
    expect(transitionEventType("open", "held", false)).to.equal("invoice.paid");
    expect(transitionEventType("seen", "settled", false)).to.equal("invoice.paid");
    expect(transitionEventType("expired", "held", false)).to.equal("invoice.paid");
    expect(transitionEventType("held", "settled", false)).to.equal("invoice.settled");
    expect(transitionEventType("held", "refunded", false)).to.equal("invoice.refunded");
    expect(transitionEventType("open", "expired", false)).to.equal("invoice.expired");
    expect(transitionEventType("held", "open", true)).to.equal("invoice.reverted");
  });
});
