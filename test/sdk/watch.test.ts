import { expect } from "chai";
import type { BlockTag, Filter, FilterByBlockHash, Log } from "ethers";

import { payInvoice } from "../../src/chain/payInvoice.js";
import { InvalidArgumentError, RpcError, UnexpectedError } from "../../src/chain/errors.js";
import type { ScanPayError } from "../../src/errors.js";
import { ZERO_ADDRESS } from "../../src/invoice/types.js";
import { WatchTimeoutError } from "../../src/watch/errors.js";
import { findPayment } from "../../src/watch/findPayment.js";
import type { ConfirmedPayment, PaymentEvent, WatchProvider } from "../../src/watch/types.js";
import { waitForPayments } from "../../src/watch/waitForPayments.js";
import { watchPayments, type PaymentWatcher } from "../../src/watch/watchPayments.js";
import { ethers, networkHelpers, provider as rawProvider } from "../helpers/fixture.js";
import { makeSdkInvoice, rejection, type SdkFixture, sdkFixture, signed } from "./sdk-fixture.js";

/** Polls only when a test calls `poll()` (the first automatic poll still runs at start). */
const MANUAL = 1_000_000;

interface ProviderProbe {
  provider: WatchProvider;
  calls: { getLogs: number; getBlockNumber: number; getBlock: number };
  /** Every log the real node returned, in order. */
  seen: Log[];
  /** Make the next `n` calls of `method` fail like a dropped connection. */
  fail(method: "getLogs" | "getBlockNumber" | "getBlock", n: number): void;
  /** Logs appended to every getLogs answer, as a node lagging behind a reorg would return them. */
  stale: Log[];
}

function probe(): ProviderProbe {
  const calls = { getLogs: 0, getBlockNumber: 0, getBlock: 0 };
  const failures = { getLogs: 0, getBlockNumber: 0, getBlock: 0 };
  const seen: Log[] = [];
  const stale: Log[] = [];
  const maybeFail = (method: keyof typeof failures): void => {
    calls[method]++;
    if (failures[method] > 0) {
      failures[method]--;
      throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    }
  };
  const provider: WatchProvider = {
    async getBlockNumber() {
      maybeFail("getBlockNumber");
      return ethers.provider.getBlockNumber();
    },
    async getLogs(filter: Filter | FilterByBlockHash) {
      maybeFail("getLogs");
      const logs = await ethers.provider.getLogs(filter);
      seen.push(...logs);
      return [...logs, ...stale];
    },
    async getBlock(tag: BlockTag | string, prefetch?: boolean) {
      maybeFail("getBlock");
      return ethers.provider.getBlock(tag, prefetch);
    },
  };
  return { provider, calls, seen, stale, fail: (method, n) => void (failures[method] += n) };
}

async function mine(blocks: number): Promise<void> {
  for (let i = 0; i < blocks; i++) await rawProvider.request({ method: "evm_mine", params: [] });
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("watch", () => {
  let f: SdkFixture;
  let watcher: PaymentWatcher | undefined;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
  });
  afterEach(async () => {
    await watcher?.stop();
    watcher = undefined;
  });

  /** Pays invoice `invoiceNumber` of the instant merchant in ETH from the customer; returns its block. */
  async function pay(invoiceNumber: bigint, amount = 1_000n): Promise<number> {
    const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber, amount }));
    return (await payInvoice(f.asCustomer.escrow, s)).payment.blockNumber;
  }

  describe("watchPayments", () => {
    it("reports a payment once, after exactly N confirmations", async () => {
      const reports: ConfirmedPayment[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      watcher = watchPayments(f.escrow, { merchantId: f.instantId, confirmations: 3, pollIntervalMs: MANUAL, fromBlock, onPayment: (p) => void reports.push(p) });
      const block = await pay(1n, 1_234n);
      await watcher.poll();
      await mine(1);
      await watcher.poll();
      expect(reports).to.deep.equal([]);
      await mine(1);
      await watcher.poll();
      await mine(3);
      await watcher.poll();
      expect(reports.length).to.equal(1);
      const [report] = reports;
      const header = await ethers.provider.getBlock(block);
      expect(report).to.deep.include({
        merchantId: f.instantId,
        invoiceNumber: 1n,
        paymentId: (f.instantId << 64n) | 1n,
        payer: f.customer.address,
        token: ZERO_ADDRESS,
        amount: 1_234n,
        releaseAt: BigInt(header!.timestamp),
        blockNumber: block,
        blockHash: header!.hash,
        confirmations: 3,
      });
      expect([...watcher.reported]).to.deep.equal([1n]);
    });

    it("calls onPending as a payment's depth grows, then reports it once through onPayment", async () => {
      const pending: number[] = [];
      const reports: ConfirmedPayment[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      watcher = watchPayments(f.escrow, {
        merchantId: f.instantId,
        confirmations: 3,
        pollIntervalMs: MANUAL,
        fromBlock,
        onPending: (p) => void pending.push(p.confirmations),
        onPayment: (p) => void reports.push(p),
      });
      await pay(1n);
      await watcher.poll();
      await watcher.poll(); // same depth: no second call
      await mine(1);
      await watcher.poll();
      expect(pending).to.deep.equal([1, 2]);
      expect(reports).to.deep.equal([]);
      await mine(1);
      await watcher.poll();
      await mine(1);
      await watcher.poll();
      expect(pending).to.deep.equal([1, 2]);
      expect(reports.map((r) => r.confirmations)).to.deep.equal([3]);
    });

    it("covers every open invoice with one log query per poll", async () => {
      const p = probe();
      const reports: bigint[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      watcher = watchPayments(f.escrow, {
        merchantId: f.instantId,
        invoiceNumbers: [1n, 2n, 3n],
        confirmations: 1,
        pollIntervalMs: MANUAL,
        fromBlock,
        provider: p.provider,
        onPayment: (payment) => void reports.push(payment.invoiceNumber),
      });
      await watcher.poll();
      for (const n of [1n, 2n, 3n]) await pay(n);
      const before = p.calls.getLogs;
      await watcher.poll();
      expect(p.calls.getLogs - before).to.equal(1);
      expect(reports).to.deep.equal([1n, 2n, 3n]);
      await mine(1);
      await watcher.poll();
      expect(p.calls.getLogs - before).to.equal(2);
      expect(reports).to.deep.equal([1n, 2n, 3n]);
    });

    it("never reports a payment that a reorg removed before it was confirmed, and reports the canonical one once", async () => {
      const reports: bigint[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      watcher = watchPayments(f.escrow, { merchantId: f.instantId, confirmations: 3, pollIntervalMs: MANUAL, fromBlock, onPayment: (p) => void reports.push(p.invoiceNumber) });
      const snapshot = await rawProvider.request({ method: "evm_snapshot", params: [] });
      const orphanBlock = await pay(1n);
      await mine(1);
      await watcher.poll();
      expect(reports).to.deep.equal([]);

      await rawProvider.request({ method: "evm_revert", params: [snapshot] });
      const canonicalBlock = await pay(2n);
      expect(canonicalBlock).to.equal(orphanBlock);
      await mine(2);
      await watcher.poll();
      await mine(3);
      await watcher.poll();
      expect(reports).to.deep.equal([2n]);
      expect((await findPayment(f.escrow, f.instantId, 1n))).to.equal(undefined);
    });

    it("reports nothing when the reorg leaves no payment, and still reports the invoice when it is paid later", async () => {
      const reports: bigint[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      watcher = watchPayments(f.escrow, { merchantId: f.instantId, confirmations: 2, pollIntervalMs: MANUAL, fromBlock, onPayment: (p) => void reports.push(p.invoiceNumber) });
      const snapshot = await rawProvider.request({ method: "evm_snapshot", params: [] });
      await pay(1n);
      await watcher.poll();
      await rawProvider.request({ method: "evm_revert", params: [snapshot] });
      await mine(4);
      await watcher.poll();
      expect(reports).to.deep.equal([]);
      await pay(1n);
      await mine(1);
      await watcher.poll();
      expect(reports).to.deep.equal([1n]);
    });

    it("refuses a confirmed-depth log whose block hash is no longer canonical (a node lagging behind a reorg)", async () => {
      const p = probe();
      const reports: bigint[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      watcher = watchPayments(f.escrow, { merchantId: f.instantId, confirmations: 2, pollIntervalMs: MANUAL, fromBlock, provider: p.provider, onPayment: (x) => void reports.push(x.invoiceNumber) });
      const snapshot = await rawProvider.request({ method: "evm_snapshot", params: [] });
      await pay(1n);
      await watcher.poll();
      const orphan = p.seen.find((log) => BigInt(log.topics[2]!) === 1n);
      expect(orphan).to.not.equal(undefined);
      await rawProvider.request({ method: "evm_revert", params: [snapshot] });
      await pay(2n);
      await mine(3);
      p.stale.push(orphan!);
      const blockCalls = p.calls.getBlock;
      await watcher.poll();
      await watcher.poll();
      expect(reports).to.deep.equal([2n]);
      expect(p.calls.getBlock - blockCalls).to.be.greaterThan(0);
    });

    it("ignores logs flagged removed", async () => {
      const p = probe();
      const reports: bigint[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      await pay(1n);
      await mine(2);
      const [log] = await ethers.provider.getLogs({ address: f.location.escrow, topics: [f.escrow.interface.getEvent("InvoicePaid").topicHash], fromBlock });
      // The same log (canonical block hash) but for invoice 5 and flagged removed: only the flag keeps it out.
      const topics = [log!.topics[0]!, log!.topics[1]!, ethers.toBeHex(5n, 32), log!.topics[3]!];
      p.stale.push(Object.assign(Object.create(Object.getPrototypeOf(log) as object) as Log, log, { removed: true, topics }));
      watcher = watchPayments(f.escrow, { merchantId: f.instantId, invoiceNumbers: [], confirmations: 1, pollIntervalMs: MANUAL, fromBlock, provider: p.provider, onPayment: (x) => void reports.push(x.invoiceNumber) });
      watcher.add([1n, 5n]);
      await watcher.poll();
      expect(reports).to.deep.equal([1n]);
    });

    it("keeps going through RPC failures, reporting them with backoff", async () => {
      const p = probe();
      const errors: Array<{ error: ScanPayError; attempt: number; retryInMs: number }> = [];
      const reports: bigint[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      await pay(1n);
      p.fail("getLogs", 2);
      p.fail("getBlockNumber", 1);
      watcher = watchPayments(f.escrow, {
        merchantId: f.instantId,
        confirmations: 1,
        pollIntervalMs: 10,
        maxBackoffMs: 25,
        fromBlock,
        provider: p.provider,
        onPayment: (x) => void reports.push(x.invoiceNumber),
        onError: (error, retry) => void errors.push({ error, ...retry }),
      });
      await until(() => reports.length === 1);
      await pay(2n);
      await until(() => reports.length === 2);
      expect(reports).to.deep.equal([1n, 2n]);
      expect(errors.map((e) => [e.error.code, e.attempt, e.retryInMs])).to.deep.equal([
        ["RPC_ERROR", 1, 20],
        ["RPC_ERROR", 2, 25],
        ["RPC_ERROR", 3, 25],
      ]);
      expect(errors[0]!.error).to.be.instanceOf(RpcError);
    });

    it("reports onPayment failures through onError without reporting the payment again", async () => {
      const errors: ScanPayError[] = [];
      let calls = 0;
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      await pay(1n);
      watcher = watchPayments(f.escrow, {
        merchantId: f.instantId,
        confirmations: 1,
        pollIntervalMs: MANUAL,
        fromBlock,
        onPayment: () => {
          calls++;
          throw new Error("database down");
        },
        onError: (error) => void errors.push(error),
      });
      await watcher.poll();
      await watcher.poll();
      expect(calls).to.equal(1);
      expect(errors.length).to.equal(1);
      expect(errors[0]).to.be.instanceOf(UnexpectedError);
      expect(errors[0]!.message).to.equal("onPayment failed: Error: database down");
    });

    it("only reports the invoice numbers asked for, and those added later", async () => {
      const reports: bigint[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      watcher = watchPayments(f.escrow, { merchantId: f.instantId, invoiceNumbers: [2n], confirmations: 1, pollIntervalMs: MANUAL, fromBlock, onPayment: (p) => void reports.push(p.invoiceNumber) });
      await pay(1n);
      await pay(2n);
      await watcher.poll();
      watcher.add([3n]);
      await pay(3n);
      await watcher.poll();
      expect(reports).to.deep.equal([2n, 3n]);
    });

    it("ignores other merchants' payments", async () => {
      const reports: bigint[] = [];
      const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
      watcher = watchPayments(f.escrow, { merchantId: f.heldId, confirmations: 1, pollIntervalMs: MANUAL, fromBlock, onPayment: (p) => void reports.push(p.invoiceNumber) });
      await pay(1n);
      await watcher.poll();
      expect(reports).to.deep.equal([]);
    });

    it("by default starts at the blocks still confirming, so a payment made just before is reported", async () => {
      const reports: bigint[] = [];
      await pay(1n);
      watcher = watchPayments(f.escrow, { merchantId: f.instantId, confirmations: 2, pollIntervalMs: MANUAL, onPayment: (p) => void reports.push(p.invoiceNumber) });
      await watcher.poll();
      await mine(1);
      await watcher.poll();
      expect(reports).to.deep.equal([1n]);
    });

    it("stops polling on stop()", async () => {
      const p = probe();
      watcher = watchPayments(f.escrow, { merchantId: f.instantId, confirmations: 1, pollIntervalMs: 5, provider: p.provider, onPayment: () => undefined });
      await until(() => p.calls.getBlockNumber >= 2);
      await watcher.stop();
      const after = p.calls.getBlockNumber;
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(p.calls.getBlockNumber).to.equal(after);
    });

    it("throws InvalidArgumentError for fewer than one confirmation or a bad interval", async () => {
      const onPayment = (): void => undefined;
      const error = await rejection(() => watchPayments(f.escrow, { merchantId: 1n, confirmations: 0, onPayment }), InvalidArgumentError, "INVALID_ARGUMENT");
      expect(error.argument).to.equal("confirmations");
      await rejection(() => watchPayments(f.escrow, { merchantId: 1n, pollIntervalMs: -1, onPayment }), InvalidArgumentError, "INVALID_ARGUMENT");
    });
  });

  describe("findPayment", () => {
    it("finds a payment by merchant and invoice number", async () => {
      await pay(1n, 5n);
      const block = await pay(2n, 7n);
      const found = (await findPayment(f.escrow, f.instantId, 2n)) as PaymentEvent;
      const receipt = (await ethers.provider.getBlock(block))!;
      expect(found).to.deep.include({
        merchantId: f.instantId,
        invoiceNumber: 2n,
        payer: f.customer.address,
        token: ZERO_ADDRESS,
        amount: 7n,
        blockNumber: block,
        blockHash: receipt.hash,
        transactionHash: receipt.transactions[0],
      });
    });

    it("returns undefined for an unpaid invoice or outside the searched blocks", async () => {
      const block = await pay(1n);
      expect(await findPayment(f.escrow, f.instantId, 2n)).to.equal(undefined);
      expect(await findPayment(f.escrow, f.instantId, 1n, { fromBlock: block + 1 })).to.equal(undefined);
      expect(await findPayment(f.escrow, f.instantId, 1n, { toBlock: block - 1 })).to.equal(undefined);
      expect((await findPayment(f.escrow, f.instantId, 1n, { fromBlock: block, toBlock: block }))?.blockNumber).to.equal(block);
    });
  });

  describe("waitForPayments", () => {
    it("resolves with the payments in the order asked once all are confirmed", async () => {
      const seen: bigint[] = [];
      const waiting = waitForPayments(f.escrow, f.instantId, [2n, 1n], { confirmations: 2, pollIntervalMs: 5, onPayment: (p) => void seen.push(p.invoiceNumber) });
      await pay(1n);
      await pay(2n);
      await mine(1);
      const payments = await waiting;
      expect(payments.map((p) => p.invoiceNumber)).to.deep.equal([2n, 1n]);
      expect(payments.every((p) => p.confirmations >= 2)).to.equal(true);
      expect(seen.sort()).to.deep.equal([1n, 2n]);
    });

    it("throws WatchTimeoutError naming the invoices still unpaid", async () => {
      await pay(1n);
      const error = await rejection(
        waitForPayments(f.escrow, f.instantId, [1n, 9n], { confirmations: 1, pollIntervalMs: 5, timeoutMs: 100, fromBlock: 0 }),
        WatchTimeoutError,
        "WATCH_TIMEOUT",
      );
      expect(error.pending).to.deep.equal([9n]);
    });
  });
});
