/**
 * A `hardhat node` child process on 127.0.0.1 and a free port, for the local demo of `scanpay serve`. Needs a
 * checkout of the repository (Hardhat is a dev dependency). The node gets its own process group, so a Ctrl+C in the
 * terminal reaches only `scanpay serve`, which then stops the node itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

import { ServeError } from "../errors.js";

export interface LocalChain {
  url: string;
  /** Rejects when the node exits without being asked to (never resolves otherwise). */
  readonly died: Promise<never>;
  /** SIGTERM, then SIGKILL after 3 s; safe to call twice. */
  stop(): Promise<void>;
}

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export function hardhatBin(repoRoot: string): string {
  return path.join(repoRoot, "node_modules", ".bin", "hardhat");
}

/**
 * The Node that runs Hardhat: the repository's own (the `node` dev dependency, Node 22) when it is installed, else
 * the one running this process (`npx` puts the project's first on PATH anyway).
 */
export function nodeForHardhat(repoRoot: string): string {
  const own = path.join(repoRoot, "node_modules", "node", "bin", "node");
  return existsSync(own) ? own : process.execPath;
}

export function hasHardhat(repoRoot: string): boolean {
  return existsSync(hardhatBin(repoRoot)) && existsSync(path.join(repoRoot, "hardhat.config.ts"));
}

const READY = "Started HTTP and WebSocket JSON-RPC server";

export async function startLocalChain(repoRoot: string, timeoutMs = 180_000): Promise<LocalChain> {
  const port = await freePort();
  // Without the HARDHAT_* variables of a parent `hardhat` run (config, network, coverage).
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("HARDHAT_")));
  const child: ChildProcess = spawn(
    nodeForHardhat(repoRoot),
    [hardhatBin(repoRoot), "node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let stopping = false;
  const killNow = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killNow);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const lastLines = () => tail.trim().split("\n").slice(-5).join(" | ");

  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(READY)) finish();
    };
    const timer = setTimeout(() => finish(new ServeError("CHAIN_START_FAILED", `the local chain (hardhat node) was not ready after ${timeoutMs / 1000} s: ${lastLines()}`)), timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stdout!.removeListener("data", onData);
      if (error) {
        killNow();
        reject(error);
      } else resolve();
    };
    child.stdout!.on("data", onData);
    void exited.then(({ code }) => finish(new ServeError("CHAIN_START_FAILED", `the local chain (hardhat node) exited (code ${code}) before it was ready: ${lastLines()}`)));
    child.once("error", (error) => finish(new ServeError("CHAIN_START_FAILED", `could not start hardhat node: ${error.message}`)));
  });

  const died = exited.then(({ code, signal }): never => {
    throw new ServeError(
      "CHAIN_DIED",
      `the local chain (hardhat node) stopped unexpectedly (${signal ?? `exit code ${code}`})` +
        (signal === null ? `: ${lastLines()}` : ""),
    );
  });
  // Only a rejection nobody awaits would be reported as unhandled; stop() makes `died` irrelevant.
  died.catch(() => undefined);

  return {
    url: `http://127.0.0.1:${port}`,
    get died() {
      return stopping ? new Promise<never>(() => undefined) : died;
    },
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(killNow, 3_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener("exit", killNow);
    },
  };
}
