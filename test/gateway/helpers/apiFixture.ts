/**
 * Shared set-up of the API tests (not a test file): the real deployment on the in-process Hardhat chain (the SDK
 * tests' fixture), a ChainView over it, and per backend two merchants registered on chain with random signer keys,
 * linked to the gateway, with API keys of every scope mix.
 */
import { randomBytes } from "node:crypto";

import { Wallet } from "ethers";
import type { Kysely } from "kysely";

import { registerMerchant } from "../../../src/chain/registerMerchant.js";
import { createApp, type ApiContext } from "../../../gateway/src/api/index.js";
import {
  connectChainView,
  createApiKey,
  linkMerchant,
  type ChainView,
  type MasterKeyring,
} from "../../../gateway/src/services/index.js";
import type { Database } from "../../../gateway/src/store/index.js";
import { networkHelpers } from "../../helpers/fixture.js";
import { sdkFixture, type SdkFixture } from "../../sdk/sdk-fixture.js";

export interface ChainSetup {
  f: SdkFixture;
  chain: ChainView;
}

let chainSetup: Promise<ChainSetup> | undefined;

/** The deployment and a ChainView over it, made once per run (the chain is shared by both backends). */
export async function chainOnce(): Promise<ChainSetup> {
  // Other test files revert the shared chain to their own fixtures' snapshots, which may predate this deployment:
  // a cached set-up whose escrow has no code any more is made again (loadFixture reverts to the SDK fixture).
  const cached = await chainSetup;
  if (cached !== undefined && (await cached.f.owner.provider!.getCode(cached.f.deployment.escrow)) === "0x") chainSetup = undefined;
  chainSetup ??= (async () => {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const view = await connectChainView({ runner: f.owner, escrow: f.deployment.escrow });
    // Tests move the shared chain's clock (a day for a refund window); the real view reuses a block time for 2 s,
    // which would then date new invoices hours in the past. Read it fresh here.
    const chain: ChainView = { ...view, blockTime: async () => BigInt((await f.owner.provider!.getBlock("latest"))!.timestamp) };
    return { f, chain };
  })();
  return chainSetup;
}

export interface TestMerchant {
  id: string;
  onChainId: bigint;
  signer: Wallet;
  /** Keys by scope set. */
  keys: { all: string; read: string; create: string; refund: string };
}

/** Registers a merchant on chain (owner: the fixture's owner) with a fresh signer key and links it to the gateway. */
export async function newMerchant(
  db: Kysely<Database>,
  keyring: MasterKeyring,
  setup: ChainSetup,
  name: string,
  holdPeriod = 0n,
): Promise<TestMerchant> {
  const signer = Wallet.createRandom();
  const { merchantId: onChainId } = await registerMerchant(setup.f.asOwner.registry, {
    owner: setup.f.owner.address,
    payout: setup.f.payout.address,
    signer: signer.address,
    name,
    holdPeriod,
  });
  const merchant = await linkMerchant(db, keyring, {
    chainId: setup.chain.location.chainId,
    onChainId,
    name,
    signerKey: signer.privateKey,
  });
  const key = async (scopes: ("read" | "create" | "refund")[]) =>
    (await createApiKey(db, { merchantId: merchant.id, scopes })).secret;
  return {
    id: merchant.id,
    onChainId,
    signer: new Wallet(signer.privateKey),
    keys: { all: await key(["read", "create"]), read: await key(["read"]), create: await key(["create"]), refund: await key(["refund"]) },
  };
}

export function newKeyring(): MasterKeyring {
  return { current: { id: "test", key: randomBytes(32) } };
}

/** Captures what the app logs. */
export function captureLogger(): { logs: { message: string; details: Record<string, unknown> }[]; logger: NonNullable<ApiContext["logger"]> } {
  const logs: { message: string; details: Record<string, unknown> }[] = [];
  return { logs, logger: { error: (message, details) => logs.push({ message, details }) } };
}

export type App = ReturnType<typeof createApp>;

/** `app.request` with a bearer key and a JSON body. */
export async function call(
  app: App,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key !== undefined) headers["authorization"] = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export interface ApiSuite {
  setup: ChainSetup;
  keyring: MasterKeyring;
  app: App;
  ctx: ApiContext;
  logs: { message: string; details: Record<string, unknown> }[];
  /** Two merchants registered on chain and linked; B must never see A's invoices. */
  a: TestMerchant;
  b: TestMerchant;
  /** The fixture token's symbol (6 decimals). */
  symbol: string;
}

/**
 * Registers a `before` that builds an ApiSuite on the backend suite's database; returns a getter for it. Call inside
 * `onEachBackend`.
 */
export function useApiSuite(suite: { readonly db: Kysely<Database> }): () => ApiSuite {
  let value: ApiSuite | undefined;
  before(async function () {
    this.timeout(120_000);
    const setup = await chainOnce();
    const keyring = newKeyring();
    const { logs, logger } = captureLogger();
    const ctx: ApiContext = { db: suite.db, keyring, chain: setup.chain, logger };
    value = {
      setup,
      keyring,
      ctx,
      app: createApp(ctx),
      logs,
      a: await newMerchant(suite.db, keyring, setup, "Shop A"),
      b: await newMerchant(suite.db, keyring, setup, "Shop B"),
      symbol: await setup.f.token.symbol(),
    };
  });
  return () => {
    if (value === undefined) throw new Error("API suite not ready");
    return value;
  };
}

export { sdkInvoiceOf } from "./sdkInvoice.js";

/** Expects the one error shape with `status` and `code`. */
export function expectError(res: { status: number; json: any }, status: number, code: string): void {
  if (res.status !== status || res.json?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.json)}`);
  }
  const keys = Object.keys(res.json);
  if (keys.length !== 1 || typeof res.json.error.message !== "string") throw new Error(`bad error shape ${JSON.stringify(res.json)}`);
}
