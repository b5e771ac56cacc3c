/**
 * The `scanpay` CLI end to end: a `hardhat node` on a free port, the real deploy scripts against it, and the CLI
 * run as a child process (bin/scanpay.mjs, on its default network `localhost`, which LOCALHOST_URL points at the
 * node) for every step a merchant, a payer and the treasury take, plus the bad inputs, each of which must end as
 * one line on stderr with a non-zero exit and no stack trace.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { getAddress, JsonRpcProvider, Network } from "ethers";
import { PNG } from "pngjs";

import { loadAndExecuteDeploymentsFromFiles } from "../../rocketh/environment.js";
import {
  LoyaltyPoints__factory,
  MerchantRegistry__factory,
  PaymentEscrow__factory,
  TestToken__factory,
  type PaymentEscrow,
  type TestToken,
} from "../../typechain-types/index.js";
import { commandHelp } from "../../src/cli/args.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { signInvoice } from "../../src/invoice/signInvoice.js";
import { ZERO_ADDRESS, ZERO_BYTES32 } from "../../src/invoice/types.js";
import { decodeQrImage } from "../../src/qr/image/index.js";
import { decodeCompactInvoice, decodeInvoiceUri, encodeCompactInvoice } from "../../src/qr/index.js";
import { type HardhatNode, startHardhatNode } from "../helpers/child-process.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const LAUNCHER = path.join(REPO_ROOT, "bin/scanpay.mjs");
const DAY = 86_400;

/** Accounts of the node (hardhat's default mnemonic), by role in this story. */
const ACCOUNT = { admin: 1, treasury: 2, arbiter: 3, merchant: 4, tokenPayer: 5, ethPayer: 6, broke: 7, payout: 8 } as const;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

type Eip1193 = Parameters<typeof loadAndExecuteDeploymentsFromFiles>[0]["provider"];

describe("scanpay CLI (end to end against a hardhat node)", function () {
  // Each CLI run is a process of its own; hooks run several of them in a row, which on a loaded 2-core machine
  // took over a minute (a CI run on 2026-12-01 timed out at 60 s in the "bad inputs" hook).
  this.timeout(180_000);

  let node: HardhatNode | undefined;
  let rpc: JsonRpcProvider;
  let url = "";
  let work = "";
  let escrow: PaymentEscrow;
  let token: TestToken;
  let accounts: string[] = [];

  /** Runs the CLI against the test node; resolves with its exit code and output (never rejects on exit code). */
  function cli(
    args: string[],
    options: { stdin?: string; network?: boolean; onStdout?: (stdout: string) => void; onStderr?: (stderr: string) => void } = {},
  ): Promise<Run> {
    // The default network, localhost, pointed at the test's node through LOCALHOST_URL (read by hardhat.config.ts).
    const networkArgs = options.network === false ? [] : ["--deployments", path.join(work, "deployments")];
    const env: NodeJS.ProcessEnv = { ...process.env, SCANPAY_HOME: path.join(work, "home"), LOCALHOST_URL: url };
    delete env.HARDHAT_CONFIG;
    delete env.SCANPAY_DEBUG;
    delete env.SCANPAY_DEPLOYMENTS;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [LAUNCHER, ...args, ...networkArgs], {
        cwd: work,
        env,
        stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        options.onStdout?.(stdout);
      });
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        options.onStderr?.(stderr);
      });
      if (options.stdin !== undefined) child.stdin!.end(options.stdin);
      // Generous: under load (a coverage run beside the tests) one CLI start-up has taken over 45 s.
      const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
      child.once("error", reject);
      child.once("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Runs the CLI with `--json` and returns the parsed stdout; fails the test on a non-zero exit. */
  async function cliJson<T = Record<string, string>>(args: string[]): Promise<T> {
    const run = await cli([...args, "--json"]);
    expect(run.code, `scanpay ${args.join(" ")} failed:\n${run.stderr}`).to.equal(0);
    return JSON.parse(run.stdout) as T;
  }

  /** A failure as the brief demands: non-zero exit, exactly one stderr line, no stack trace, nothing on stdout. */
  function expectOneLineError(run: Run, pattern: RegExp): void {
    const lines = run.stderr.split("\n").filter((line) => line.trim() !== "");
    expect(run.code, "the CLI was killed after its timeout instead of exiting").to.not.equal(null);
    expect(run.code, `exit code; stderr:\n${run.stderr}`).to.not.equal(0);
    expect(lines, `stderr:\n${run.stderr}`).to.have.length(1);
    expect(lines[0]).to.match(/^error: /);
    expect(lines[0]).to.match(pattern);
    expect(run.stderr).to.not.match(/\n\s+at |Error: .*\n/);
    expect(run.stdout).to.equal("");
  }

  async function rpcCall(method: string, params: unknown[] = []): Promise<unknown> {
    return rpc.send(method, params);
  }

  async function advanceTime(seconds: number): Promise<void> {
    await rpcCall("evm_increaseTime", [seconds]);
    await rpcCall("evm_mine");
  }

  const account = (role: keyof typeof ACCOUNT) => accounts[ACCOUNT[role]]!;
  const as = (role: keyof typeof ACCOUNT) => ["--account", String(ACCOUNT[role])];

  before(async function () {
    this.timeout(60_000);
    work = await mkdtemp(path.join(tmpdir(), "scanpay-cli-"));
    node = await startHardhatNode(REPO_ROOT, 30_000);
    url = node.url;
    rpc = new JsonRpcProvider(url, Network.from(31337), { staticNetwork: true, batchMaxCount: 1 });
    const eip1193 = {
      request: ({ method, params }: { method: string; params?: unknown[] }) => rpc.send(method, params ?? []),
    } as unknown as Eip1193;
    // What `npx hardhat deploy --network localhost` does, with the output in the test's own folder.
    const env = await loadAndExecuteDeploymentsFromFiles({
      provider: eip1193,
      saveDeployments: true,
      config: { deployments: path.join(work, "deployments") },
      environment: "localhost",
    });
    // rocketh records lower-case addresses; the CLI prints checksummed ones.
    escrow = PaymentEscrow__factory.connect(getAddress(env.get("PaymentEscrow").address), rpc);
    token = TestToken__factory.connect(getAddress(env.get("TestToken").address), rpc);
    accounts = (await rpc.listAccounts()).map((signer) => signer.address);
  });

  after(async () => {
    rpc?.destroy();
    await node?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  describe("--help and usage errors", () => {
    let mainHelp: Run;
    let commandHelpRun: Run;
    let unknownOption: Run;

    before(async () => {
      [mainHelp, commandHelpRun, unknownOption] = await Promise.all([
        cli(["--help"], { network: false }),
        cli(["invoice", "create", "--help"], { network: false }),
        cli(["merchant", "show", "1", "--colour"], { network: false }),
      ]);
    });

    it("scanpay --help lists every command and exits 0", () => {
      expect(mainHelp.code).to.equal(0);
      for (const spec of COMMANDS) expect(mainHelp.stdout).to.contain(`  ${spec.path.join(" ")} `);
      expect(mainHelp.stderr).to.equal("");
    });

    it("<command> --help prints the command's usage, options and network options, and exits 0", () => {
      expect(commandHelpRun.code).to.equal(0);
      expect(commandHelpRun.stdout).to.contain("Usage: scanpay invoice create [options]");
      expect(commandHelpRun.stdout).to.contain("--amount <decimal>");
      expect(commandHelpRun.stdout).to.contain("--network <name>");
      expect(commandHelpRun.stderr).to.equal("");
    });

    it("every command has a help text naming each of its options and arguments", () => {
      for (const spec of COMMANDS) {
        const text = commandHelp(spec);
        expect(text).to.contain(`Usage: scanpay ${spec.path.join(" ")}`);
        for (const name of Object.keys(spec.options ?? {})) expect(text, spec.path.join(" ")).to.contain(`--${name}`);
        for (const positional of spec.positionals ?? []) expect(text).to.contain(positional.name);
      }
    });

    it("rejects an unknown option with a one-line usage error (exit 2)", () => {
      expectOneLineError(unknownOption, /unknown option --colour/);
      expect(unknownOption.code).to.equal(2);
    });
  });

  describe("merchant", () => {
    let notOwner: Promise<Run>;

    it("register creates merchant 1 with the account as owner and signer, and the refund window given", async () => {
      const out = await cliJson(["merchant", "register", "--name", "Coffee Corner", "--hold", "1d", ...as("merchant")]);
      expect(out.merchantId).to.equal("1");
      expect(out.owner).to.equal(account("merchant"));
      expect(out.signer).to.equal(account("merchant"));
      const registry = MerchantRegistry__factory.connect(await escrow.registry(), rpc);
      const terms = await registry.paymentTerms(1);
      expect(terms.holdPeriod).to.equal(BigInt(DAY));
      expect(terms.signer).to.equal(account("merchant"));
      expect((await registry.profileOf(1)).name).to.equal("Coffee Corner");
    });

    it("update moves the payout (owner only) and show prints the new terms", async () => {
      // Read-only, so it runs alongside: an update by another account.
      notOwner = cli(["merchant", "update", "1", "--hold", "2h", ...as("tokenPayer")]);
      const updated = await cliJson<{ changed: string[] }>([
        "merchant", "update", "1", "--payout", account("payout"), ...as("merchant"),
      ]);
      expect(updated.changed).to.deep.equal(["setPayout"]);
      const registry = MerchantRegistry__factory.connect(await escrow.registry(), rpc);
      expect((await registry.paymentTerms(1)).payout).to.equal(account("payout"));

      const shown = await cli(["merchant", "show", "1"]);
      expect(shown.code).to.equal(0);
      expect(shown.stdout).to.match(/payout:\s+0x/);
      expect(shown.stdout).to.contain(account("payout"));
      expect(shown.stdout).to.match(/refund window:\s+1 day/);
      expect(shown.stdout).to.match(/invoice epoch:\s+0 \(only invoices signed for it can be paid\)/);
      expect(shown.stdout).to.match(/recovery:\s+none/);
    });

    it("update by another account fails with one line naming the owner", async () => {
      expectOneLineError(await notOwner, new RegExp(`only merchant 1's owner ${account("merchant")} may update it`));
    });
  });

  describe("invoice create, pay, status, watch", () => {
    let ethInvoice: Record<string, string>;
    let tokenInvoice: Record<string, string>;
    let tooPrecise: Promise<Run>;
    let alreadyPaid: Promise<Run>;
    const ethPng = () => path.join(work, "out", "eth.png");

    before(() => {
      // Read-only: runs alongside the next steps.
      tooPrecise = cli(["invoice", "create", "--merchant", "1", "--amount", "1.0000001", "--token", "tUSD", ...as("merchant")]);
    });
    const tokenPng = () => path.join(work, "out", "token.png");

    it("invoice create signs an ETH invoice, writes its PNG and prints the deposit QR, its text lines, compact text and URI", async () => {
      const run = await cli([
        "invoice", "create", "--merchant", "1", "--amount", "0.05", "--points", "10", "--png", "out/eth.png",
        ...as("merchant"),
      ]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain("Invoice 1 of merchant #1");
      expect(run.stdout).to.match(/amount:\s+0\.05 ETH/);
      expect(run.stdout).to.match(/[█▀▄]{10}/);
      // Base45 has a space in its alphabet: the compact text is the whole line.
      const compact = /^SCANPAY:.+$/m.exec(run.stdout)?.[0];
      const uri = /^ethereum:\S+\/payPacked\?\S+$/m.exec(run.stdout)?.[0];
      const deposit = /^ethereum:(0x[0-9a-fA-F]{40})@31337\?value=50000000000000000$/m.exec(run.stdout);
      expect(compact, run.stdout).to.be.a("string");
      expect(uri, run.stdout).to.be.a("string");
      expect(deposit, run.stdout).to.not.equal(null);
      // The default QR (terminal and PNG) is the plain ETH send to the invoice's deposit address, with text lines.
      expect(decodeQrImage(new Uint8Array(await readFile(ethPng())))).to.equal(deposit![0]);
      expect(run.stdout).to.match(new RegExp(`deposit address:\\s+${deposit![1]}`));
      expect(run.stdout).to.contain("Pay with any wallet (");
      expect(run.stdout).to.contain("  Send exactly 0.05 ETH\n");
      expect(run.stdout).to.contain(`  to ${deposit![1]}\n`);
      expect(run.stdout).to.contain("  on Hardhat local (31337)\n");
      expect(run.stdout).to.contain("For ScanPay-aware apps:");
      expect(run.stdout.indexOf("For ScanPay-aware apps:")).to.be.lessThan(run.stdout.indexOf("SCANPAY:"));
      // Both ScanPay carriers hold the same signed invoice.
      const fromCompact = decodeCompactInvoice(compact!);
      const fromUri = decodeInvoiceUri(uri!);
      expect(fromUri.packed).to.deep.equal(fromCompact.packed);
      expect(fromUri.escrow).to.equal(await escrow.getAddress());
      expect(fromCompact.packed.invoice.amount).to.equal(5n * 10n ** 16n);
      expect(fromCompact.packed.invoice.pointsAward).to.equal(10n);
      expect(fromCompact.packed.tokenIndex).to.equal(0);
      // The merchant's refund window and epoch are signed into it; anyone may pay, which the CLI warns about.
      expect(fromCompact.packed.invoice.holdPeriod).to.equal(BigInt(DAY));
      expect(fromCompact.packed.invoice.epoch).to.equal(0n);
      expect(run.stdout).to.match(/refund window:\s+1 day/);
      expect(run.stderr).to.contain("warning: anyone may pay this invoice and it has a refund window of 1 day");
      expect(run.stderr).to.contain("--payer <address>");
      ethInvoice = { compact: compact!, uri: uri! };
    });

    it("invoice create parses 12.50 tUSD exactly with the token's 6 decimals and takes the next number", async () => {
      // --qr compact: this PNG is paid below by a ScanPay-aware app (scanpay pay), through the escrow.
      tokenInvoice = await cliJson([
        "invoice", "create", "--merchant", "1", "--amount", "12.50", "--token", "tUSD", "--png", "out/token.png",
        "--svg", "out/token.svg", "--qr", "compact", ...as("merchant"),
      ]);
      expect(tokenInvoice.qrForm).to.equal("deposit");
      expect(tokenInvoice.qr).to.equal(
        `ethereum:${await token.getAddress()}@31337/transfer?address=${tokenInvoice.depositAddress}&uint256=12500000`,
      );
      expect(tokenInvoice.caption).to.deep.equal([
        "Send exactly 12.5 tUSD",
        `to ${tokenInvoice.depositAddress}`,
        `token ${await token.getAddress()}`,
        "on Hardhat local (31337)",
      ]);
      expect(tokenInvoice.invoiceNumber).to.equal("2");
      expect(tokenInvoice.amount).to.equal("12500000");
      expect(tokenInvoice.decimals).to.equal(6);
      expect(tokenInvoice.token).to.equal(await token.getAddress());
      expect(existsSync(path.join(work, "out", "token.svg"))).to.equal(true);
      expect(decodeQrImage(new Uint8Array(await readFile(tokenPng())))).to.equal(tokenInvoice.compact);
    });

    it("invoice create rejects an amount finer than the token's decimals", async () => {
      expectOneLineError(await tooPrecise, /more than 6 decimal places/);
    });

    it("invoice create --payer binds the customer, takes a longer --hold, and warns about nothing", async () => {
      const run = await cli([
        "invoice", "create", "--merchant", "1", "--amount", "0.01", "--payer", account("ethPayer"), "--hold", "3d",
        "--quiet", "--json", ...as("merchant"),
      ]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.not.contain("warning");
      const out = JSON.parse(run.stdout) as Record<string, string | boolean>;
      expect(out).to.include({ payer: account("ethPayer"), holdPeriod: String(3 * DAY), epoch: "0", unboundWithRefundWindow: false });
      expect(decodeCompactInvoice(out.compact as string).packed.invoice.payer).to.equal(account("ethPayer"));
    });

    it("invoice create refuses a --hold shorter than the merchant's or longer than 365 days, in one line", async () => {
      const [shorter, longer] = await Promise.all([
        cli(["invoice", "create", "--merchant", "1", "--amount", "1", "--hold", "1h", "--quiet", ...as("merchant")]),
        cli(["invoice", "create", "--merchant", "1", "--amount", "1", "--hold", "366d", "--quiet", ...as("merchant")]),
      ]);
      expectOneLineError(shorter, /refund window of 3600 s is shorter than merchant 1's hold period of 86400 s/);
      expectOneLineError(longer, /--hold is longer than the escrow's limit of 365 days/);
    });

    it("pay from the PNG approves the token and pays; a live watch reports it after 2 confirmations only", async () => {
      const minted = await cliJson(["faucet", "--amount", "100", ...as("tokenPayer")]);
      expect(minted.balance).to.equal("100000000");

      // A watcher started before the payments, needing 2 confirmations (it reports only payments mined after it
      // started: wait until it says so).
      let watchedSoFar = "";
      let watchStarted = "";
      const watching = cli(
        [
          "watch", "--merchant", "1", "--invoice", "1", "--invoice", "2", "--count", "2", "--confirmations", "2",
          "--poll", "200ms", "--timeout", "40s", "--json",
        ],
        { onStdout: (stdout) => (watchedSoFar = stdout), onStderr: (stderr) => (watchStarted = stderr) },
      );
      for (let waited = 0; !watchStarted.includes("watching merchant #1") && waited < 20_000; waited += 100) await sleep(100);
      expect(watchStarted).to.match(/from block \d+ \(new payments only; --all for earlier ones\)/);
      const escrowBefore = await token.balanceOf(await escrow.getAddress());
      const payerBefore = await token.balanceOf(account("tokenPayer"));
      const paid = await cliJson<{ approval: { label: string }; status: string; amount: string; releaseAt: string }>([
        "pay", tokenPng(), "--yes", ...as("tokenPayer"),
      ]);
      expect(paid.approval.label).to.equal("approve");
      expect(paid.status).to.equal("Held");
      expect(paid.amount).to.equal("12500000");
      expect((await token.balanceOf(await escrow.getAddress())) - escrowBefore).to.equal(12_500_000n);
      expect(payerBefore - (await token.balanceOf(account("tokenPayer")))).to.equal(12_500_000n);
      expect(await token.allowance(account("tokenPayer"), await escrow.getAddress())).to.equal(0n);

      // The ETH invoice, from its EIP-681 URI.
      const ethBefore = await rpc.getBalance(await escrow.getAddress());
      const ethPaid = await cliJson<{ approval?: unknown; invoiceNumber: string }>([
        "pay", ethInvoice.uri!, "--yes", ...as("ethPayer"),
      ]);
      expect(ethPaid.approval).to.equal(undefined);
      expect(ethPaid.invoiceNumber).to.equal("1");
      expect((await rpc.getBalance(await escrow.getAddress())) - ethBefore).to.equal(5n * 10n ** 16n);

      // Read-only from here on, so it runs alongside: paying the token invoice again.
      alreadyPaid = cli(["pay", tokenPng(), "--yes", ...as("ethPayer")]);

      // The token payment now has 2 confirmations and is reported; the ETH payment is in the latest block (one
      // confirmation) and must not be, until one more block is mined.
      const lines = () => watchedSoFar.split("\n").filter((line) => line !== "");
      for (let waited = 0; lines().length === 0 && waited < 15_000; waited += 100) await sleep(100);
      await sleep(800);
      expect(lines().map((line) => (JSON.parse(line) as { invoiceNumber: string }).invoiceNumber)).to.deep.equal(["2"]);
      await rpcCall("evm_mine");
      const watched = await watching;
      expect(watched.code, watched.stderr).to.equal(0);
      const events = watched.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events.map((e) => e.invoiceNumber)).to.deep.equal(["2", "1"]);
      expect(events[0]).to.include({ payer: account("tokenPayer"), amount: "12500000", symbol: "tUSD" });
      expect(events[1]).to.include({ payer: account("ethPayer"), amount: "50000000000000000", symbol: "ETH" });
      for (const event of events) expect(event.confirmations as number).to.be.at.least(2);
      expect(watched.stderr).to.contain("2 confirmations");
      // Progress while the ETH payment was one block deep (stderr only, never a report).
      expect(watched.stderr).to.match(/invoice 1: seen in block \d+, 1\/2 confirmations/);
    });

    it("invoice status reads the held payment from the compact text and from --merchant/--number", async () => {
      const [fromPngRun, byNumber] = await Promise.all([
        cli(["invoice", "status", ethInvoice.compact!, "--json"]),
        cli(["invoice", "status", "--merchant", "1", "--number", "2"]),
      ]);
      expect(fromPngRun.code, fromPngRun.stderr).to.equal(0);
      const fromPng = JSON.parse(fromPngRun.stdout) as { status: string; payment: Record<string, string> };
      expect(fromPng.status).to.equal("Held");
      expect(fromPng.payment.payer).to.equal(account("ethPayer"));
      expect(fromPng.payment.pointsAward).to.equal("10");
      expect(byNumber.code, byNumber.stderr).to.equal(0);
      expect(byNumber.stdout).to.match(/status:\s+Held/);
      expect(byNumber.stdout).to.match(/amount:\s+12\.50 tUSD/);
    });

    it("pay refuses an invoice already paid, in one line", async () => {
      expectOneLineError(await alreadyPaid, /invoice 2 of merchant 1 was already paid/);
    });

    it("pay without --yes asks, and an answer other than yes pays nothing", async () => {
      const fresh = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "1", "--quiet", ...as("merchant")]);
      const run = await cli(["pay", fresh.compact!, ...as("ethPayer")], { stdin: "n\n" });
      expect(run.code).to.not.equal(0);
      expect(run.stdout).to.match(/merchant:\s+#1 "Coffee Corner"/);
      expect(run.stderr).to.contain("Pay 1.00 ETH to \"Coffee Corner\"? [y/N]");
      expect(run.stderr).to.contain("error: not paid: you did not confirm");
      expect(await escrow.isInvoiceUsed(1, BigInt(fresh.invoiceNumber!))).to.equal(false);
    });
  });

  describe("refund, release, withdraw, points", () => {
    let early: Run;
    let notMerchant: Run;

    before(async () => {
      [early, notMerchant] = await Promise.all([
        cli(["release", "1/1"]),
        cli(["refund", "1", "2", "--amount", "1", ...as("tokenPayer")]),
      ]);
    });

    it("release before the refund window ends fails in one line", () => {
      expectOneLineError(early, /invoice 1 of merchant 1 cannot be released yet: its refund window ends at/);
    });

    it("refund by an account that is not the merchant's comes back as the contract's error, in one line", () => {
      expectOneLineError(notMerchant, /neither the owner nor the signer of merchant 1/);
    });

    it("refund sends 2.50 tUSD of the held token payment back to the payer", async () => {
      const before = await token.balanceOf(account("tokenPayer"));
      const out = await cliJson<{ amount: string; full: boolean }>(["refund", "1", "2", "--amount", "2.50", ...as("merchant")]);
      expect(out.amount).to.equal("2500000");
      expect(out.full).to.equal(false);
      expect((await token.balanceOf(account("tokenPayer"))) - before).to.equal(2_500_000n);
      expect((await escrow.paymentOf(1, 2)).refunded).to.equal(2_500_000n);
    });

    it("release --merchant, after the window, settles both payments to the payout minus the 1% fee", async () => {
      await advanceTime(DAY + 60);
      const ethBefore = await rpc.getBalance(account("payout"));
      const tokenBefore = await token.balanceOf(account("payout"));
      const out = await cliJson<{ released: { invoiceNumber: string }[] }>(["release", "--merchant", "1", ...as("broke")]);
      expect(out.released.map((r) => r.invoiceNumber).sort()).to.deep.equal(["1", "2"]);
      expect((await rpc.getBalance(account("payout"))) - ethBefore).to.equal((5n * 10n ** 16n * 99n) / 100n);
      expect((await token.balanceOf(account("payout"))) - tokenBefore).to.equal((10_000_000n * 99n) / 100n);
      expect(await escrow.invoiceStatus(1, 1, 0, 0)).to.equal(4n); // Settled
    });

    it("points shows the 10 points the ETH payer earned on settlement", async () => {
      const out = await cliJson<{ balances: { merchantId: string; points: string }[] }>(["points", ...as("ethPayer")]);
      expect(out.balances).to.deep.equal([{ merchantId: "1", name: "Coffee Corner", points: "10", debt: "0", spendable: "10" }]);
      const points = LoyaltyPoints__factory.connect(await escrow.loyaltyPoints(), rpc);
      expect(await points.balanceOf(account("ethPayer"), 1)).to.equal(10n);
    });

    it("invoice status of a settled payment finds who paid in its InvoicePaid event", async () => {
      const out = await cliJson<{ status: string; payment: Record<string, string>; paidIn: { transactionHash: string } }>([
        "invoice", "status", path.join(work, "out", "eth.png"),
      ]);
      expect(out.status).to.equal("Settled");
      expect(out.payment.payer).to.equal(account("ethPayer"));
      expect(out.payment.amount).to.equal("50000000000000000");
      const receipt = await rpc.getTransactionReceipt(out.paidIn.transactionHash);
      expect(receipt?.from).to.equal(account("ethPayer"));
    });

    it("withdraw pays the treasury its fees in ETH and tUSD, and a second withdraw has nothing left", async () => {
      const fees = { eth: 5n * 10n ** 14n, token: 100_000n };
      expect(await escrow.withdrawableOf(account("treasury"), ZERO_ADDRESS)).to.equal(fees.eth);
      const tokenBefore = await token.balanceOf(account("treasury"));
      const out = await cliJson<{ withdrawn: { symbol: string; amount: string }[] }>(["withdraw", ...as("treasury")]);
      expect(out.withdrawn.map((w) => [w.symbol, w.amount])).to.deep.equal([
        ["ETH", fees.eth.toString()],
        ["tUSD", fees.token.toString()],
      ]);
      expect((await token.balanceOf(account("treasury"))) - tokenBefore).to.equal(fees.token);
      expect(await escrow.withdrawableOf(account("treasury"), ZERO_ADDRESS)).to.equal(0n);
      expectOneLineError(await cli(["withdraw", ...as("treasury")]), /has nothing to withdraw/);
    });
  });

  describe("recovery, frozen merchant balance, void-all", () => {
    it("merchant set-recovery sets it once, only it may change it, and merchant recover takes ownership back", async () => {
      const kiosk = await cliJson(["merchant", "register", "--name", "Kiosk", ...as("broke")]);
      expect(kiosk.merchantId).to.equal("2");
      const set = await cliJson(["merchant", "set-recovery", "2", "--recovery", account("payout"), ...as("broke")]);
      expect(set.recovery).to.equal(account("payout"));
      const [again, notRecovery] = await Promise.all([
        cli(["merchant", "set-recovery", "2", "--recovery", account("broke"), ...as("broke")]),
        cli(["merchant", "recover", "2", "--new-owner", account("tokenPayer"), ...as("tokenPayer")]),
      ]);
      expectOneLineError(again, new RegExp(`${account("broke")} is not the recovery address of merchant 2`));
      expectOneLineError(notRecovery, new RegExp(`only merchant 2's recovery address ${account("payout")} may recover it`));
      const recovered = await cliJson(["merchant", "recover", "2", "--new-owner", account("tokenPayer"), ...as("payout")]);
      expect([recovered.previousOwner, recovered.owner]).to.deep.equal([account("broke"), account("tokenPayer")]);
      const registry = MerchantRegistry__factory.connect(await escrow.registry(), rpc);
      expect(await registry.ownerOf(2)).to.equal(account("tokenPayer"));
      const shown = await cli(["merchant", "show", "2"]);
      expect(shown.stdout).to.match(new RegExp(`recovery:\\s+${account("payout")}`));
    });

    it("withdraw --merchant pays the owner the share frozen during a suspension, once reinstated", async () => {
      const chainNow = BigInt((await rpc.getBlock("latest"))!.timestamp);
      const s = await signInvoice(
        await rpc.getSigner(ACCOUNT.merchant),
        {
          merchantId: 1n, invoiceNumber: 500n, token: ZERO_ADDRESS, amount: 10n ** 15n, expiry: chainNow + 600n,
          payer: account("ethPayer"), pointsAward: 0n, pointsRedeem: 0n, orderRef: ZERO_BYTES32, holdPeriod: BigInt(DAY), epoch: 0n,
        },
        { chainId: 31337n, escrow: await escrow.getAddress() },
      );
      const asPayer = escrow.connect(await rpc.getSigner(ACCOUNT.ethPayer));
      await (await asPayer.pay(s.invoice, s.signature, { value: 10n ** 15n })).wait();
      const registry = MerchantRegistry__factory.connect(await escrow.registry(), await rpc.getSigner(ACCOUNT.admin));
      await (await registry.suspend(1)).wait();
      await (await asPayer.openDispute(1, 500)).wait();
      await (await escrow.connect(await rpc.getSigner(ACCOUNT.arbiter)).resolveDispute(1, 500, 0)).wait();
      const share = (10n ** 15n * 99n) / 100n;
      expect(await escrow.merchantBalanceOf(1, ZERO_ADDRESS)).to.equal(share);

      expectOneLineError(await cli(["withdraw", "--merchant", "1", ...as("merchant")]), /merchant 1 is suspended/);
      await (await registry.reinstate(1)).wait();
      const out = await cliJson<{ merchantId: string; withdrawn: { symbol: string; amount: string; to: string }[] }>([
        "withdraw", "--merchant", "1", "--to", account("payout"), ...as("merchant"),
      ]);
      expect(out.merchantId).to.equal("1");
      expect(out.withdrawn).to.have.length(1);
      expect(out.withdrawn[0]).to.include({ symbol: "ETH", amount: share.toString(), to: account("payout") });
      expect(await escrow.merchantBalanceOf(1, ZERO_ADDRESS)).to.equal(0n);
      expectOneLineError(await cli(["withdraw", "--merchant", "1", ...as("merchant")]), /merchant #1 has nothing to withdraw in any token/);
    });

    it("invoice void-all voids every unpaid invoice: status Voided, pay refused; strangers may not", async () => {
      const outstanding = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "1", "--quiet", ...as("merchant")]);
      const stranger = await cli(["invoice", "void-all", "1", ...as("tokenPayer")]);
      expectOneLineError(stranger, /only merchant 1's owner .* or signer .* may void its invoices/);
      const voided = await cliJson(["invoice", "void-all", "1", ...as("merchant")]);
      expect([voided.previousEpoch, voided.epoch]).to.deep.equal(["0", "1"]);
      const status = await cliJson<{ status: string }>(["invoice", "status", outstanding.compact!]);
      expect(status.status).to.equal("Voided");
      expectOneLineError(await cli(["pay", outstanding.compact!, "--yes", ...as("ethPayer")]), /was voided: it was signed for epoch 0/);
      const fresh = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "1", "--quiet", ...as("merchant")]);
      expect(fresh.epoch).to.equal("1");
    });
  });

  describe("deposit addresses: a plain wallet pays, collect settles, return-deposit sends back", () => {
    it("pay of the default PNG is a plain transfer; collect settles it with the sender as payer; return-deposit returns a stray token", async () => {
      const created = await cliJson([
        "invoice", "create", "--merchant", "1", "--amount", "0.02", "--png", "out/deposit.png", "--quiet", ...as("merchant"),
      ]);
      expect(created.qrForm).to.equal("deposit");
      const depositPng = path.join(work, "out", "deposit.png");
      expect(decodeQrImage(new Uint8Array(await readFile(depositPng)))).to.equal(created.depositUri);
      // What a plain wallet does: an ETH send to the deposit address, nothing else.
      const sent = await cli(["pay", depositPng, "--yes", ...as("ethPayer")]);
      expect(sent.code, sent.stderr).to.equal(0);
      expect(sent.stdout).to.contain("Plain transfer request");
      expect(await rpc.getBalance(created.depositAddress!)).to.equal(2n * 10n ** 16n);
      // A stray token at the same address.
      await (await token.connect(await rpc.getSigner(ACCOUNT.tokenPayer)).transfer(created.depositAddress!, 1_000_000n)).wait();

      const dry = await cliJson<{ settled: { invoiceNumber: string; payer: string }[] }>(["collect", "--dry-run", ...as("merchant")]);
      expect(dry.settled.map((x) => [x.invoiceNumber, x.payer])).to.deep.equal([[created.invoiceNumber, account("ethPayer")]]);
      const collected = await cli(["collect", ...as("merchant")]);
      expect(collected.code, collected.stderr).to.equal(0);
      expect(collected.stdout).to.contain(
        `invoice ${created.invoiceNumber} of merchant #1: settled 0.02 ETH from ${account("ethPayer")} (${created.depositAddress})`,
      );
      expect(collected.stdout).to.match(/settleDeposit: 0x[0-9a-f]{64}/);
      // The deposit QR names no invoice; this machine created it, so status finds it by its deposit address.
      const status = await cliJson<{ status: string; payment: { payer: string } }>(["invoice", "status", depositPng]);
      expect([status.status, status.payment.payer]).to.deep.equal(["Held", account("ethPayer")]);
      // Settled invoices are skipped: a second round has nothing to settle.
      const again = await cliJson<{ settled: unknown[] }>(["collect", "--merchant", "1", ...as("merchant")]);
      expect(again.settled).to.deep.equal([]);

      // The invoice names no payer: only the merchant (or the arbiter) names where the stray token goes.
      expectOneLineError(
        await cli(["return-deposit", created.compact!, "--token", "tUSD", "--to", account("tokenPayer"), ...as("ethPayer")]),
        /is neither the owner nor the signer of merchant 1/,
      );
      const returned = await cliJson([
        "return-deposit", created.compact!, "--token", "tUSD", "--to", account("tokenPayer"), ...as("merchant"),
      ]);
      expect(returned).to.include({ to: account("tokenPayer"), returned: "1000000", etherReturned: "0", depositAddress: created.depositAddress });
      expect(await token.balanceOf(created.depositAddress!)).to.equal(0n);
    });
  });

  describe("invoice cancel, watch from now on, refunds in status, balances, amounts, QR texts, a restarted node", () => {
    it("invoice cancel makes an unpaid invoice unpayable: status Cancelled, pay says cancelled even after void-all", async () => {
      const invoice = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "1", "--quiet", ...as("merchant")]);
      const number = invoice.invoiceNumber!;
      expectOneLineError(
        await cli(["invoice", "cancel", "1", number, ...as("tokenPayer")]),
        /only merchant 1's owner .* or signer .* may cancel its invoices/,
      );
      const cancelled = await cliJson(["invoice", "cancel", "1", number, ...as("merchant")]);
      expect(cancelled).to.include({ merchantId: "1", invoiceNumber: number, status: "Cancelled" });
      expect(await escrow.isInvoiceUsed(1, BigInt(number))).to.equal(true);
      expectOneLineError(await cli(["invoice", "cancel", "1", number, ...as("merchant")]), /cannot be cancelled: it is already cancelled/);
      // Voiding every invoice afterwards: pay and status still agree that it was cancelled.
      await cliJson(["invoice", "void-all", "1", ...as("merchant")]);
      expect((await cliJson<{ status: string }>(["invoice", "status", invoice.compact!])).status).to.equal("Cancelled");
      expectOneLineError(await cli(["pay", invoice.compact!, "--yes", ...as("ethPayer")]), new RegExp(`invoice ${number} of merchant 1 was already cancelled`));
    });

    it("watch reports only payments mined after it started, unless --all", async () => {
      const invoice = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "0.001", "--quiet", ...as("merchant")]);
      await cliJson(["pay", invoice.compact!, "--yes", ...as("ethPayer")]);
      const number = invoice.invoiceNumber!;
      const [fromNow, all] = await Promise.all([
        cli(["watch", "--merchant", "1", "--invoice", number, "--count", "1", "--timeout", "3s", "--poll", "200ms"]),
        cli(["watch", "--merchant", "1", "--invoice", number, "--all", "--count", "1", "--timeout", "20s", "--poll", "200ms", "--json"]),
      ]);
      expect(fromNow.code).to.equal(1);
      expect(fromNow.stdout).to.equal("");
      expect(fromNow.stderr.trim().split("\n").at(-1)).to.equal("error: timed out after 3s: 0 of 1 payments seen");
      expect(all.code, all.stderr).to.equal(0);
      expect((JSON.parse(all.stdout) as { invoiceNumber: string }).invoiceNumber).to.equal(number);
    });

    it("invoice status shows the points settlement will award after a partial refund, and the amount paid after a full one", async () => {
      const invoice = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "1", "--points", "10", "--quiet", ...as("merchant")]);
      const paying = await cli(["pay", invoice.compact!, "--yes", ...as("ethPayer")]);
      expect(paying.code, paying.stderr).to.equal(0);
      // A balance shows at most 6 decimals (rounded down), not 18.
      expect(paying.stdout).to.match(/\(balance \d+\.\d{2,6} ETH\)/);
      const number = invoice.invoiceNumber!;
      await cliJson(["refund", "1", number, "--amount", "0.25", ...as("merchant")]);
      const partial = await cli(["invoice", "status", "--merchant", "1", "--number", number]);
      expect(partial.stdout).to.match(/status:\s+PartiallyRefunded/);
      expect(partial.stdout).to.match(/points on settlement:\s+7 \(10 signed, less the refunded share\)/);
      const partialJson = await cliJson<{ payment: Record<string, string> }>(["invoice", "status", "--merchant", "1", "--number", number]);
      expect([partialJson.payment.pointsAward, partialJson.payment.pointsOnSettlement]).to.deep.equal(["10", "7"]);

      await cliJson(["refund", "1", number, ...as("merchant")]);
      const full = await cli(["invoice", "status", "--merchant", "1", "--number", number]);
      expect(full.stdout).to.match(/status:\s+Refunded/);
      expect(full.stdout).to.match(/amount:\s+1\.00 ETH/);
      expect(full.stdout).to.match(/refunded:\s+1\.00 ETH \(in full\)/);
      expect(full.stdout).to.not.contain("points on settlement");
    });

    it("a negative --amount is refused as not positive, written with = or with a space", async () => {
      const [joined, spaced] = await Promise.all([
        cli(["invoice", "create", "--merchant", "1", "--amount=-1", "--quiet", ...as("merchant")]),
        cli(["invoice", "create", "--merchant", "1", "--amount", "-1", "--quiet", ...as("merchant")]),
      ]);
      expectOneLineError(joined, /--amount must be a positive amount, got -1/);
      expectOneLineError(spaced, /--amount must be a positive amount, got -1/);
    });

    it("an empty or lower-case QR text names both accepted prefixes", async () => {
      const fresh = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "1", "--quiet", ...as("merchant")]);
      const [empty, lower] = await Promise.all([
        cli(["pay", "", "--yes"], { network: false }),
        cli(["pay", fresh.compact!.toLowerCase(), "--yes"], { network: false }),
      ]);
      expectOneLineError(empty, /must start with SCANPAY: or ethereum:/);
      expectOneLineError(lower, /must start with SCANPAY: or ethereum:/);
    });

    it("a compact text cut short is reported as cut short, not as an altered invoice", async () => {
      const fresh = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "1", "--quiet", ...as("merchant")]);
      // The shortest cut that still decodes: the signature (the rest of the payload) just comes out shorter.
      const cut = [1, 2, 3, 4, 5, 6]
        .map((n) => fresh.compact!.slice(0, -n))
        .find((text) => {
          try {
            decodeCompactInvoice(text);
            return true;
          } catch {
            return false;
          }
        });
      expect(cut, "no cut of 1..6 characters decodes").to.be.a("string");
      expectOneLineError(
        await cli(["pay", cut!, "--yes", ...as("ethPayer")]),
        /signature is \d+ bytes, but merchant 1's signer .* signs with 64 or 65: the QR text is probably cut short/,
      );
    });

    it("after a node restart (no code at the recorded addresses) suggests deploying with --network localhost", async () => {
      const stale = path.join(work, "stale-deployments");
      await cp(path.join(work, "deployments"), stale, { recursive: true });
      const file = path.join(stale, "localhost", "PaymentEscrow.json");
      const recorded = JSON.parse(await readFile(file, "utf8")) as { address: string };
      await writeFile(file, JSON.stringify({ ...recorded, address: "0x00000000000000000000000000000000000000e5" }));
      expectOneLineError(
        await cli(["merchant", "show", "1", "--deployments", stale], { network: false }),
        /no escrow contract at .* \(was the node restarted\?\); redeploy \(npx hardhat deploy --network localhost\)/,
      );
    });
  });

  describe("bad inputs: one line on stderr, non-zero exit, no stack trace", () => {
    const runs: Record<string, Run> = {};
    let brokeNonce = 0;

    before(async () => {
      // Two unpaid invoices to mutate, one of which expires.
      const fresh = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "5", "--token", "tUSD", "--quiet", ...as("merchant")]);
      const expired = await cliJson(["invoice", "create", "--merchant", "1", "--amount", "1", "--expires", "60s", "--quiet", ...as("merchant")]);
      await advanceTime(120);

      const payload = decodeCompactInvoice(fresh.compact!);
      const otherChain = encodeCompactInvoice({ chainId: 1n, escrow: payload.escrow, packed: payload.packed });
      const tampered = encodeCompactInvoice({
        chainId: payload.chainId,
        escrow: payload.escrow,
        packed: { ...payload.packed, invoice: { ...payload.packed.invoice, amount: 1n } },
      });
      const chainNow = BigInt((await rpc.getBlock("latest"))!.timestamp);
      const unknown = await signInvoice(
        await rpc.getSigner(ACCOUNT.merchant),
        {
          merchantId: 42n, invoiceNumber: 1n, token: ZERO_ADDRESS, amount: 10n ** 15n, expiry: chainNow + 600n,
          payer: ZERO_ADDRESS, pointsAward: 0n, pointsRedeem: 0n, orderRef: ZERO_BYTES32, holdPeriod: 0n, epoch: 0n,
        },
        { chainId: 31337n, escrow: await escrow.getAddress() },
      );
      const { token: _token, ...fields } = unknown.invoice;
      const unknownMerchant = encodeCompactInvoice({
        chainId: 31337n,
        escrow: await escrow.getAddress(),
        packed: { invoice: fields, tokenIndex: 0, signature: unknown.signature },
      });
      const blank = path.join(work, "out", "blank.png");
      const png = new PNG({ width: 64, height: 64 });
      png.data.fill(0xff);
      await writeFile(blank, PNG.sync.write(png));
      brokeNonce = await rpc.getTransactionCount(account("broke"));

      const cases: Record<string, [string[], { network?: boolean }?]> = {
        malformedUri: [["pay", "ethereum:0xZZZ/payPacked?bytes=0x01", "--yes"], { network: false }],
        notAQr: [["pay", "hello", "--yes"], { network: false }],
        missingFile: [["pay", "nowhere.png", "--yes"], { network: false }],
        blankImage: [["pay", blank, "--yes"], { network: false }],
        otherChain: [["pay", otherChain, "--yes", ...as("tokenPayer")]],
        expired: [["pay", expired.compact!, "--yes", ...as("ethPayer")]],
        tampered: [["pay", tampered, "--yes", ...as("tokenPayer")]],
        unknownMerchant: [["pay", unknownMerchant, "--yes", ...as("ethPayer")]],
        broke: [["pay", fresh.compact!, "--yes", ...as("broke")]],
        unreachable: [["merchant", "show", "1", "--rpc-url", "http://127.0.0.1:9", "--json"], { network: false }],
        watchTimeout: [["watch", "--merchant", "1", "--invoice", "999", "--count", "1", "--timeout", "2s", "--poll", "500ms"]],
      };
      const names = Object.keys(cases);
      const results = await inBatches(names, 4, (name) => cli(...cases[name]!));
      names.forEach((name, i) => (runs[name] = results[i]!));
    });

    it("rejects a malformed URI and text that is no payment QR code", () => {
      expectOneLineError(runs.malformedUri!, /not a valid payment QR code \(QR_BAD_ADDRESS\)/);
      expectOneLineError(runs.notAQr!, /not a valid payment QR code \(QR_BAD_PREFIX\)/);
    });

    it("rejects a missing image file and an image without a QR code", () => {
      expectOneLineError(runs.missingFile!, /no such image file: nowhere\.png/);
      expectOneLineError(runs.blankImage!, /cannot read a QR code from .*blank\.png: no readable QR code/);
    });

    it("rejects an invoice for another chain", () => {
      expectOneLineError(runs.otherChain!, /for chain 1 but the connected network is chain 31337/);
    });

    it("rejects an expired invoice", () => {
      expectOneLineError(runs.expired!, /the invoice expired \d+ s ago/);
    });

    it("rejects a tampered invoice (amount lowered, signature kept)", () => {
      expectOneLineError(runs.tampered!, /invalid signature: this invoice does not carry merchant 1's signature/);
    });

    it("rejects an invoice of an unknown merchant", () => {
      expectOneLineError(runs.unknownMerchant!, /merchant 42 is not registered/);
    });

    it("rejects a payment the account cannot afford, before any transaction", async () => {
      expectOneLineError(runs.broke!, /insufficient balance: .* holds 0\.00 tUSD but the invoice asks 5\.00 tUSD/);
      expect(await rpc.getTransactionCount(account("broke"))).to.equal(brokeNonce);
    });

    it("watch --count with a --timeout that comes first exits non-zero with the error as its last line", () => {
      const run = runs.watchTimeout!;
      expect(run.code).to.equal(1);
      const lines = run.stderr.trim().split("\n");
      expect(lines[0]).to.match(/^watching merchant #1 on localhost/);
      expect(lines.at(-1)).to.equal("error: timed out after 2s: 0 of 1 payments seen");
      expect(run.stderr).to.not.match(/\n\s+at /);
    });

    it("reports an unreachable node (--rpc-url) and, with --json, the error as one JSON line", () => {
      const run = runs.unreachable!;
      expect(run.code).to.equal(1);
      const lines = run.stderr.trim().split("\n");
      expect(lines).to.have.length(1);
      const parsed = JSON.parse(lines[0]!) as { error: { code: string; message: string } };
      expect(parsed.error.code).to.equal("NETWORK_UNREACHABLE");
      expect(parsed.error.message).to.match(/cannot reach network localhost/);
    });
  });
});
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `fn` over `items`, at most `size` at a time, keeping the order of results. */
async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return results;
}
