/** The gateway's rules: no HTTP, no SQL (the store does the queries). */
export * from "./masterKeys.js";
export type { Merchant } from "./merchants/types.js";
export { linkMerchant, type LinkMerchantRequest } from "./merchants/linkMerchant.js";
export { getMerchant } from "./merchants/getMerchant.js";
export { signerOf } from "./merchants/signerOf.js";
export { rotateMasterKey } from "./merchants/rotateMasterKey.js";
export * from "./apiKeys/scopes.js";
export { createApiKey, type CreateApiKeyRequest, type CreatedApiKey } from "./apiKeys/createApiKey.js";
export { authenticate } from "./apiKeys/authenticate.js";
export { requireScope } from "./apiKeys/requireScope.js";
export { revokeApiKey, ApiKeyNotFoundError } from "./apiKeys/revokeApiKey.js";
export type { InvoiceRecord, InvoiceRequest, InvoiceStatus } from "./invoices/types.js";
export {
  createInvoiceRecord,
  type CreateInvoiceRecordRequest,
  type CreateInvoiceRecordResult,
} from "./invoices/createInvoiceRecord.js";
export type { InvoiceCompletion } from "./invoices/types.js";
export { nowOf, type GatewayContext } from "./context.js";
export type { ChainView, ChainTokenInfo, ChainPaymentTerms, ChainMerchantStatus } from "./chain/chainView.js";
export { connectChainView, type ConnectChainViewOptions } from "./chain/connectChainView.js";
export { depositAddress, depositRouterAddress, SWEEPER_INIT_CODE } from "./invoices/depositAddress.js";
export {
  createInvoice,
  parseInvoiceAmount,
  DEFAULT_EXPIRES_IN,
  MAX_EXPIRES_IN,
  type CreateInvoiceInput,
  type CreateInvoiceResult,
} from "./invoices/createInvoice.js";
export {
  invoiceView,
  invoicePayloads,
  DEPOSIT_REDEEMS_POINTS,
  type InvoicePayloads,
  type InvoiceView,
} from "./invoices/invoiceView.js";
export {
  getInvoice,
  listInvoices,
  INVOICE_STATUSES,
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  LIST_MAX_SEARCH,
  type InvoicePage,
  type ListInvoicesQuery,
} from "./invoices/readInvoices.js";
export { cancelInvoice, type CancelInvoiceResult, type UnsignedTransaction } from "./invoices/cancelInvoice.js";
export { renderInvoiceQr, QR_FORMS, type QrForm, type QrImage } from "./invoices/renderInvoiceQr.js";
export { eventEnvelope, type EventEnvelope } from "./events/eventEnvelope.js";
export * from "./events/index.js";
export * from "./metrics/index.js";
export * from "./webhooks/index.js";
export * from "./indexer/index.js";
export { listApiKeys, issueApiKey, revokeOwnApiKey, ScopeEscalationError, type ApiKeyInfo } from "./apiKeys/manageApiKeys.js";
export * from "./payments/index.js";
export * from "./keeper/index.js";
export * from "./reports/index.js";
export * from "./checkout/index.js";
