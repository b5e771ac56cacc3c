/**
 * Serves the API over HTTP with @hono/node-server. Loopback (127.0.0.1) by default: exposing the gateway to a
 * network is a decision for the operator (behind TLS).
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
  /** Stops accepting connections and waits for open ones to finish. */
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { host = "127.0.0.1", port = 0, ...ctx } = options;
  const app = createApp(ctx);
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
