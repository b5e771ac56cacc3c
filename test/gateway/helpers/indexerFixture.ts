/**
 * Shared set-up of the indexer tests (not a test file): per backend, two merchants on the in-process chain (one
 * settling at once, one holding payments for a day), a GatewayContext to create invoices through the service, and
 * helpers to pay, read the invoice row and its events.
 */
import type { Kysely } from "kysely";

import { payInvoice } from "../../../src/chain/payInvoice.js";
import {
  createInvoice,
  startIndexer,
  type CreateInvoiceInput,
  type GatewayContext,
  type IndexerHandle,
  type InvoiceView,
  type StartIndexerOptions,
} from "../../../gateway/src/services/index.js";
import { listEvents, type Database, type InvoiceRow, type StoredEvent } from "../../../gateway/src/store/index.js";
import { ethers } from "../../helpers/fixture.js";
import { DAY } from "../../sdk/sdk-fixture.js";
import { chainOnce, newKeyring, newMerchant, type ChainSetup, type TestMerchant } from "./apiFixture.js";

export interface IndexerSuite {
  setup: ChainSetup;
  ctx: GatewayContext;
  instant: TestMerchant;
  held: TestMerchant;
  symbol: string;
  /** An indexer on the suite's database over the in-process chain, no background loop (stopped after the test). */
  indexer(options?: Partial<StartIndexerOptions>): IndexerHandle;
  invoice(merchant: TestMerchant, input?: Partial<CreateInvoiceInput>): Promise<InvoiceView>;
  pay(view: InvoiceView): Promise<{ transactionHash: string }>;
  row(id: string): Promise<InvoiceRow>;
  events(merchant: TestMerchant, invoiceId?: string): Promise<StoredEvent[]>;
}

export function useIndexerSuite(suite: { readonly db: Kysely<Database> }): () => IndexerSuite {
  let value: IndexerSuite | undefined;
  const handles: IndexerHandle[] = [];
  before(async function () {
    this.timeout(120_000);
    const setup = await chainOnce();
    const keyring = newKeyring();
    const db = suite.db;
    // The chain view caches the block time for a moment; these tests move the chain's clock, so read it fresh.
    const chain = { ...setup.chain, blockTime: async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp) };
    const ctx: GatewayContext = { db, keyring, chain };
    const instant = await newMerchant(db, keyring, setup, "Instant Shop");
    const held = await newMerchant(db, keyring, setup, "Held Shop", DAY);
    value = {
      setup,
      ctx,
      instant,
      held,
      symbol: await setup.f.token.symbol(),
      indexer: (options = {}) => {
        const handle = startIndexer({
          db,
          provider: ethers.provider,
          escrow: setup.f.deployment.escrow,
          chainId: setup.chain.location.chainId,
          fromBlock: 0n,
          loop: false,
          logger: { error: () => undefined },
          ...options,
        });
        handles.push(handle);
        return handle;
      },
      invoice: async (merchant, input = {}) =>
        (await createInvoice(ctx, merchant.id, { amount: "1", token: value!.symbol, expiresIn: 3600, ...input })).view,
      pay: async (view) => {
        if (view.invoice === undefined || view.record.signature === null) throw new Error("unsigned invoice");
        const result = await payInvoice(setup.f.asCustomer.escrow, { invoice: view.invoice, signature: view.record.signature });
        return { transactionHash: result.payment.hash };
      },
      row: async (id) => db.selectFrom("invoices").selectAll().where("id", "=", id).executeTakeFirstOrThrow(),
      events: async (merchant, invoiceId) =>
        listEvents(db, { merchantId: merchant.id, ...(invoiceId === undefined ? {} : { invoiceId }), limit: 1000 }),
    };
  });
  // afterEach, not after: the backend's `after` (registered first) closes the database, which waits for the
  // connection a PostgreSQL leader holds.
  afterEach(async function () {
    for (const h of handles.splice(0)) await h.stop();
  });
  return () => {
    if (value === undefined) throw new Error("indexer suite not ready");
    return value;
  };
}

/** Runs steps until the indexer reached the head. */
export async function catchUp(indexer: IndexerHandle): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const result = await indexer.runOnce();
    if (result === undefined) throw new Error("not the leader");
    if (result.caughtUp) return;
  }
  throw new Error("indexer never caught up");
}
