import type { ContractErrorArg } from "./errors.js";

type Args = Readonly<Record<string, ContractErrorArg>>;
type Describe = (a: Args) => string;

/** Names of the escrow's `PaymentState` enum, by value (a settled payment keeps no record: "None"). */
export const PAYMENT_STATES = ["None", "Held", "Disputed", "Refunded", "DisputedWhileSuspended"] as const;
/** Names of the escrow's `InvoiceStatus` enum, by value. */
export const INVOICE_STATUSES = [
  "Unpaid",
  "Expired",
  "Held",
  "Disputed",
  "Settled",
  "PartiallyRefunded",
  "Refunded",
  "Cancelled",
  "Voided",
] as const;
/** Names of the registry's `MerchantStatus` enum, by value. */
export const MERCHANT_STATUSES = ["None", "Active", "Suspended"] as const;

const s = (a: Args, key: string): string => String(a[key]);
const enumName = (names: readonly string[], value: ContractErrorArg | undefined): string =>
  typeof value === "bigint" && value < BigInt(names.length) ? (names[Number(value)] ?? String(value)) : String(value);
const time = (value: ContractErrorArg | undefined): string => {
  if (typeof value !== "bigint") return String(value);
  return value * 1000n <= 8_640_000_000_000_000n ? new Date(Number(value) * 1000).toISOString().replace(".000Z", "Z") : String(value);
};
const invoice = (a: Args): string => `invoice ${s(a, "invoiceNumber")} of merchant ${s(a, "merchantId")}`;
const stateWords: Record<string, string> = {
  None: "it is not held (unpaid, or already settled)",
  Held: "it is held",
  Disputed: "it is disputed",
  Refunded: "it was refunded",
  DisputedWhileSuspended: "it is disputed (opened while the merchant was suspended)",
};
const statusWords: Record<string, string> = {
  Unpaid: "it is unpaid",
  Expired: "it expired unpaid",
  Held: "it is still held",
  Disputed: "it is disputed",
  Settled: "it settled",
  PartiallyRefunded: "it is still held, partly refunded",
  Refunded: "it was refunded",
  Cancelled: "it was cancelled",
  Voided: "it was voided",
};
const roles: Record<string, string> = {
  "0x0000000000000000000000000000000000000000000000000000000000000000": "platform admin",
  // keccak256("ARBITER_ROLE"), keccak256("PAUSER_ROLE")
  "0xbb08418a67729a078f87bbc8d02a770929bb68f5bfdf134ae2ead6ed38e2f4ae": "arbiter",
  "0x65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a": "pauser",
};

/**
 * A plain one-line message per custom error of the ScanPay contracts and the OpenZeppelin code they use.
 * Unknown names fall back to `Name(arg, ...)`.
 */
const MESSAGES: Record<string, Describe> = {
  // PaymentEscrow
  PaymentEscrowPaused: () => "payments are paused on the escrow",
  PaymentEscrowNotPaused: () => "the escrow is not paused",
  PaymentEscrowInsufficientGas: (a) =>
    `the transaction ran short of gas before paying out (${s(a, "gasLeft")} left; about 138,000 are needed at each push): ` +
    "retry with a higher gas limit, or let the wallet estimate it",
  PaymentEscrowPackedNotCanonical: () => "the packed invoice is not canonical (a field is flagged present but zero)",
  PaymentEscrowInvoiceExpired: (a) => `the invoice expired at ${time(a.expiry)}`,
  PaymentEscrowInvoiceUsed: (a) => `${invoice(a)} was already paid or cancelled`,
  PaymentEscrowInvoiceVoided: (a) =>
    typeof a.invoiceEpoch === "bigint" && typeof a.merchantEpoch === "bigint" && a.invoiceEpoch > a.merchantEpoch
      ? `the invoice is signed for epoch ${s(a, "invoiceEpoch")}, but the merchant is at epoch ${s(a, "merchantEpoch")}: it can never be paid`
      : `the invoice was voided: it was signed for epoch ${s(a, "invoiceEpoch")}, and the merchant has since moved to ` +
        `epoch ${s(a, "merchantEpoch")} (it voided its invoices or rotated its signer)`,
  PaymentEscrowHoldPeriodTooLong: (a) =>
    `the invoice's refund window of ${s(a, "holdPeriod")} s exceeds the escrow's limit of ${s(a, "maxHoldPeriod")} s`,
  PaymentEscrowInvalidSignature: (a) =>
    `the invoice signature is not from merchant ${s(a, "merchantId")}'s current signer ${s(a, "signer")}`,
  PaymentEscrowMerchantNotActive: (a) => `merchant ${s(a, "merchantId")} is not active (unknown or suspended)`,
  PaymentEscrowWrongPayer: (a) => `only ${s(a, "payer")} may pay this invoice, not ${s(a, "caller")}`,
  PaymentEscrowWrongValue: (a) => `the transaction sent ${s(a, "received")} wei but ${s(a, "expected")} wei is due`,
  PaymentEscrowInexactTransfer: (a) =>
    `token ${s(a, "token")} moved ${s(a, "received")} instead of ${s(a, "expected")} (fee-on-transfer tokens are not supported)`,
  PaymentEscrowTokenNotAllowed: (a) => `token ${s(a, "token")} is not accepted by the escrow`,
  PaymentEscrowUnknownTokenIndex: (a) => `token index ${s(a, "tokenIndex")} is not on the escrow's token list`,
  PaymentEscrowTokenNotContract: (a) => `token ${s(a, "token")} is not a contract`,
  PaymentEscrowZeroAmount: () => "the amount must be greater than zero",
  PaymentEscrowPackedInvoiceTooShort: (a) =>
    `the packed invoice is ${s(a, "length")} bytes, shorter than the ${s(a, "minLength")} it needs`,
  PaymentEscrowPackedVersionUnsupported: (a) => `packed invoice version ${s(a, "version")} is not supported`,
  PaymentEscrowPackedFlagsInvalid: (a) => `the packed invoice has unknown flags ${s(a, "flags")}`,
  PaymentEscrowInvalidState: (a) => {
    const state = enumName(PAYMENT_STATES, a.state);
    return `${invoice(a)} cannot do that now: ${stateWords[state] ?? `its state is ${state}`}`;
  },
  PaymentEscrowNotReleasable: (a) => `${invoice(a)} is held until ${time(a.releaseAt)}`,
  PaymentEscrowMerchantSuspended: (a) => `merchant ${s(a, "merchantId")} is suspended: its held payments stay held and its frozen balance stays frozen`,
  PaymentEscrowRefundTooLarge: (a) => `the refund of ${s(a, "amount")} exceeds the ${s(a, "refundable")} left to refund`,
  PaymentEscrowNotMerchant: (a) => `${s(a, "caller")} is neither the owner nor the signer of merchant ${s(a, "merchantId")}`,
  PaymentEscrowNotPayer: (a) => `only the payer ${s(a, "payer")} may do this, not ${s(a, "caller")}`,
  PaymentEscrowDisputeWindowClosed: (a) => `the refund window closed at ${time(a.releaseAt)}; a dispute can no longer be opened`,
  PaymentEscrowDisputeNotExpired: (a) => `the arbiter has until ${time(a.deadline)} to decide the dispute`,
  PaymentEscrowDisputeExpired: (a) =>
    `the arbiter's deadline passed at ${time(a.deadline)}: the dispute can no longer be resolved (the payer may reclaim)`,
  PaymentEscrowMerchantReinstated: (a) =>
    `merchant ${s(a, "merchantId")} was reinstated: a dispute opened during its suspension can no longer be ` +
    "reclaimed (release settles it to the merchant)",
  PaymentEscrowInvalidRecipient: (a) => `${s(a, "recipient")} (the escrow itself) cannot receive a payout or withdrawal`,
  PaymentEscrowNotSettled: (a) => {
    const status = enumName(INVOICE_STATUSES, a.status);
    return `${invoice(a)} has not settled: ${statusWords[status] ?? `its status is ${status}`}`;
  },
  PaymentEscrowNothingToWithdraw: (a) => `${s(a, "account")} has nothing to withdraw in ${tokenName(a.token)}`,
  PaymentEscrowWithdrawFailed: (a) => `sending ${s(a, "amount")} of ${tokenName(a.token)} to ${s(a, "to")} failed`,
  PaymentEscrowFeeTooHigh: (a) => `a fee of ${s(a, "feeBps")} bps exceeds the cap of ${s(a, "maxFeeBps")} bps`,
  PaymentEscrowZeroAddress: () => "the address must not be zero",
  PaymentEscrowDisputeTimeoutOutOfRange: (a) =>
    `the dispute timeout ${s(a, "disputeTimeout")} s is outside ${s(a, "minTimeout")}..${s(a, "maxTimeout")} s`,
  PaymentEscrowEmptyBatch: () => "no payments were given",
  PaymentEscrowDepositShort: (a) =>
    `the deposit address ${s(a, "deposit")} holds ${s(a, "received")} but the invoice asks for ${s(a, "expected")}: ` +
    "wait for the rest (or return it with returnDeposit once the invoice can no longer be paid)",
  PaymentEscrowNotDepositRouter: (a) => `only the escrow's deposit router may settle a deposit, not ${s(a, "caller")}`,
  // DepositRouter
  DepositRouterNotEscrow: (a) => `only the escrow may sweep a deposit address, not ${s(a, "caller")}`,
  DepositRouterRedeemsPoints: (a) =>
    `the invoice redeems ${s(a, "pointsRedeem")} points: a deposit cannot redeem points (the payer must pay it with pay or payWithAuthorization)`,
  DepositRouterWrongPayer: (a) => `the invoice is bound to ${s(a, "payer")}; ${s(a, "named")} cannot be named as its payer`,
  DepositRouterInvalidPayer: (a) =>
    `the invoice names no payer, so a payer of record must be named (the sender of the deposit), not ${s(a, "payer")}`,
  DepositRouterNotMerchant: (a) =>
    `${s(a, "caller")} is neither the owner nor the signer of merchant ${s(a, "merchantId")} (nor the arbiter): ` +
    "only they may name where an unbound invoice's deposit goes back to",
  DepositRouterInvalidRecipient: (a) => `${s(a, "recipient")} cannot receive a returned deposit (zero, the escrow or the router)`,
  DepositRouterStillPayable: (a) =>
    `${invoice(a)} can still be paid, so its own asset stays at its deposit address (return it once the invoice ` +
    "is paid, cancelled, expired or voided)",
  DepositRouterNothingToReturn: (a) => `the deposit address ${s(a, "deposit")} holds no ${tokenName(a.token)} and no ETH to return`,
  DepositRouterSweepFailed: (a) =>
    `the deposit address ${s(a, "deposit")} could not be swept (its token transfer ran out of gas): retry with more gas`,
  DepositRouterEmptyBatch: () => "no deposits were given",
  // MerchantRegistry
  MerchantRegistryUnknownMerchant: (a) => `merchant ${s(a, "merchantId")} is not registered`,
  MerchantRegistryNotOwner: (a) => `${s(a, "caller")} is not the owner of merchant ${s(a, "merchantId")}`,
  MerchantRegistryNotOwnerOrSigner: (a) => `${s(a, "caller")} is neither the owner nor the signer of merchant ${s(a, "merchantId")}`,
  MerchantRegistryNotPendingOwner: (a) => `${s(a, "caller")} is not the pending owner of merchant ${s(a, "merchantId")}`,
  MerchantRegistryInvalidOwner: () => "the owner address must not be zero",
  MerchantRegistryInvalidPayout: () => "the payout address must not be zero",
  MerchantRegistryInvalidSigner: () => "the signer address must not be zero",
  MerchantRegistryHoldPeriodTooLong: (a) =>
    `a hold period of ${s(a, "holdPeriod")} s exceeds the platform maximum of ${s(a, "maxHoldPeriod")} s`,
  MerchantRegistryMaxHoldPeriodTooLong: (a) => `a maximum hold period of ${s(a, "maxHoldPeriod")} s exceeds the limit of ${s(a, "limit")} s`,
  MerchantRegistryNotRecovery: (a) => `${s(a, "caller")} is not the recovery address of merchant ${s(a, "merchantId")}`,
  MerchantRegistryInvalidNewOwner: () => "the new owner address must not be zero",
  MerchantRegistryNameTooLong: (a) => `the name is ${s(a, "length")} bytes; at most ${s(a, "maxLength")} are allowed`,
  MerchantRegistryStatusUnchanged: (a) =>
    `merchant ${s(a, "merchantId")} is already ${enumName(MERCHANT_STATUSES, a.status).toLowerCase()}`,
  MerchantRegistryIdsExhausted: () => "no more merchant ids are available",
  // LoyaltyPoints
  LoyaltyPointsNotEscrow: (a) => `only the escrow may mint or burn points, not ${s(a, "caller")}`,
  LoyaltyPointsInvalidEscrow: () => "the escrow address must not be zero",
  LoyaltyPointsTransferDisabled: (a) => `merchant ${s(a, "merchantId")}'s points cannot be transferred between customers`,
  LoyaltyPointsNotMerchantOwner: (a) => `${s(a, "caller")} is not the owner of merchant ${s(a, "merchantId")}`,
  LoyaltyPointsInvalidId: (a) => `${s(a, "id")} is not a merchant id`,
  ERC6909InsufficientBalance: (a) =>
    `${s(a, "sender")} has ${s(a, "balance")} points of merchant ${s(a, "id")} but ${s(a, "needed")} are needed`,
  ERC6909InsufficientAllowance: (a) =>
    `${s(a, "spender")} may spend ${s(a, "allowance")} points of merchant ${s(a, "id")} but ${s(a, "needed")} are needed`,
  ERC6909InvalidApprover: (a) => `${s(a, "approver")} cannot approve points`,
  ERC6909InvalidReceiver: (a) => `${s(a, "receiver")} cannot receive points`,
  ERC6909InvalidSender: (a) => `${s(a, "sender")} cannot send points`,
  ERC6909InvalidSpender: (a) => `${s(a, "spender")} cannot be approved for points`,
  // ERC-20 (OpenZeppelin)
  ERC20InsufficientBalance: (a) => `${s(a, "sender")} has ${s(a, "balance")} token units but ${s(a, "needed")} are needed`,
  ERC20InsufficientAllowance: (a) =>
    `the escrow may spend ${s(a, "allowance")} token units but ${s(a, "needed")} are needed (approve first)`,
  ERC20InvalidReceiver: (a) => `${s(a, "receiver")} cannot receive tokens`,
  ERC20InvalidSender: (a) => `${s(a, "sender")} cannot send tokens`,
  ERC20InvalidApprover: (a) => `${s(a, "approver")} cannot approve`,
  ERC20InvalidSpender: (a) => `${s(a, "spender")} cannot be approved`,
  SafeERC20FailedOperation: (a) => `the token ${s(a, "token")} refused the transfer`,
  // Access control (OpenZeppelin)
  AccessControlUnauthorizedAccount: (a) =>
    `${s(a, "account")} lacks the ${roles[s(a, "neededRole")] ?? `role ${s(a, "neededRole")}`} role`,
  AccessControlBadConfirmation: () => "the role renouncement was not confirmed by the account itself",
  AccessControlEnforcedDefaultAdminDelay: (a) => `the admin handover is possible from ${time(a.schedule)}`,
  AccessControlEnforcedDefaultAdminRules: () => "the admin role can only change through the two-step handover",
  AccessControlInvalidDefaultAdmin: (a) => `${s(a, "defaultAdmin")} cannot become the admin`,
  ReentrancyGuardReentrantCall: () => "reentrant call refused",
  Error: (a) => `the transaction reverted: ${s(a, "reason")}`,
  Panic: (a) => `the contract panicked (code ${s(a, "code")})`,
};

function tokenName(token: ContractErrorArg | undefined): string {
  return typeof token === "string" && /^0x0{40}$/.test(token) ? "ETH" : `token ${String(token)}`;
}

/** The plain message for a decoded contract error. */
export function describeContractError(errorName: string, args: Args): string {
  const describe = MESSAGES[errorName];
  if (describe !== undefined) return describe(args);
  const list = Object.values(args).map(String).join(", ");
  return `the contract reverted with ${errorName}(${list})`;
}
