/**
 * A webhook receiver for tests (not a test file): node:http on 127.0.0.1 and a free port, recording every request
 * (headers and raw body) and answering with what `respond` says (default 200). `down()` closes the listener so
 * connections are refused, `up()` listens again on the same port.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  /** Path and query the request was sent to. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Status (and optionally a redirect target) for each request (numbered from 0); default 200. */
  respond: (request: ReceivedWebhook, index: number) => number | { status: number; location: string } | Promise<number>;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
}

export async function startWebhookReceiver(path = "/hook"): Promise<WebhookReceiver> {
  let server: http.Server | undefined;
  let port = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver: WebhookReceiver = {
    url: "",
    port: 0,
    received: [],
    respond: () => 200,
    async down() {
      const s = server;
      server = undefined;
      if (s === undefined) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    async up() {
      if (server !== undefined) return;
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const request = { url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
          const index = receiver.received.length;
          receiver.received.push(request);
          for (const w of [...waiters]) {
            if (receiver.received.length >= w.count) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve();
            }
          }
          void Promise.resolve(receiver.respond(request, index)).then((answer) => {
            const { status, location } = typeof answer === "number" ? { status: answer, location: undefined } : answer;
            res.writeHead(status, { "content-type": "text/plain", connection: "close", ...(location === undefined ? {} : { location }) });
            res.end("ok");
          });
        });
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => resolve());
      });
      port = (s.address() as AddressInfo).port;
      receiver.port = port;
      receiver.url = `http://127.0.0.1:${port}${path}`;
      server = s;
    },
    close() {
      return receiver.down();
    },
    waitFor(count, timeoutMs = 10_000) {
      if (receiver.received.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver got ${receiver.received.length} of ${count} requests`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
  await receiver.up();
  return receiver;
}
