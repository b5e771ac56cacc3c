/**
 * Deposit-address scenarios (issue 10): the payer's plain transfer to a fresh deposit address, then its settlement
 * through the DepositRouter, alone and in a batch of 20; ETH and ERC-20; settled at once and held. The keeper is the
 * merchant's signer (invoices that name no payer: the signer names the payer of record). Same world and rules as
 * scenarios.ts: one measured transaction per block, setup unmeasured.
 */
import { getAddress, ZeroAddress } from "ethers";

import { signReceiveAuthorization } from "../../src/chain/signReceiveAuthorization.js";
import {
  AuthorizationToken__factory,
  type DepositRouter,
  DepositRouter__factory,
} from "../../typechain-types/index.js";
import { type Measurement, record } from "./scenarios.js";
import {
  type Asset,
  ETH_AMOUNT,
  freshPayer,
  HOLD_PERIOD,
  nextInvoice,
  send,
  TOKEN_AMOUNT,
  type World,
} from "./world.js";

const COMMON =
  "repeat customer (holds points of this merchant); invoice names no payer, the merchant's signer settles and " +
  "names the customer as payer of record; bitmap word, payout and treasury balances already non-zero";

async function routerOf(world: World): Promise<DepositRouter> {
  return DepositRouter__factory.connect(await world.escrow.depositRouter(), world.signer);
}

/** Sends the invoice amount to its deposit address from `world.customer`: a plain transfer, nothing else. */
async function payDeposit(world: World, router: DepositRouter, signed: { invoice: Parameters<DepositRouter["depositAddress"]>[0] }, asset: Asset) {
  const deposit = await router.depositAddress(signed.invoice);
  const from = world.customer;
  if (asset === "ETH") {
    return send(world, async (o) => {
      const tx = await from.sendTransaction({ to: deposit, value: ETH_AMOUNT, ...o });
      return { hash: tx.hash, data: tx.data, wait: () => tx.wait() };
    });
  }
  return send(world, (o) => world.token.connect(from).transfer(deposit, TOKEN_AMOUNT, o));
}

/** Every deposit scenario, in a fixed order. */
export async function runDeposits(world: World, out: Measurement[]): Promise<void> {
  const router = await routerOf(world);
  for (const held of [false, true]) {
    for (const asset of ["ERC20", "ETH"] as Asset[]) {
      const merchant = held ? world.heldMerchant : world.instantMerchant;
      const signed = await nextInvoice(world, merchant, asset);
      const name = asset === "ERC20" ? "ERC-20" : "ETH";
      const mode = held ? "held" : "instant";
      const transfer = await payDeposit(world, router, signed, asset);
      if (!held) {
        record(out, transfer, {
          id: `deposit.${asset.toLowerCase()}.transfer`,
          group: "deposit",
          paying: true,
          label: `payer's plain ${name} transfer to a fresh deposit address`,
          preconditions:
            asset === "ERC20"
              ? "the customer keeps a tUSD balance; the deposit address never held tUSD (a fresh balance slot)"
              : "EOA to a fresh address (no code, no balance)",
        });
      }
      const settled = await send(world, (o) =>
        router.connect(world.signer).settleDeposit(signed.invoice, signed.signature, world.customer.address, o),
      );
      record(out, settled, {
        id: `deposit.${asset.toLowerCase()}.${mode}.repeat.settle`,
        group: "deposit",
        paying: true,
        label: `settle one ${name} deposit, ${held ? "held" : "settled at once"}`,
        preconditions: `${COMMON}; ${held ? "merchant holds: 2-slot Payment record, no push" : "fee to the treasury, points minted, merchant share pushed"}`,
      });
    }
  }

  // A batch of 20 ERC-20 deposits from the repeat customer, settled at once.
  const batch: Parameters<DepositRouter["settleDeposits"]>[0] = [];
  for (let i = 0; i < 20; i += 1) {
    const signed = await nextInvoice(world, world.instantMerchant, "ERC20");
    await payDeposit(world, router, signed, "ERC20");
    batch.push({ invoice: signed.invoice, signature: signed.signature, payer: world.customer.address });
  }
  const settledBatch = await send(world, (o) => router.connect(world.signer).settleDeposits(batch, o));
  record(out, settledBatch, {
    id: "deposit.erc20.instant.batch20.settle",
    group: "deposit",
    paying: true,
    count: 20,
    label: "settle 20 ERC-20 deposits at once (settleDeposits)",
    preconditions: `${COMMON}; consecutive invoice numbers (one bitmap word)`,
  });

  // An invoice bound to its payer: anyone may settle (a relayer), no merchant check.
  const bound = await nextInvoice(world, world.instantMerchant, "ERC20", { payer: world.customer.address });
  await payDeposit(world, router, bound, "ERC20");
  const relayed = await send(world, (o) =>
    router.connect(world.deployer).settleDeposit(bound.invoice, bound.signature, ZeroAddress, o),
  );
  record(out, relayed, {
    id: "deposit.erc20.instant.repeat.settle.bound",
    group: "deposit",
    paying: true,
    label: "settle one ERC-20 deposit at once, invoice bound to the payer, settled by a relayer",
    preconditions: "as deposit.erc20.instant.repeat.settle, but the invoice names the payer (20 more calldata bytes)",
  });

  // A first-time customer's deposit (the points mint writes a fresh slot).
  const first = await freshPayer(world, "deposit");
  const firstSigned = await nextInvoice(world, world.instantMerchant, "ERC20");
  const firstDeposit = await router.depositAddress(firstSigned.invoice);
  await send(world, (o) => world.token.connect(first).transfer(firstDeposit, TOKEN_AMOUNT, o));
  const firstSettled = await send(world, (o) =>
    router.connect(world.signer).settleDeposit(firstSigned.invoice, firstSigned.signature, first.address, o),
  );
  record(out, firstSettled, {
    id: "deposit.erc20.instant.first.settle",
    group: "deposit",
    paying: true,
    label: "settle one ERC-20 deposit at once, first-time customer",
    preconditions: "payer has no points of this merchant yet (fresh slot for the mint)",
  });
}

/**
 * One-signature gasless payments (EIP-3009): an AuthorizationToken (USDC's FiatToken v2 behaviour, contracts/mocks)
 * allowlisted on the escrow; the customer signs `ReceiveWithAuthorization` (nonce = the invoice digest) and holds no
 * ETH-related approval; a relayer submits `payWithAuthorization`. One unmeasured payment first, so the escrow's,
 * the payout's and the treasury's balances of this token are already non-zero (repeat customer).
 */
export async function runAuthorizations(world: World, out: Measurement[]): Promise<void> {
  const factory = new AuthorizationToken__factory(world.deployer);
  const deployTx = await factory.getDeployTransaction();
  const deployed = await send(world, async (o) => {
    const tx = await world.deployer.sendTransaction({ ...deployTx, ...o });
    return { hash: tx.hash, data: tx.data, wait: () => tx.wait() };
  });
  const tokenAddress = getAddress(deployed.raw.contractAddress!);
  const token = AuthorizationToken__factory.connect(tokenAddress, world.deployer);
  await send(world, (o) => world.escrow.connect(world.admin).setTokenAllowed(tokenAddress, true, o));
  await send(world, (o) => token.connect(world.deployer).mint(world.customer.address, 10n ** 12n, o));
  const location = { chainId: (await world.conn.ethers.provider.getNetwork()).chainId, escrow: world.escrowAddress };
  const relayer = world.deployer;
  const pay = async (merchant: bigint) => {
    const signed = await nextInvoice(world, merchant, "ERC20", { token: tokenAddress });
    const authorization = await signReceiveAuthorization(world.customer, signed.invoice, location, {
      tokenDomain: { name: "USD Coin", version: "2" },
    });
    return send(world, (o) =>
      world.escrow.connect(relayer).payWithAuthorization(signed.invoice, signed.signature, authorization, o),
    );
  };
  await pay(world.instantMerchant);
  await pay(world.heldMerchant);
  for (const held of [false, true]) {
    record(out, await pay(held ? world.heldMerchant : world.instantMerchant), {
      id: `authorization.erc20.${held ? "held" : "instant"}.repeat`,
      group: "authorization",
      paying: true,
      label: `pay ERC-20 with one EIP-3009 signature, relayed, ${held ? "held" : "settled at once"}`,
      preconditions:
        "repeat customer; the token's authorization nonce is a fresh slot (inherent to EIP-3009); " +
        (held ? `merchant holds for ${HOLD_PERIOD} s: 2-slot Payment record` : "fee, points, merchant share pushed"),
    });
  }
}
