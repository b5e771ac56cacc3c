/**
 * ScanPay SDK: merchant-signed EIP-712 invoices paid by QR code through the PaymentEscrow.
 * Amounts are bigint base units everywhere; decimal strings only through `parseUnitsExact` / `formatUnits`.
 * Every error the SDK throws on purpose is a `ScanPayError` with a stable `code`. See docs/sdk.md.
 */
export { ScanPayError } from "./errors.js";

// Amounts
export { AmountError, type AmountErrorCode } from "./units/errors.js";
export { formatTokenAmount, type TokenDisplay } from "./units/formatTokenAmount.js";
export { formatUnits, type FormatUnitsOptions } from "./units/formatUnits.js";
export { parseUnitsExact, type ParseUnitsOptions } from "./units/parseUnitsExact.js";

// Invoices
export * from "./invoice/types.js";
export * from "./invoice/errors.js";
export { checkInvoiceOnChain, type CheckInvoiceOptions, type OnChainInvoiceCheck } from "./invoice/checkInvoiceOnChain.js";
export { invoiceDigest } from "./invoice/invoiceDigest.js";
export { invoiceDomain, invoiceTypes, type InvoiceDomain } from "./invoice/invoiceDomain.js";
export { normalizeAddress, normalizeInvoice, normalizeLocation } from "./invoice/normalizeInvoice.js";
export { recoverInvoiceSigner } from "./invoice/recoverInvoiceSigner.js";
export { signInvoice, type SignInvoiceOptions } from "./invoice/signInvoice.js";
export { verifyInvoice, type VerifiedInvoice, type VerifyInvoiceOptions } from "./invoice/verifyInvoice.js";

// Chain client
export * from "./chain/errors.js";
export * from "./chain/types.js";
export { INVOICE_STATUSES, MERCHANT_STATUSES, PAYMENT_STATES } from "./chain/contractErrorMessages.js";
export { cancelInvoice } from "./chain/cancelInvoice.js";
export { sendTransaction } from "./chain/sendTransaction.js";
export { checkDeployment } from "./chain/checkDeployment.js";
export { connectScanPay, type ScanPayContracts } from "./chain/connectScanPay.js";
export {
  createInvoice,
  type CreatedInvoice,
  type CreateInvoiceOptions,
  type CreateInvoiceParams,
  type InvoiceQrForm,
} from "./chain/createInvoice.js";
export { decodeRevertData, decodeScanPayError } from "./chain/decodeScanPayError.js";
export {
  findReleasablePayments,
  type FindReleasableOptions,
  type ReleasablePayment,
} from "./chain/findReleasablePayments.js";
export { getMerchant, type MerchantInfo } from "./chain/getMerchant.js";
export { getTokenInfo, type TokenInfo } from "./chain/getTokenInfo.js";
export { inspectInvoiceQr, type InspectInvoiceQrOptions, type InvoiceQrDetails } from "./chain/inspectInvoiceQr.js";
export { invoiceStatus, type HeldPayment, type InvoiceStatusInfo, type InvoiceStatusOptions } from "./chain/invoiceStatus.js";
export {
  nextInvoiceNumber,
  type InvoiceNumberStrategy,
  type NextInvoiceNumberOptions,
} from "./chain/nextInvoiceNumber.js";
export { openDispute } from "./chain/openDispute.js";
export { payInvoice, type PayInvoiceOptions, type PaymentResult } from "./chain/payInvoice.js";
export { paymentId, splitPaymentId } from "./chain/paymentId.js";
export { merchantBalance, withdrawMerchantBalance, type WithdrawMerchantBalanceOptions, type WithdrawMerchantBalanceResult } from "./chain/merchantBalance.js";
export { pointsBalance, type PointsBalance } from "./chain/pointsBalance.js";
export { recoverOwnership, setRecovery } from "./chain/recovery.js";
export { readTokenList } from "./chain/readTokenList.js";
export { reclaimPayment } from "./chain/reclaimPayment.js";
export { readSettledPayment, pointsToClawBackFor, type SettledPaymentFacts } from "./chain/readSettledPayment.js";
export { refundPayment, type RefundOptions, type RefundResult } from "./chain/refundPayment.js";
export {
  refundSettledPayment,
  type RefundSettledOptions,
  type RefundSettledResult,
} from "./chain/refundSettledPayment.js";
export { registerMerchant, type RegisteredMerchant, type RegisterMerchantParams } from "./chain/registerMerchant.js";
export { releasePayments, type ReleaseOptions, type ReleaseResult, type SettledPayment } from "./chain/releasePayments.js";
export {
  KNOWN_DEPLOYMENTS,
  resolveDeployment,
  type Deployment,
  type DeploymentOverrides,
  type KnownDeployment,
} from "./chain/resolveDeployment.js";
export { resolveDispute } from "./chain/resolveDispute.js";
export { updateMerchant, type MerchantChanges } from "./chain/updateMerchant.js";
export { voidInvoices, type VoidInvoicesResult } from "./chain/voidInvoices.js";
export { withdraw, type WithdrawOptions, type WithdrawResult } from "./chain/withdraw.js";
export { withdrawableBalance } from "./chain/withdrawableBalance.js";

// Deposit addresses (the pure part is in `scanpay/qr` too) and gasless EIP-3009 payments
export {
  RECEIVE_WITH_AUTHORIZATION_TYPES,
  type AuthorizationTokenDomain,
  type ReceiveAuthorization,
  type ReceiveAuthorizationMessage,
  type ReceiveAuthorizationTypedData,
} from "./authorization/types.js";
export {
  buildReceiveAuthorization,
  type BuildReceiveAuthorizationOptions,
} from "./authorization/buildReceiveAuthorization.js";
export {
  collectDeposits,
  type CollectDepositsOptions,
  type CollectDepositsResult,
  type DepositState,
  type FailedDeposit,
  type UnderpaidDeposit,
} from "./chain/collectDeposits.js";
export { depositBalances, type DepositBalance, type DepositBalanceQuery } from "./chain/depositBalances.js";
export { payWithAuthorization, type AuthorizationPaymentResult } from "./chain/payWithAuthorization.js";
export { readAuthorizationDomain } from "./chain/readAuthorizationDomain.js";
export { returnDeposit, type ReturnDepositResult } from "./chain/returnDeposit.js";
export { settleDeposit, type SettleDepositOptions } from "./chain/settleDeposit.js";
export {
  settleDeposits,
  type CreditedDeposit,
  type DepositSettlementInput,
  type DepositSettlementResult,
  type PaidDeposit,
} from "./chain/settleDeposits.js";
export {
  signReceiveAuthorization,
  type SignReceiveAuthorizationOptions,
} from "./chain/signReceiveAuthorization.js";

// Watching payments
export { WatchTimeoutError } from "./watch/errors.js";
export { findPayment, type FindPaymentOptions } from "./watch/findPayment.js";
export { parsePaymentLog } from "./watch/parsePaymentLog.js";
export type {
  ConfirmedPayment,
  DepositArrival,
  DepositStatus,
  DepositWatchProvider,
  OpenInvoice,
  PaymentEvent,
  WatchProvider,
} from "./watch/types.js";
export { waitForPayments, type WaitForPaymentsOptions } from "./watch/waitForPayments.js";
export {
  DEFAULT_CONFIRMATIONS,
  watchPayments,
  type PaymentWatcher,
  type WatchPaymentsOptions,
} from "./watch/watchPayments.js";

// QR codec (pure, browser-safe) and QR images (Node: PNG, terminal, image decoding; SVG is browser-safe)
export * from "./qr/index.js";
export * from "./qr/image/index.js";
export * from "./webhooks/index.js";
