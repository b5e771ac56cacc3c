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
