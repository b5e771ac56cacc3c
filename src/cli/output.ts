/**
 * Output of the CLI: results on stdout (human text or `--json`), progress and prompts on stderr, so that
 * `scanpay ... --json | jq` sees only the result.
 */
import { createInterface } from "node:readline";

import { CliError } from "./errors.js";

export interface Output {
  json: boolean;
  /** Prints a result: `text` for people, `value` as one JSON document with `--json`. */
  result(text: string | string[], value: unknown): void;
  /** A progress line on stderr (never on stdout). */
  progress(text: string): void;
  /** A plain line on stdout (human mode only). */
  line(text?: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(text, value) {
      if (json) process.stdout.write(`${toJson(value)}\n`);
      else process.stdout.write(`${Array.isArray(text) ? text.join("\n") : text}\n`);
    },
    progress(text) {
      process.stderr.write(`${text}\n`);
    },
    line(text = "") {
      if (!json) process.stdout.write(`${text}\n`);
    },
  };
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** `key: value` lines with aligned values. */
export function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`);
}

/** Unix seconds as `2026-11-26 10:15:00 UTC`. */
export function formatTime(seconds: bigint): string {
  const ms = seconds * 1000n;
  if (ms > 8_640_000_000_000_000n) return `${seconds} (unix)`;
  return new Date(Number(ms)).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** Seconds as `2 h 30 min`, `45 s`, `7 days`. */
export function formatDuration(seconds: bigint): string {
  const s = seconds < 0n ? -seconds : seconds;
  if (s === 0n) return "0 s";
  const parts: string[] = [];
  const days = s / 86_400n;
  const hours = (s % 86_400n) / 3600n;
  const minutes = (s % 3600n) / 60n;
  const secs = s % 60n;
  if (days > 0n) parts.push(`${days} day${days === 1n ? "" : "s"}`);
  if (hours > 0n) parts.push(`${hours} h`);
  if (minutes > 0n && days === 0n) parts.push(`${minutes} min`);
  if (secs > 0n && days === 0n && hours === 0n) parts.push(`${secs} s`);
  return parts.join(" ");
}

/**
 * Asks a yes/no question on stderr and reads the answer from stdin (a terminal or a pipe).
 * Resolves false on anything but y/yes; throws if stdin ends without an answer.
 */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      rl.once("close", () => {
        process.stderr.write("\n");
        reject(new CliError("no answer on stdin: pass --yes to pay without asking", "NOT_CONFIRMED"));
      });
      rl.question(`${question} [y/N] `, (answer) => {
        // A piped answer is not echoed: end the prompt's line ourselves.
        if (process.stdin.isTTY !== true) process.stderr.write(`${answer}\n`);
        resolve(answer);
      });
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.removeAllListeners("close");
    rl.close();
  }
}
