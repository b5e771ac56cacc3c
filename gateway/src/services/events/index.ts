/** Events: the list API, the live feed and streams, the public checkout view. (eventEnvelope is exported apart.) */
export {
  listMerchantEvents,
  listInvoiceEvents,
  requireOwnInvoice,
  parseSeq,
  parseEventTypes,
  EVENTS_DEFAULT_LIMIT,
  EVENTS_MAX_LIMIT,
  EVENTS_MAX_TYPES,
  type EventPage,
  type ListEventsRequest,
} from "./listEvents.js";
export {
  startEventFeed,
  EVENT_FEED_DEFAULT_INTERVAL_MS,
  type EventFeed,
  type EventFeedLogger,
  type EventFeedOptions,
  type EventFilter,
  type EventListener,
  type EventSubscription,
} from "./eventFeed.js";
export { openLiveStream, envelopeMessage, LIVE_REPLAY_MAX, type LiveMessage, type LiveStream, type LiveStreamRequest } from "./openLiveStream.js";
export { getCheckoutInvoice, checkoutStatus, type CheckoutInvoice } from "./checkoutInvoice.js";
