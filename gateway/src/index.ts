/** @scanpay/gateway: storage, services, REST API and server of the merchant gateway (docs/gateway.md). */
export * from "./errors.js";
export * from "./store/index.js";
export * from "./services/index.js";
export * from "./api/index.js";
export { startGateway, type RunningGateway, type StartGatewayOptions } from "./server.js";
