// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {DepositRouter} from "./DepositRouter.sol";
import {IDepositRouter} from "./interfaces/IDepositRouter.sol";
import {IERC3009} from "./interfaces/IERC3009.sol";
import {ILoyaltyPoints} from "./interfaces/ILoyaltyPoints.sol";
import {IMerchantRegistry} from "./interfaces/IMerchantRegistry.sol";
import {IPaymentEscrow} from "./interfaces/IPaymentEscrow.sol";

/// @title PaymentEscrow
/// @notice Pays merchant-signed invoices exactly once and holds them through the refund window.
/// See {IPaymentEscrow} and docs/escrow.md for the rules.
/// @dev Gas choices: a Permit2-style bitmap over invoice numbers is the replay guard (256 invoices per slot);
/// payments that settle at once store nothing else; held payments take two slots; fees accrue to the
/// treasury's withdrawable balance instead of a transfer per payment.
contract PaymentEscrow is IPaymentEscrow, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IPaymentEscrow
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @inheritdoc IPaymentEscrow
    uint32 public constant MAX_HOLD_PERIOD = 365 days;
    /// @inheritdoc IPaymentEscrow
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @inheritdoc IPaymentEscrow
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @dev keccak256 of the EIP-712 type string in docs/invoice.md.
    bytes32 private constant _INVOICE_TYPEHASH =
        keccak256(
            "Invoice(uint32 merchantId,uint64 invoiceNumber,address token,uint96 amount,uint40 expiry,address payer,uint32 pointsAward,uint32 pointsRedeem,bytes32 orderRef,uint32 holdPeriod,uint32 epoch)"
        );
    /// @dev The registry's platform admin role (OpenZeppelin's DEFAULT_ADMIN_ROLE).
    bytes32 private constant _DEFAULT_ADMIN_ROLE = 0x00;
    uint256 private constant _BPS = 10_000;
    /// @dev Gas forwarded to a payout or refund push. Enough for smart wallets and regular tokens; a receiver
    /// that burns all of it cannot take the rest of the transaction with it.
    uint256 private constant _PUSH_GAS = 100_000;
    /// @dev Gas a push needs left before it starts, so that the receiver surely gets all of _PUSH_GAS: the 63/64
    /// rule (EIP-150) plus the call's own costs (cold account 2,600, value transfer 9,000, new account 25,000).
    uint256 private constant _PUSH_GAS_NEEDED = 138_588; // 100_000 + 100_000 / 63 (1_587, rounded up) + 37_000
    uint32 private constant _MIN_DISPUTE_TIMEOUT = 1 hours;
    uint32 private constant _MAX_DISPUTE_TIMEOUT = 90 days;
    uint8 private constant _PACKED_VERSION = 1;
    uint8 private constant _FLAG_PAYER = 1;
    uint8 private constant _FLAG_REFERENCE = 2;
    uint8 private constant _FLAG_HOLD_PERIOD = 4;
    uint8 private constant _FLAG_EPOCH = 8;
    uint8 private constant _FLAGS_KNOWN = _FLAG_PAYER | _FLAG_REFERENCE | _FLAG_HOLD_PERIOD | _FLAG_EPOCH;
    /// @dev version | flags | merchantId | invoiceNumber | tokenIndex | amount | expiry | pointsAward | pointsRedeem
    uint256 private constant _PACKED_FIXED_LENGTH = 41;

    struct TokenEntry {
        address token;
        bool allowed;
    }

    struct TokenIndexEntry {
        bool listed;
        uint16 index;
        bool allowed;
    }

    IMerchantRegistry private immutable _registry;
    ILoyaltyPoints private immutable _points;
    IDepositRouter private immutable _depositRouter;

    // One slot, read once per payment.
    address private _treasury;
    uint16 private _feeBps;
    uint32 private _disputeTimeout;
    uint16 private _tokenCount;
    bool private _paused;

    mapping(uint16 tokenIndex => TokenEntry) private _tokenAt;
    mapping(address token => TokenIndexEntry) private _tokenIndexOf;
    /// @dev Bit `invoiceNumber & 255` of word `merchantId << 56 | invoiceNumber >> 8`: paid or cancelled.
    mapping(uint256 wordKey => uint256 bits) private _usedInvoices;
    /// @dev Same layout as `_usedInvoices`: cancelled (only for the status view).
    mapping(uint256 wordKey => uint256 bits) private _cancelledInvoices;
    mapping(uint256 paymentId => Payment) private _payments;
    mapping(address account => mapping(address token => uint256 amount)) private _withdrawable;
    /// @dev Merchant shares of disputes resolved while the merchant was suspended, withdrawn by its owner later.
    mapping(uint32 merchantId => mapping(address token => uint256 amount)) private _merchantBalances;

    /// @param registry_ The merchant registry.
    /// @param points_ The loyalty points contract (it must bind this escrow as its minter).
    /// @param treasury_ Receives the platform fee.
    /// @param feeBps_ Platform fee in basis points, at most MAX_FEE_BPS.
    /// @param disputeTimeout_ Seconds the arbiter has to decide a dispute.
    constructor(
        IMerchantRegistry registry_,
        ILoyaltyPoints points_,
        address treasury_,
        uint16 feeBps_,
        uint32 disputeTimeout_
    ) EIP712("ScanPay", "1") {
        _registry = registry_;
        _points = points_;
        // Created here, so its address follows from the escrow's (CREATE at nonce 1) and it knows its escrow.
        _depositRouter = new DepositRouter(registry_);
        _setTreasury(treasury_);
        _setFee(feeBps_);
        _setDisputeTimeout(disputeTimeout_);
        // Index 0 is ETH, allowed from the start.
        _tokenAt[0] = TokenEntry({token: address(0), allowed: true});
        _tokenIndexOf[address(0)] = TokenIndexEntry({listed: true, index: 0, allowed: true});
        _tokenCount = 1;
        emit TokenAllowanceChanged(address(0), 0, true);
    }

    /// @dev Roles live in the registry, the platform's one governance (one admin, one delayed two-step handover).
    modifier onlyRole(bytes32 role) {
        _checkRole(role);
        _;
    }

    modifier onlyMerchant(uint32 merchantId) {
        if (!_registry.isOwnerOrSigner(merchantId, msg.sender)) revert PaymentEscrowNotMerchant(merchantId, msg.sender);
        _;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Paying
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function pay(Invoice calldata invoice, bytes calldata signature) external payable nonReentrant {
        if (_paused) revert PaymentEscrowPaused();
        TokenIndexEntry memory entry = _tokenIndexOf[invoice.token];
        if (!entry.allowed) revert PaymentEscrowTokenNotAllowed(invoice.token);
        _pay(invoice, entry.index, signature, false);
    }

    /// @inheritdoc IPaymentEscrow
    function payPacked(bytes calldata packed) external payable nonReentrant {
        if (_paused) revert PaymentEscrowPaused();
        (Invoice memory invoice, uint16 tokenIndex, bytes calldata signature) = _decodePacked(packed);
        _pay(invoice, tokenIndex, signature, false);
    }

    /// @inheritdoc IPaymentEscrow
    function payPackedRaw() external payable nonReentrant {
        if (_paused) revert PaymentEscrowPaused();
        (Invoice memory invoice, uint16 tokenIndex, bytes calldata signature) = _decodePacked(msg.data[4:]);
        // Nothing delimits the signature here, so a wallet's calldata suffix would follow it (see the interface).
        _pay(invoice, tokenIndex, signature, true);
    }

    /// @inheritdoc IPaymentEscrow
    function payFromDeposit(
        Invoice calldata invoice,
        bytes calldata signature,
        address payer,
        address caller
    ) external nonReentrant {
        if (msg.sender != address(_depositRouter)) revert PaymentEscrowNotDepositRouter(msg.sender);
        if (_paused) revert PaymentEscrowPaused();
        TokenIndexEntry memory entry = _tokenIndexOf[invoice.token];
        if (!entry.allowed) revert PaymentEscrowTokenNotAllowed(invoice.token);
        Invoice memory accepted = invoice;
        (IMerchantRegistry.PaymentTerms memory terms, bytes32 digest) = _accept(accepted, payer, signature, false, false);
        // Only the merchant may name the payer of record, or take a payment after its expiry (it arrived in time and
        // was settled late): anyone else could make themselves the payer, or force a late payment on the merchant.
        bool late = block.timestamp > invoice.expiry;
        if (
            (invoice.payer == address(0) || late) &&
            caller != terms.signer &&
            caller != _registry.ownerOf(invoice.merchantId)
        ) {
            if (late) revert PaymentEscrowInvoiceExpired(invoice.expiry);
            revert PaymentEscrowNotMerchant(invoice.merchantId, caller);
        }
        _receiveDeposit(invoice.token, invoice.amount, digest, payer);
        _book(accepted, entry.index, payer, terms);
    }

    /// @inheritdoc IPaymentEscrow
    function payWithAuthorization(
        Invoice calldata invoice,
        bytes calldata signature,
        ReceiveAuthorization calldata authorization
    ) external nonReentrant {
        if (_paused) revert PaymentEscrowPaused();
        TokenIndexEntry memory entry = _tokenIndexOf[invoice.token];
        if (!entry.allowed) revert PaymentEscrowTokenNotAllowed(invoice.token);
        address from = authorization.from;
        Invoice memory accepted = invoice;
        (IMerchantRegistry.PaymentTerms memory terms, bytes32 digest) = _accept(accepted, from, signature, false, true);
        _receiveWithAuthorization(invoice.token, invoice.amount, digest, authorization);
        if (invoice.pointsRedeem != 0) _points.burn(from, invoice.merchantId, invoice.pointsRedeem);
        _book(accepted, entry.index, from, terms);
    }

    /// @inheritdoc IPaymentEscrow
    function cancelInvoice(uint32 merchantId, uint64 invoiceNumber) external nonReentrant onlyMerchant(merchantId) {
        (uint256 wordKey, uint256 bit) = _useInvoice(merchantId, invoiceNumber);
        _cancelledInvoices[wordKey] |= bit;
        emit InvoiceCancelled(merchantId, invoiceNumber);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Settling, refunding, disputing
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function release(uint256[] calldata paymentIds) external nonReentrant returns (uint256 released) {
        if (paymentIds.length == 0) revert PaymentEscrowEmptyBatch();
        uint32 termsMerchantId;
        IMerchantRegistry.PaymentTerms memory terms;
        for (uint256 i = 0; i < paymentIds.length; ++i) {
            uint256 id = paymentIds[i];
            (uint32 merchantId, uint64 invoiceNumber) = _splitPaymentId(id);
            Payment memory payment = _payments[id];
            // Skipped, not reverted: a keeper's batch must survive one id that was released or disputed first.
            // A dispute opened during a suspension lapses to the merchant once it is reinstated.
            if (payment.state != PaymentState.Held && payment.state != PaymentState.DisputedWhileSuspended) continue;
            if (block.timestamp < payment.releaseAt) continue;
            // Batches usually hold one merchant's payments: read its terms once.
            if (released == 0 || merchantId != termsMerchantId) {
                terms = _registry.paymentTerms(merchantId);
                termsMerchantId = merchantId;
            }
            if (terms.status != IMerchantRegistry.MerchantStatus.Active || terms.payout == address(this)) continue;
            // Settled payments keep no record (the used invoice bit says "settled"); clearing it refunds gas.
            delete _payments[id];
            address token = _tokenAt[payment.tokenIndex].token;
            _push(token, terms.payout, _settleHeld(merchantId, invoiceNumber, payment, token));
            // At most paymentIds.length, which calldata bounds far below 2^256.
            unchecked {
                ++released;
            }
        }
    }

    /// @inheritdoc IPaymentEscrow
    function refund(
        uint32 merchantId,
        uint64 invoiceNumber,
        uint96 amount
    ) external nonReentrant onlyMerchant(merchantId) {
        Payment storage payment = _payments[_paymentId(merchantId, invoiceNumber)];
        PaymentState state = payment.state;
        if (state != PaymentState.Held && !_isDisputed(state)) {
            revert PaymentEscrowInvalidState(merchantId, invoiceNumber, state);
        }
        if (amount == 0) revert PaymentEscrowZeroAmount();
        _refundHeld(merchantId, invoiceNumber, payment, amount);
    }

    /// @inheritdoc IPaymentEscrow
    function refundSettled(
        uint32 merchantId,
        uint64 invoiceNumber,
        address payer,
        address token,
        uint256 amount,
        uint32 pointsToRestore,
        uint32 pointsToClawBack
    ) external payable nonReentrant onlyMerchant(merchantId) {
        if (amount == 0) revert PaymentEscrowZeroAmount();
        if (payer == address(0)) revert PaymentEscrowZeroAddress();
        InvoiceStatus status = _invoiceStatus(merchantId, invoiceNumber, 0, 0);
        if (status != InvoiceStatus.Settled) revert PaymentEscrowNotSettled(merchantId, invoiceNumber, status);
        // Settled payments keep no record (that is what keeps paying and releasing cheap): the merchant names the
        // payer from the InvoicePaid event, and pays the refund from its own funds. See docs/escrow.md.
        if (!_tokenIndexOf[token].listed) revert PaymentEscrowTokenNotAllowed(token);

        _collect(token, msg.sender, amount);
        emit SettledPaymentRefunded(merchantId, invoiceNumber, payer, token, amount, pointsToRestore, pointsToClawBack);
        // Restore first: the points redeemed on this payment cover the clawback before any debt is recorded.
        if (pointsToRestore != 0) _points.mint(payer, merchantId, pointsToRestore);
        if (pointsToClawBack != 0) _points.clawBack(payer, merchantId, pointsToClawBack);
        _push(token, payer, amount);
    }

    /// @inheritdoc IPaymentEscrow
    function openDispute(uint32 merchantId, uint64 invoiceNumber) external nonReentrant {
        Payment storage payment = _payments[_paymentId(merchantId, invoiceNumber)];
        if (payment.state != PaymentState.Held) revert PaymentEscrowInvalidState(merchantId, invoiceNumber, payment.state);
        if (msg.sender != payment.payer) revert PaymentEscrowNotPayer(payment.payer, msg.sender);
        // Once the refund window ended the payment belongs to the merchant, unless the merchant is suspended:
        // then release is blocked and the payer must keep a way out, which a reinstatement closes again.
        PaymentState state = PaymentState.Disputed;
        if (block.timestamp >= payment.releaseAt) {
            if (_registry.paymentTerms(merchantId).status == IMerchantRegistry.MerchantStatus.Active) {
                revert PaymentEscrowDisputeWindowClosed(payment.releaseAt);
            }
            state = PaymentState.DisputedWhileSuspended;
        }
        uint40 deadline = uint40(block.timestamp) + _disputeTimeout;
        payment.state = state;
        payment.releaseAt = deadline;
        emit DisputeOpened(merchantId, invoiceNumber, deadline);
    }

    /// @inheritdoc IPaymentEscrow
    function resolveDispute(
        uint32 merchantId,
        uint64 invoiceNumber,
        uint96 refundAmount
    ) external nonReentrant onlyRole(ARBITER_ROLE) {
        Payment storage payment = _payments[_paymentId(merchantId, invoiceNumber)];
        if (!_isDisputed(payment.state)) revert PaymentEscrowInvalidState(merchantId, invoiceNumber, payment.state);
        // After the deadline the payer may reclaim: a late decision must not front-run it.
        if (block.timestamp >= payment.releaseAt) revert PaymentEscrowDisputeExpired(payment.releaseAt);
        uint96 refundable = payment.amount - payment.refunded;
        if (refundAmount > refundable) revert PaymentEscrowRefundTooLarge(refundAmount, refundable);
        emit DisputeResolved(merchantId, invoiceNumber, msg.sender, refundAmount);
        if (refundAmount == refundable) {
            _refundHeld(merchantId, invoiceNumber, payment, refundAmount);
        } else {
            if (refundAmount != 0) _refundHeld(merchantId, invoiceNumber, payment, refundAmount);
            Payment memory settled = payment;
            delete _payments[_paymentId(merchantId, invoiceNumber)];
            address token = _tokenAt[settled.tokenIndex].token;
            uint256 merchantAmount = _settleHeld(merchantId, invoiceNumber, settled, token);
            IMerchantRegistry.PaymentTerms memory terms = _registry.paymentTerms(merchantId);
            if (terms.status == IMerchantRegistry.MerchantStatus.Active) {
                _push(token, terms.payout, merchantAmount);
            } else {
                // A suspension may mean the owner key leaked and the payout is a thief's: keep the share for the
                // owner to withdraw once the merchant is recovered and reinstated.
                _merchantBalances[merchantId][token] += merchantAmount;
                emit MerchantBalanceCredited(merchantId, token, merchantAmount);
            }
        }
    }

    /// @inheritdoc IPaymentEscrow
    function reclaim(uint32 merchantId, uint64 invoiceNumber) external nonReentrant {
        Payment storage payment = _payments[_paymentId(merchantId, invoiceNumber)];
        PaymentState state = payment.state;
        if (!_isDisputed(state)) revert PaymentEscrowInvalidState(merchantId, invoiceNumber, state);
        if (msg.sender != payment.payer) revert PaymentEscrowNotPayer(payment.payer, msg.sender);
        if (block.timestamp < payment.releaseAt) revert PaymentEscrowDisputeNotExpired(payment.releaseAt);
        // A dispute that only the suspension allowed does not outlive it (docs/escrow.md).
        if (
            state == PaymentState.DisputedWhileSuspended &&
            _registry.paymentTerms(merchantId).status == IMerchantRegistry.MerchantStatus.Active
        ) revert PaymentEscrowMerchantReinstated(merchantId);
        _refundHeld(merchantId, invoiceNumber, payment, payment.amount - payment.refunded);
    }

    /// @inheritdoc IPaymentEscrow
    function withdraw(address token, address to) external nonReentrant {
        _checkRecipient(to);
        uint256 amount = _withdrawable[msg.sender][token];
        if (amount == 0) revert PaymentEscrowNothingToWithdraw(msg.sender, token);
        delete _withdrawable[msg.sender][token];
        emit Withdrawn(msg.sender, token, to, amount);
        _send(token, to, amount);
    }

    /// @inheritdoc IPaymentEscrow
    function withdrawMerchantBalance(uint32 merchantId, address token, address to) external nonReentrant {
        IMerchantRegistry registry_ = _registry;
        if (msg.sender != registry_.ownerOf(merchantId)) revert PaymentEscrowNotMerchant(merchantId, msg.sender);
        if (registry_.paymentTerms(merchantId).status != IMerchantRegistry.MerchantStatus.Active) {
            revert PaymentEscrowMerchantSuspended(merchantId);
        }
        _checkRecipient(to);
        uint256 amount = _merchantBalances[merchantId][token];
        if (amount == 0) revert PaymentEscrowNothingToWithdraw(msg.sender, token);
        delete _merchantBalances[merchantId][token];
        emit MerchantBalanceWithdrawn(merchantId, token, to, amount);
        _send(token, to, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Administration
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_paused) revert PaymentEscrowPaused();
        _paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IPaymentEscrow
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_paused) revert PaymentEscrowNotPaused();
        _paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IPaymentEscrow
    function setFee(uint16 feeBps_) external onlyRole(_DEFAULT_ADMIN_ROLE) {
        _setFee(feeBps_);
    }

    /// @inheritdoc IPaymentEscrow
    function setTreasury(address treasury_) external onlyRole(_DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IPaymentEscrow
    function setDisputeTimeout(uint32 disputeTimeout_) external onlyRole(_DEFAULT_ADMIN_ROLE) {
        _setDisputeTimeout(disputeTimeout_);
    }

    /// @inheritdoc IPaymentEscrow
    function setTokenAllowed(address token, bool allowed) external onlyRole(_DEFAULT_ADMIN_ROLE) {
        TokenIndexEntry storage entry = _tokenIndexOf[token];
        uint16 index = entry.index;
        if (!entry.listed) {
            if (token.code.length == 0) revert PaymentEscrowTokenNotContract(token);
            index = _tokenCount++;
            entry.listed = true;
            entry.index = index;
            _tokenAt[index].token = token;
        }
        entry.allowed = allowed;
        _tokenAt[index].allowed = allowed;
        emit TokenAllowanceChanged(token, index, allowed);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function invoiceDigest(Invoice calldata invoice) external view returns (bytes32) {
        return _invoiceDigest(invoice);
    }

    /// @inheritdoc IPaymentEscrow
    function depositRouter() external view returns (address) {
        return address(_depositRouter);
    }

    /// @inheritdoc IPaymentEscrow
    function decodePacked(bytes calldata packed) external view returns (Invoice memory invoice, bytes memory signature) {
        (invoice, , signature) = _decodePacked(packed);
    }

    /// @inheritdoc IPaymentEscrow
    function invoiceStatus(
        uint32 merchantId,
        uint64 invoiceNumber,
        uint40 expiry,
        uint32 epoch
    ) external view returns (InvoiceStatus) {
        return _invoiceStatus(merchantId, invoiceNumber, expiry, epoch);
    }

    /// @inheritdoc IPaymentEscrow
    function paymentOf(uint32 merchantId, uint64 invoiceNumber) external view returns (Payment memory) {
        return _payments[_paymentId(merchantId, invoiceNumber)];
    }

    /// @inheritdoc IPaymentEscrow
    function isInvoiceUsed(uint32 merchantId, uint64 invoiceNumber) external view returns (bool) {
        (uint256 wordKey, uint256 bit) = _invoiceBit(merchantId, invoiceNumber);
        return _usedInvoices[wordKey] & bit != 0;
    }

    /// @inheritdoc IPaymentEscrow
    function merchantBalanceOf(uint32 merchantId, address token) external view returns (uint256) {
        return _merchantBalances[merchantId][token];
    }

    /// @inheritdoc IPaymentEscrow
    function withdrawableOf(address account, address token) external view returns (uint256) {
        return _withdrawable[account][token];
    }

    /// @inheritdoc IPaymentEscrow
    function tokenIndexOf(address token) external view returns (bool listed, uint16 tokenIndex, bool allowed) {
        TokenIndexEntry memory entry = _tokenIndexOf[token];
        return (entry.listed, entry.index, entry.allowed);
    }

    /// @inheritdoc IPaymentEscrow
    function tokenAt(uint16 tokenIndex) external view returns (address token, bool allowed) {
        if (tokenIndex >= _tokenCount) revert PaymentEscrowUnknownTokenIndex(tokenIndex);
        TokenEntry memory entry = _tokenAt[tokenIndex];
        return (entry.token, entry.allowed);
    }

    /// @inheritdoc IPaymentEscrow
    function tokenCount() external view returns (uint16) {
        return _tokenCount;
    }

    /// @inheritdoc IPaymentEscrow
    function paymentId(uint32 merchantId, uint64 invoiceNumber) external pure returns (uint256) {
        return _paymentId(merchantId, invoiceNumber);
    }

    /// @inheritdoc IPaymentEscrow
    function feeBps() external view returns (uint16) {
        return _feeBps;
    }

    /// @inheritdoc IPaymentEscrow
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IPaymentEscrow
    function disputeTimeout() external view returns (uint32) {
        return _disputeTimeout;
    }

    /// @inheritdoc IPaymentEscrow
    function paused() external view returns (bool) {
        return _paused;
    }

    /// @inheritdoc IPaymentEscrow
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IPaymentEscrow
    function loyaltyPoints() external view returns (address) {
        return address(_points);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The entry points checked the pause and resolved the token (in that order, see docs/escrow.md).
    /// `ignoreSuffix`: the signature was not delimited (payPackedRaw), see `_isValidSignature`.
    function _pay(Invoice memory invoice, uint16 tokenIndex, bytes calldata signature, bool ignoreSuffix) private {
        (IMerchantRegistry.PaymentTerms memory terms, ) = _accept(invoice, msg.sender, signature, ignoreSuffix, true);
        _collect(invoice.token, msg.sender, invoice.amount);
        if (invoice.pointsRedeem != 0) _points.burn(msg.sender, invoice.merchantId, invoice.pointsRedeem);
        _book(invoice, tokenIndex, msg.sender, terms);
    }

    /// @dev The checks every way of paying shares, then marks the invoice number used. Returns the merchant's
    /// terms and the invoice digest (the deposit salt, the EIP-3009 nonce).
    function _accept(
        Invoice memory invoice,
        address payer,
        bytes calldata signature,
        bool ignoreSuffix,
        bool checkExpiry
    ) private returns (IMerchantRegistry.PaymentTerms memory terms, bytes32 digest) {
        if (checkExpiry && block.timestamp > invoice.expiry) revert PaymentEscrowInvoiceExpired(invoice.expiry);
        if (invoice.payer != address(0) && invoice.payer != payer) revert PaymentEscrowWrongPayer(invoice.payer, payer);
        if (invoice.amount == 0) revert PaymentEscrowZeroAmount();
        if (invoice.holdPeriod > MAX_HOLD_PERIOD) revert PaymentEscrowHoldPeriodTooLong(invoice.holdPeriod, MAX_HOLD_PERIOD);
        uint32 merchantId = invoice.merchantId;
        terms = _registry.paymentTerms(merchantId);
        if (terms.status != IMerchantRegistry.MerchantStatus.Active) revert PaymentEscrowMerchantNotActive(merchantId);
        if (invoice.epoch != terms.epoch) revert PaymentEscrowInvoiceVoided(invoice.epoch, terms.epoch);
        digest = _invoiceDigest(invoice);
        if (!_isValidSignature(terms.signer, digest, signature, ignoreSuffix)) {
            revert PaymentEscrowInvalidSignature(merchantId, terms.signer);
        }
        _useInvoice(merchantId, invoice.invoiceNumber);
    }

    /// @dev Books a collected payment for `payer`: settles it at once, or holds it through the refund window.
    function _book(
        Invoice memory invoice,
        uint16 tokenIndex,
        address payer,
        IMerchantRegistry.PaymentTerms memory terms
    ) private {
        uint32 merchantId = invoice.merchantId;
        // The window the payer was shown (signed in the invoice) is a floor: no settings change can shorten it.
        uint32 holdPeriod = invoice.holdPeriod > terms.holdPeriod ? invoice.holdPeriod : terms.holdPeriod;
        if (holdPeriod == 0) {
            emit InvoicePaid(merchantId, invoice.invoiceNumber, payer, invoice.token, invoice.amount, block.timestamp);
            uint256 merchantAmount = _settle(
                merchantId,
                invoice.invoiceNumber,
                payer,
                invoice.token,
                invoice.amount,
                _feeBps,
                invoice.pointsAward
            );
            _push(invoice.token, terms.payout, merchantAmount);
        } else {
            uint40 releaseAt = uint40(block.timestamp) + holdPeriod;
            _payments[_paymentId(merchantId, invoice.invoiceNumber)] = Payment({
                payer: payer,
                releaseAt: releaseAt,
                state: PaymentState.Held,
                tokenIndex: tokenIndex,
                pointsRedeem: invoice.pointsRedeem,
                amount: invoice.amount,
                refunded: 0,
                pointsAward: invoice.pointsAward,
                feeBps: _feeBps
            });
            emit InvoicePaid(merchantId, invoice.invoiceNumber, payer, invoice.token, invoice.amount, releaseAt);
        }
    }

    /// @dev Has the deposit router sweep the deposit address of `digest` into the escrow and measures what arrived:
    /// at least `amount` of `token`, or it reverts; the rest (and any ETH sent to a token invoice's address) is
    /// credited to `payer`.
    function _receiveDeposit(address token, uint256 amount, bytes32 digest, address payer) private {
        uint256 etherBefore = address(this).balance;
        uint256 tokenBefore = token == address(0) ? 0 : _balanceOfThis(token);
        _depositRouter.sweep(digest, token);
        uint256 etherReceived = address(this).balance - etherBefore;
        uint256 received = token == address(0) ? etherReceived : _balanceOfThis(token) - tokenBefore;
        if (received < amount) revert PaymentEscrowDepositShort(_depositRouter.depositAddressOf(digest), amount, received);
        // Everything beyond the amount belongs to the payer of record: an overpayment, ETH sent to a token invoice.
        // received > amount here, so the subtraction cannot underflow.
        unchecked {
            if (received != amount) _credit(payer, token, received - amount);
        }
        if (token != address(0) && etherReceived != 0) _credit(payer, address(0), etherReceived);
    }

    /// @dev Credits `amount` to `account`'s withdrawable balance of `token`.
    function _credit(address account, address token, uint256 amount) private {
        _withdrawable[account][token] += amount;
        emit BalanceCredited(account, token, amount);
    }

    /// @dev Takes exactly `amount` of `token` from `from` (ETH: exactly `msg.value`).
    function _collect(address token, address from, uint256 amount) private {
        if (token == address(0)) {
            if (msg.value != amount) revert PaymentEscrowWrongValue(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert PaymentEscrowWrongValue(0, msg.value);
        uint256 balanceBefore = _balanceOfThis(token);
        IERC20(token).safeTransferFrom(from, address(this), amount);
        _checkReceived(token, balanceBefore, amount);
    }

    /// @dev Pulls exactly `amount` of `token` with the payer's EIP-3009 authorization; its nonce is the invoice
    /// digest, so the payer's signature pays this invoice and nothing else.
    function _receiveWithAuthorization(
        address token,
        uint256 amount,
        bytes32 digest,
        ReceiveAuthorization calldata authorization
    ) private {
        uint256 balanceBefore = _balanceOfThis(token);
        IERC3009(token).receiveWithAuthorization(
            authorization.from,
            address(this),
            amount,
            authorization.validAfter,
            authorization.validBefore,
            digest,
            authorization.v,
            authorization.r,
            authorization.s
        );
        _checkReceived(token, balanceBefore, amount);
    }

    /// @dev Reverts unless the escrow's balance of `token` grew by exactly `amount` since `balanceBefore`:
    /// fee-on-transfer and rebasing tokens would leave the escrow owing more than it holds.
    function _checkReceived(address token, uint256 balanceBefore, uint256 amount) private view {
        uint256 balanceAfter = _balanceOfThis(token);
        if (balanceAfter != balanceBefore + amount) {
            revert PaymentEscrowInexactTransfer(token, amount, balanceAfter > balanceBefore ? balanceAfter - balanceBefore : 0);
        }
    }

    /// @dev `token.balanceOf(this)` without the ABI decoder's overhead; a call that fails or returns less than a
    /// word reverts (such a token could never have been collected from).
    function _balanceOfThis(address token) private view returns (uint256 tokenBalance) {
        bytes4 selector = IERC20.balanceOf.selector;
        bool ok;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, address())
            // Two statements on purpose: Yul evaluates arguments right to left, so `and(staticcall(..),
            // gt(returndatasize(), 31))` would read the size of the previous call's return data.
            ok := staticcall(gas(), token, 0x00, 0x24, 0x00, 0x20)
            ok := and(ok, gt(returndatasize(), 31))
            tokenBalance := mload(0x00)
        }
        if (!ok) revert PaymentEscrowTokenNotContract(token);
    }

    /// @dev Settles what is left of a held payment (its record already deleted); returns the merchant's share,
    /// which the caller sends.
    function _settleHeld(
        uint32 merchantId,
        uint64 invoiceNumber,
        Payment memory payment,
        address token
    ) private returns (uint256) {
        uint96 amount = payment.amount;
        uint96 remaining = amount - payment.refunded;
        // Points are awarded only for what was not refunded, rounded down.
        uint256 points = (uint256(payment.pointsAward) * remaining) / amount;
        return
            _settle(
                merchantId,
                invoiceNumber,
                payment.payer,
                token,
                remaining,
                payment.feeBps,
                points
            );
    }

    /// @dev Credits the fee, awards the points and returns the merchant's share (positive: at least 90% of a
    /// positive amount), which the caller sends.
    function _settle(
        uint32 merchantId,
        uint64 invoiceNumber,
        address payer,
        address token,
        uint256 amount,
        uint16 feeBps_,
        uint256 points
    ) private returns (uint256 merchantAmount) {
        // amount < 2^96 and feeBps_ <= 1_000: the product cannot overflow; fee <= amount.
        uint256 fee = (amount * feeBps_) / _BPS;
        merchantAmount = amount - fee;
        if (fee != 0) _withdrawable[_treasury][token] += fee;
        emit PaymentSettled(merchantId, invoiceNumber, merchantAmount, fee, points);
        if (points != 0) _points.mint(payer, merchantId, points);
    }

    /// @dev Refunds `amount` (> 0, at most what is left) of a held or disputed payment to its payer.
    function _refundHeld(uint32 merchantId, uint64 invoiceNumber, Payment storage payment, uint96 amount) private {
        // Each field read once (a warm storage read costs 100 gas per field, not per slot).
        address payer = payment.payer;
        uint16 tokenIndex = payment.tokenIndex;
        uint32 pointsRedeem = payment.pointsRedeem;
        uint96 refunded = payment.refunded;
        uint96 refundable = payment.amount - refunded;
        if (amount > refundable) revert PaymentEscrowRefundTooLarge(amount, refundable);
        uint96 totalRefunded = refunded + amount;
        bool full = amount == refundable;
        if (full) {
            payment.state = PaymentState.Refunded;
            // A closed payment keeps only its first slot (payer, state, token, points redeemed): clearing the
            // second (amount, refunded, points award, fee) refunds gas. The amounts stay in the events.
            assembly ("memory-safe") {
                sstore(add(payment.slot, 1), 0)
            }
        } else {
            payment.refunded = totalRefunded;
        }
        emit PaymentRefunded(merchantId, invoiceNumber, amount, totalRefunded);
        // A full refund undoes the purchase, including the points spent on it.
        if (full && pointsRedeem != 0) _points.mint(payer, merchantId, pointsRedeem);
        _push(_tokenAt[tokenIndex].token, payer, amount);
    }

    /// @dev Sends a withdrawal, forwarding all gas: the account asked for it and picked `to`.
    function _send(address token, address to, uint256 amount) private {
        bool sent;
        if (token == address(0)) {
            // solhint-disable-next-line avoid-low-level-calls
            (sent, ) = to.call{value: amount}("");
        } else {
            sent = IERC20(token).trySafeTransfer(to, amount);
        }
        if (!sent) revert PaymentEscrowWithdrawFailed(token, to, amount);
    }

    /// @dev Sends `amount` to `to`; if the receiver reverts, runs out of gas or is blocklisted, credits it to
    /// `to`'s withdrawable balance instead so nobody else is blocked and nothing is lost.
    /// Every caller passes a positive amount (a merchant share is at least 90% of a positive remainder).
    function _push(address token, address to, uint256 amount) private {
        if (to == address(this)) revert PaymentEscrowInvalidRecipient(to);
        // Checked before the call, not after: a caller who gives too little gas must not be able to make an honest
        // receiver fail cheaply and divert its payout into the ledger.
        bytes4 insufficientGas = PaymentEscrowInsufficientGas.selector;
        assembly ("memory-safe") {
            // In assembly: written as `gasleft() < _PUSH_GAS_NEEDED` in Solidity it cost about 230 gas more per push.
            let left := gas()
            if lt(left, _PUSH_GAS_NEEDED) {
                mstore(0x00, insufficientGas)
                mstore(0x04, left)
                revert(0x00, 0x24)
            }
        }
        bool sent;
        if (token == address(0)) {
            assembly ("memory-safe") {
                // No return data is copied: a receiver cannot make the escrow pay for a large return buffer.
                sent := call(_PUSH_GAS, to, amount, 0, 0, 0, 0)
            }
        } else {
            sent = _tryTransfer(token, to, amount);
        }
        if (!sent) _credit(to, token, amount);
    }

    /// @dev `token.transfer(to, amount)` with at most _PUSH_GAS, accepting tokens that return nothing (USDT) and
    /// treating `false`, a revert or a non-contract as failure.
    function _tryTransfer(address token, address to, uint256 amount) private returns (bool success) {
        bytes4 selector = IERC20.transfer.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), to)
            mstore(add(ptr, 0x24), amount)
            success := call(_PUSH_GAS, token, 0, ptr, 0x44, 0x00, 0x20)
            // Success needs either 32 bytes of `true`, or no return data from a contract.
            if success {
                switch returndatasize()
                case 0 {
                    success := gt(extcodesize(token), 0)
                }
                default {
                    success := and(gt(returndatasize(), 31), eq(mload(0x00), 1))
                }
            }
        }
    }

    function _useInvoice(uint32 merchantId, uint64 invoiceNumber) private returns (uint256 wordKey, uint256 bit) {
        (wordKey, bit) = _invoiceBit(merchantId, invoiceNumber);
        uint256 word = _usedInvoices[wordKey];
        if (word & bit != 0) revert PaymentEscrowInvoiceUsed(merchantId, invoiceNumber);
        _usedInvoices[wordKey] = word | bit;
    }

    function _invoiceStatus(
        uint32 merchantId,
        uint64 invoiceNumber,
        uint40 expiry,
        uint32 epoch
    ) private view returns (InvoiceStatus) {
        (uint256 wordKey, uint256 bit) = _invoiceBit(merchantId, invoiceNumber);
        if (_usedInvoices[wordKey] & bit == 0) {
            if (epoch < _registry.paymentTerms(merchantId).epoch) return InvoiceStatus.Voided;
            if (expiry != 0 && block.timestamp > expiry) return InvoiceStatus.Expired;
            return InvoiceStatus.Unpaid;
        }
        if (_cancelledInvoices[wordKey] & bit != 0) return InvoiceStatus.Cancelled;
        Payment storage payment = _payments[_paymentId(merchantId, invoiceNumber)];
        PaymentState state = payment.state;
        if (state == PaymentState.Held) return payment.refunded == 0 ? InvoiceStatus.Held : InvoiceStatus.PartiallyRefunded;
        if (_isDisputed(state)) return InvoiceStatus.Disputed;
        if (state == PaymentState.Refunded) return InvoiceStatus.Refunded;
        // No record: settled (at once, on release, or by a dispute split).
        return InvoiceStatus.Settled;
    }

    function _invoiceDigest(Invoice memory invoice) private view returns (bytes32) {
        bytes32 typeHash = _INVOICE_TYPEHASH;
        bytes32 structHash;
        // Not marked memory-safe: it borrows (and restores) the word before the struct.
        assembly {
            // hashStruct = keccak256(typeHash || the 11 fields, each already a 32-byte word in memory): the
            // typehash is written over the word before the struct and restored, instead of a fresh abi.encode.
            let before := sub(invoice, 0x20)
            let saved := mload(before)
            mstore(before, typeHash)
            structHash := keccak256(before, 0x180)
            mstore(before, saved)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @dev ECDSA first (65-byte or 64-byte EIP-2098 signatures; high-s rejected), then ERC-1271 for contract
    /// signers. Trying ECDSA first saves the EXTCODESIZE of a cold EOA signer; a contract address has no key.
    /// With `ignoreSuffix`, an EOA signer's signature is its first 64 or 65 bytes and the rest a wallet's suffix.
    function _isValidSignature(
        address signer,
        bytes32 digest,
        bytes calldata signature,
        bool ignoreSuffix
    ) private view returns (bool) {
        if (ignoreSuffix && signature.length > 65 && signer.code.length == 0) {
            return
                _isValidSignature(signer, digest, signature[:64], false) ||
                _isValidSignature(signer, digest, signature[:65], false);
        }
        if (signature.length == 64) {
            bytes32 r;
            bytes32 vs;
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                vs := calldataload(add(signature.offset, 0x20))
            }
            (address recovered, ECDSA.RecoverError recoverError, ) = ECDSA.tryRecover(digest, r, vs);
            if (recoverError == ECDSA.RecoverError.NoError && recovered == signer) return true;
        } else if (signature.length == 65) {
            (address recovered, ECDSA.RecoverError recoverError, ) = ECDSA.tryRecoverCalldata(digest, signature);
            if (recoverError == ECDSA.RecoverError.NoError && recovered == signer) return true;
        }
        return signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature);
    }

    function _decodePacked(
        bytes calldata packed
    ) private view returns (Invoice memory invoice, uint16 tokenIndex, bytes calldata signature) {
        uint256 length = packed.length;
        if (length < _PACKED_FIXED_LENGTH + 1) revert PaymentEscrowPackedInvoiceTooShort(length, _PACKED_FIXED_LENGTH + 1);
        uint256 head;
        uint256 tail;
        assembly ("memory-safe") {
            head := calldataload(packed.offset) // bytes 0..31
            tail := calldataload(add(packed.offset, 28)) // bytes 28..59 (length >= 42 is checked above)
        }
        uint8 version = uint8(head >> 248);
        if (version != _PACKED_VERSION) revert PaymentEscrowPackedVersionUnsupported(version);
        uint8 flags = uint8(head >> 240);
        if (flags & ~_FLAGS_KNOWN != 0) revert PaymentEscrowPackedFlagsInvalid(flags);
        invoice.merchantId = uint32(head >> 208);
        invoice.invoiceNumber = uint64(head >> 144);
        tokenIndex = uint16(head >> 128);
        invoice.amount = uint96(head >> 32);
        invoice.expiry = uint40(tail >> 216);
        invoice.pointsAward = uint32(tail >> 184);
        invoice.pointsRedeem = uint32(tail >> 152);

        signature = packed[_decodeOptionalFields(packed, flags, invoice):];

        if (tokenIndex >= _tokenCount) revert PaymentEscrowUnknownTokenIndex(tokenIndex);
        TokenEntry memory entry = _tokenAt[tokenIndex];
        if (!entry.allowed) revert PaymentEscrowTokenNotAllowed(entry.token);
        invoice.token = entry.token;
    }

    /// @dev Reads the flagged optional fields of a packed invoice into `invoice` (each must be non-zero: one
    /// encoding per invoice) and returns where the signature starts (at least one byte of it must follow).
    function _decodeOptionalFields(
        bytes calldata packed,
        uint8 flags,
        Invoice memory invoice
    ) private pure returns (uint256 offset) {
        uint256 length = packed.length;
        offset = _PACKED_FIXED_LENGTH;
        uint256 minLength = offset +
            1 +
            (flags & _FLAG_PAYER != 0 ? 20 : 0) +
            (flags & _FLAG_REFERENCE != 0 ? 32 : 0) +
            (flags & _FLAG_HOLD_PERIOD != 0 ? 4 : 0) +
            (flags & _FLAG_EPOCH != 0 ? 4 : 0);
        if (length < minLength) revert PaymentEscrowPackedInvoiceTooShort(length, minLength);
        if (flags & _FLAG_PAYER != 0) {
            uint256 word;
            assembly ("memory-safe") {
                word := calldataload(add(packed.offset, offset))
            }
            invoice.payer = address(uint160(word >> 96));
            if (invoice.payer == address(0)) revert PaymentEscrowPackedNotCanonical(flags);
            offset += 20;
        }
        if (flags & _FLAG_REFERENCE != 0) {
            bytes32 orderRef;
            assembly ("memory-safe") {
                orderRef := calldataload(add(packed.offset, offset))
            }
            if (orderRef == bytes32(0)) revert PaymentEscrowPackedNotCanonical(flags);
            invoice.orderRef = orderRef;
            offset += 32;
        }
        if (flags & _FLAG_HOLD_PERIOD != 0) {
            invoice.holdPeriod = _readUint32(packed, offset);
            if (invoice.holdPeriod == 0) revert PaymentEscrowPackedNotCanonical(flags);
            offset += 4;
        }
        if (flags & _FLAG_EPOCH != 0) {
            invoice.epoch = _readUint32(packed, offset);
            if (invoice.epoch == 0) revert PaymentEscrowPackedNotCanonical(flags);
            offset += 4;
        }
    }

    /// @dev The big-endian uint32 at `offset` (the caller checked the length).
    function _readUint32(bytes calldata packed, uint256 offset) private pure returns (uint32 value) {
        uint256 word;
        assembly ("memory-safe") {
            word := calldataload(add(packed.offset, offset))
        }
        value = uint32(word >> 224);
    }

    function _checkRole(bytes32 role) private view {
        if (!IAccessControl(address(_registry)).hasRole(role, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
        }
    }

    function _isDisputed(PaymentState state) private pure returns (bool) {
        return state == PaymentState.Disputed || state == PaymentState.DisputedWhileSuspended;
    }

    function _checkRecipient(address to) private view {
        if (to == address(0)) revert PaymentEscrowZeroAddress();
        if (to == address(this)) revert PaymentEscrowInvalidRecipient(to);
    }

    function _setFee(uint16 feeBps_) private {
        if (feeBps_ > MAX_FEE_BPS) revert PaymentEscrowFeeTooHigh(feeBps_, MAX_FEE_BPS);
        _feeBps = feeBps_;
        emit FeeChanged(feeBps_);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert PaymentEscrowZeroAddress();
        _treasury = treasury_;
        emit TreasuryChanged(treasury_);
    }

    function _setDisputeTimeout(uint32 disputeTimeout_) private {
        if (disputeTimeout_ < _MIN_DISPUTE_TIMEOUT || disputeTimeout_ > _MAX_DISPUTE_TIMEOUT) {
            revert PaymentEscrowDisputeTimeoutOutOfRange(disputeTimeout_, _MIN_DISPUTE_TIMEOUT, _MAX_DISPUTE_TIMEOUT);
        }
        _disputeTimeout = disputeTimeout_;
        emit DisputeTimeoutChanged(disputeTimeout_);
    }

    function _invoiceBit(uint32 merchantId, uint64 invoiceNumber) private pure returns (uint256 wordKey, uint256 bit) {
        wordKey = (uint256(merchantId) << 56) | (invoiceNumber >> 8);
        bit = 1 << (invoiceNumber & 0xff);
    }

    function _paymentId(uint32 merchantId, uint64 invoiceNumber) private pure returns (uint256) {
        return (uint256(merchantId) << 64) | invoiceNumber;
    }

    function _splitPaymentId(uint256 id) private pure returns (uint32 merchantId, uint64 invoiceNumber) {
        merchantId = uint32(id >> 64);
        invoiceNumber = uint64(id);
    }
}
