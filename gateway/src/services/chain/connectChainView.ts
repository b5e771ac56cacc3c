/** `ChainView` over ethers and the TypeChain bindings, reusing the SDK's chain readers. */
import type { ContractRunner, Provider } from "ethers";

import { getTokenInfo } from "../../../../src/chain/getTokenInfo.js";
import { getLogsInRange, uintTopic } from "../../../../src/chain/internal/logs.js";
import { readTokenList } from "../../../../src/chain/readTokenList.js";
import { ZERO_ADDRESS } from "../../../../src/invoice/types.js";
import { MerchantRegistry__factory, PaymentEscrow__factory } from "../../../../typechain-types/index.js";
import { InvalidInputError } from "../../errors.js";
import type { ChainMerchantStatus, ChainTokenInfo, ChainView } from "./chainView.js";

export interface ConnectChainViewOptions {
  /** A provider, or a runner that has one (read-only use). */
  runner: ContractRunner;
  /** The PaymentEscrow address. */
  escrow: string;
  /** First block to scan for used invoice numbers (the deployment's start block); default 0. */
  fromBlock?: number;
  /** How long a merchant's terms and highest used number are reused, ms; default 2,000 (see MERCHANT_REUSE_MS). */
  merchantReuseMs?: number;
}

const TOKEN_REFRESH_MS = 30_000;
/**
 * A merchant's payment terms and its highest used invoice number are reused this long. Creating an invoice needs
 * both; reading them per request (four RPC calls and a log scan from the deployment block) capped the gateway at
 * the RPC node's pace. A change of terms on chain (suspension, a new signer or epoch) is seen within this time; an
 * invoice signed just before it fails on chain with the escrow's own error, as it would if the change came a moment
 * after the invoice was shown.
 */
const MERCHANT_REUSE_MS = 2_000;
/** A block time read is reused this long: one RPC call per burst of requests, not one per request. */
const BLOCK_TIME_REUSE_MS = 2_000;
const STATUSES: readonly ChainMerchantStatus[] = ["None", "Active", "Suspended"];

/**
 * Connects to the escrow (and through it the registry). Token lookups are cached: a token keeps its index for
 * ever, so the list is only re-read when a symbol or address is not found in it (a token listed since), and at
 * most every `TOKEN_REFRESH_MS`, so requests naming unknown tokens cannot make the gateway hammer its RPC node.
 */
export async function connectChainView(options: ConnectChainViewOptions): Promise<ChainView> {
  const provider: Provider | null = options.runner.provider ?? null;
  if (provider === null) throw new InvalidInputError("runner", "the chain view needs a runner with a provider");
  const escrow = PaymentEscrow__factory.connect(options.escrow, provider);
  const location = { chainId: (await provider.getNetwork()).chainId, escrow: await escrow.getAddress() };
  const registry = MerchantRegistry__factory.connect(await escrow.registry(), provider);

  let tokens: Promise<ChainTokenInfo[]> | undefined;
  let readAt = 0;
  const readTokens = async (): Promise<ChainTokenInfo[]> => {
    readAt = Date.now();
    const list = await readTokenList(escrow);
    const infos = await Promise.all(list.map((_, index) => getTokenInfo(escrow, index)));
    return infos
      .filter((info) => info.allowed)
      .map((info) => ({ address: info.address, symbol: info.symbol, decimals: info.decimals, index: info.index ?? 0 }));
  };
  const find = (list: ChainTokenInfo[], wanted: string): ChainTokenInfo[] =>
    /^0x[0-9a-fA-F]{40}$/.test(wanted)
      ? list.filter((t) => t.address.toLowerCase() === wanted.toLowerCase())
      : list.filter((t) => t.symbol.toLowerCase() === wanted.toLowerCase() || (t.address === ZERO_ADDRESS && wanted.toUpperCase() === "ETH"));

  let blockTime: { at: number; value: Promise<bigint> } | undefined;
  const reuseMs = options.merchantReuseMs ?? MERCHANT_REUSE_MS;
  const terms = new Map<bigint, { at: number; value: Promise<Awaited<ReturnType<typeof registry.paymentTerms>>> }>();
  // Per merchant: the highest number seen in InvoicePaid / InvoiceCancelled logs up to `scannedTo`; each refresh
  // reads only the blocks after it (one getLogs), not the whole history again.
  const used = new Map<bigint, { at: number; value: Promise<{ highest: bigint; scannedTo: number }> }>();
  const paidTopic = escrow.interface.getEvent("InvoicePaid").topicHash;
  const cancelledTopic = escrow.interface.getEvent("InvoiceCancelled").topicHash;
  const reuse = <T>(cache: Map<bigint, { at: number; value: Promise<T> }>, key: bigint, read: (previous: Promise<T> | undefined) => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    if (hit !== undefined && Date.now() - hit.at < reuseMs) return hit.value;
    const value = read(hit?.value);
    const entry = { at: Date.now(), value };
    cache.set(key, entry);
    value.catch(() => {
      if (cache.get(key) === entry) {
        // An RPC failure is not reused; the last good value (if any) stays the base of the next incremental read.
        if (hit === undefined) cache.delete(key);
        else cache.set(key, { at: 0, value: hit.value });
      }
    });
    return value;
  };

  const currentTokens = async (): Promise<ChainTokenInfo[]> => {
    tokens ??= readTokens();
    try {
      return await tokens;
    } catch (error) {
      tokens = undefined; // an RPC failure is not cached
      throw error;
    }
  };

  return {
    location,
    async tokens() {
      if (Date.now() - readAt > TOKEN_REFRESH_MS) tokens = undefined;
      return currentTokens();
    },
    async blockTime() {
      if (blockTime === undefined || Date.now() - blockTime.at > BLOCK_TIME_REUSE_MS) {
        const value = provider.getBlock("latest").then((block) => BigInt(block?.timestamp ?? 0));
        blockTime = { at: Date.now(), value };
        value.catch(() => {
          blockTime = undefined; // an RPC failure is not reused
        });
      }
      return blockTime.value;
    },
    async paymentTerms(onChainId) {
      const read = await reuse(terms, onChainId, () => registry.paymentTerms(onChainId));
      return {
        status: STATUSES[Number(read.status)] ?? "None",
        signer: read.signer,
        holdPeriod: read.holdPeriod,
        epoch: read.epoch,
      };
    },
    async highestUsedInvoiceNumber(onChainId) {
      const read = await reuse(used, onChainId, async (previous) => {
        const base = previous === undefined ? { highest: 0n, scannedTo: (options.fromBlock ?? 0) - 1 } : await previous;
        const latest = await provider.getBlockNumber();
        if (latest <= base.scannedTo) return base;
        const logs = await getLogsInRange(
          provider,
          { address: location.escrow, topics: [[paidTopic, cancelledTopic], uintTopic(onChainId)] },
          base.scannedTo + 1,
          latest,
        );
        let highest = base.highest;
        for (const log of logs) {
          const number = BigInt(log.topics[2] ?? "0x0");
          if (!log.removed && number > highest) highest = number;
        }
        return { highest, scannedTo: latest };
      });
      return read.highest;
    },
    async tokenInfo(tokenOrSymbol) {
      let matches = find(await currentTokens(), tokenOrSymbol);
      if (matches.length === 0 && Date.now() - readAt > TOKEN_REFRESH_MS) {
        tokens = undefined;
        matches = find(await currentTokens(), tokenOrSymbol);
      }
      if (matches.length > 1) {
        throw new InvalidInputError("token", `the symbol ${tokenOrSymbol} names several tokens: give the token's address`);
      }
      return matches[0];
    },
  };
}
