/**
 * Serves the API over HTTP with @hono/node-server. Loopback (127.0.0.1) by default: exposing the gateway to a
 * network is a decision for the operator (behind TLS). `startGateway` serves the API alone; `startGatewayRuntime`
 * (runtime.ts) adds the indexer, webhook sender and keeper.
 */
import type { AddressInfo } from "node:net";

import { serve } from "@hono/node-server";

import { createApp, type ApiContext } from "./api/app.js";

export interface StartGatewayOptions extends ApiContext {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (read it from `url`). */
  port?: number;
}

export interface RunningGateway {
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  /** Stops accepting connections, waits for requests in progress, and closes idle keep-alive connections. */
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { host = "127.0.0.1", port = 0, ...ctx } = options;
  return listen(createApp(ctx), host, port);
}

/** Listens with `app` on host:port. */
export async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, host: string, port: number): Promise<RunningGateway> {
  let server!: ReturnType<typeof serve>;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: app.fetch, hostname: host, port }, resolve);
    server.once("error", reject);
  });
  const hostText = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostText}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      }),
  };
}
