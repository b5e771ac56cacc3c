/** The hosted checkout's wallet payments: what a customer's wallet should do, and the relay of a one-signature payment. */
export * from "./errors.js";
export { payableInvoice, type PayableInvoice } from "./payableInvoice.js";
export { authorizationDomainOf } from "./authorizationSupport.js";
export {
  planWalletPayment,
  walletTypedData,
  payPackedCall,
  WALLET_FLOWS,
  type WalletCall,
  type WalletFlow,
  type WalletPaymentPlan,
  type WalletTypedData,
} from "./walletPayment.js";
export { relayAuthorization, type AuthorizationSubmission, type RelayedPayment } from "./relayAuthorization.js";
