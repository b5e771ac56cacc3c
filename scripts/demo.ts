/**
 * The end-to-end demo: `npm run demo` (= `npx hardhat run scripts/demo.ts`), on the in-process Hardhat chain
 * with no other set-up. Deploys through the deploy scripts, registers a merchant with a one-day refund window,
 * creates an ETH and an ERC-20 invoice, writes their QR codes as PNG files to out/demo/, reads them back from
 * those files, verifies and pays them, watches the payments confirm, releases them after the hold, awards points,
 * redeems points as a discount on a second purchase, refunds that purchase, voids an outstanding invoice (invoice
 * epochs), and withdraws the platform fees, printing the gas of every step. Then a second customer, whose wallet
 * can only send and call `transfer`, pays an invoice by scanning the PNG of a plain EIP-681 transfer to the invoice's
 * deposit address; the watcher sees the arrival, the merchant's keeper settles it (`router.settleDeposit`, naming
 * the Transfer's sender as payer of record), a third customer pays with one EIP-3009 signature that a relayer
 * submits (`payWithAuthorization`; skipped when no EIP-3009 token, contracts/mocks/AuthorizationToken.sol, is
 * built), part of the deposit payment is refunded, and both are released with their points. Invoices are bound to the customer
 * (`payer`) where the customer is known, as they should be: an unbound invoice with a refund window can be
 * front-run (the demo prints the SDK's warning for the one walk-up invoice it leaves unbound). test/sdk/demo.test.ts runs `runDemo` in-process and checks the outcome.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Contract, getAddress, Signature, type Signer } from "ethers";
import { network } from "hardhat";

import { loadAndExecuteDeploymentsFromFiles } from "../rocketh/environment.js";
import {
  type ConfirmedPayment,
  connectScanPay,
  createInvoice,
  type CreatedInvoice,
  decodeQrImage,
  type DepositArrival,
  encodeTransferUri,
  type Deployment,
  formatTokenAmount,
  getMerchant,
  getTokenInfo,
  InvoiceVoidedError,
  inspectInvoiceQr,
  invoiceDigest,
  invoiceStatus,
  type InvoiceStatusName,
  parseTransferUri,
  parseUnitsExact,
  payInvoice,
  pointsBalance,
  qrVersion,
  refundPayment,
  registerMerchant,
  releasePayments,
  renderPng,
  setRecovery,
  type TokenInfo,
  voidInvoices,
  watchPayments,
  withdraw,
  ZERO_ADDRESS,
} from "../src/index.js";
import { DepositRouter__factory, PaymentEscrow__factory, TestToken__factory } from "../typechain-types/index.js";

export interface DemoOptions {
  /** Where the QR images go; default out/demo under the current directory. */
  outDir?: string;
  /** Where the log lines go; default console.log. */
  log?: (line: string) => void;
}

export interface DemoStep {
  label: string;
  gasUsed: bigint;
}

export interface DemoInvoice {
  invoiceNumber: bigint;
  amount: bigint;
  token: string;
  /** Final status on chain. */
  status: InvoiceStatusName;
  compactPng: string;
  uriPng: string;
  /** Length of the compact carrier text and its QR version at level M. */
  compactChars: number;
  compactQrVersion: number;
  uriChars: number;
  uriQrVersion: number;
  /** Packed `payPacked` bytes. */
  packedBytes: number;
}

export interface DemoResult {
  chainId: bigint;
  merchantId: bigint;
  deployment: Deployment;
  invoices: DemoInvoice[];
  steps: DemoStep[];
  /** Payments as the watcher reported them. */
  confirmed: ConfirmedPayment[];
  /** The customer's points: after the release, after redeeming, after the refund. */
  points: { afterRelease: bigint; afterRedeem: bigint; afterRefund: bigint };
  /** The outstanding invoice voided with `voidInvoices`: the new epoch and the error a payer then gets. */
  voided: { invoiceNumber: bigint; epoch: bigint; code: string };
  /** What the merchant's payout and the treasury received. */
  payout: { eth: bigint; token: bigint };
  fees: { eth: bigint; token: bigint };
  /** The invoice paid by a plain `transfer` to its deposit address, settled by the merchant's keeper. */
  deposit: {
    invoiceNumber: bigint;
    depositAddress: string;
    /** The EIP-681 transfer URI in the PNG, and the PNG file. */
    uri: string;
    png: string;
    /** What the watcher reported arriving at the deposit address. */
    arrival: DepositArrival;
    /** The payer of record the keeper named (the Transfer's sender). */
    payerOfRecord: string;
    /** Partial refund to the payer of record within the refund window. */
    refunded: bigint;
    /** The payer's points after the release. */
    points: bigint;
  };
  /** The invoice paid with one EIP-3009 signature through a relayer; undefined when no EIP-3009 token is built. */
  gasless: { invoiceNumber: bigint; payer: string; relayer: string; refunded: bigint; points: bigint } | undefined;
  wallTimeMs: number;
}

/** The part of an EIP-3009 token (Circle's FiatToken v2; contracts/mocks/AuthorizationToken.sol) the demo uses. */
const AUTHORIZATION_TOKEN_ABI = [
  "function name() view returns (string)",
  "function decimals() view returns (uint8)",
  "function mint(address to, uint256 amount)",
  "function balanceOf(address account) view returns (uint256)",
] as const;
/** EIP-712 version of the FiatToken v2 domain. */
const AUTHORIZATION_TOKEN_VERSION = "2";
const RECEIVE_WITH_AUTHORIZATION_TYPES = {
  ReceiveWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
};

const HOLD_PERIOD = 24n * 3600n;
const CONFIRMATIONS = 2;

/** Runs the whole story on a fresh in-process chain and returns what happened. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const outDir = resolve(options.outDir ?? "out/demo");
  const steps: DemoStep[] = [];
  const connection = await network.create();
  const { ethers, provider } = connection;
  const chainId = (await ethers.provider.getNetwork()).chainId;

  // Output helpers: a step line is "    label ........ gas  details".
  const section = (title: string): void => log(`\n▸ ${title}`);
  const line = (label: string, detail = "", gas?: bigint): void => {
    const gasText = gas === undefined ? "" : gas.toLocaleString("en-US");
    log(`    ${label.padEnd(46)}${gasText.padStart(10)}  ${detail}`.trimEnd());
  };
  const step = (label: string, gasUsed: bigint, detail = ""): void => {
    steps.push({ label, gasUsed });
    line(label, detail, gasUsed);
  };
  const rel = (path: string): string => relative(process.cwd(), path) || path;
  const short = (address: string): string => `${address.slice(0, 6)}…${address.slice(-4)}`;
  const mine = async (blocks = 1): Promise<void> => {
    for (let i = 0; i < blocks; i++) await provider.request({ method: "evm_mine", params: [] });
  };

  log(`ScanPay demo on the in-process Hardhat chain (chain id ${chainId})`);
  log(`    ${"step".padEnd(46)}${"gas".padStart(10)}  details`);

  // ---------------------------------------------------------------------------------------------------------
  section("Deploy (the deploy/ scripts, through rocketh)");
  const env = await quietly(() => loadAndExecuteDeploymentsFromFiles({ provider }));
  const deployment: Deployment = {
    chainId,
    network: undefined,
    escrow: getAddress(env.get("PaymentEscrow").address),
    registry: getAddress(env.get("MerchantRegistry").address),
    points: getAddress(env.get("LoyaltyPoints").address),
    testToken: getAddress(env.get("TestToken").address),
    startBlock: 0,
  };
  const signers = await ethers.getSigners();
  const account = (i: number): Signer => {
    const signer = signers[i];
    if (signer === undefined) throw new Error(`no account ${i}`);
    return signer;
  };
  // Accounts 0-3 hold the platform roles (deploy/ and rocketh/config.ts); the rest play the story.
  const treasury = account(2);
  const owner = account(4);
  const invoiceKey = account(5);
  const payoutAddress = await account(6).getAddress();
  const customer = account(7);
  const recoveryAddress = await account(8).getAddress();
  const customerAddress = await customer.getAddress();

  const asOwner = connectScanPay(owner, deployment);
  const asCustomer = connectScanPay(customer, deployment);
  const asInvoiceKey = connectScanPay(invoiceKey, deployment);
  const asTreasury = connectScanPay(treasury, deployment);
  const tokenAddress = deployment.testToken!;
  const eth = await getTokenInfo(asOwner.escrow, ZERO_ADDRESS);
  const usd = await getTokenInfo(asOwner.escrow, tokenAddress);
  const fmt = (value: bigint, token: TokenInfo): string => formatTokenAmount(value, token);
  line("PaymentEscrow", deployment.escrow);
  line("MerchantRegistry", deployment.registry);
  line("LoyaltyPoints", deployment.points);
  line(`TestToken (${usd.symbol}, ${usd.decimals} decimals)`, `${tokenAddress}  token index ${usd.index}`);

  // ---------------------------------------------------------------------------------------------------------
  section("Merchant");
  const registered = await registerMerchant(asOwner.registry, {
    name: "Corner Café",
    metadataURI: "https://example.com/corner-cafe.json",
    holdPeriod: HOLD_PERIOD,
    payout: payoutAddress,
    signer: await invoiceKey.getAddress(),
  });
  const merchantId = registered.merchantId;
  step(`register "Corner Café", 1-day refund window`, registered.tx.gasUsed, `merchant #${merchantId}`);
  const recoverySet = await setRecovery(asOwner.registry, merchantId, recoveryAddress);
  step(`set a recovery address (kept offline)`, recoverySet.gasUsed, short(recoveryAddress));
  const faucet = TestToken__factory.connect(tokenAddress, customer);
  const minted = await (await faucet.mint(customerAddress, parseUnitsExact("100", usd.decimals))).wait();
  step(`faucet: 100 ${usd.symbol} to the customer`, minted!.gasUsed, short(customerAddress));

  // ---------------------------------------------------------------------------------------------------------
  section(`Invoices, signed by the merchant's invoice key, written as QR codes to ${rel(outDir)}/`);
  mkdirSync(outDir, { recursive: true });
  // A known customer (e.g. its loyalty card was scanned first): bind the invoice to it.
  const ethInvoice = await createInvoice(asOwner.escrow, invoiceKey, {
    merchantId,
    amount: parseUnitsExact("0.05", eth.decimals),
    pointsAward: 50n,
    payer: customerAddress,
  });
  const usdInvoice = await createInvoice(asOwner.escrow, invoiceKey, {
    merchantId,
    token: tokenAddress,
    amount: parseUnitsExact("12.50", usd.decimals),
    pointsAward: 125n,
    // A walk-up customer nobody knows yet: anyone may pay (20 bytes less in the QR code, but see the warning).
    numbering: { after: ethInvoice.signed.invoice.invoiceNumber },
  });
  const images = new Map<bigint, { compactPng: string; uriPng: string }>();
  for (const [created, token] of [
    [ethInvoice, eth],
    [usdInvoice, usd],
  ] as const) {
    const n = created.signed.invoice.invoiceNumber;
    const compactPng = resolve(outDir, `invoice-${n}-compact.png`);
    const uriPng = resolve(outDir, `invoice-${n}-eip681.png`);
    writeFileSync(compactPng, renderPng(created.compact, { scale: 8 }));
    writeFileSync(uriPng, renderPng(created.uri, { scale: 6 }));
    images.set(n, { compactPng, uriPng });
    line(
      `#${n}  ${fmt(created.signed.invoice.amount, token)}, earns ${created.signed.invoice.pointsAward} points`,
      `packed ${(created.packed.length - 2) / 2} bytes, epoch ${created.signed.invoice.epoch}, ` +
        `refund window ${created.signed.invoice.holdPeriod / 3600n} h, ` +
        (created.signed.invoice.payer === ZERO_ADDRESS ? "anyone may pay" : `only ${short(created.signed.invoice.payer)} may pay`),
    );
    if (created.unboundWithRefundWindow) {
      line(`      warning: unbound with a refund window`, "whoever pays first gets the refund rights; bind the payer when known");
    }
    line(`      compact  ${created.compact.length} chars, QR version ${qrVersion(created.compact, "M")}-M`, rel(compactPng));
    line(`      EIP-681  ${created.uri.length} chars, QR version ${qrVersion(created.uri, "M")}-M`, rel(uriPng));
  }

  // ---------------------------------------------------------------------------------------------------------
  section("Customer scans the PNG files (decode, verify signature, check merchant and invoice on chain)");
  const scanned = new Map<bigint, CreatedInvoice>();
  for (const created of [ethInvoice, usdInvoice]) {
    const n = created.signed.invoice.invoiceNumber;
    const files = images.get(n)!;
    for (const [file, expected] of [
      [files.compactPng, created.compact],
      [files.uriPng, created.uri],
    ] as const) {
      const text = decodeQrImage(readFileSync(file));
      if (text !== expected) throw new Error(`${file} does not read back as the text it was rendered from`);
      const details = await inspectInvoiceQr(asCustomer.escrow, text, { payer: customerAddress });
      if (JSON.stringify(details.signed, bigints) !== JSON.stringify(created.signed, bigints)) {
        throw new Error(`${file} decodes to another invoice than the one signed`);
      }
      line(
        `${rel(file)}`,
        `#${n} ${fmt(details.signed.invoice.amount, details.token)} to "${details.merchant.name}", ` +
          `signed by ${short(details.check.signer)}, ${details.check.verified.expiresIn / 60n} min left, ` +
          `refundable for ${details.check.refundWindow / 3600n} h ✓`,
      );
    }
    scanned.set(n, created);
  }

  // ---------------------------------------------------------------------------------------------------------
  section(`Customer pays; the merchant watches (${CONFIRMATIONS} confirmations, one log query per poll)`);
  const confirmed: ConfirmedPayment[] = [];
  const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
  const watcher = watchPayments(asOwner.escrow, {
    merchantId,
    invoiceNumbers: [...scanned.keys()],
    confirmations: CONFIRMATIONS,
    pollIntervalMs: 25,
    fromBlock,
    onPayment: (payment) => {
      confirmed.push(payment);
    },
    onError: (error) => log(`    watcher: ${error.message}`),
  });
  for (const created of scanned.values()) {
    const token = created.signed.invoice.token === ZERO_ADDRESS ? eth : usd;
    const paid = await payInvoice(asCustomer.escrow, created.signed);
    const n = created.signed.invoice.invoiceNumber;
    if (paid.approval !== undefined) {
      step(`approve ${fmt(created.signed.invoice.amount, token)} (exactly the shortfall)`, paid.approval.gasUsed);
    }
    step(`pay #${n} (payPacked, ${fmt(created.signed.invoice.amount, token)})`, paid.payment.gasUsed, `block ${paid.payment.blockNumber}`);
  }
  let reportedCount = 0;
  for (let i = 0; i < 20 && confirmed.length < scanned.size; i++) {
    await watcher.poll();
    for (const payment of confirmed.slice(reportedCount)) {
      const token = payment.token === ZERO_ADDRESS ? eth : usd;
      line(
        `  confirmed #${payment.invoiceNumber}: ${fmt(payment.amount, token)} from ${short(payment.payer)}`,
        `block ${payment.blockNumber}, ${payment.confirmations} confirmations, held until ${iso(payment.releaseAt)}`,
      );
    }
    reportedCount = confirmed.length;
    if (confirmed.length < scanned.size) {
      await mine();
      line(`  evm_mine`, `head ${await ethers.provider.getBlockNumber()}`);
    }
  }
  await watcher.stop();
  if (confirmed.length !== scanned.size) throw new Error("the watcher did not confirm every payment");

  // ---------------------------------------------------------------------------------------------------------
  section("One day later: release after the refund window (anyone may call), points awarded");
  await provider.request({ method: "evm_increaseTime", params: [Number(HOLD_PERIOD) + 1] });
  await mine();
  const payoutEthBefore = await ethers.provider.getBalance(payoutAddress);
  const payoutUsdBefore = await faucet.balanceOf(payoutAddress);
  const released = await releasePayments(
    asCustomer.escrow,
    confirmed.map((p) => ({ merchantId: p.merchantId, invoiceNumber: p.invoiceNumber })),
  );
  const payout = {
    eth: (await ethers.provider.getBalance(payoutAddress)) - payoutEthBefore,
    token: (await faucet.balanceOf(payoutAddress)) - payoutUsdBefore,
  };
  step(
    `release #${released.settled.map((s) => s.invoiceNumber).join(", #")} in one transaction`,
    released.tx.gasUsed,
    `payout +${fmt(payout.eth, eth)}, +${fmt(payout.token, usd)}`,
  );
  for (const settled of released.settled) {
    const info = scanned.get(settled.invoiceNumber)?.signed.invoice.token === ZERO_ADDRESS ? eth : usd;
    line(
      `  #${settled.invoiceNumber} settled`,
      `merchant ${fmt(settled.merchantAmount, info)}, fee ${fmt(settled.fee, info)}, ${settled.pointsAwarded} points`,
    );
  }
  const afterRelease = (await pointsBalance(asCustomer.points, customerAddress, merchantId)).balance;
  line(`  customer's points at "Corner Café"`, `${afterRelease}`);

  // ---------------------------------------------------------------------------------------------------------
  section("Second purchase: 100 points redeemed for 1.00 off");
  const listPrice = parseUnitsExact("20", usd.decimals);
  const discount = parseUnitsExact("1", usd.decimals);
  const redeemInvoice = await createInvoice(asInvoiceKey.escrow, invoiceKey, {
    merchantId,
    token: tokenAddress,
    amount: listPrice - discount,
    pointsRedeem: 100n,
    pointsAward: 190n,
    payer: customerAddress,
    numbering: { after: usdInvoice.signed.invoice.invoiceNumber },
  });
  const redeemNumber = redeemInvoice.signed.invoice.invoiceNumber;
  line(
    `#${redeemNumber}  ${fmt(listPrice, usd)} - ${fmt(discount, usd)} = ${fmt(redeemInvoice.signed.invoice.amount, usd)}`,
    `redeems 100 points, earns 190, only ${short(customerAddress)} may pay`,
  );
  const redeemText = decodeQrImage(renderPng(redeemInvoice.compact));
  const redeemDetails = await inspectInvoiceQr(asCustomer.escrow, redeemText, { payer: customerAddress });
  const redeemPaid = await payInvoice(asCustomer.escrow, redeemDetails.signed);
  if (redeemPaid.approval !== undefined) {
    step(`approve ${fmt(redeemInvoice.signed.invoice.amount, usd)}`, redeemPaid.approval.gasUsed);
  }
  step(`pay #${redeemNumber} (burns 100 points)`, redeemPaid.payment.gasUsed, `held until ${iso(redeemPaid.releaseAt)}`);
  const afterRedeem = (await pointsBalance(asCustomer.points, customerAddress, merchantId)).balance;
  line(`  customer's points`, `${afterRelease} → ${afterRedeem}`);

  // ---------------------------------------------------------------------------------------------------------
  section("Refund: the customer returns the second purchase within the window");
  const customerUsdBefore = await faucet.balanceOf(customerAddress);
  const refunded = await refundPayment(asInvoiceKey.escrow, merchantId, redeemNumber);
  const customerUsdBack = (await faucet.balanceOf(customerAddress)) - customerUsdBefore;
  step(`refund #${redeemNumber} in full (merchant's invoice key)`, refunded.tx.gasUsed, `${fmt(customerUsdBack, usd)} back`);
  const afterRefund = (await pointsBalance(asCustomer.points, customerAddress, merchantId)).balance;
  line(`  customer's points (redeemed points returned)`, `${afterRedeem} → ${afterRefund}`);

  // ---------------------------------------------------------------------------------------------------------
  section("Incident drill: the merchant voids every outstanding invoice at once (next invoice epoch)");
  const outstanding = await createInvoice(asInvoiceKey.escrow, invoiceKey, {
    merchantId,
    amount: parseUnitsExact("3", usd.decimals),
    token: tokenAddress,
    payer: customerAddress,
    numbering: { after: redeemNumber },
  });
  const outstandingNumber = outstanding.signed.invoice.invoiceNumber;
  line(`#${outstandingNumber}  ${fmt(outstanding.signed.invoice.amount, usd)} issued`, `epoch ${outstanding.signed.invoice.epoch}`);
  const voided = await voidInvoices(asInvoiceKey.registry, merchantId);
  step(`voidInvoices (merchant's invoice key)`, voided.tx.gasUsed, `epoch ${outstanding.signed.invoice.epoch} → ${voided.epoch}`);
  let voidedCode = "";
  try {
    await inspectInvoiceQr(asCustomer.escrow, decodeQrImage(renderPng(outstanding.compact)), { payer: customerAddress });
  } catch (error) {
    if (!(error instanceof InvoiceVoidedError)) throw error;
    voidedCode = error.code;
    line(`  customer scans #${outstandingNumber}`, `refused before paying: ${error.code}`);
  }
  if (voidedCode === "") throw new Error("the voided invoice was still payable");
  const merchantNow = await getMerchant(asOwner.registry, merchantId);
  line(`  merchant now`, `epoch ${merchantNow.epoch}, recovery ${short(merchantNow.recovery)}`);

  // ---------------------------------------------------------------------------------------------------------
  section("Platform fees (1%) withdrawn by the treasury");
  const feeEth = await withdraw(asTreasury.escrow, ZERO_ADDRESS);
  step(`withdraw ${fmt(feeEth.amount, eth)}`, feeEth.tx.gasUsed, short(feeEth.to));
  const feeUsd = await withdraw(asTreasury.escrow, tokenAddress);
  step(`withdraw ${fmt(feeUsd.amount, usd)}`, feeUsd.tx.gasUsed, short(feeUsd.to));

  // ---------------------------------------------------------------------------------------------------------
  section("Deposit address: a wallet that can only send and call transfer pays by scanning a PNG");
  const walletCustomer = account(9);
  const walletCustomerAddress = await walletCustomer.getAddress();
  const location = { chainId, escrow: deployment.escrow };
  const keeperRouter = DepositRouter__factory.connect(await asOwner.escrow.depositRouter(), invoiceKey);
  const walletMinted = await (await faucet.mint(walletCustomerAddress, parseUnitsExact("50", usd.decimals))).wait();
  step(`faucet: 50 ${usd.symbol} to a second customer`, walletMinted!.gasUsed, short(walletCustomerAddress));
  const depositInvoice = await createInvoice(asInvoiceKey.escrow, invoiceKey, {
    merchantId,
    token: tokenAddress,
    amount: parseUnitsExact("8", usd.decimals),
    pointsAward: 80n,
    numbering: { after: outstandingNumber },
  });
  const depositNumber = depositInvoice.signed.invoice.invoiceNumber;
  const arrivals: DepositArrival[] = [];
  const laterConfirmed: ConfirmedPayment[] = [];
  const laterWatcher = watchPayments(asOwner.escrow, {
    merchantId,
    invoiceNumbers: [],
    openInvoices: [{ signed: depositInvoice.signed, location }],
    confirmations: CONFIRMATIONS,
    pollIntervalMs: 25,
    fromBlock: (await ethers.provider.getBlockNumber()) + 1,
    onDeposit: (arrival) => void arrivals.push(arrival),
    onPayment: (payment) => void laterConfirmed.push(payment),
    onError: (error) => log(`    watcher: ${error.message}`),
  });
  const depositAddress = await keeperRouter.depositAddress(depositInvoice.signed.invoice);
  if (laterWatcher.depositAddresses().get(depositNumber) !== depositAddress) {
    throw new Error("the SDK's deposit address differs from the router's");
  }
  const depositUri = encodeTransferUri({
    kind: "erc20",
    token: tokenAddress,
    to: depositAddress,
    amount: depositInvoice.signed.invoice.amount,
    chainId,
  });
  const depositPng = resolve(outDir, `invoice-${depositNumber}-deposit.png`);
  writeFileSync(depositPng, renderPng(depositUri, { scale: 6 }));
  line(
    `#${depositNumber}  ${fmt(depositInvoice.signed.invoice.amount, usd)}, earns ${depositInvoice.signed.invoice.pointsAward} points`,
    `deposit address ${short(depositAddress)} (router.depositAddress), anyone may pay`,
  );
  line(`      transfer URI  ${depositUri.length} chars, QR version ${qrVersion(depositUri, "M")}-M`, rel(depositPng));
  // The customer's wallet: scan, parse a plain EIP-681 transfer, and call exactly `transfer(address, uint256)`.
  const request = parseTransferUri(decodeQrImage(readFileSync(depositPng)));
  if (request.kind !== "erc20" || request.amount === undefined || request.chainId !== chainId) {
    throw new Error(`${depositPng} is not a token transfer with an amount on chain ${chainId}`);
  }
  line(`  wallet scans ${rel(depositPng)}`, `transfer ${fmt(request.amount, usd)} to ${short(request.to)} on chain ${request.chainId}`);
  const walletToken = TestToken__factory.connect(request.token, walletCustomer);
  const transferred = await (await walletToken.transfer(request.to, request.amount)).wait();
  step(`wallet: ${usd.symbol}.transfer(deposit, ${fmt(request.amount, usd)})`, transferred!.gasUsed, `block ${transferred!.blockNumber}`);
  for (let i = 0; i < 20 && arrivals.length === 0; i++) await laterWatcher.poll();
  const arrival = arrivals[0];
  if (arrival === undefined || arrival.from === undefined) throw new Error("the watcher did not see the deposit");
  line(
    `  watcher: arrived at ${short(arrival.depositAddress)}`,
    `${fmt(arrival.amount, usd)} from ${short(arrival.from)}, ${fmt(arrival.received, usd)} of ${fmt(arrival.expected, usd)} (${arrival.status}), not paid yet`,
  );
  // The merchant's keeper settles it, naming the Transfer's sender as the payer of record (the invoice names none).
  const settledDeposit = await (await keeperRouter.settleDeposit(depositInvoice.signed.invoice, depositInvoice.signed.signature, arrival.from)).wait();
  step(
    `keeper: router.settleDeposit(#${depositNumber})`,
    settledDeposit!.gasUsed,
    `payer of record ${short(arrival.from)} (the Transfer's sender), block ${settledDeposit!.blockNumber}`,
  );

  // ---------------------------------------------------------------------------------------------------------
  section("Gasless: a third customer signs one EIP-3009 authorization, a relayer submits it");
  let gasless: DemoResult["gasless"];
  let gaslessToken: { contract: Contract; info: TokenInfo } | undefined;
  const laterTokens = new Map<string, TokenInfo>([[tokenAddress, usd]]);
  {
    const gaslessCustomer = account(10);
    const relayer = account(11);
    const gaslessAddress = await gaslessCustomer.getAddress();
    const relayerAddress = await relayer.getAddress();
    const admin = account(1);
    const deployed = await (await ethers.getContractFactory("AuthorizationToken", admin)).deploy();
    await deployed.waitForDeployment();
    const authTokenAddress = await deployed.getAddress();
    const authToken = new Contract(authTokenAddress, AUTHORIZATION_TOKEN_ABI, admin);
    const allowed = await (await PaymentEscrow__factory.connect(deployment.escrow, admin).setTokenAllowed(authTokenAddress, true)).wait();
    step(`allowlist an EIP-3009 token (platform admin)`, allowed!.gasUsed, short(authTokenAddress));
    const authInfo = await getTokenInfo(asOwner.escrow, authTokenAddress);
    laterTokens.set(authTokenAddress, authInfo);
    const authMinted = await (await authToken.getFunction("mint")(gaslessAddress, parseUnitsExact("20", authInfo.decimals))).wait();
    step(`mint 20 ${authInfo.symbol} to the third customer`, authMinted!.gasUsed, short(gaslessAddress));
    const gaslessInvoice = await createInvoice(asInvoiceKey.escrow, invoiceKey, {
      merchantId,
      token: authTokenAddress,
      amount: parseUnitsExact("6", authInfo.decimals),
      pointsAward: 60n,
      payer: gaslessAddress,
      numbering: { after: depositNumber },
    });
    const gaslessNumber = gaslessInvoice.signed.invoice.invoiceNumber;
    const { invoice } = gaslessInvoice.signed;
    line(`#${gaslessNumber}  ${fmt(invoice.amount, authInfo)}, earns ${invoice.pointsAward} points`, `only ${short(gaslessAddress)} may pay`);
    // One signature, no transaction and no ETH: to the escrow, exactly the amount, nonce = the invoice digest.
    const authorization = { from: gaslessAddress, validAfter: 0n, validBefore: invoice.expiry };
    const signature = Signature.from(
      await gaslessCustomer.signTypedData(
        { name: String(await authToken.getFunction("name")()), version: AUTHORIZATION_TOKEN_VERSION, chainId, verifyingContract: authTokenAddress },
        RECEIVE_WITH_AUTHORIZATION_TYPES,
        { ...authorization, to: deployment.escrow, value: invoice.amount, nonce: invoiceDigest(invoice, location) },
      ),
    );
    line(`  customer signs ReceiveWithAuthorization`, `value ${fmt(invoice.amount, authInfo)}, nonce = invoice digest, valid until ${iso(invoice.expiry)}`);
    laterWatcher.add([gaslessNumber]);
    const relayed = await (
      await PaymentEscrow__factory.connect(deployment.escrow, relayer).payWithAuthorization(invoice, gaslessInvoice.signed.signature, {
        ...authorization,
        v: signature.v,
        r: signature.r,
        s: signature.s,
      })
    ).wait();
    step(`relayer: payWithAuthorization(#${gaslessNumber})`, relayed!.gasUsed, `relayer ${short(relayerAddress)} paid the gas`);
    gasless = { invoiceNumber: gaslessNumber, payer: gaslessAddress, relayer: relayerAddress, refunded: 0n, points: 0n };
    gaslessToken = { contract: authToken, info: authInfo };
  }

  const laterExpected = gasless === undefined ? 1 : 2;
  for (let i = 0; i < 20 && laterConfirmed.length < laterExpected; i++) {
    await laterWatcher.poll();
    if (laterConfirmed.length < laterExpected) await mine();
  }
  await laterWatcher.stop();
  if (laterConfirmed.length !== laterExpected) throw new Error("the watcher did not confirm the deposit and gasless payments");
  for (const payment of laterConfirmed) {
    line(
      `  confirmed #${payment.invoiceNumber}: ${fmt(payment.amount, laterTokens.get(payment.token) ?? usd)} from ${short(payment.payer)}`,
      `${payment.confirmations} confirmations, held until ${iso(payment.releaseAt)}`,
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  section("Refund window: part of both payments back to their payers of record, then release and points");
  const walletUsdBefore = await faucet.balanceOf(walletCustomerAddress);
  const partial = await refundPayment(asInvoiceKey.escrow, merchantId, depositNumber, { amount: parseUnitsExact("2", usd.decimals) });
  const walletUsdBack = (await faucet.balanceOf(walletCustomerAddress)) - walletUsdBefore;
  step(`refund ${fmt(partial.amount, usd)} of #${depositNumber} (merchant's invoice key)`, partial.tx.gasUsed, `${fmt(walletUsdBack, usd)} back to ${short(walletCustomerAddress)}`);
  if (gasless !== undefined && gaslessToken !== undefined) {
    const balanceOf = gaslessToken.contract.getFunction("balanceOf");
    const before = (await balanceOf(gasless.payer)) as bigint;
    const gaslessRefund = await refundPayment(asInvoiceKey.escrow, merchantId, gasless.invoiceNumber, {
      amount: parseUnitsExact("1.5", gaslessToken.info.decimals),
    });
    gasless.refunded = ((await balanceOf(gasless.payer)) as bigint) - before;
    step(
      `refund ${fmt(gaslessRefund.amount, gaslessToken.info)} of #${gasless.invoiceNumber} (merchant's invoice key)`,
      gaslessRefund.tx.gasUsed,
      `${fmt(gasless.refunded, gaslessToken.info)} back to ${short(gasless.payer)}`,
    );
  }
  await provider.request({ method: "evm_increaseTime", params: [Number(HOLD_PERIOD) + 1] });
  await mine();
  const laterReleased = await releasePayments(
    asCustomer.escrow,
    laterConfirmed.map((p) => ({ merchantId: p.merchantId, invoiceNumber: p.invoiceNumber })),
  );
  step(`release #${laterReleased.settled.map((x) => x.invoiceNumber).join(", #")}`, laterReleased.tx.gasUsed);
  for (const settled of laterReleased.settled) {
    line(`  #${settled.invoiceNumber} settled`, `${settled.pointsAwarded} points awarded`);
  }
  const depositPoints = (await pointsBalance(asCustomer.points, walletCustomerAddress, merchantId)).balance;
  line(`  deposit customer's points`, `${depositPoints} (80, less the quarter refunded)`);
  if (gasless !== undefined) {
    gasless.points = (await pointsBalance(asCustomer.points, gasless.payer, merchantId)).balance;
    line(`  gasless customer's points`, `${gasless.points} (60, less the quarter refunded)`);
  }

  // ---------------------------------------------------------------------------------------------------------
  section("Summary");
  const invoices: DemoInvoice[] = [];
  for (const created of [ethInvoice, usdInvoice, redeemInvoice, outstanding, depositInvoice]) {
    const { invoiceNumber, amount, token, epoch } = created.signed.invoice;
    const status = (await invoiceStatus(asOwner.escrow, merchantId, invoiceNumber, { epoch })).status;
    const files = images.get(invoiceNumber);
    invoices.push({
      invoiceNumber,
      amount,
      token,
      status,
      compactPng: files?.compactPng ?? "",
      uriPng: files?.uriPng ?? "",
      compactChars: created.compact.length,
      compactQrVersion: qrVersion(created.compact, "M"),
      uriChars: created.uri.length,
      uriQrVersion: qrVersion(created.uri, "M"),
      packedBytes: (created.packed.length - 2) / 2,
    });
    line(`invoice #${invoiceNumber}  ${fmt(amount, token === ZERO_ADDRESS ? eth : usd).padStart(11)}`, status);
  }
  if (gasless !== undefined) {
    const status = (await invoiceStatus(asOwner.escrow, merchantId, gasless.invoiceNumber)).status;
    line(`invoice #${gasless.invoiceNumber}  (EIP-3009, gasless)`, status);
  }
  const totalGas = steps.reduce((sum, s) => sum + s.gasUsed, 0n);
  line("total gas of the steps above", "", totalGas);
  line(`QR images`, `${rel(outDir)}/invoice-{${[...images.keys()].join(",")}}-{compact,eip681}.png, ${rel(depositPng)}`);
  const wallTimeMs = Math.round(performance.now() - started);
  line("wall time", `${(wallTimeMs / 1000).toFixed(1)} s`);

  await connection.close();
  return {
    chainId,
    merchantId,
    deployment,
    invoices,
    steps,
    confirmed,
    points: { afterRelease, afterRedeem, afterRefund },
    voided: { invoiceNumber: outstandingNumber, epoch: voided.epoch, code: voidedCode },
    payout,
    fees: { eth: feeEth.amount, token: feeUsd.amount },
    deposit: {
      invoiceNumber: depositNumber,
      depositAddress,
      uri: depositUri,
      png: depositPng,
      arrival,
      payerOfRecord: arrival.from,
      refunded: walletUsdBack,
      points: depositPoints,
    },
    gasless,
    wallTimeMs,
  };
}

/** Runs `action` with console output muted (rocketh logs every deployment). */
async function quietly<T>(action: () => Promise<T>): Promise<T> {
  const { log, info, error } = console;
  const mute = (): void => undefined;
  console.log = mute;
  console.info = mute;
  console.error = mute;
  try {
    return await action();
  } finally {
    console.log = log;
    console.info = info;
    console.error = error;
  }
}

function iso(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** JSON.stringify replacer for bigints. */
function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

// Run when invoked as a script (`npx hardhat run scripts/demo.ts`), not when imported by the test.
if (process.argv.slice(2).some((arg) => resolve(arg) === fileURLToPath(import.meta.url))) {
  await runDemo();
}
