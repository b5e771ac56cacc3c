/**
 * Live status over Server-Sent Events, and the public checkout view of one invoice:
 * - `GET /v1/events/stream` (scope read): every event of the merchant as it happens;
 * - `GET /v1/invoices/{id}/stream` (scope read): one invoice's current status first, then its events;
 * - `GET /v1/public/invoices/{id}` and `/v1/public/invoices/{id}/stream`: no key; only the invoice's status and the
 *   payment facts its QR code already shows, for the customer's checkout page (a browser's EventSource cannot send
 *   an Authorization header, and the customer has no key anyway). The unguessable invoice id is the capability.
 *
 * Every message: `id: <seq>`, `event: <type>`, `data: <JSON>`. The stream opens with `retry: 2000`, sends a comment
 * every 15 s so proxies keep it open, and resumes after `Last-Event-ID` (the browser sends it when it reconnects).
 * All streams of a process share one poller (the event feed).
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { getAddress } from "ethers";

import {
  checkoutStatus,
  getCheckoutInvoice,
  getInvoice,
  openLiveStream,
  parseEventTypes,
  parseSeq,
  startEventFeed,
  EVENTS_MAX_TYPES,
  type EventFeed,
  type LiveMessage,
  type LiveStream,
} from "../../services/index.js";
import type { ApiContext } from "../app.js";
import { requireApiKey, type ApiEnv } from "../auth.js";
import type { ApiLogger } from "../errors.js";
import { API_KEY_SECURITY, errorResponses, InvoiceIdParamSchema, QrPayloadsSchema } from "../schemas.js";
import { qrJson } from "../serialize.js";

/** What the client waits before reconnecting, ms (sent as `retry:`). */
export const STREAM_RETRY_MS = 2000;
export const STREAM_DEFAULT_HEARTBEAT_MS = 15_000;
/**
 * Messages queued for a client that does not read: beyond this the stream is closed (the client reconnects with
 * Last-Event-ID and gets the rest from the log) rather than the server holding an unbounded buffer.
 */
export const STREAM_MAX_QUEUED = 1000;

const feeds = new WeakMap<ApiContext, EventFeed>();

/**
 * The event feed the app's streams share: `ctx.eventFeed`, or one made for this context (it polls only while a
 * stream is open, so it needs no stopping).
 */
export function eventFeedOf(ctx: ApiContext): EventFeed {
  if (ctx.eventFeed !== undefined) return ctx.eventFeed;
  let feed = feeds.get(ctx);
  if (feed === undefined) {
    feed = startEventFeed({ db: ctx.db, ...(ctx.logger === undefined ? {} : { logger: ctx.logger }) });
    feeds.set(ctx, feed);
  }
  return feed;
}

const StreamHeadersSchema = z.object({
  "last-event-id": z.string().max(20).optional().openapi({
    param: { name: "last-event-id", in: "header" },
    description: "Resume: replay the events after this seq (EventSource sends it when it reconnects).",
  }),
});

const MerchantStreamQuerySchema = z.object({
  type: z
    .union([z.string().max(1000), z.array(z.string().max(200)).max(EVENTS_MAX_TYPES)])
    .optional()
    .openapi({ param: { name: "type", in: "query", style: "form", explode: true }, description: "Event types to send (repeat or comma list)." }),
});

export const CheckoutInvoiceSchema = z
  .object({
    id: z.string(),
    status: z.string().openapi({ example: "open" }),
    merchantName: z.string(),
    chainId: z.string(),
    escrow: z.string(),
    token: z.object({ address: z.string(), symbol: z.string().nullable(), decimals: z.number().int().nullable() }),
    amount: z.object({ baseUnits: z.string(), decimal: z.string().nullable() }),
    expiresAt: z.number().int().openapi({ description: "Unix seconds." }),
    qr: QrPayloadsSchema.nullable().openapi({ description: "What the QR code encodes; null unless the invoice is open." }),
    invoiceNumber: z.string().openapi({ description: "The invoice's number with the merchant (a receipt shows it)." }),
    pointsAward: z.number().int().openapi({ description: "Loyalty points the payment earns." }),
    transactionHash: z.string().nullable().openapi({ description: "The paying transaction once the gateway saw it; null before." }),
  })
  .openapi("CheckoutInvoice");

const sseResponse = {
  description: "text/event-stream: `id: <seq>`, `event: <type>`, `data: <JSON>`; a `: heartbeat` comment every 15 s",
  content: { "text/event-stream": { schema: z.string() } },
};

const HEARTBEAT = Symbol("heartbeat");
/** Queued after the last message of a stream that ends on the server's side: written out, then the stream closes. */
const END = Symbol("end");

/**
 * Writes a live stream as SSE: `retry`, then the messages `open` sends, a heartbeat comment every `heartbeatMs`,
 * until the client goes away (or the feed stops, or the client stops reading). Closes the live stream then, so the
 * feed forgets the subscriber.
 */
function serveStream(
  c: Context,
  heartbeatMs: number,
  logger: ApiLogger,
  open: (send: (message: LiveMessage) => void, end: () => void) => Promise<LiveStream>,
): Response {
  c.header("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
  const response = streamSSE(c, async (stream) => {
    const queue: (LiveMessage | typeof HEARTBEAT | typeof END)[] = [];
    let finished = false;
    let wake: (() => void) | undefined;
    const finish = () => {
      finished = true;
      wake?.();
    };
    stream.onAbort(finish);
    const push = (message: LiveMessage | typeof HEARTBEAT | typeof END) => {
      if (finished) return;
      if (queue.length >= STREAM_MAX_QUEUED && message !== END) {
        finish();
        stream.abort(); // also fails a write blocked on a client that does not read
        return;
      }
      queue.push(message);
      wake?.();
    };
    const heartbeat = setInterval(() => push(HEARTBEAT), heartbeatMs);
    let live: LiveStream | undefined;
    try {
      await stream.write(`retry: ${STREAM_RETRY_MS}\n\n`);
      live = await open(push, () => push(END));
      while (!finished) {
        const next = queue.shift();
        if (next === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        } else if (next === END) {
          break;
        } else if (next === HEARTBEAT) {
          await stream.write(": heartbeat\n\n");
        } else {
          await stream.writeSSE(next);
        }
      }
    } catch (error) {
      // Headers are sent: the client sees the stream end and reconnects after `retry`.
      logger.error("gateway: live stream failed", { path: c.req.path, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    } finally {
      clearInterval(heartbeat);
      live?.close();
    }
  });
  // streamSSE sets "no-cache"; no-transform also keeps compressing proxies from buffering the stream.
  response.headers.set("Cache-Control", "no-cache, no-transform");
  return response;
}

const statusMessage = (status: { invoiceId: string; status: string }, id?: string): LiveMessage => ({
  ...(id === undefined ? {} : { id }),
  event: "status",
  data: JSON.stringify(status),
});

export function registerStreamRoutes(app: OpenAPIHono<ApiEnv>, ctx: ApiContext): void {
  const { db } = ctx;
  const heartbeatMs = ctx.streamHeartbeatMs ?? STREAM_DEFAULT_HEARTBEAT_MS;
  const logger: ApiLogger = ctx.logger ?? { error: (message, details) => console.error(message, details) };
  const feed = () => eventFeedOf(ctx);
  const lastEventIdOf = (value: string | undefined) => (value === undefined || value === "" ? undefined : parseSeq("Last-Event-ID", value));

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/events/stream",
      summary: "Live: every event of the merchant as it happens, as Server-Sent Events (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      request: { headers: StreamHeadersSchema, query: MerchantStreamQuerySchema },
      responses: { 200: sseResponse, ...errorResponses(400, 401, 403, 500) },
    }),
    (c) => {
      const { merchantId } = c.get("principal");
      const q = c.req.valid("query");
      const types = parseEventTypes(q.type === undefined ? undefined : Array.isArray(q.type) ? q.type : [q.type]);
      const lastEventId = lastEventIdOf(c.req.valid("header")["last-event-id"]);
      return serveStream(c, heartbeatMs, logger, (send, end) =>
        openLiveStream(
          { db, feed: feed() },
          { merchantId, ...(types === undefined ? {} : { types }), ...(lastEventId === undefined ? {} : { lastEventId }) },
          send,
          end,
        ),
      ) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/invoices/{id}/stream",
      summary: "Live: one invoice's status, then its events, as Server-Sent Events (scope: read)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey(db, "read")] as const,
      request: { params: InvoiceIdParamSchema, headers: StreamHeadersSchema },
      responses: { 200: sseResponse, ...errorResponses(400, 401, 403, 404, 500) },
    }),
    async (c) => {
      const { merchantId } = c.get("principal");
      const { id } = c.req.valid("param");
      const lastEventId = lastEventIdOf(c.req.valid("header")["last-event-id"]);
      await getInvoice(ctx, merchantId, id); // 404 before the stream starts (another merchant's invoice included)
      return serveStream(c, heartbeatMs, logger, (send, end) =>
        openLiveStream(
          { db, feed: feed() },
          {
            merchantId,
            invoiceId: id,
            ...(lastEventId === undefined ? {} : { lastEventId }),
            snapshot: async () => statusMessage({ invoiceId: id, status: (await getInvoice(ctx, merchantId, id)).status }),
          },
          send,
          end,
        ),
      ) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/public/invoices/{id}",
      summary: "Checkout view of an invoice, no key: its status and what its QR code shows (never metadata or order text)",
      request: { params: InvoiceIdParamSchema },
      responses: {
        200: { description: "The checkout view", content: { "application/json": { schema: CheckoutInvoiceSchema } } },
        ...errorResponses(404, 500),
      },
    }),
    async (c) => {
      const v = await getCheckoutInvoice(ctx, c.req.valid("param").id);
      c.header("Access-Control-Allow-Origin", "*"); // public, no credentials: any checkout page may read it
      return c.json(
        {
          id: v.id,
          status: v.status,
          merchantName: v.merchantName,
          chainId: v.chainId.toString(),
          escrow: v.escrow,
          token: { address: getAddress(v.token.address), symbol: v.token.symbol, decimals: v.token.decimals },
          amount: { baseUnits: v.amount.baseUnits.toString(), decimal: v.amount.decimal },
          expiresAt: Number(v.expiresAt),
          qr: qrJson(v.payloads),
          invoiceNumber: v.invoiceNumber.toString(),
          pointsAward: Number(v.pointsAward),
          transactionHash: v.transactionHash,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/public/invoices/{id}/stream",
      summary: "Live checkout status of one invoice, no key: `status` messages only ({ invoiceId, status })",
      request: { params: InvoiceIdParamSchema, headers: StreamHeadersSchema },
      responses: { 200: sseResponse, ...errorResponses(404, 500) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const invoice = await getCheckoutInvoice(ctx, id); // 404 before the stream starts
      c.header("Access-Control-Allow-Origin", "*");
      // No replay: each message is the whole state (the status), so the snapshot is all a reconnecting page needs.
      return serveStream(c, heartbeatMs, logger, (send, end) =>
        openLiveStream(
          { db, feed: feed() },
          {
            merchantId: invoice.merchantId,
            invoiceId: id,
            snapshot: async () => statusMessage(await checkoutStatus(ctx, id)),
            // The event itself (its data) stays private: the message carries the invoice's status after it.
            render: async (event) => statusMessage(await checkoutStatus(ctx, id), event.seq.toString()),
          },
          send,
          end,
        ),
      ) as never;
    },
  );
}
