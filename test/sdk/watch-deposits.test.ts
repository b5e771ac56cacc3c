/**
 * `watchPayments` with `openInvoices`: arrivals at deposit addresses (src/watch/depositTracker.ts), on the
 * in-process chain with the real deployment. The payment itself is still the confirmed `InvoicePaid` of the
 * settlement (test/sdk/watch.test.ts covers that part).
 */
import { expect } from "chai";
import { type JsonRpcError, JsonRpcApiProvider, type JsonRpcPayload, type JsonRpcResult, Network } from "ethers";

import { InvalidArgumentError } from "../../src/chain/errors.js";
import { invoiceDigest } from "../../src/invoice/invoiceDigest.js";
import { type SignedInvoice, ZERO_ADDRESS } from "../../src/invoice/types.js";
import type { ConfirmedPayment, DepositArrival, OpenInvoice, WatchProvider } from "../../src/watch/types.js";
import { waitForPayments } from "../../src/watch/waitForPayments.js";
import { type PaymentWatcher, watchPayments } from "../../src/watch/watchPayments.js";
import { type DepositRouter, DepositRouter__factory } from "../../typechain-types/index.js";
import { ethers, networkHelpers, provider as rawProvider } from "../helpers/fixture.js";
import { makeSdkInvoice, rejection, type SdkFixture, sdkFixture, signed, USD } from "./sdk-fixture.js";

/** Polls only when a test calls `poll()` (the first automatic poll still runs at start). */
const MANUAL = 1_000_000;

/**
 * A JSON-RPC provider over the in-process chain that records every request it sends, as a `JsonRpcProvider` over
 * HTTP would send them: `requests[i]` lists the methods of the i-th request (several for a batch).
 */
class CountingProvider extends JsonRpcApiProvider {
  readonly requests: string[][] = [];

  constructor(network: Network) {
    super(network, { staticNetwork: network, cacheTimeout: -1, batchStallTime: 5 });
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<Array<JsonRpcResult | JsonRpcError>> {
    const list = Array.isArray(payload) ? payload : [payload];
    this.requests.push(list.map((p) => p.method));
    return Promise.all(
      list.map(async (p): Promise<JsonRpcResult | JsonRpcError> => {
        try {
          const params = Array.isArray(p.params) ? p.params : [p.params];
          return { id: p.id, result: await rawProvider.request({ method: p.method, params }) };
        } catch (error) {
          return { id: p.id, error: { code: -32000, message: error instanceof Error ? error.message : String(error) } };
        }
      }),
    );
  }
}

async function mine(blocks: number): Promise<void> {
  for (let i = 0; i < blocks; i++) await rawProvider.request({ method: "evm_mine", params: [] });
}

describe("watch: deposit addresses", () => {
  let f: SdkFixture;
  let router: DepositRouter;
  let watcher: PaymentWatcher | undefined;
  let counting: CountingProvider | undefined;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
    router = DepositRouter__factory.connect(await f.escrow.depositRouter(), f.invoiceKey);
  });
  afterEach(async () => {
    await watcher?.stop();
    watcher = undefined;
    counting?.destroy();
    counting = undefined;
  });

  /** A signed, unbound invoice of the instant merchant: 10 test dollars unless told otherwise. */
  async function open(invoiceNumber: bigint, overrides: { token?: string; amount?: bigint; payer?: string } = {}): Promise<OpenInvoice> {
    const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber, token: f.tokenAddress, amount: 10n * USD, ...overrides });
    return { signed: await signed(f, invoice), location: f.location };
  }

  /** Starts a watcher from the next block with 1 confirmation, collecting deposits and payments. */
  function watch(openInvoices: OpenInvoice[], extra: { provider?: WatchProvider; confirmations?: number } = {}) {
    const deposits: DepositArrival[] = [];
    const payments: ConfirmedPayment[] = [];
    return ethers.provider.getBlockNumber().then((head) => {
      watcher = watchPayments(f.escrow, {
        merchantId: f.instantId,
        confirmations: extra.confirmations ?? 1,
        pollIntervalMs: MANUAL,
        fromBlock: head + 1,
        openInvoices,
        onDeposit: (d) => void deposits.push(d),
        onPayment: (p) => void payments.push(p),
        ...(extra.provider === undefined ? {} : { provider: extra.provider }),
      });
      return { watcher, deposits, payments };
    });
  }

  function addressOf(o: OpenInvoice): string {
    return watcher!.depositAddresses().get(o.signed.invoice.invoiceNumber)!;
  }

  async function transfer(to: string, amount: bigint) {
    return (await f.token.connect(f.customer).transfer(to, amount)).wait();
  }

  async function settle(s: SignedInvoice, payer: string) {
    return (await router.settleDeposit(s.invoice, s.signature, payer)).wait();
  }

  it("computes the deposit address the router computes on chain", async () => {
    const [a, b] = [await open(1n), await open(2n, { token: ZERO_ADDRESS, amount: 10n ** 16n })];
    const { watcher } = await watch([a, b]);
    for (const o of [a, b]) {
      const onChain = await router.depositAddressOf(invoiceDigest(o.signed.invoice, o.location));
      expect(await f.escrow.invoiceDigest(o.signed.invoice)).to.equal(invoiceDigest(o.signed.invoice, o.location));
      expect(addressOf(o)).to.equal(onChain);
      expect(await router.depositAddress(o.signed.invoice)).to.equal(onChain);
    }
    expect([...watcher.depositAddresses().keys()]).to.deep.equal([1n, 2n]);
  });

  it("reports an ERC-20 transfer to a deposit address with its sender and amount", async () => {
    const o = await open(1n);
    const { watcher, deposits, payments } = await watch([o]);
    const receipt = await transfer(addressOf(o), 10n * USD);
    await watcher.poll();
    expect(deposits).to.deep.equal([
      {
        merchantId: f.instantId,
        invoiceNumber: 1n,
        depositAddress: addressOf(o),
        token: f.tokenAddress,
        amount: 10n * USD,
        received: 10n * USD,
        expected: 10n * USD,
        status: "exact",
        from: f.customer.address,
        blockNumber: receipt!.blockNumber,
        transactionHash: receipt!.hash,
        logIndex: receipt!.logs[0]!.index,
      },
    ]);
    expect(payments).to.deep.equal([]);
    await mine(2);
    await watcher.poll();
    expect(deposits.length).to.equal(1);
  });

  it("reports an ETH send to a deposit address", async () => {
    const o = await open(1n, { token: ZERO_ADDRESS, amount: 10n ** 16n });
    const { watcher, deposits } = await watch([o]);
    const receipt = await (await f.customer.sendTransaction({ to: addressOf(o), value: 10n ** 16n })).wait();
    await watcher.poll();
    expect(deposits).to.deep.equal([
      {
        merchantId: f.instantId,
        invoiceNumber: 1n,
        depositAddress: addressOf(o),
        token: ZERO_ADDRESS,
        amount: 10n ** 16n,
        received: 10n ** 16n,
        expected: 10n ** 16n,
        status: "exact",
        blockNumber: receipt!.blockNumber,
      },
    ]);
  });

  it("shows an underpayment, then the top-up, with what was received against what is expected", async () => {
    const token = await open(1n);
    const eth = await open(2n, { token: ZERO_ADDRESS, amount: 10n ** 16n });
    const { watcher, deposits } = await watch([token, eth]);
    await transfer(addressOf(token), 4n * USD);
    await f.customer.sendTransaction({ to: addressOf(eth), value: 4n * 10n ** 15n });
    await watcher.poll();
    await transfer(addressOf(token), 7n * USD);
    await f.customer.sendTransaction({ to: addressOf(eth), value: 6n * 10n ** 15n });
    await watcher.poll();
    const view = deposits.map((d) => [d.invoiceNumber, d.amount, d.received, d.expected, d.status]);
    expect(view).to.deep.equal([
      [1n, 4n * USD, 4n * USD, 10n * USD, "underpaid"],
      [2n, 4n * 10n ** 15n, 4n * 10n ** 15n, 10n ** 16n, "underpaid"],
      [1n, 7n * USD, 11n * USD, 10n * USD, "overpaid"],
      [2n, 6n * 10n ** 15n, 10n ** 16n, 10n ** 16n, "exact"],
    ]);
  });

  it("does not report payments to other addresses, and marks another asset as the wrong one", async () => {
    const o = await open(1n);
    const other = await open(2n);
    const { watcher, deposits } = await watch([o]);
    const { depositAddresses } = watcher;
    await transfer(f.stranger.address, 5n * USD);
    await f.customer.sendTransaction({ to: f.stranger.address, value: 10n ** 15n });
    // The deposit address of an invoice that is not watched.
    const otherAddress = await router.depositAddressOf(invoiceDigest(other.signed.invoice, other.location));
    await transfer(otherAddress, 10n * USD);
    await f.customer.sendTransaction({ to: otherAddress, value: 10n ** 15n });
    await watcher.poll();
    expect(deposits).to.deep.equal([]);
    expect([...depositAddresses().values()]).to.not.include(otherAddress);

    await f.customer.sendTransaction({ to: addressOf(o), value: 10n ** 15n });
    await watcher.poll();
    expect(deposits.map((d) => [d.token, d.received, d.expected, d.status])).to.deep.equal([[ZERO_ADDRESS, 10n ** 15n, 0n, "wrong-asset"]]);

    // Once unwatched, nothing more is reported for it.
    const address = addressOf(o);
    watcher.unwatchDeposits([1n]);
    await transfer(address, 10n * USD);
    await watcher.poll();
    expect(deposits.length).to.equal(1);
    expect(depositAddresses().size).to.equal(0);
  });

  it("reports what was already at an address when its watch begins, without a sender", async () => {
    const early = await open(1n);
    const late = await open(2n);
    const { watcher, deposits } = await watch([early]);
    await transfer(await router.depositAddress(late.signed.invoice), 3n * USD);
    await watcher.poll();
    expect(deposits).to.deep.equal([]);
    watcher.watchDeposits([late]);
    await watcher.poll();
    expect(deposits.map((d) => [d.invoiceNumber, d.amount, d.received, d.status, d.from])).to.deep.equal([[2n, 3n * USD, 3n * USD, "underpaid", undefined]]);
    await transfer(addressOf(late), 7n * USD);
    await watcher.poll();
    expect(deposits.map((d) => [d.received, d.status])).to.deep.equal([
      [3n * USD, "underpaid"],
      [10n * USD, "exact"],
    ]);
  });

  it("reads every deposit address in a bounded number of RPC requests per poll (one batch)", async () => {
    counting = new CountingProvider(Network.from((await ethers.provider.getNetwork()).chainId));
    const invoices: OpenInvoice[] = [];
    for (let n = 1n; n <= 30n; n++) invoices.push(await open(n, n % 2n === 0n ? { token: ZERO_ADDRESS, amount: 10n ** 16n } : {}));
    const head = await ethers.provider.getBlockNumber();
    const deposits: DepositArrival[] = [];
    watcher = watchPayments(f.escrow, {
      merchantId: f.instantId,
      confirmations: 1,
      pollIntervalMs: MANUAL,
      fromBlock: head + 1,
      openInvoices: invoices,
      maxTopicsPerQuery: 8,
      provider: counting,
      onDeposit: (d) => void deposits.push(d),
      onPayment: () => undefined,
    });
    await watcher.poll(); // the first poll also reads the 15 token invoices' starting balances
    await transfer(addressOf(invoices[0]!), 10n * USD);
    await f.customer.sendTransaction({ to: addressOf(invoices[1]!), value: 10n ** 16n });
    await transfer(addressOf(invoices[28]!), 10n * USD); // in the last of the 4 topic lists
    for (let poll = 0; poll < 3; poll++) {
      const before = counting.requests.length;
      await watcher.poll();
      const requests = counting.requests.slice(before);
      // eth_blockNumber, then one batch: the InvoicePaid query, 4 Transfer queries (30 addresses, 8 per query) and
      // 30 eth_getBalance.
      expect(requests.length, JSON.stringify(requests)).to.equal(2);
      expect(requests[0]).to.deep.equal(["eth_blockNumber"]);
      expect(requests[1]!.filter((m) => m === "eth_getLogs").length).to.equal(5);
      expect(requests[1]!.filter((m) => m === "eth_getBalance").length).to.equal(30);
      await mine(1);
    }
    expect(deposits.map((d) => [d.invoiceNumber, d.status])).to.deep.equal([
      [1n, "exact"],
      [29n, "exact"],
      [2n, "exact"],
    ]);
  });

  it("makes no other call than before when no open invoice is given", async () => {
    counting = new CountingProvider(Network.from((await ethers.provider.getNetwork()).chainId));
    watcher = watchPayments(f.escrow, { merchantId: f.instantId, confirmations: 1, pollIntervalMs: MANUAL, provider: counting, onPayment: () => undefined });
    await watcher.poll();
    await mine(1);
    const before = counting.requests.length;
    await watcher.poll();
    expect(counting.requests.slice(before).flat()).to.deep.equal(["eth_blockNumber", "eth_getLogs"]);
  });

  it("after the keeper settles the deposit, reports the confirmed InvoicePaid as before and stops watching the address", async () => {
    const o = await open(1n);
    const { watcher, deposits, payments } = await watch([o], { confirmations: 2 });
    await transfer(addressOf(o), 10n * USD);
    await watcher.poll();
    expect(deposits.length).to.equal(1);
    // The merchant's keeper names the sender of the Transfer as payer of record (the invoice names no payer).
    const receipt = await settle(o.signed, deposits[0]!.from!);
    await watcher.poll();
    expect(payments).to.deep.equal([]);
    await mine(1);
    await watcher.poll();
    expect(payments.length).to.equal(1);
    expect(payments[0]).to.deep.include({
      merchantId: f.instantId,
      invoiceNumber: 1n,
      payer: f.customer.address,
      token: f.tokenAddress,
      amount: 10n * USD,
      blockNumber: receipt!.blockNumber,
      transactionHash: receipt!.hash,
      confirmations: 2,
    });
    expect(watcher.depositAddresses().size).to.equal(0);
    // The sweep's Transfer out of the address and its emptied balance are not arrivals.
    expect(deposits.length).to.equal(1);
  });

  it("waitForPayments passes arrivals on and resolves with the settlement", async () => {
    const o = await open(1n, { payer: f.customer.address });
    const arrivals: DepositArrival[] = [];
    const waiting = waitForPayments(f.escrow, f.instantId, [1n], {
      confirmations: 1,
      pollIntervalMs: 5,
      openInvoices: [o],
      onDeposit: async (d) => {
        arrivals.push(d);
        // An invoice that names its payer: anyone may settle, e.g. a relayer.
        await (await router.connect(f.stranger).settleDeposit(o.signed.invoice, o.signed.signature, ZERO_ADDRESS)).wait();
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await transfer(await router.depositAddress(o.signed.invoice), 10n * USD);
    const [payment] = await waiting;
    expect(arrivals.map((a) => a.status)).to.deep.equal(["exact"]);
    expect(payment!.payer).to.equal(f.customer.address);
  });

  it("throws InvalidArgumentError for another merchant's or escrow's invoice, or a provider without balances", async () => {
    const onPayment = (): void => undefined;
    const held = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 1n }));
    const wrongMerchant = await rejection(
      () => watchPayments(f.escrow, { merchantId: f.instantId, openInvoices: [{ signed: held, location: f.location }], onPayment }),
      InvalidArgumentError,
      "INVALID_ARGUMENT",
    );
    expect(wrongMerchant.argument).to.equal("openInvoices");
    const elsewhere = { signed: (await open(1n)).signed, location: { ...f.location, escrow: f.stranger.address } };
    await rejection(() => watchPayments(f.escrow, { merchantId: f.instantId, openInvoices: [elsewhere], onPayment }), InvalidArgumentError, "INVALID_ARGUMENT");
    const logsOnly: WatchProvider = {
      getBlockNumber: () => ethers.provider.getBlockNumber(),
      getLogs: (filter) => ethers.provider.getLogs(filter),
      getBlock: (tag) => ethers.provider.getBlock(tag),
    };
    const mine1 = await open(1n);
    const noBalances = await rejection(
      () => watchPayments(f.escrow, { merchantId: f.instantId, provider: logsOnly, openInvoices: [mine1], onPayment }),
      InvalidArgumentError,
      "INVALID_ARGUMENT",
    );
    expect(noBalances.argument).to.equal("provider");
    await rejection(() => watchPayments(f.escrow, { merchantId: f.instantId, maxTopicsPerQuery: 0, onPayment }), InvalidArgumentError, "INVALID_ARGUMENT");
  });
});
