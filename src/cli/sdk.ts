/**
 * The CLI's adapter over the SDK: everything the commands take from `src/` comes through here, and only from
 * the SDK's public entry point (src/index.ts), so that a change of an SDK signature touches one file.
 */
import { decodeScanPayError, ScanPayContractError, UnexpectedError } from "../index.js";

export {
  sendTransaction,
  checkDeployment,
  checkInvoiceOnChain,
  collectDeposits,
  type CollectDepositsResult,
  connectScanPay,
  depositAddress,
  depositBalances,
  depositTransferRequest,
  paymentCaption,
  returnDeposit,
  type ConfirmedPayment,
  createInvoice,
  decodePaymentQr,
  decodeQrImage,
  type Deployment,
  type DeploymentOverrides,
  findPayment,
  findReleasablePayments,
  formatUnits,
  getMerchant,
  InsufficientBalanceError,
  inspectInvoiceQr,
  invoiceStatus,
  InvoiceEscrowError,
  type InvoiceQrPayload,
  InvoiceSignerNotCurrentError,
  InvoiceWrongChainError,
  type MerchantInfo,
  MERCHANT_STATUSES,
  merchantBalance,
  PaymentNotReleasableError,
  recoverOwnership,
  setRecovery,
  voidInvoices,
  withdrawMerchantBalance,
  parseUnitsExact,
  payInvoice,
  type PaymentQr,
  pointsBalance,
  QrError,
  qrVersion,
  fromPackedInvoice,
  refundPayment,
  registerMerchant,
  releasePayments,
  renderPng,
  renderSvg,
  renderTerminal,
  resolveDeployment,
  type ScanPayContracts,
  type TransferRequest,
  type TxOptions,
  type TxResult,
  updateMerchant,
  watchPayments,
  withdraw,
} from "../index.js";

/**
 * A one-line message for a failure the SDK recognises (contract custom error, insufficient funds, rejected
 * request, RPC failure), or undefined when it is something unforeseen.
 */
export function describeContractError(error: unknown): { code: string; message: string } | undefined {
  const decoded = decodeScanPayError(error);
  if (decoded instanceof UnexpectedError) return undefined;
  if (decoded instanceof ScanPayContractError) {
    return { code: decoded.errorName === "" ? decoded.code : decoded.errorName, message: decoded.message };
  }
  return { code: decoded.code, message: decoded.message };
}

