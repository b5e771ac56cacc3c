/**
 * The customer's injected wallet (EIP-1193 `window.ethereum`): the few requests the checkout makes, each a plain
 * `request({ method, params })`, and its failures as a WalletError the page can explain (4001: the customer said
 * no; 4902: the wallet does not know the chain). Nothing here talks to a node directly: the wallet does.
 */
import { hexQuantity } from "./format.js";
import type { WalletCall, WalletTypedData } from "./types.js";

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** EIP-1193 / EIP-1474 codes the page explains. */
export const USER_REJECTED = 4001;
export const UNRECOGNIZED_CHAIN = 4902;

export class WalletError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = "WalletError";
  }

  get rejected(): boolean {
    return this.code === USER_REJECTED;
  }
}

/** The injected provider, if the browser has one. */
export function injectedWallet(): Eip1193Provider | undefined {
  const candidate = (window as unknown as { ethereum?: unknown }).ethereum;
  if (typeof candidate === "object" && candidate !== null && typeof (candidate as Eip1193Provider).request === "function") {
    return candidate as Eip1193Provider;
  }
  return undefined;
}

function asWalletError(error: unknown): WalletError {
  if (error instanceof WalletError) return error;
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "number" ? e.code : undefined;
  const message = typeof e?.message === "string" && e.message !== "" ? e.message : String(error);
  return new WalletError(code, message);
}

/** One wallet, for one payment. */
export class Wallet {
  constructor(private readonly provider: Eip1193Provider) {}

  private async request<T>(method: string, params?: unknown[]): Promise<T> {
    try {
      return (await this.provider.request(params === undefined ? { method } : { method, params })) as T;
    } catch (error) {
      throw asWalletError(error);
    }
  }

  /** Asks for the customer's account (the wallet shows its connect prompt). */
  async connect(): Promise<string> {
    const accounts = await this.request<string[]>("eth_requestAccounts");
    const first = accounts[0];
    if (typeof first !== "string") throw new WalletError(undefined, "the wallet shared no account");
    return first;
  }

  async chainId(): Promise<bigint> {
    return BigInt(await this.request<string>("eth_chainId"));
  }

  /** Switches the wallet to `chainId` if it is elsewhere. */
  async ensureChain(chainId: bigint): Promise<void> {
    if ((await this.chainId()) === chainId) return;
    await this.request("wallet_switchEthereumChain", [{ chainId: hexQuantity(chainId) }]);
    if ((await this.chainId()) !== chainId) throw new WalletError(undefined, "the wallet did not switch to the invoice's network");
  }

  /** `eth_signTypedData_v4` with exactly the typed data the gateway gave (as JSON text, as the method takes it). */
  async signTypedData(from: string, typedData: WalletTypedData): Promise<string> {
    return this.request<string>("eth_signTypedData_v4", [from, JSON.stringify(typedData)]);
  }

  /** Sends one call as a transaction from `from`; resolves with its hash once mined (throws if it reverted). */
  async send(from: string, call: WalletCall): Promise<string> {
    const hash = await this.request<string>("eth_sendTransaction", [{ from, to: call.to, data: call.data, value: hexQuantity(call.value) }]);
    await this.waitForReceipt(hash);
    return hash;
  }

  /** Polls the wallet's node for the receipt; a reverted transaction is an error. */
  async waitForReceipt(hash: string, timeoutMs = 180_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      const receipt = await this.request<{ status?: string } | null>("eth_getTransactionReceipt", [hash]);
      if (receipt !== null && receipt !== undefined) {
        if (receipt.status === "0x0") throw new WalletError(undefined, `transaction ${hash} failed on chain`);
        return;
      }
      if (Date.now() - started > timeoutMs) throw new WalletError(undefined, `transaction ${hash} is not mined yet: check your wallet`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /**
   * Whether the wallet can send a batch of calls atomically (EIP-5792 `wallet_getCapabilities`: `atomic.status`
   * "supported" or "ready"; older wallets answer `atomicBatch.supported`). False when it does not know the method.
   */
  async canBatchAtomically(from: string, chainId: bigint): Promise<boolean> {
    let capabilities: Record<string, Record<string, unknown> | undefined>;
    try {
      capabilities = await this.request("wallet_getCapabilities", [from, [hexQuantity(chainId)]]);
    } catch {
      return false;
    }
    const forChain = capabilities?.[hexQuantity(chainId)] ?? capabilities?.[chainId.toString()];
    const atomic = forChain?.atomic as { status?: string } | undefined;
    const legacy = forChain?.atomicBatch as { supported?: boolean } | undefined;
    return atomic?.status === "supported" || atomic?.status === "ready" || legacy?.supported === true;
  }

  /**
   * EIP-5792 `wallet_sendCalls` (atomic), then `wallet_getCallsStatus` until it is final; resolves with the last
   * transaction's hash.
   */
  async sendCallsAtomically(from: string, chainId: bigint, calls: readonly WalletCall[], timeoutMs = 180_000): Promise<string> {
    const sent = await this.request<{ id: string } | string>("wallet_sendCalls", [
      {
        version: "2.0.0",
        chainId: hexQuantity(chainId),
        from,
        atomicRequired: true,
        calls: calls.map((call) => ({ to: call.to, data: call.data, value: hexQuantity(call.value) })),
      },
    ]);
    const id = typeof sent === "string" ? sent : sent.id;
    const started = Date.now();
    for (;;) {
      const status = await this.request<{ status: number; receipts?: { transactionHash: string; status: string }[] }>("wallet_getCallsStatus", [id]);
      if (status.status >= 400) throw new WalletError(undefined, "the wallet's batch failed: nothing or only part may have been sent; check your wallet");
      if (status.status >= 200) {
        const receipts = status.receipts ?? [];
        const last = receipts[receipts.length - 1];
        if (last === undefined) throw new WalletError(undefined, "the wallet reported the batch done without a transaction");
        if (receipts.some((r) => r.status === "0x0")) throw new WalletError(undefined, `transaction ${last.transactionHash} failed on chain`);
        return last.transactionHash;
      }
      if (Date.now() - started > timeoutMs) throw new WalletError(undefined, "the wallet's batch is not done yet: check your wallet");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
