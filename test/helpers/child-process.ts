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

/**
 * Starts `hardhat node` from `repoRoot` (with the Node that runs the tests) on a free port and waits until it
 * listens. The node is killed when the test process exits, even if `stop` is never reached.
 */
export async function startHardhatNode(repoRoot: string, timeoutMs: number): Promise<HardhatNode> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "node_modules/.bin/hardhat"), "node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  await waitForOutput(child, "Started HTTP and WebSocket JSON-RPC server", timeoutMs);
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
