/** Invoice records: consecutive numbers per merchant under concurrency, idempotency keys, exact amounts. */
import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { Wallet } from "ethers";
import type { Kysely } from "kysely";

import { IdempotencyConflictError, InvalidInputError } from "../../gateway/src/errors.js";
import { createInvoiceRecord, linkMerchant, type InvoiceRequest } from "../../gateway/src/services/index.js";
import { openDatabase, type Database } from "../../gateway/src/store/index.js";
import { onEachBackend } from "./helpers/backends.js";

const TOKEN = "0x00000000000000000000000000000000000000aa";
const body = (amount: bigint, extra: Partial<InvoiceRequest> = {}): InvoiceRequest => ({
  token: TOKEN,
  amount,
  expiry: 2_000_000_000n,
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

function expectConsecutive(numbers: bigint[], first: bigint): void {
  const sorted = [...numbers].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  expect(new Set(numbers).size).to.equal(numbers.length);
  expect(sorted).to.deep.equal(sorted.map((_, i) => first + BigInt(i)));
}

describe("gateway invoices", function () {
  onEachBackend((suite) => {
    let nextOnChainId = 0n;
    const newMerchant = async () =>
      (
        await linkMerchant(suite.db, { current: { id: "k1", key: randomBytes(32) } }, {
          chainId: 31337n,
          onChainId: ++nextOnChainId,
          name: "Shop",
          signerKey: Wallet.createRandom().privateKey,
        })
      ).id;

    describe("createInvoiceRecord: numbering", function () {
      it("numbers a merchant's invoices 1, 2, 3 when the chain has none, independently per merchant", async function () {
        const a = await newMerchant();
        const b = await newMerchant();
        const numbersA: bigint[] = [];
        for (let i = 0; i < 3; i++) {
          numbersA.push((await createInvoiceRecord(suite.db, { merchantId: a, highestUsedOnChain: 0n, invoice: body(1n) })).invoice.invoiceNumber);
        }
        const firstB = await createInvoiceRecord(suite.db, { merchantId: b, highestUsedOnChain: 0n, invoice: body(1n) });
        expect(numbersA).to.deep.equal([1n, 2n, 3n]);
        expect(firstB.invoice.invoiceNumber).to.equal(1n);
      });

      it("starts after the highest number the chain already used, and jumps if the chain moves ahead", async function () {
        const m = await newMerchant();
        const create = (highest: bigint) =>
          createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: highest, invoice: body(5n) });
        expect((await create(41n)).invoice.invoiceNumber).to.equal(42n);
        expect((await create(0n)).invoice.invoiceNumber).to.equal(43n);
        expect((await create(99n)).invoice.invoiceNumber).to.equal(100n);
      });

      it("gives 200 concurrent creations 200 distinct consecutive numbers", async function () {
        this.timeout(60_000);
        const m = await newMerchant();
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 10n, invoice: body(BigInt(i + 1)) }),
          ),
        );
        expectConsecutive(
          results.map((r) => r.invoice.invoiceNumber),
          11n,
        );
      });

      it("does not burn a number when the insert fails", async function () {
        const m = await newMerchant();
        await createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, invoice: body(1n) });
        // jsonb refuses \u0000: the insert fails inside the transaction, after the number was allocated.
        const error = await rejection(
          createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, invoice: body(1n, { metadata: { x: "\u0000" } }) }),
        );
        expect(error).to.be.instanceOf(Error);
        const next = await createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, invoice: body(1n) });
        expect(next.invoice.invoiceNumber).to.equal(2n);
      });
    });

    describe("createInvoiceRecord: idempotency", function () {
      it("returns the same invoice for the same key and body, without a new number", async function () {
        const m = await newMerchant();
        const request = { merchantId: m, highestUsedOnChain: 0n, idempotencyKey: "order-1", invoice: body(7n, { metadata: { a: 1, b: [2] } }) };
        const first = await createInvoiceRecord(suite.db, request);
        const again = await createInvoiceRecord(suite.db, { ...request, invoice: body(7n, { metadata: { b: [2], a: 1 } }) });
        expect(first.created).to.equal(true);
        expect(again.created).to.equal(false);
        expect(again.invoice).to.deep.equal(first.invoice);
        const other = await createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, invoice: body(7n) });
        expect(other.invoice.invoiceNumber).to.equal(2n);
      });

      it("throws IDEMPOTENCY_CONFLICT for the same key with another body", async function () {
        const m = await newMerchant();
        await createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, idempotencyKey: "k", invoice: body(7n) });
        const error = await rejection(
          createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, idempotencyKey: "k", invoice: body(8n) }),
        );
        expect(error).to.be.instanceOf(IdempotencyConflictError);
        expect((error as IdempotencyConflictError).code).to.equal("IDEMPOTENCY_CONFLICT");
      });

      it("creates exactly one invoice when the same key arrives 20 times at once", async function () {
        const m = await newMerchant();
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, idempotencyKey: "burst", invoice: body(3n) }),
          ),
        );
        expect(new Set(results.map((r) => r.invoice.id)).size).to.equal(1);
        expect(results.filter((r) => r.created)).to.have.length(1);
        const next = await createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, invoice: body(3n) });
        expect(next.invoice.invoiceNumber).to.equal(2n);
      });

      it("scopes keys per merchant: the same key for two merchants makes two invoices", async function () {
        const a = await newMerchant();
        const b = await newMerchant();
        const ia = await createInvoiceRecord(suite.db, { merchantId: a, highestUsedOnChain: 0n, idempotencyKey: "same", invoice: body(1n) });
        const ib = await createInvoiceRecord(suite.db, { merchantId: b, highestUsedOnChain: 0n, idempotencyKey: "same", invoice: body(2n) });
        expect(ia.invoice.id).to.not.equal(ib.invoice.id);
        expect(ib.invoice.merchantId).to.equal(b);
      });
    });

    describe("createInvoiceRecord: amounts", function () {
      it("stores the largest uint96 amount exactly and refuses zero and 2^96", async function () {
        const m = await newMerchant();
        const max = 2n ** 96n - 1n;
        const created = await createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, invoice: body(max) });
        expect(created.invoice.amount).to.equal(max);
        const raw = await suite.db.selectFrom("invoices").select("amount").where("id", "=", created.invoice.id).executeTakeFirstOrThrow();
        expect(raw.amount).to.equal(max.toString());
        for (const amount of [0n, 2n ** 96n]) {
          const error = await rejection(createInvoiceRecord(suite.db, { merchantId: m, highestUsedOnChain: 0n, invoice: body(amount) }));
          expect(error).to.be.instanceOf(InvalidInputError);
        }
      });
    });

    if (suite.backendName === "PostgreSQL") {
      describe("createInvoiceRecord: two gateway instances on one PostgreSQL", function () {
        let second: Kysely<Database>;
        before(async function () {
          second = await openDatabase(await suite.target.options());
        });
        after(async function () {
          await second.destroy();
        });

        it("gives 200 creations split over two instances 200 distinct consecutive numbers", async function () {
          this.timeout(60_000);
          const m = await newMerchant();
          const results = await Promise.all(
            Array.from({ length: 200 }, (_, i) =>
              createInvoiceRecord(i % 2 === 0 ? suite.db : second, { merchantId: m, highestUsedOnChain: 0n, invoice: body(1n) }),
            ),
          );
          expectConsecutive(
            results.map((r) => r.invoice.invoiceNumber),
            1n,
          );
        });
      });
    }
  });
});
