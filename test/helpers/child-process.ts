/** Helpers for tests that start a `hardhat node` (or another server) as a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Resolves once `child` printed `text` on stdout; rejects if it exits first or after `timeoutMs`. */
export function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.removeListener("data", onData);
      child.removeListener("exit", onExit);
      // Keep draining the pipes so the node never blocks on a full buffer.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) done();
    };
    const onExit = (code: number | null) => done(new Error(`hardhat node exited (${code}) before it was ready:\n${output}`));
    const timer = setTimeout(() => done(new Error(`hardhat node not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", onExit);
  });
}

/** A `hardhat node` started by a test on a free port. */
export interface HardhatNode {
  url: string;
  /** Stops the node: SIGTERM, then SIGKILL after 3 s; safe to call twice. */
  stop(): Promise<void>;
}

/** What chain a `hardhat node` simulates; by default Hardhat's own (chain id 31337, chain type l1). */
export interface NodeChain {
  chainId?: number;
  chainType?: "l1" | "op";
}

/**
 * Starts `hardhat node` from `repoRoot` (with the Node that runs the tests) on a free port of 127.0.0.1 and waits
 * until it listens. The node is killed when the test process exits, even if `stop` is never reached.
 */
export async function startHardhatNode(repoRoot: string, timeoutMs: number, chain: NodeChain = {}): Promise<HardhatNode> {
  const port = await freePort();
  const chainArgs = [
    ...(chain.chainId === undefined ? [] : ["--chain-id", String(chain.chainId)]),
    ...(chain.chainType === undefined ? [] : ["--chain-type", chain.chainType]),
  ];
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "node_modules/.bin/hardhat"), "node", "--hostname", "127.0.0.1", "--port", String(port), ...chainArgs],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  try {
    await waitForOutput(child, "Started HTTP and WebSocket JSON-RPC server", timeoutMs);
  } catch (error) {
    // A node that never got ready must not outlive the test: its pipes would keep the test process from exiting.
    kill();
    process.removeListener("exit", kill);
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(kill, 3_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener("exit", kill);
    },
  };
}

/** How a command run by `runCommand` ended. */
export interface CommandResult {
  /** Exit code; null when the command was killed (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
  /** True when the command was killed for running longer than `timeoutMs`. */
  timedOut: boolean;
  durationMs: number;
}

/**
 * Runs `command args` in `cwd` with no terminal (stdin is /dev/null, stdout and stderr are pipes), the way CI runs
 * it, without the HARDHAT_* variables of the test process. The Node that runs the tests comes first on PATH, so `npx`/`npm` find Node 22. The command is killed after
 * `timeoutMs` (and when the test process exits); the promise always resolves.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  const started = Date.now();
  // `hardhat test` exports its global options as HARDHAT_* variables (HARDHAT_CONFIG, HARDHAT_NETWORK,
  // HARDHAT_COVERAGE, ...): a child must not inherit them, or it would load this project's config, or build with
  // coverage, instead of doing what its command line says.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("HARDHAT_") && name !== "HH_TEST"),
  );
  const env: NodeJS.ProcessEnv = { ...inherited, ...options.env };
  env.PATH = [path.dirname(process.execPath), env.PATH].filter(Boolean).join(path.delimiter);
  // `detached` gives the command its own process group, so a timeout kills npx/npm and the node under them.
  const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killGroup);
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      process.removeListener("exit", killGroup);
      resolve({ code, signal, output, timedOut, durationMs: Date.now() - started });
    };
    child.once("error", (error) => {
      output += String(error);
      finish(null, null);
    });
    child.once("close", finish);
  });
}
