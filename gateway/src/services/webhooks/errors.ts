/** Errors of the webhook services; each carries its HTTP status, so the API's table needs no edit. */
import { GatewayError } from "../../errors.js";

/**
 * A webhook URL the gateway will not call: not http(s), with credentials, plain http outside development, or a host
 * that is (or resolves to) a loopback, private, link-local or otherwise non-public address.
 */
export class WebhookUrlError extends GatewayError {
  readonly field = "url";
  constructor(message: string) {
    super("WEBHOOK_URL_REFUSED", message, { httpStatus: 400 });
  }
}

/** The merchant already has as many endpoints as the gateway allows. */
export class WebhookEndpointLimitError extends GatewayError {
  constructor(limit: number) {
    super("WEBHOOK_ENDPOINT_LIMIT", `a merchant may have at most ${limit} webhook endpoints`, { httpStatus: 409 });
  }
}

/** Redelivery to an endpoint that is disabled (enable it first: nothing is sent to a disabled endpoint). */
export class WebhookEndpointDisabledError extends GatewayError {
  constructor(id: string) {
    super("WEBHOOK_ENDPOINT_DISABLED", `webhook endpoint ${id} is disabled`, { httpStatus: 409 });
  }
}
