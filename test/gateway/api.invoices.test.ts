/**
 * The REST API's invoice routes on the in-process chain with the real deployment: create (signed, checked against
 * the chain), idempotency, validation messages, read, list with cursors, cancel (sent on chain), QR images.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { recoverInvoiceSigner } from "../../src/invoice/recoverInvoiceSigner.js";
import { verifyInvoice } from "../../src/invoice/verifyInvoice.js";
import { checkInvoiceOnChain } from "../../src/invoice/checkInvoiceOnChain.js";
import { decodeQrImage } from "../../src/qr/image/decodeQrImage.js";
import { DepositRouter__factory } from "../../typechain-types/index.js";
import { createInvoiceRecord, DEPOSIT_REDEEMS_POINTS, nowOf } from "../../gateway/src/services/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { call, expectError, newMerchant, sdkInvoiceOf, useApiSuite } from "./helpers/apiFixture.js";

const ZERO = "0x0000000000000000000000000000000000000000";

describe("gateway API: invoices", function () {
  this.timeout(60_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    const create = (body: unknown, key = s().a.keys.all, headers: Record<string, string> = {}) =>
      call(s().app, "POST", "/v1/invoices", { key, body, headers });
    const countRows = async (merchantId: string) =>
      Number(
        (await suite.db.selectFrom("invoices").select((e) => e.fn.countAll<string>().as("n")).where("merchant_id", "=", merchantId).executeTakeFirstOrThrow()).n,
      );

    describe("POST /v1/invoices", function () {
      it("creates a token invoice from a typed decimal, signed by the merchant's signer, payable on chain", async function () {
        const { a, symbol, setup } = s();
        const res = await create({ amount: "12.50", token: symbol, orderRef: "order-1042", metadata: { table: 7 } });
        expect(res.status).to.equal(201);
        const inv = res.json;
        expect(inv.amount).to.deep.equal({ baseUnits: "12500000", decimal: "12.5" });
        expect(inv.token).to.deep.equal({ address: setup.f.tokenAddress, symbol, decimals: 6 });
        expect(inv.status).to.equal("open");
        expect(inv.merchantId).to.equal(a.id);
        expect(inv.onChainMerchantId).to.equal(a.onChainId.toString());
        expect(inv.orderRef).to.equal(keccak256(toUtf8Bytes("order-1042")));
        expect(inv.orderRefText).to.equal("order-1042");
        expect(inv.metadata).to.deep.equal({ table: 7 });
        expect(inv.holdPeriod).to.equal(0);
        expect(inv.epoch).to.equal(0);
        expect(inv.payer).to.equal(ZERO);
        const now = Number(await nowOf({ chain: setup.chain }));
        expect(inv.expiresAt).to.be.within(now + 890, now + 910);
        expect(inv.links).to.deep.equal({ png: `/v1/invoices/${inv.id}/qr.png`, svg: `/v1/invoices/${inv.id}/qr.svg`, checkout: `/pay/${inv.id}` });

        const signed = { invoice: sdkInvoiceOf(inv), signature: inv.signature };
        const location = setup.chain.location;
        expect(recoverInvoiceSigner(signed, location)).to.equal(a.signer.address);
        expect(verifyInvoice(signed, location, { expectedSigner: a.signer.address }).signer).to.equal(a.signer.address);
        // Everything payPacked would check, read from the chain: signer, epoch, unused number, token, merchant.
        await checkInvoiceOnChain(setup.f.registry, setup.f.escrow, signed);

        const router = DepositRouter__factory.connect(await setup.f.escrow.depositRouter(), setup.f.owner);
        const onChainDeposit = await router.depositAddress(signed.invoice);
        expect(inv.qr.deposit.address).to.equal(onChainDeposit);
        expect(inv.qr.deposit.uri).to.equal(
          `ethereum:${setup.f.tokenAddress}@${location.chainId}/transfer?address=${onChainDeposit}&uint256=12500000`,
        );
        expect(inv.qr.depositUnavailable).to.equal(null);
        expect(inv.qr.payPacked.uri).to.match(new RegExp(`^ethereum:${location.escrow}@${location.chainId}/payPacked\\?bytes=0x[0-9a-f]+$`));
        expect(inv.qr.compact.text).to.match(/^SCANPAY:[0-9A-Z $%*+\-./:]+$/);

        const row = await suite.db.selectFrom("invoices").selectAll().where("id", "=", inv.id).executeTakeFirstOrThrow();
        expect(row.signature).to.equal(inv.signature);
        expect(row.hold_period).to.equal("0");
        expect(row.epoch).to.equal("0");
        expect(row.amount).to.equal("12500000");
      });

      it("creates an ETH invoice with a plain value transfer to its deposit address, numbering consecutively", async function () {
        const { setup } = s();
        const first = await create({ amountBaseUnits: "10000000000000000", token: "ETH", expiresIn: 60 });
        const second = await create({ amount: "0.01", token: ZERO });
        expect(first.status).to.equal(201);
        expect(second.status).to.equal(201);
        expect(BigInt(second.json.invoiceNumber)).to.equal(BigInt(first.json.invoiceNumber) + 1n);
        expect(first.json.amount).to.deep.equal({ baseUnits: "10000000000000000", decimal: "0.01" });
        expect(first.json.token).to.deep.equal({ address: ZERO, symbol: "ETH", decimals: 18 });
        const router = DepositRouter__factory.connect(await setup.f.escrow.depositRouter(), setup.f.owner);
        const deposit = await router.depositAddress(sdkInvoiceOf(first.json));
        expect(first.json.qr.deposit.uri).to.equal(`ethereum:${deposit}@${setup.chain.location.chainId}?value=10000000000000000`);
        expect(first.json.qr.payPacked.uri).to.match(/&value=10000000000000000$/);
      });

      it("signs the merchant's hold period and takes a 32-byte orderRef and a payer as given", async function () {
        const { symbol, setup } = s();
        const held = await newMerchant(suite.db, s().keyring, setup, "Held", 3600n);
        const ref = "0x" + "ab".repeat(32);
        const payer = setup.f.customer.address;
        const res = await create({ amount: "1", token: symbol.toUpperCase(), orderRef: ref, payer: payer.toLowerCase(), expiresAt: Number(await nowOf({ chain: setup.chain })) + 120 }, held.keys.create);
        expect(res.status).to.equal(201);
        expect(res.json.holdPeriod).to.equal(3600);
        expect(res.json.orderRef).to.equal(ref);
        expect(res.json.orderRefText).to.equal(null);
        expect(res.json.payer).to.equal(payer);
        expect(res.json.invoiceNumber).to.equal("1");
        await checkInvoiceOnChain(setup.f.registry, setup.f.escrow, { invoice: sdkInvoiceOf(res.json), signature: res.json.signature });
      });

      it("has no deposit form when the invoice redeems points, and says why", async function () {
        const res = await create({ amount: "2", token: s().symbol, pointsRedeem: 5, pointsAward: 1 });
        expect(res.status).to.equal(201);
        expect(res.json.qr.deposit).to.equal(null);
        expect(res.json.qr.depositUnavailable).to.equal(DEPOSIT_REDEEMS_POINTS);
        expect(res.json.qr.payPacked.uri).to.match(/^ethereum:/);
        const svg = await call(s().app, "GET", `${res.json.links.svg}`, { key: s().a.keys.read });
        expect(svg.status).to.equal(200);
        const deposit = await call(s().app, "GET", `${res.json.links.svg}?form=deposit`, { key: s().a.keys.read });
        expectError(deposit, 400, "INVALID_INPUT");
      });

      it("answers a retry with the same Idempotency-Key and body with the same invoice (200), another body with 409", async function () {
        const { a, symbol } = s();
        const headers = { "Idempotency-Key": "order-77" };
        const first = await create({ amount: "3.10", token: symbol, metadata: { a: 1, b: 2 } }, a.keys.all, headers);
        const again = await create({ metadata: { b: 2, a: 1 }, token: symbol, amount: "3.1" }, a.keys.create, headers);
        const inBaseUnits = await create({ amountBaseUnits: "3100000", token: symbol, metadata: { a: 1, b: 2 } }, a.keys.all, headers);
        expect(first.status).to.equal(201);
        expect(again.status).to.equal(200);
        expect(again.json).to.deep.equal(first.json);
        expect(inBaseUnits.status).to.equal(200);
        const other = await create({ amount: "3.11", token: symbol, metadata: { a: 1, b: 2 } }, a.keys.all, headers);
        expectError(other, 409, "IDEMPOTENCY_CONFLICT");
        const rows = await suite.db.selectFrom("invoices").select("id").where("idempotency_key", "=", "order-77").execute();
        expect(rows).to.have.length(1);
      });

      it("makes one invoice when the same Idempotency-Key and body arrive 10 times at once", async function () {
        const { a, symbol } = s();
        const results = await Promise.all(
          Array.from({ length: 10 }, () => create({ amount: "8", token: symbol }, a.keys.all, { "Idempotency-Key": "burst" })),
        );
        expect(new Set(results.map((r) => r.json.id)).size).to.equal(1);
        expect(results.map((r) => r.status).sort()).to.deep.equal([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      });

      it("keeps a relative expiry idempotent: a retry later is still the same request", async function () {
        const { ctx, symbol } = s();
        const headers = { "Idempotency-Key": "later" };
        const first = await create({ amount: "1", token: symbol, expiresIn: 300 }, s().a.keys.all, headers);
        const saved = ctx.now;
        const later = (await nowOf({ chain: s().setup.chain })) + 120n;
        ctx.now = () => later;
        try {
          const again = await create({ amount: "1", token: symbol, expiresIn: 300 }, s().a.keys.all, headers);
          expect(again.status).to.equal(200);
          expect(again.json.id).to.equal(first.json.id);
          expect(again.json.expiresAt).to.equal(first.json.expiresAt);
        } finally {
          ctx.now = saved;
        }
      });

      it("explains every bad amount, token and expiry, and stores nothing", async function () {
        const { a, symbol } = s();
        const before = await countRows(a.id);
        const cases: [unknown, string, string][] = [
          [{ amount: "1.1234567", token: symbol }, "amount", `amount has 7 decimals but ${symbol} has 6`],
          [{ amount: "1.1234560", token: symbol }, "", ""], // trailing zero: 6 significant decimals, accepted
          [{ amount: "12,50", token: symbol }, "amount", `amount "12,50" is not a decimal number like 12 or 12.50`],
          [{ amount: "1e3", token: symbol }, "amount", "is not a decimal number"],
          [{ amount: "0", token: symbol }, "amount", "amount must be greater than zero"],
          [{ amount: "1", amountBaseUnits: "1", token: symbol }, "amount", "give exactly one of amount"],
          [{ token: symbol }, "amount", "give exactly one of amount"],
          [{ amountBaseUnits: (2n ** 96n).toString(), token: symbol }, "amountBaseUnits", "amount is too large"],
          [{ amount: "79228162514264337593543.950336", token: symbol }, "amount", "amount is too large"],
          [{ amountBaseUnits: "-5", token: symbol }, "amountBaseUnits", "is not an integer string"],
          [{ amount: "1", token: "DOGE" }, "token", 'unknown token "DOGE"'],
          [{ amount: "1", token: "0x" + "12".repeat(20) }, "token", "unknown token"],
          [{ amount: "1", token: symbol, expiresAt: 1_600_000_000 }, "expiresAt", "expiresAt 1600000000 is in the past"],
          [{ amount: "1", token: symbol, expiresAt: 4_000_000_000 }, "expiresAt", "more than a year away"],
          [{ amount: "1", token: symbol, expiresAt: 4_000_000_000, expiresIn: 60 }, "expiresAt", "at most one of expiresIn and expiresAt"],
          [{ amount: "1", token: symbol, expiresIn: 0 }, "expiresIn", ""],
          [{ amount: "1", token: symbol, orderRef: "x\u0000y" }, "orderRef", "NUL"],
          [{ amount: "1", token: symbol, metadata: { note: "a\u0000" } }, "metadata", "NUL"],
          [{ amount: "1", token: symbol, metadata: { big: "x".repeat(17_000) } }, "metadata", "larger than 16 KiB"],
          [{ amount: "1", token: symbol, payer: "0x1234" }, "payer", ""],
          [{ amount: "1", token: symbol, colour: "red" }, "", "Unrecognized key"],
          [{ amount: 12.5, token: symbol }, "amount", 'amount must be a string like "12.50"'],
          [{ amount: "1", token: symbol, pointsAward: -1 }, "pointsAward", ""],
          [{ amount: "1", token: symbol, pointsAward: 2 ** 32 }, "pointsAward", ""],
          [{ amount: "1", token: symbol, metadata: [1, 2] }, "metadata", ""],
          [[{ amount: "1", token: symbol }], "", ""],
          [null, "", ""],
        ];
        let accepted = 0;
        for (const [body, path, message] of cases) {
          const res = await create(body);
          if (path === "" && message === "" && res.status === 201) {
            accepted++;
            continue;
          }
          expectError(res, 400, "INVALID_INPUT");
          expect(res.json.error.message, JSON.stringify(body)).to.include(message);
          expect(res.json.error.details, JSON.stringify(body)).to.be.an("array").that.is.not.empty;
          if (path !== "") expect(res.json.error.details.map((d: { path: string }) => d.path), JSON.stringify(body)).to.include(path);
        }
        expect(accepted).to.equal(1);
        expect(await countRows(a.id)).to.equal(before + 1);
      });

      it("refuses metadata nested deeper than 16 levels without overflowing anything", async function () {
        const deep = '{"d":'.repeat(9000) + '"leaf"' + "}".repeat(9000);
        const res = await call(s().app, "POST", "/v1/invoices", {
          key: s().a.keys.all,
          rawBody: `{"amount":"1","token":"${s().symbol}","metadata":${deep}}`,
          headers: { "content-type": "application/json" },
        });
        expectError(res, 400, "INVALID_INPUT");
        expect(res.json.error.message).to.include("nested deeper than 16");
      });
    });

    describe("GET /v1/invoices/{id}", function () {
      it("returns the invoice as created; an unknown or malformed id is 404", async function () {
        const { a, symbol, app } = s();
        const created = await create({ amount: "5", token: symbol });
        const got = await call(app, "GET", `/v1/invoices/${created.json.id}`, { key: a.keys.read });
        expect(got.status).to.equal(200);
        expect(got.json).to.deep.equal(created.json);
        expectError(await call(app, "GET", `/v1/invoices/00000000-0000-4000-8000-000000000000`, { key: a.keys.read }), 404, "NOT_FOUND");
        expectError(await call(app, "GET", `/v1/invoices/not-a-uuid`, { key: a.keys.read }), 404, "NOT_FOUND");
      });

      it("shows an open invoice past its expiry as expired, without QR payloads", async function () {
        const { ctx, symbol, app, a } = s();
        const created = await create({ amount: "5", token: symbol, expiresIn: 60 });
        const saved = ctx.now;
        ctx.now = () => BigInt(created.json.expiresAt + 1);
        try {
          const got = await call(app, "GET", `/v1/invoices/${created.json.id}`, { key: a.keys.read });
          expect(got.json.status).to.equal("expired");
          expect(got.json.qr).to.equal(null);
          expectError(await call(app, "GET", `/v1/invoices/${created.json.id}/qr.png`, { key: a.keys.read }), 409, "INVOICE_NOT_OPEN");
        } finally {
          ctx.now = saved;
        }
      });
    });

    describe("records made without signing", function () {
      it("shows a record from createInvoiceRecord alone (no 0002 columns) with nulls and no QR payloads", async function () {
        const { a, app } = s();
        const { invoice } = await createInvoiceRecord(suite.db, {
          merchantId: a.id,
          highestUsedOnChain: 0n,
          invoice: { token: ZERO, amount: 5n, expiry: (await nowOf({ chain: s().setup.chain })) + 600n },
        });
        const got = await call(app, "GET", `/v1/invoices/${invoice.id}`, { key: a.keys.read });
        expect(got.status).to.equal(200);
        expect(got.json.signature).to.equal(null);
        expect(got.json.qr).to.equal(null);
        expect(got.json.token).to.deep.equal({ address: ZERO, symbol: null, decimals: null });
        expect(got.json.amount).to.deep.equal({ baseUnits: "5", decimal: null });
        expectError(await call(app, "GET", `/v1/invoices/${invoice.id}/qr.svg`, { key: a.keys.read }), 409, "INVOICE_NOT_SIGNED");
      });
    });

    describe("GET /v1/invoices", function () {
      it("pages through every invoice newest first with an opaque cursor, no repeats, no gaps", async function () {
        const { symbol, setup, keyring, app } = s();
        const m = await newMerchant(suite.db, keyring, setup, "Lister");
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) ids.push((await create({ amount: String(i + 1), token: symbol }, m.keys.create)).json.id);
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: string = `/v1/invoices?limit=3${cursor === null ? "" : `&cursor=${cursor}`}`;
          const page = await call(app, "GET", query, { key: m.keys.read });
          expect(page.status).to.equal(200);
          expect(page.json.invoices.length).to.be.at.most(3);
          seen.push(...page.json.invoices.map((x: { id: string }) => x.id));
          cursor = page.json.nextCursor;
          pages++;
        } while (cursor !== null);
        expect(pages).to.equal(3);
        expect(seen).to.deep.equal([...ids].reverse());
        const all = await call(app, "GET", "/v1/invoices", { key: m.keys.read });
        expect(all.json.invoices).to.have.length(7);
        expect(all.json.nextCursor).to.equal(null);
      });

      it("filters by status and created time, and rejects a bad cursor, status or limit", async function () {
        const { symbol, setup, keyring, app } = s();
        const m = await newMerchant(suite.db, keyring, setup, "Filter");
        const one = await create({ amount: "1", token: symbol }, m.keys.create);
        const two = await create({ amount: "2", token: symbol }, m.keys.create);
        await call(app, "POST", `/v1/invoices/${one.json.id}/cancel`, { key: m.keys.create });
        const ids = async (q: string) => (await call(app, "GET", `/v1/invoices${q}`, { key: m.keys.read })).json.invoices.map((x: { id: string }) => x.id);
        expect(await ids("?status=cancelling")).to.deep.equal([one.json.id]);
        expect(await ids("?status=open")).to.deep.equal([two.json.id]);
        expect(await ids("?status=expired")).to.deep.equal([]);
        const t1 = one.json.createdAt as string;
        const t2 = two.json.createdAt as string;
        expect(await ids(`?createdFrom=${encodeURIComponent(t2)}`)).to.deep.equal([two.json.id]);
        expect(await ids(`?createdBefore=${encodeURIComponent(t2)}`)).to.include(one.json.id).and.not.include(two.json.id);
        expect(await ids(`?createdFrom=${encodeURIComponent(t1)}&createdBefore=${encodeURIComponent(new Date(Date.parse(t1) + 1).toISOString())}`)).to.deep.equal([one.json.id]);
        for (const q of ["?cursor=abc", "?cursor=" + Buffer.from('["x","y"]').toString("base64url"), "?status=paid", "?limit=0", "?limit=101", "?limit=x", "?createdFrom=yesterday"]) {
          expectError(await call(app, "GET", `/v1/invoices${q}`, { key: m.keys.read }), 400, "INVALID_INPUT");
        }
      });
    });

    describe("POST /v1/invoices/{id}/cancel", function () {
      it("marks it cancelling and returns the escrow call, which the merchant's wallet sends; asking again is the same", async function () {
        const { a, symbol, app, setup } = s();
        const created = await create({ amount: "9", token: symbol });
        const res = await call(app, "POST", `/v1/invoices/${created.json.id}/cancel`, { key: a.keys.create });
        expect(res.status).to.equal(200);
        expect(res.json.invoice.status).to.equal("cancelling");
        expect(res.json.invoice.qr).to.equal(null);
        const tx = res.json.transaction;
        expect(tx.to).to.equal(setup.chain.location.escrow);
        expect(tx.value).to.equal("0");
        expect(tx.chainId).to.equal(setup.chain.location.chainId.toString());
        const number = BigInt(created.json.invoiceNumber);
        expect(await setup.f.escrow.isInvoiceUsed(a.onChainId, number)).to.equal(false);
        await (await setup.f.owner.sendTransaction({ to: tx.to, data: tx.data, value: BigInt(tx.value) })).wait();
        expect(await setup.f.escrow.isInvoiceUsed(a.onChainId, number)).to.equal(true);

        const again = await call(app, "POST", `/v1/invoices/${created.json.id}/cancel`, { key: a.keys.all });
        expect(again.status).to.equal(200);
        expect(again.json.transaction).to.deep.equal(tx);
        const got = await call(app, "GET", `/v1/invoices/${created.json.id}`, { key: a.keys.read });
        expect(got.json.status).to.equal("cancelling");
        expectError(await call(app, "GET", `/v1/invoices/${created.json.id}/qr.svg`, { key: a.keys.read }), 409, "INVOICE_NOT_OPEN");
        // The next invoice gets a number above the one the chain now knows as used.
        const next = await create({ amount: "9", token: symbol });
        expect(BigInt(next.json.invoiceNumber)).to.be.greaterThan(number);
      });
    });

    describe("GET /v1/invoices/{id}/qr.svg and qr.png", function () {
      it("renders the deposit transfer by default and the other forms on request", async function () {
        const { a, symbol, app } = s();
        const created = await create({ amount: "4.2", token: symbol });
        const svg = await call(app, "GET", created.json.links.svg, { key: a.keys.read });
        expect(svg.status).to.equal(200);
        expect(svg.headers.get("content-type")).to.match(/^image\/svg\+xml/);
        expect(svg.text).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        for (const [form, text] of [
          [undefined, created.json.qr.deposit.uri],
          ["payPacked", created.json.qr.payPacked.uri],
          ["compact", created.json.qr.compact.text],
          ["deposit", created.json.qr.deposit.uri],
        ] as const) {
          const res = await app.request(`${created.json.links.png}${form === undefined ? "" : `?form=${form}`}`, { headers: { authorization: `Bearer ${a.keys.read}` } });
          expect(res.status).to.equal(200);
          expect(res.headers.get("content-type")).to.equal("image/png");
          expect(decodeQrImage(new Uint8Array(await res.arrayBuffer()))).to.equal(text);
        }
        expectError(await call(app, "GET", `${created.json.links.svg}?form=qr`, { key: a.keys.read }), 400, "INVALID_INPUT");
      });
    });
  });
});
