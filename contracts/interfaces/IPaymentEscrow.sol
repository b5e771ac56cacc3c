// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IPaymentEscrow
/// @notice Pays merchant-signed EIP-712 invoices in ETH or allowlisted ERC-20 tokens, exactly once, holds the
/// funds through the merchant's refund window, handles refunds and disputes, splits the platform fee and awards
/// loyalty points on settlement. A push that fails becomes a balance claimed with `withdraw`.
/// @dev A payment is identified by (merchantId, invoiceNumber); `paymentId = merchantId << 64 | invoiceNumber`.
interface IPaymentEscrow {
    /// @notice A merchant-signed request for payment (EIP-712 type `Invoice`, see docs/invoice.md).
    /// @param merchantId Registry id of the merchant being paid.
    /// @param invoiceNumber Chosen by the merchant, unique per merchant; replay guard.
    /// @param token Zero for ETH, otherwise an allowlisted ERC-20.
    /// @param amount Exact amount in base units (wei, or the token's smallest unit) the payer sends.
    /// @param expiry Last second (unix time) at which the invoice can be paid.
    /// @param payer Only this account may pay; zero lets anyone pay.
    /// @param pointsAward Loyalty points the payer earns when the payment settles.
    /// @param pointsRedeem Loyalty points burned from the payer as a discount already reflected in `amount`.
    /// @param orderRef Merchant's order reference (e.g. a hash of the basket); zero if unused.
    /// @param holdPeriod The refund window the payer is shown, in seconds: the payment is held for the longer of
    /// this and the merchant's hold period at payment time, so no change of settings can shorten it. At most
    /// `MAX_HOLD_PERIOD`.
    /// @param epoch The merchant's invoice epoch it was signed for; only the current epoch can be paid.
    struct Invoice {
        uint32 merchantId;
        uint64 invoiceNumber;
        address token;
        uint96 amount;
        uint40 expiry;
        address payer;
        uint32 pointsAward;
        uint32 pointsRedeem;
        bytes32 orderRef;
        uint32 holdPeriod;
        uint32 epoch;
    }

    /// @notice State of a payment record. Records exist only for held payments: a payment that settles (at once,
    /// on release or by a dispute split) leaves no record, and its used invoice bit then means "settled".
    /// `DisputedWhileSuspended`: disputed after its refund window ended, which only a suspended merchant allows;
    /// if the arbiter lets the deadline pass, the payer reclaims only while the merchant is still suspended, and
    /// once it is reinstated `release` settles it to the merchant.
    enum PaymentState {
        None,
        Held,
        Disputed,
        Refunded,
        DisputedWhileSuspended
    }

    /// @notice Status of an invoice number, as `invoiceStatus` reports it. `PartiallyRefunded`: still held, part
    /// of it refunded. `Settled`: paid to the merchant (a settled payment may later get a merchant-funded refund,
    /// which only events record).
    enum InvoiceStatus {
        Unpaid,
        Expired,
        Held,
        Disputed,
        Settled,
        PartiallyRefunded,
        Refunded,
        Cancelled,
        Voided
    }

    /// @notice A held payment. Two storage slots.
    /// @param payer Who paid; receives refunds.
    /// @param releaseAt When the payment can be released; while disputed, the dispute deadline instead.
    /// @param state Current state.
    /// @param tokenIndex Index of the token in the allowlist (0 = ETH).
    /// @param pointsRedeem Points burned at payment; minted back on a full refund.
    /// @param amount Amount paid.
    /// @param refunded Amount refunded so far.
    /// @param pointsAward Points to award on settlement, in proportion to what is not refunded.
    /// @param feeBps Platform fee in basis points, fixed when the payment was made.
    struct Payment {
        address payer;
        uint40 releaseAt;
        PaymentState state;
        uint16 tokenIndex;
        uint32 pointsRedeem;
        uint96 amount;
        uint96 refunded;
        uint32 pointsAward;
        uint16 feeBps;
    }

    /// @notice An EIP-3009 `ReceiveWithAuthorization` signed by `from` for the token of an invoice: `to` is this
    /// escrow, `value` the invoice amount and `nonce` the invoice's EIP-712 digest (so it pays that invoice and
    /// nothing else). See `payWithAuthorization`.
    struct ReceiveAuthorization {
        address from;
        uint256 validAfter;
        uint256 validBefore;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice Emitted when an invoice was paid. `releaseAt` equals the block time when it settled at once.
    event InvoicePaid(
        uint32 indexed merchantId,
        uint64 indexed invoiceNumber,
        address indexed payer,
        address token,
        uint256 amount,
        uint256 releaseAt
    );
    /// @notice Emitted when a payment settled: `merchantAmount` to the merchant, `fee` to the treasury, points awarded.
    event PaymentSettled(
        uint32 indexed merchantId,
        uint64 indexed invoiceNumber,
        uint256 merchantAmount,
        uint256 fee,
        uint256 pointsAwarded
    );
    /// @notice Emitted when a held payment was refunded in part or in whole.
    event PaymentRefunded(uint32 indexed merchantId, uint64 indexed invoiceNumber, uint256 amount, uint256 totalRefunded);
    /// @notice Emitted when a merchant refunded a settled payment with its own funds, restoring the points the
    /// payer redeemed on it and clawing back the points it earned (what the payer no longer holds became a points
    /// debt, see `ILoyaltyPoints.clawBack`).
    event SettledPaymentRefunded(
        uint32 indexed merchantId,
        uint64 indexed invoiceNumber,
        address indexed payer,
        address token,
        uint256 amount,
        uint256 pointsRestored,
        uint256 pointsClawedBack
    );
    /// @notice Emitted when the payer opened a dispute; the arbiter must decide before `deadline`.
    event DisputeOpened(uint32 indexed merchantId, uint64 indexed invoiceNumber, uint256 deadline);
    /// @notice Emitted when the arbiter resolved a dispute by refunding `refundAmount` and settling the rest.
    event DisputeResolved(uint32 indexed merchantId, uint64 indexed invoiceNumber, address indexed arbiter, uint256 refundAmount);
    /// @notice Emitted when the merchant cancelled an unpaid invoice number.
    event InvoiceCancelled(uint32 indexed merchantId, uint64 indexed invoiceNumber);
    /// @notice Emitted when a dispute was resolved while the merchant was suspended: its share was credited to the
    /// merchant's frozen balance instead of its payout address (a suspension may mean the owner key leaked).
    event MerchantBalanceCredited(uint32 indexed merchantId, address indexed token, uint256 amount);
    /// @notice Emitted when the merchant's owner withdrew its frozen balance.
    event MerchantBalanceWithdrawn(uint32 indexed merchantId, address indexed token, address indexed to, uint256 amount);
    /// @notice Emitted when a push failed and the amount was credited to `account`'s withdrawable balance.
    event BalanceCredited(address indexed account, address indexed token, uint256 amount);
    /// @notice Emitted when `account` withdrew its balance to `to`.
    event Withdrawn(address indexed account, address indexed token, address indexed to, uint256 amount);
    /// @notice Emitted when the admin changed the platform fee.
    event FeeChanged(uint16 feeBps);
    /// @notice Emitted when the admin changed the treasury.
    event TreasuryChanged(address indexed treasury);
    /// @notice Emitted when the admin changed the dispute timeout.
    event DisputeTimeoutChanged(uint32 disputeTimeout);
    /// @notice Emitted when the pauser paused new payments.
    event Paused(address indexed account);
    /// @notice Emitted when the pauser lifted the pause.
    event Unpaused(address indexed account);
    /// @notice Emitted when a token was allowed or disallowed for new payments.
    event TokenAllowanceChanged(address indexed token, uint16 indexed tokenIndex, bool allowed);

    /// @notice New payments are paused.
    error PaymentEscrowPaused();
    /// @notice New payments are not paused.
    error PaymentEscrowNotPaused();
    /// @notice A push ran short of gas because the caller supplied too little; retry with more gas.
    error PaymentEscrowInsufficientGas(uint256 gasLeft);
    /// @notice A packed invoice marks a field present but it is zero (only one encoding per invoice is valid).
    error PaymentEscrowPackedNotCanonical(uint8 flags);
    /// @notice The invoice's expiry has passed.
    error PaymentEscrowInvoiceExpired(uint40 expiry);
    /// @notice The invoice number was already paid or cancelled.
    error PaymentEscrowInvoiceUsed(uint32 merchantId, uint64 invoiceNumber);
    /// @notice The invoice was signed for another invoice epoch than the merchant's current one (voided).
    error PaymentEscrowInvoiceVoided(uint32 invoiceEpoch, uint32 merchantEpoch);
    /// @notice The invoice's refund window exceeds the hard limit.
    error PaymentEscrowHoldPeriodTooLong(uint32 holdPeriod, uint32 maxHoldPeriod);
    /// @notice The signature is not the merchant's current signer's signature over the invoice.
    error PaymentEscrowInvalidSignature(uint32 merchantId, address signer);
    /// @notice The merchant is not active (unknown or suspended).
    error PaymentEscrowMerchantNotActive(uint32 merchantId);
    /// @notice The invoice is bound to another payer.
    error PaymentEscrowWrongPayer(address payer, address caller);
    /// @notice The ETH sent does not equal what is due.
    error PaymentEscrowWrongValue(uint256 expected, uint256 received);
    /// @notice The token moved a different amount than asked (fee-on-transfer or rebasing).
    error PaymentEscrowInexactTransfer(address token, uint256 expected, uint256 received);
    /// @notice The token is not allowed for new payments.
    error PaymentEscrowTokenNotAllowed(address token);
    /// @notice The token index is not in the allowlist.
    error PaymentEscrowUnknownTokenIndex(uint16 tokenIndex);
    /// @notice The token is not a contract.
    error PaymentEscrowTokenNotContract(address token);
    /// @notice Amounts must be positive.
    error PaymentEscrowZeroAmount();
    /// @notice The packed invoice is shorter than its fixed part or its signature is empty.
    error PaymentEscrowPackedInvoiceTooShort(uint256 length, uint256 minLength);
    /// @notice The packed invoice has an unknown version byte.
    error PaymentEscrowPackedVersionUnsupported(uint8 version);
    /// @notice The packed invoice has unknown flag bits set.
    error PaymentEscrowPackedFlagsInvalid(uint8 flags);
    /// @notice The payment is not in a state that allows this.
    error PaymentEscrowInvalidState(uint32 merchantId, uint64 invoiceNumber, PaymentState state);
    /// @notice The hold period has not ended yet.
    error PaymentEscrowNotReleasable(uint32 merchantId, uint64 invoiceNumber, uint40 releaseAt);
    /// @notice The merchant is suspended: held payments stay held.
    error PaymentEscrowMerchantSuspended(uint32 merchantId);
    /// @notice The refund exceeds what is left of the payment.
    error PaymentEscrowRefundTooLarge(uint256 amount, uint256 refundable);
    /// @notice Only the merchant's owner or signer may do this.
    error PaymentEscrowNotMerchant(uint32 merchantId, address caller);
    /// @notice Only the payer may do this.
    error PaymentEscrowNotPayer(address payer, address caller);
    /// @notice The refund window has ended; a dispute can no longer be opened.
    error PaymentEscrowDisputeWindowClosed(uint40 releaseAt);
    /// @notice The arbiter's deadline has not passed yet.
    error PaymentEscrowDisputeNotExpired(uint40 deadline);
    /// @notice The arbiter's deadline has passed: the payer may reclaim (or, for a dispute opened while the
    /// merchant was suspended and since reinstated, `release` settles it).
    error PaymentEscrowDisputeExpired(uint40 deadline);
    /// @notice The dispute was opened while the merchant was suspended, and the merchant has been reinstated:
    /// the payment now belongs to the merchant unless the arbiter decided otherwise in time.
    error PaymentEscrowMerchantReinstated(uint32 merchantId);
    /// @notice The escrow itself cannot receive a payout or withdrawal: the funds would be stranded.
    error PaymentEscrowInvalidRecipient(address recipient);
    /// @notice The invoice has not settled (paid and released); a settled refund does not apply.
    error PaymentEscrowNotSettled(uint32 merchantId, uint64 invoiceNumber, InvoiceStatus status);
    /// @notice Nothing to withdraw.
    error PaymentEscrowNothingToWithdraw(address account, address token);
    /// @notice The withdrawal could not be sent.
    error PaymentEscrowWithdrawFailed(address token, address to, uint256 amount);
    /// @notice The fee exceeds the hard cap in code.
    error PaymentEscrowFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    /// @notice The address is zero.
    error PaymentEscrowZeroAddress();
    /// @notice The dispute timeout is outside the allowed range.
    error PaymentEscrowDisputeTimeoutOutOfRange(uint32 disputeTimeout, uint32 minTimeout, uint32 maxTimeout);
    /// @notice No payment ids were given.
    error PaymentEscrowEmptyBatch();
    /// @notice The deposit address holds less of the invoice's asset than the invoice asks for: wait for a top-up
    /// (or, once the invoice cannot be paid any more, return it with the deposit router's `returnDeposit`).
    error PaymentEscrowDepositShort(address deposit, uint256 expected, uint256 received);
    /// @notice Only the escrow's deposit router may call this.
    error PaymentEscrowNotDepositRouter(address caller);

    /// @notice Pays `invoice` with `signature` from the merchant's current signer (65-byte, 64-byte EIP-2098
    /// compact, or an ERC-1271 signature). Send exactly `amount` as ETH, or approve the token first.
    function pay(Invoice calldata invoice, bytes calldata signature) external payable;

    /// @notice Pays an invoice given as the packed bytes a QR code carries (layout in docs/qr-format.md):
    /// version (1) | flags (1) | merchantId (4) | invoiceNumber (8) | tokenIndex (2) | amount (12) | expiry (5) |
    /// pointsAward (4) | pointsRedeem (4) | [payer (20) if flags & 1] | [orderRef (32) if flags & 2] | signature.
    function payPacked(bytes calldata packed) external payable;

    /// @notice `payPacked` without the ABI wrapper, for the smallest L2 calldata: the call data is this
    /// function's selector followed directly by the packed invoice (no offset word, no length word, no padding).
    /// Same checks and effects as `payPacked`. Wallets may append data to the call (ERC-8021 attribution
    /// suffixes): for an EOA signer the signature is the first 64 (EIP-2098) or 65 bytes after the optional fields
    /// and anything after it is ignored; an ERC-1271 signer's signature is all the rest, so such calls must not
    /// carry a suffix (use `payPacked`).
    function payPackedRaw() external payable;

    /// @notice Deposit router only (`depositRouter`, which anyone calls: see IDepositRouter.settleDeposit). Applies
    /// the rules of `pay` to `invoice` with `payer` as payer of record, then has the router sweep the invoice's deposit
    /// address into the escrow and measures what arrived: at least the amount, or it reverts; what exceeds it (an
    /// overpayment, ETH sent to a token invoice's address) is credited to the payer's withdrawable balance. `caller`
    /// is whoever called the router: when the invoice names no payer (the router then passes the payer `caller`
    /// named), or after the expiry (a payment that arrived in time and was settled late), it must be the merchant's
    /// signer or owner.
    function payFromDeposit(Invoice calldata invoice, bytes calldata signature, address payer, address caller) external;

    /// @notice Pays an invoice in an EIP-3009 token (USDC, EURC) with one signature of the payer and no ETH: anyone
    /// submits the payer's `ReceiveWithAuthorization` (to this escrow, value = amount, nonce = the invoice digest)
    /// and the escrow pulls the tokens with `receiveWithAuthorization`, which only the payee can execute, so a
    /// front-runner can neither replay it elsewhere nor pay another invoice with it. The payer is `from`; the rules
    /// are those of `pay`.
    function payWithAuthorization(
        Invoice calldata invoice,
        bytes calldata signature,
        ReceiveAuthorization calldata authorization
    ) external;

    /// @notice Cancels an unpaid invoice number so it can never be paid. Merchant owner or signer.
    function cancelInvoice(uint32 merchantId, uint64 invoiceNumber) external;

    /// @notice Releases held payments whose hold period has ended, and disputes opened during a suspension whose
    /// deadline passed once the merchant is reinstated. Anyone may call; funds go to the merchant's payout. Ids
    /// that cannot be released now (already settled, refunded or disputed, not yet due, merchant suspended) are
    /// skipped, so a keeper's batch cannot be griefed by one front-run id.
    /// @return released How many of `paymentIds` were released.
    function release(uint256[] calldata paymentIds) external returns (uint256 released);

    /// @notice Refunds `amount` of a held or disputed payment to its payer. Merchant owner or signer.
    /// A full refund returns the redeemed points; points are awarded later only for what was not refunded.
    function refund(uint32 merchantId, uint64 invoiceNumber, uint96 amount) external;

    /// @notice Refunds a settled payment with the merchant's own funds (ETH as value, or tokens approved by the
    /// caller), mints back `pointsToRestore` (the points the payer redeemed on it, for a full refund) and then
    /// claws back `pointsToClawBack` (the points it earned; what the payer no longer holds becomes a points debt).
    /// Merchant owner or signer. Settled payments leave no record: the merchant names the payer and the points
    /// from the invoice and its `InvoicePaid` / `PaymentSettled` events.
    function refundSettled(
        uint32 merchantId,
        uint64 invoiceNumber,
        address payer,
        address token,
        uint256 amount,
        uint32 pointsToRestore,
        uint32 pointsToClawBack
    ) external payable;

    /// @notice Opens a dispute on a held payment before its release time (or, after it, while the merchant is
    /// suspended: see `DisputedWhileSuspended`). Payer only. Blocks release until the arbiter decides or the
    /// deadline passes.
    function openDispute(uint32 merchantId, uint64 invoiceNumber) external;

    /// @notice Resolves a dispute before its deadline: `refundAmount` goes back to the payer, the rest settles to
    /// the merchant (to its frozen balance while it is suspended). Arbiter only.
    function resolveDispute(uint32 merchantId, uint64 invoiceNumber, uint96 refundAmount) external;

    /// @notice Takes back what is left of a disputed payment once the arbiter's deadline passed (for a dispute
    /// opened during a suspension, only while the merchant is still suspended). Payer only.
    function reclaim(uint32 merchantId, uint64 invoiceNumber) external;

    /// @notice Sends the caller's whole withdrawable balance of `token` to `to` (not the escrow).
    function withdraw(address token, address to) external;

    /// @notice Sends the merchant's whole frozen balance of `token` (dispute splits made while it was suspended)
    /// to `to`. Merchant owner only, and only while the merchant is active: after a leaked owner key, the
    /// platform keeps the merchant suspended until the recovery address has taken ownership back.
    function withdrawMerchantBalance(uint32 merchantId, address token, address to) external;

    /// @notice Pauses new payments. Refunds, releases, disputes and withdrawals keep working. Pauser only.
    function pause() external;

    /// @notice Lifts the pause. Pauser only.
    function unpause() external;

    /// @notice Sets the platform fee in basis points, at most `MAX_FEE_BPS`. Admin only. Applies to new payments.
    function setFee(uint16 feeBps) external;

    /// @notice Sets the treasury that accrues fees. Admin only.
    function setTreasury(address treasury) external;

    /// @notice Whether new payments are paused.
    function paused() external view returns (bool);

    /// @notice Sets how long the arbiter has to decide a dispute. Admin only.
    function setDisputeTimeout(uint32 disputeTimeout) external;

    /// @notice Allows or disallows `token` for new payments; a token keeps its index forever. Admin only.
    /// Held payments in a disallowed token still settle and refund.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice The longest refund window an invoice may carry, in seconds (365 days).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_HOLD_PERIOD() external view returns (uint32);

    /// @notice The hard cap on the platform fee, in basis points.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_FEE_BPS() external view returns (uint16);

    /// @notice Role allowed to resolve disputes, held in the registry (which holds all platform roles).
    // solhint-disable-next-line func-name-mixedcase
    function ARBITER_ROLE() external view returns (bytes32);

    /// @notice Role allowed to pause and unpause new payments, held in the registry.
    // solhint-disable-next-line func-name-mixedcase
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice The EIP-712 digest the merchant's signer signs for `invoice`.
    function invoiceDigest(Invoice calldata invoice) external view returns (bytes32);

    /// @notice The deposit router this escrow created in its constructor (so its address follows from the escrow's:
    /// CREATE from the escrow at nonce 1). It makes the deposit addresses and sweeps them; see IDepositRouter.
    function depositRouter() external view returns (address);

    /// @notice Decodes packed invoice bytes (see `payPacked`) into the invoice and its signature.
    function decodePacked(bytes calldata packed) external view returns (Invoice memory invoice, bytes memory signature);

    /// @notice Status of an invoice number. For an unpaid one: `Voided` if `epoch` (the invoice's) is below the
    /// merchant's current epoch, else `Expired` once `expiry` passed (0 ignores the expiry), else `Unpaid`.
    function invoiceStatus(
        uint32 merchantId,
        uint64 invoiceNumber,
        uint40 expiry,
        uint32 epoch
    ) external view returns (InvoiceStatus);

    /// @notice The record of a held or disputed payment. Once settled it is all zero; once fully refunded only
    /// payer, state, token index and redeemed points remain (amounts are in the events).
    function paymentOf(uint32 merchantId, uint64 invoiceNumber) external view returns (Payment memory);

    /// @notice Whether the invoice number was used (paid or cancelled).
    function isInvoiceUsed(uint32 merchantId, uint64 invoiceNumber) external view returns (bool);

    /// @notice The merchant's frozen balance of `token` (see `withdrawMerchantBalance`).
    function merchantBalanceOf(uint32 merchantId, address token) external view returns (uint256);

    /// @notice What `account` can withdraw in `token`.
    function withdrawableOf(address account, address token) external view returns (uint256);

    /// @notice Index of `token` in the allowlist and whether it is allowed for new payments.
    function tokenIndexOf(address token) external view returns (bool listed, uint16 tokenIndex, bool allowed);

    /// @notice Token at `tokenIndex` and whether it is allowed for new payments.
    function tokenAt(uint16 tokenIndex) external view returns (address token, bool allowed);

    /// @notice Number of tokens ever listed (index 0 is ETH).
    function tokenCount() external view returns (uint16);

    /// @notice `merchantId << 64 | invoiceNumber`.
    function paymentId(uint32 merchantId, uint64 invoiceNumber) external pure returns (uint256);

    /// @notice Current platform fee in basis points.
    function feeBps() external view returns (uint16);

    /// @notice Current treasury.
    function treasury() external view returns (address);

    /// @notice Seconds the arbiter has to decide a dispute.
    function disputeTimeout() external view returns (uint32);

    /// @notice The merchant registry.
    function registry() external view returns (address);

    /// @notice The loyalty points contract.
    function loyaltyPoints() external view returns (address);
}
