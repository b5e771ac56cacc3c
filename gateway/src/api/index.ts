/** The gateway's REST API. */
export { createApp, API_VERSION, type ApiContext } from "./app.js";
export type { ApiEnv } from "./auth.js";
export type { ApiLogger, ErrorBody } from "./errors.js";
export { MAX_BODY_BYTES } from "./routes/invoices.js";
export { DOCS_CSP } from "./routes/docs.js";
