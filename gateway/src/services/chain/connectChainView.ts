/** `ChainView` over ethers and the TypeChain bindings, reusing the SDK's chain readers. */
import type { ContractRunner, Provider } from "ethers";

import { getTokenInfo } from "../../../../src/chain/getTokenInfo.js";
import { nextInvoiceNumber } from "../../../../src/chain/nextInvoiceNumber.js";
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
}

const TOKEN_REFRESH_MS = 30_000;
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

  return {
    location,
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
      const terms = await registry.paymentTerms(onChainId);
      return {
        status: STATUSES[Number(terms.status)] ?? "None",
        signer: terms.signer,
        holdPeriod: terms.holdPeriod,
        epoch: terms.epoch,
      };
    },
    async highestUsedInvoiceNumber(onChainId) {
      return (await nextInvoiceNumber(escrow, onChainId, { fromBlock: options.fromBlock ?? 0 })) - 1n;
    },
    async tokenInfo(tokenOrSymbol) {
      const current = async (): Promise<ChainTokenInfo[]> => {
        tokens ??= readTokens();
        try {
          return await tokens;
        } catch (error) {
          tokens = undefined; // an RPC failure is not cached
          throw error;
        }
      };
      let matches = find(await current(), tokenOrSymbol);
      if (matches.length === 0 && Date.now() - readAt > TOKEN_REFRESH_MS) {
        tokens = undefined;
        matches = find(await current(), tokenOrSymbol);
      }
      if (matches.length > 1) {
        throw new InvalidInputError("token", `the symbol ${tokenOrSymbol} names several tokens: give the token's address`);
      }
      return matches[0];
    },
  };
}
