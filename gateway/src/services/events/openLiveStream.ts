/**
 * A live status stream's messages, transport aside (the route writes them as Server-Sent Events): an optional
 * snapshot of the invoice's status first (so a page renders at once), then the events after `lastEventId` from the
 * log (a reconnecting client misses nothing), then every new event as the shared feed delivers it.
 *
 * Ordering without gaps or repeats: the stream subscribes to the feed BEFORE it reads the database (the snapshot
 * and the replay), buffering what the feed delivers meanwhile; anything committed after the subscription comes
 * from the feed, anything before it from the read, and an event both saw is sent once.
 */
import { listEvents, type StoredEvent } from "../../store/index.js";
import type { GatewayContext } from "../context.js";
import { eventEnvelope } from "./eventEnvelope.js";
import type { EventFeed } from "./eventFeed.js";

/** One message: `id` (an event's seq; absent on a snapshot), `event` (the type), `data` (JSON text). */
export interface LiveMessage {
  id?: string;
  event: string;
  data: string;
}

export interface LiveStreamRequest {
  merchantId: string;
  /** One invoice's events only. */
  invoiceId?: string;
  /** Only these event types (a status snapshot is sent regardless). */
  types?: readonly string[];
  /** Replay the events after this seq first (the client's `Last-Event-ID`). */
  lastEventId?: bigint;
  /** The snapshot to send first, e.g. `{ invoiceId, status }` as event `status`. */
  snapshot?: () => Promise<LiveMessage>;
  /**
   * How an event is sent; default its envelope (`event: <type>`, `data: <envelope JSON>`). Async so a view can read
   * the database (the public checkout stream sends the invoice's status instead); calls are made one at a time, in
   * the order the events arrive.
   */
  render?: (event: StoredEvent) => Promise<LiveMessage | undefined>;
  /**
   * Most events one connection replays (default 500). When more were missed, the stream sends that many and ends;
   * the client reconnects with the last id and gets the next ones (or pages through GET /v1/events), so a long
   * outage is caught up in bounded steps rather than by queueing it all in memory.
   */
  replayMax?: number;
}

export interface LiveStream {
  /** Unsubscribes from the feed; idempotent. */
  close(): void;
}

/** Replay reads this many events per query. */
const REPLAY_PAGE = 100;
export const LIVE_REPLAY_MAX = 500;

/** The envelope of `event` as a message. */
export function envelopeMessage(event: StoredEvent): LiveMessage {
  return { id: event.seq.toString(), event: event.type, data: JSON.stringify(eventEnvelope(event)) };
}

/**
 * Opens a stream: calls `send` for each message in order, and `end` when the stream should close after what was sent
 * (the feed stopped, or the replay hit `replayMax`). Resolves once the snapshot and the replay were handed to
 * `send`; rejects (unsubscribed) if reading them failed.
 */
export async function openLiveStream(
  ctx: Pick<GatewayContext, "db"> & { feed: EventFeed },
  request: LiveStreamRequest,
  send: (message: LiveMessage) => void,
  end: () => void,
): Promise<LiveStream> {
  const types = request.types === undefined || request.types.length === 0 ? undefined : new Set(request.types);
  const render = request.render ?? (async (event: StoredEvent) => envelopeMessage(event));
  let closed = false;
  let buffering = true;
  const buffered: StoredEvent[] = [];
  // Renders run one after another so messages keep the feed's order even when a render reads the database.
  let chain: Promise<void> = Promise.resolve();
  const emit = (event: StoredEvent) => {
    chain = chain
      .then(async () => {
        if (closed) return;
        const message = await render(event);
        if (message !== undefined && !closed) send(message);
      })
      .catch(() => {
        // A render that cannot read the database drops this one message; the next event carries the newer state.
      });
  };

  const subscription = await ctx.feed.subscribe(
    { merchantId: request.merchantId, ...(request.invoiceId === undefined ? {} : { invoiceId: request.invoiceId }) },
    (event) => {
      if (closed || (types !== undefined && !types.has(event.type))) return;
      if (buffering) buffered.push(event);
      else emit(event);
    },
    () => {
      closed = true;
      end();
    },
  );
  const stream: LiveStream = {
    close() {
      closed = true;
      subscription.unsubscribe();
    },
  };
  try {
    if (request.snapshot !== undefined) {
      const snapshot = await request.snapshot();
      if (!closed) send(snapshot);
    }
    const replayed = new Set<bigint>();
    const replayMax = request.replayMax ?? LIVE_REPLAY_MAX;
    let truncated = false;
    if (request.lastEventId !== undefined) {
      let after = request.lastEventId;
      while (!closed) {
        const want = Math.min(REPLAY_PAGE, replayMax - replayed.size);
        const page = await listEvents(ctx.db, {
          merchantId: request.merchantId,
          ...(request.invoiceId === undefined ? {} : { invoiceId: request.invoiceId }),
          ...(types === undefined ? {} : { types: [...types] }),
          afterSeq: after,
          limit: want + 1,
        });
        for (const event of page.slice(0, want)) {
          replayed.add(event.seq);
          emit(event);
        }
        const last = page[want - 1];
        if (page.length <= want || last === undefined) break;
        if (replayed.size >= replayMax) {
          truncated = true;
          break;
        }
        after = last.seq;
      }
    }
    if (truncated) {
      // More was missed than one connection replays: send this much, then end so the client resumes from here.
      await chain;
      stream.close();
      end();
      return stream;
    }
    buffering = false;
    for (const event of buffered.splice(0)) if (!replayed.has(event.seq)) emit(event);
    await chain;
  } catch (error) {
    stream.close();
    throw error;
  }
  return stream;
}
