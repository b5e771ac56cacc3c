/**
 * `scanpay`: the command line of ScanPay. Entry point (run through bin/scanpay.mjs: compiled from dist/ in the
 * installed package, through tsx in a checkout of the repository).
 * Every failure ends as one line on stderr and a non-zero exit code; `SCANPAY_DEBUG=1` adds the stack.
 */
import { commandHelp, parseCommand, type CommandSpec } from "./args.js";
import { toOneLine, UsageError } from "./errors.js";
import { toJson } from "./output.js";
import { COMMANDS } from "./commands/index.js";

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(" ").length)) + 2;
  return [
    "Usage: scanpay <command> [options]",
    "",
    "Pay-by-QR on EVM chains: merchants sign invoices, payers scan and pay them through the ScanPay escrow.",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.path.join(" ").padEnd(width)}${c.summary}`),
    "",
    "Every chain command takes --network <name> (default localhost) or --rpc-url <url>, --account and --json.",
    "Keys never come from arguments: SCANPAY_PRIVATE_KEY, an encrypted keystore (--keystore <file>), the",
    "node's own accounts (local nodes), or a prompt on a terminal. Run `scanpay <command> --help` for a",
    "command's options. Set SCANPAY_DEBUG=1 to see stack traces.",
  ].join("\n");
}

function findCommand(argv: string[]): { spec: CommandSpec; rest: string[] } | undefined {
  let best: CommandSpec | undefined;
  for (const spec of COMMANDS) {
    if (spec.path.every((word, i) => argv[i] === word) && (best === undefined || spec.path.length > best.path.length)) {
      best = spec;
    }
  }
  return best === undefined ? undefined : { spec: best, rest: argv.slice(best.path.length) };
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(`${mainHelp()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
    if (group.length > 0) {
      const sub = argv[1];
      if (sub === undefined || sub === "--help" || sub === "-h") {
        process.stdout.write(
          `Usage: scanpay ${argv[0]} <${group.map((c) => c.path[1]).join("|")}> [options]\n\n` +
            group.map((c) => `  ${c.path.join(" ").padEnd(20)}${c.summary}`).join("\n") +
            "\n",
        );
        return sub === undefined ? 2 : 0;
      }
      throw new UsageError(`unknown command "${argv[0]} ${sub}" (try scanpay ${argv[0]} --help)`);
    }
    throw new UsageError(`unknown command "${argv[0]}" (try scanpay --help)`);
  }
  const parsed = parseCommand(found.spec, found.rest);
  if (parsed.values.help === true) {
    process.stdout.write(`${commandHelp(found.spec)}\n`);
    return 0;
  }
  const code = await found.spec.run(parsed);
  return typeof code === "number" ? code : 0;
}

/** Prints `error` as one line (JSON with `--json`) and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const line = toOneLine(error);
  const hint = line.unexpected && process.env.SCANPAY_DEBUG !== "1" ? " (set SCANPAY_DEBUG=1 for the stack trace)" : "";
  if (json) {
    process.stderr.write(`${toJson({ error: { code: line.code, message: line.message + hint } })}\n`);
  } else {
    process.stderr.write(`error: ${line.message}${hint}\n`);
  }
  if (process.env.SCANPAY_DEBUG === "1" && error instanceof Error && error.stack !== undefined) {
    process.stderr.write(`${error.stack}\n`);
  }
  return line.exitCode;
}

async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  let code: number;
  try {
    code = await main(argv);
  } catch (error) {
    code = reportError(error, argv.includes("--json"));
  }
  // Open RPC sockets and timers must not keep the process alive; stdout/stderr to pipes and files are
  // synchronous on POSIX, so nothing written is lost.
  process.exit(code);
}

// Never let a stray rejection print a stack trace.
for (const event of ["unhandledRejection", "uncaughtException"] as const) {
  process.on(event, (error: unknown) => {
    process.exit(reportError(error, process.argv.includes("--json")));
  });
}

await run();
