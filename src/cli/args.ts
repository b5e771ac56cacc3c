/**
 * The CLI's small argument layer over `node:util` `parseArgs`: each command declares its options and
 * positionals once, and gets parsing, validation and its `--help` text from that declaration.
 */
import { parseArgs } from "node:util";

import { UsageError } from "./errors.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Placeholder shown in the help, e.g. `<file>`. */
  value?: string;
  description: string;
  multiple?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
  variadic?: boolean;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

export interface CommandSpec {
  /** Words that select the command, e.g. `["merchant", "register"]`. */
  path: string[];
  summary: string;
  /** Extra lines shown in `--help` under the summary. */
  details?: string[];
  positionals?: PositionalSpec[];
  options?: Record<string, OptionSpec>;
  examples?: string[];
  /** Whether the command talks to a chain (it then accepts the network options). Default true. */
  chain?: boolean;
  run(parsed: Parsed): Promise<number | void>;
}

/** Options every chain command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  network: {
    type: "string",
    short: "n",
    value: "<name>",
    description:
      "network: localhost (default), sepolia, baseSepolia, opSepolia, or a name from the config file",
  },
  "rpc-url": {
    type: "string",
    value: "<url>",
    description: "the network's JSON-RPC URL (http(s); overrides the built-in or configured one)",
  },
  config: {
    type: "string",
    value: "<file>",
    description: "networks config file (default ./scanpay.config.json; env SCANPAY_CONFIG)",
  },
  account: {
    type: "string",
    short: "a",
    value: "<index|address>",
    description: "which of the node's accounts acts (default 0), or the address of the key in use",
  },
  keystore: {
    type: "string",
    value: "<file>",
    description:
      "encrypted JSON keystore of the acting key (env SCANPAY_KEYSTORE; password SCANPAY_KEYSTORE_PASSWORD or asked)",
  },
  escrow: { type: "string", value: "<address>", description: "PaymentEscrow address instead of the deployment's" },
  registry: {
    type: "string",
    value: "<address>",
    description: "MerchantRegistry address instead of the deployment's (default: the escrow's registry)",
  },
  deployments: {
    type: "string",
    value: "<dir>",
    description: "folder of hardhat-deploy outputs (default: deployments/ of the project; env SCANPAY_DEPLOYMENTS)",
  },
  confirmations: {
    type: "string",
    value: "<n>",
    description: "blocks to wait for after each transaction (default 1)",
  },
  json: { type: "boolean", description: "machine-readable output on stdout (progress still goes to stderr)" },
};

export const HELP_OPTION: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h", description: "show this help" },
};

export function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...(spec.options ?? {}), ...(spec.chain === false ? {} : GLOBAL_OPTIONS), ...HELP_OPTION };
}

/** Parses `argv` (the words after the command path) against the command's declaration. */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  const options = allOptions(spec);
  const config: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, option] of Object.entries(options)) {
    config[name] = { type: option.type };
    if (option.short !== undefined) config[name].short = option.short;
    if (option.multiple === true) config[name].multiple = true;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options: config, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${describeParseError(error)} (see scanpay ${spec.path.join(" ")} --help)`);
  }
  const values = parsed.values as Values;
  const positionals = parsed.positionals;
  if (values.help === true) return { values, positionals };

  const declared = spec.positionals ?? [];
  const required = declared.filter((p) => p.optional !== true && p.variadic !== true).length;
  const variadic = declared.some((p) => p.variadic === true);
  if (positionals.length < required) {
    const missing = declared[positionals.length]!;
    throw new UsageError(`missing <${missing.name}> (see scanpay ${spec.path.join(" ")} --help)`);
  }
  if (!variadic && positionals.length > declared.length) {
    throw new UsageError(
      `unexpected argument "${clip(positionals[declared.length]!)}" (see scanpay ${spec.path.join(" ")} --help)`,
    );
  }
  return { values, positionals };
}

/**
 * `--amount -1` as `--amount=-1`: Node's parser takes a value starting with "-" for an option and calls the
 * pair ambiguous; a negative number after a string option is that option's value, and the command then says
 * what is wrong with it ("must be a positive amount") instead of a parser riddle.
 */
function joinNegativeValues(argv: string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const next = argv[i + 1];
    const name = word.startsWith("--")
      ? word.slice(2)
      : /^-[a-zA-Z]$/.test(word)
        ? Object.keys(options).find((key) => options[key]!.short === word.slice(1))
        : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Node's messages are multi-line and mention `parseArgs`; keep the first sentence.
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missingValue = /Option '([^']+)' argument missing/.exec(message);
  if (missingValue) return `option ${missingValue[1]!.split(",").pop()!.trim().split(" ")[0]} needs a value`;
  const wrongType = /Option '([^']+)' does not take an argument/.exec(message);
  if (wrongType) return `option ${wrongType[1]!.split(",").pop()!.trim()} does not take a value`;
  return message.split("\n")[0]!;
}

/** The `--help` text of a command. */
export function commandHelp(spec: CommandSpec): string {
  const name = `scanpay ${spec.path.join(" ")}`;
  const positionals = (spec.positionals ?? [])
    .map((p) => (p.variadic ? `<${p.name}...>` : p.optional ? `[${p.name}]` : `<${p.name}>`))
    .join(" ");
  const lines = [`Usage: ${name}${positionals ? ` ${positionals}` : ""} [options]`, "", spec.summary];
  if (spec.details) lines.push("", ...spec.details);
  if (spec.positionals && spec.positionals.length > 0) {
    lines.push("", "Arguments:");
    const width = Math.max(...spec.positionals.map((p) => p.name.length)) + 2;
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(width)}${p.description}`);
  }
  const sections: [string, Record<string, OptionSpec>][] = [["Options:", spec.options ?? {}]];
  if (spec.chain !== false) sections.push(["Network options:", GLOBAL_OPTIONS]);
  sections.push(["", HELP_OPTION]);
  const flag = (name: string, o: OptionSpec) =>
    `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` ${o.value}` : ""}`;
  const all = sections.flatMap(([, options]) => Object.entries(options));
  const width = Math.max(...all.map(([n, o]) => flag(n, o).length)) + 2;
  for (const [title, options] of sections) {
    const entries = Object.entries(options);
    if (entries.length === 0) continue;
    if (title !== "") lines.push("", title);
    for (const [n, o] of entries) lines.push(`  ${flag(n, o).padEnd(width)}${o.description}`);
  }
  if (spec.examples && spec.examples.length > 0) {
    lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  }
  return lines.join("\n");
}

// ---- typed accessors --------------------------------------------------------------------------------

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new UsageError(`--${name} needs a value`);
  return v;
}

export function requireStr(values: Values, name: string, what = "a value"): string {
  const v = str(values, name);
  if (v === undefined || v === "") throw new UsageError(`--${name} is required (${what})`);
  return v;
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

/** A non-negative integer argument, exactly (no Number rounding), within `max`. */
export function parseUint(text: string, what: string, max?: bigint): bigint {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, got "${clip(text)}"`);
  const value = BigInt(text);
  if (max !== undefined && value > max) throw new UsageError(`${what} must be at most ${max}, got ${clip(text)}`);
  return value;
}

const DURATION_UNITS: Record<string, bigint> = { s: 1n, m: 60n, h: 3600n, d: 86_400n, w: 604_800n };

/** `250ms` (or any duration) to milliseconds. */
export function parseDurationMs(text: string, what: string): number {
  const ms = /^(\d+)ms$/.exec(text.trim());
  if (ms) return Number(ms[1]);
  return Number(parseDuration(text, what) * 1000n);
}

/** `90`, `90s`, `15m`, `2h`, `7d`, `1w` (also combined: `1h30m`) to seconds. */
export function parseDuration(text: string, what: string): bigint {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return BigInt(trimmed);
  const re = /(\d+)([smhdw])/gy;
  let total = 0n;
  let consumed = 0;
  for (let m = re.exec(trimmed); m !== null; m = re.exec(trimmed)) {
    total += BigInt(m[1]!) * DURATION_UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new UsageError(`${what} must be a duration like 90s, 15m, 2h or 7d, got "${clip(text)}"`);
  }
  return total;
}

export function clip(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max)}...` : oneLine;
}
