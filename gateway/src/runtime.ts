/**
 * The whole gateway in one process: the HTTP API, the event feed its live streams share, the chain indexer, the
 * webhook sender and the deposit keeper, started together and stopped in the order that loses nothing (streams
 * end first so the HTTP server can close, then the loops finish what they are doing). Any number of these may run
 * against one PostgreSQL database: the indexer leads on one instance at a time (advisory lock), webhook deliveries
 * are claimed with SKIP LOCKED, invoice numbers come from a row-locked counter, and the deposit keeper runs on one
 * instance at a time (its own advisory lock).
 */
import type { Provider } from "ethers";

import { createApp, type ApiContext } from "./api/app.js";
import { listen, type RunningGateway } from "./server.js";
import { startEventFeed, type EventFeed } from "./services/events/eventFeed.js";
import { startIndexer, type IndexerHandle, type StartIndexerOptions } from "./services/indexer/index.js";
import { startDepositKeeper, type DepositKeeper, type DepositKeeperOptions } from "./services/keeper/index.js";
import { startWebhookSender, type WebhookSender, type WebhookSenderOptions } from "./services/webhooks/startWebhookSender.js";

export interface GatewayRuntimeOptions extends Omit<ApiContext, "eventFeed" | "indexerStats" | "provider"> {
  /** The network's RPC provider (the indexer reads it, the keeper and refund sends use it). */
  provider: Provider;
  /** The escrow's deployment block: where the indexer starts on a new database. */
  fromBlock?: bigint;
  /** PostgreSQL URL when the database is PostgreSQL: the indexer's leader lock takes its own connection. */
  databaseUrl?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Indexer settings (confirmations, poll interval, reorg window...), or false to run none on this instance. */
  indexer?: false | Pick<StartIndexerOptions, "confirmations" | "pollIntervalMs" | "maxBlockRange" | "reorgWindow" | "backoff" | "leaderLock">;
  /** Webhook sender settings, or false. `allowPrivateUrls` comes from `webhooks` (the API's settings). */
  webhookSender?: false | Pick<WebhookSenderOptions, "intervalMs" | "concurrency" | "timeoutMs">;
  /** Deposit keeper settings, or false (default false: settling costs the merchants' signer keys gas). */
  keeper?: false | Pick<DepositKeeperOptions, "intervalMs" | "maxBackoffMs" | "lookbackSeconds" | "statuses">;
  /** Event feed poll interval, ms (default 500). The indexer on this instance also wakes it after each step. */
  feedIntervalMs?: number;
}

export interface GatewayRuntime extends RunningGateway {
  feed: EventFeed;
  indexer: IndexerHandle | undefined;
  webhookSender: WebhookSender | undefined;
  keeper: DepositKeeper | undefined;
}

/** Starts everything (see the module comment). `close()` stops it all; the database stays open (the caller's). */
export async function startGatewayRuntime(options: GatewayRuntimeOptions): Promise<GatewayRuntime> {
  const { provider, fromBlock, databaseUrl, host, port, indexer: indexerOptions, webhookSender: senderOptions, keeper: keeperOptions, feedIntervalMs, ...api } = options;
  const logger = api.logger ?? { error: (message: string, details: Record<string, unknown>) => console.error(message, details) };
  const loopLogger = { ...logger, warn: (message: string, details: Record<string, unknown>) => console.warn(message, details) };
  const feed = startEventFeed({ db: api.db, ...(feedIntervalMs === undefined ? {} : { intervalMs: feedIntervalMs }), logger });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.error("gateway: stopping a loop failed", { error }));
    stops.length = 0;
  };
  try {
    let indexer: IndexerHandle | undefined;
    let webhookSender: WebhookSender | undefined;
    if (indexerOptions !== false) {
      indexer = startIndexer({
        db: api.db,
        provider,
        escrow: api.chain.location.escrow,
        chainId: api.chain.location.chainId,
        ...(fromBlock === undefined ? {} : { fromBlock }),
        ...(databaseUrl === undefined ? {} : { databaseUrl }),
        ...indexerOptions,
        // After a step's commit: live streams and the webhook sender of this instance act on it at once.
        onStep: () => {
          feed.notify();
          webhookSender?.wake();
        },
        logger: loopLogger,
      });
      stops.push(() => indexer!.stop());
    }
    if (senderOptions !== false) {
      webhookSender = startWebhookSender({
        db: api.db,
        keyring: api.keyring,
        allowPrivateUrls: api.webhooks?.allowPrivateUrls ?? false,
        ...senderOptions,
        logger: loopLogger,
      });
      stops.push(() => webhookSender!.stop());
    }
    let keeper: DepositKeeper | undefined;
    if (keeperOptions !== undefined && keeperOptions !== false) {
      keeper = startDepositKeeper({
        db: api.db,
        keyring: api.keyring,
        provider,
        escrow: api.chain.location.escrow,
        // With an indexer on this database (here or on the leader instance), it marks deposits `seen`.
        ...(indexerOptions === false ? {} : { statuses: ["seen"] as const }),
        ...(databaseUrl === undefined ? {} : { databaseUrl }),
        ...keeperOptions,
        logger: loopLogger,
      });
      stops.push(() => keeper!.stop());
    }
    const app = createApp({
      ...api,
      provider,
      eventFeed: feed,
      ...(indexer === undefined || indexerOptions === false
        ? {}
        : { indexerStats: () => indexer.stats(), confirmations: indexerOptions?.confirmations ?? 0 }),
    });
    const http = await listen(app, host ?? "127.0.0.1", port ?? 0);
    let closed: Promise<void> | undefined;
    return {
      url: http.url,
      feed,
      indexer,
      webhookSender,
      keeper,
      close: () =>
        (closed ??= (async () => {
          feed.stop(); // ends every live stream, so the server's open connections can finish
          await http.close();
          await stopAll();
        })()),
    };
  } catch (error) {
    feed.stop();
    await stopAll();
    throw error;
  }
}
