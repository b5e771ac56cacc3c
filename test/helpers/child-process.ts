/** Helpers for tests that start a `hardhat node` (or another server) as a child process. */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

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
