// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DepositRouter} from "../../DepositRouter.sol";
import {IMerchantRegistry} from "../../interfaces/IMerchantRegistry.sol";
import {IPaymentEscrow} from "../../interfaces/IPaymentEscrow.sol";
import {LoyaltyPoints} from "../../LoyaltyPoints.sol";
import {MerchantRegistry} from "../../MerchantRegistry.sol";
import {AuthorizationToken} from "../../mocks/AuthorizationToken.sol";
import {BlocklistToken} from "../../mocks/BlocklistToken.sol";
import {NoReturnToken} from "../../mocks/NoReturnToken.sol";
import {RevertingReceiver} from "../../mocks/RevertingReceiver.sol";
import {TestToken} from "../../mocks/TestToken.sol";
import {PaymentEscrow} from "../../PaymentEscrow.sol";
import {InvoiceCodec} from "../InvoiceCodec.t.sol";
import {Vm, VM_ADDRESS} from "../Vm.t.sol";

// The handler lives in this file on purpose: Hardhat's invariant runner identifies a target contract by the
// artifact of a test root compiled in the same run, so a handler in its own file goes stale (and is "not an
// associated contract") whenever only this file is run after the handler changed.

/// @title EscrowHandler
/// @notice Drives the escrow for the invariant tests: pays (ETH, a plain token, a USDC-style blocklist token and a
/// USDT-style token that returns nothing and a USDC-style EIP-3009 token; `pay` and `payPacked`, 65- and 64-byte
/// signatures from `vm.sign`; by deposit: exact, short, excess and stray-ETH deposits settled through the deposit
/// router, topped up, or returned; by EIP-3009 `payWithAuthorization` signed with the payer's key), replays used and
/// cancelled invoices through every entry point, refunds, releases, disputes, resolves, reclaims, cancels,
/// withdraws, refunds settled payments, warps time, and makes every admin and pauser call.
/// @dev Ghost state is built from balances measured around each call (what the payer, the payout and the treasury
/// actually received), never from the escrow's own records. A call that must succeed but reverts, or a measured
/// amount that differs from the rules, bumps a violation counter that an invariant checks (the fuzzer discards a
/// handler's reverts, so assertions here would go unnoticed).
contract EscrowHandler {
    enum Status {
        None,
        Held,
        Disputed,
        Refunded,
        Settled
    }

    /// @notice What the handler knows about one payment, from its own measurements.
    struct Ghost {
        address payer;
        address token;
        uint32 merchantId;
        uint64 invoiceNumber;
        uint96 amount;
        uint96 refunded;
        uint96 released;
        uint16 feeBps;
        uint32 pointsAward;
        uint32 pointsRedeem;
        Status status;
        uint8 timesPaid;
        int256 netPoints;
    }

    struct PayContext {
        address payer;
        uint256 merchantIndex;
        uint16 tokenIndex;
        bool packed;
        bool compact;
        bool expectSuccess;
        uint256 id;
        uint32 holdPeriod;
        address payout;
        uint256 settledBefore;
        uint256 treasuryBefore;
        uint256 pointsBefore;
        uint256 debtBefore;
    }

    /// @notice A deposit waiting at an invoice's deposit address (refused: short, or the rules said no).
    struct Pending {
        IPaymentEscrow.Invoice invoice;
        bytes signature;
        address payer;
    }

    /// @notice What a settlement by deposit found at the address and the payer's credits before it.
    struct DepositContext {
        address deposit;
        uint256 funded;
        uint256 stray;
        uint256 creditBefore;
        uint256 etherCreditBefore;
        bool allowed;
        bool used;
        address asked;
    }

    Vm private constant VM = Vm(VM_ADDRESS);
    uint256 private constant BPS = 10_000;
    address private constant ETH = address(0);
    /// @notice Where withdrawals go.
    address public constant SINK = address(0x5117);
    /// @notice The two treasuries the admin switches between.
    address public constant TREASURY_A = address(0x7EA5A);
    address public constant TREASURY_B = address(0x7EA5B);

    PaymentEscrow public immutable escrow;
    MerchantRegistry public immutable registry;
    LoyaltyPoints public immutable points;
    TestToken public immutable token;
    BlocklistToken public immutable blocklist;
    NoReturnToken public immutable noReturn;
    RevertingReceiver public immutable receiver;
    /// @notice The escrow's deposit router.
    DepositRouter public immutable router;
    /// @notice A USDC-style EIP-3009 token (the test contract allowlists it as index 4).
    AuthorizationToken public immutable usdc;
    /// @notice Holder of the admin, pauser and arbiter roles (the test contract).
    address public immutable admin;

    address[] public tokens;
    address[] public payers;
    address[] public payouts;
    uint32[] public merchantIds;
    uint256[] private _signerKeys;
    uint256[] private _payerKeys;
    /// @notice Deposits waiting at their addresses.
    Pending[] private _pending;
    /// @notice Every account the escrow could ever credit.
    address[] public accounts;

    /// @notice Payment ids of every successful payment.
    uint256[] public ids;
    mapping(uint256 id => Ghost) private ghosts;
    /// @notice Ids of every paid or cancelled invoice, each with a signed invoice to replay.
    uint256[] public usedIds;
    mapping(uint256 id => IPaymentEscrow.Invoice) private _invoiceOf;
    mapping(uint256 id => bytes) private _signatureOf;
    mapping(uint256 id => bool) public cancelled;
    mapping(uint32 merchantId => uint64) public nextNumber;

    /// @notice Points minted and burned by the escrow, by the rules.
    uint256 public pointsMinted;
    uint256 public pointsBurned;
    /// @notice A used or cancelled invoice was paid (again).
    uint256 public doublePays;
    /// @notice A measured amount differed from the rules, or a call the rules allow reverted.
    uint256 public violations;
    /// @notice A well-formed invoice that the rules say must be payable was refused.
    uint256 public rejectedValidPays;
    /// @notice Token of the last refused valid invoice.
    address public lastRejectedToken;
    /// @notice An admin or pauser call changed a balance, a record or the ledger.
    uint256 public adminViolations;
    /// @notice Description of the last violation.
    string public lastViolation;
    /// @notice Successful actions, by name.
    mapping(bytes32 action => uint256) public successes;

    constructor(
        PaymentEscrow escrow_,
        MerchantRegistry registry_,
        LoyaltyPoints points_,
        TestToken token_,
        BlocklistToken blocklist_,
        NoReturnToken noReturn_,
        RevertingReceiver receiver_,
        address admin_
    ) {
        escrow = escrow_;
        registry = registry_;
        points = points_;
        token = token_;
        blocklist = blocklist_;
        noReturn = noReturn_;
        receiver = receiver_;
        admin = admin_;
        router = DepositRouter(escrow_.depositRouter());
        usdc = new AuthorizationToken();
        tokens = [ETH, address(token_), address(blocklist_), address(noReturn_), address(usdc)];
        // Payers have keys: they sign EIP-3009 authorizations.
        _payerKeys = [uint256(0xB0B1), 0xB0B2, 0xB0B3];
        for (uint256 i = 0; i < _payerKeys.length; ++i) payers.push(VM.addr(_payerKeys[i]));
        payouts = [address(0xD001), address(0xD002), address(receiver_), address(0xD004)];
        _signerKeys = [uint256(0xA11CE1), 0xA11CE2, 0xA11CE3, 0xA11CE4];
        uint32[4] memory holds = [uint32(0), 1 days, 3 days, 2 days];
        for (uint256 i = 0; i < 4; ++i) {
            merchantIds.push(registry_.register(address(this), payouts[i], VM.addr(_signerKeys[i]), holds[i], "M", ""));
        }
        for (uint256 i = 0; i < payers.length; ++i) {
            VM.prank(payers[i]);
            token_.approve(address(escrow_), type(uint256).max);
            VM.prank(payers[i]);
            blocklist_.approve(address(escrow_), type(uint256).max);
            VM.prank(payers[i]);
            noReturn_.approve(address(escrow_), type(uint256).max);
            VM.prank(payers[i]);
            usdc.approve(address(escrow_), type(uint256).max);
            accounts.push(payers[i]);
        }
        for (uint256 i = 0; i < payouts.length; ++i) accounts.push(payouts[i]);
        accounts.push(TREASURY_A);
        accounts.push(TREASURY_B);
        accounts.push(SINK);
        accounts.push(address(this));
        token_.approve(address(escrow_), type(uint256).max);
        blocklist_.approve(address(escrow_), type(uint256).max);
        noReturn_.approve(address(escrow_), type(uint256).max);
        usdc.approve(address(escrow_), type(uint256).max);
    }

    // --------------------------------------------------------------------------------------------------------
    // Payments
    // --------------------------------------------------------------------------------------------------------

    /// @notice Pays a fresh invoice signed by the merchant's key.
    function pay(
        uint256 payerSeed,
        uint256 merchantSeed,
        uint256 tokenSeed,
        uint256 amountSeed,
        uint256 awardSeed,
        uint256 redeemSeed,
        uint256 mode
    ) external {
        PayContext memory c;
        c.payer = payers[payerSeed % payers.length];
        c.merchantIndex = merchantSeed % merchantIds.length;
        c.debtBefore = points.debtOf(c.payer, merchantIds[c.merchantIndex]);
        c.tokenIndex = uint16(tokenSeed % tokens.length);
        c.packed = mode & 4 != 0;
        c.compact = mode & 2 != 0;
        IPaymentEscrow.Invoice memory invoice = _newInvoice(c, amountSeed, awardSeed, redeemSeed, mode);
        bytes memory signature = _sign(c.merchantIndex, invoice, c.compact);
        c.id = escrow.paymentId(invoice.merchantId, invoice.invoiceNumber);
        _fund(c.payer, invoice.token, invoice.amount);
        c.expectSuccess = _payAllowed(c.payer, invoice);
        IMerchantRegistry.PaymentTerms memory terms = registry.paymentTerms(invoice.merchantId);
        // The escrow holds for the longer of the signed window and the merchant's current one.
        c.holdPeriod = invoice.holdPeriod > terms.holdPeriod ? invoice.holdPeriod : terms.holdPeriod;
        c.payout = terms.payout;
        c.settledBefore = _settledAt(c.payout, invoice.token);
        c.treasuryBefore = _treasuries(invoice.token);
        c.pointsBefore = points.balanceOf(c.payer, invoice.merchantId);
        uint16 feeBps = escrow.feeBps();

        if (!_sendPay(c, invoice, signature)) {
            if (c.expectSuccess) {
                ++rejectedValidPays;
                lastRejectedToken = invoice.token;
            } else {
                ++successes["pay refused as expected"];
            }
            return;
        }
        _recordPaid(c, invoice, signature, feeBps);
    }

    /// @notice Tries to pay an invoice that was already paid or cancelled, in its 65- or 64-byte form.
    function replay(uint256 seed, uint256 mode) external {
        if (usedIds.length == 0) return;
        uint256 id = usedIds[seed % usedIds.length];
        IPaymentEscrow.Invoice memory invoice = _invoiceOf[id];
        bytes memory signature = _signatureOf[id];
        if (mode & 1 != 0) signature = InvoiceCodec.compact(signature);
        address caller = invoice.payer != address(0) ? invoice.payer : payers[(seed >> 8) % payers.length];
        if (mode & 2 != 0) return _replayByDeposit(invoice, signature, caller);
        if (mode & 4 != 0) return _replayByAuthorization(invoice, signature, caller);
        _fund(caller, invoice.token, invoice.amount);
        VM.prank(caller);
        try escrow.pay{value: invoice.token == ETH ? invoice.amount : 0}(invoice, signature) {
            ++doublePays;
            _violation("a used invoice was paid");
        } catch {
            ++successes["replay rejected"];
        }
    }

    /// @notice Pays a fresh invoice by deposit: `amount`, a bit more or a bit less (and, one time in four, stray
    /// ETH at a token invoice's address) arrives at its deposit address, and a relayer (bound invoice) or the
    /// merchant's signer (naming the payer of an unbound one) settles it through the router. A refused deposit
    /// stays pending for `settlePending` and `returnPending`.
    function payByDeposit(
        uint256 payerSeed,
        uint256 merchantSeed,
        uint256 tokenSeed,
        uint256 amountSeed,
        uint256 awardSeed,
        uint256 deltaSeed,
        uint256 mode
    ) external {
        PayContext memory c;
        c.payer = payers[payerSeed % payers.length];
        c.merchantIndex = merchantSeed % merchantIds.length;
        c.tokenIndex = uint16(tokenSeed % tokens.length);
        c.debtBefore = points.debtOf(c.payer, merchantIds[c.merchantIndex]);
        // A deposit cannot redeem points (DepositRouterRedeemsPoints).
        IPaymentEscrow.Invoice memory invoice = _newInvoice(c, amountSeed, awardSeed, 0, mode);
        Pending memory p = Pending({invoice: invoice, signature: _sign(c.merchantIndex, invoice, mode & 2 != 0), payer: c.payer});
        address deposit = router.depositAddress(invoice);
        // 0: exact, 1: more, 2: less, 3: exact in two parts.
        uint256 amount = invoice.amount;
        uint256 kind = deltaSeed % 4;
        uint256 delta = _bound(deltaSeed >> 8, 1, amount);
        if (kind == 1) _fundDeposit(deposit, invoice.token, amount + delta);
        else if (kind == 2) _fundDeposit(deposit, invoice.token, amount - (delta == amount ? amount - 1 : delta));
        else if (kind == 3) {
            _fundDeposit(deposit, invoice.token, amount / 2);
            _fundDeposit(deposit, invoice.token, amount - amount / 2);
        } else _fundDeposit(deposit, invoice.token, amount);
        if (invoice.token != ETH && (deltaSeed >> 128) % 4 == 0) VM.deal(deposit, deposit.balance + 1 + ((deltaSeed >> 64) % 1e18));
        if (!_trySettle(p, (mode >> 5) & 1 != 0)) _pending.push(p);
    }

    /// @notice Tops up a pending deposit (or not) and settles it again.
    function settlePending(uint256 seed, uint256 topUpSeed, bool byMerchant) external {
        if (_pending.length == 0) return;
        uint256 index = seed % _pending.length;
        Pending memory p = _pending[index];
        address deposit = router.depositAddress(p.invoice);
        uint256 there = _balanceOf(deposit, p.invoice.token);
        if (topUpSeed % 3 != 0 && there < p.invoice.amount) {
            _fundDeposit(deposit, p.invoice.token, p.invoice.amount - there + (topUpSeed >> 8) % 1000);
        }
        if (_trySettle(p, byMerchant)) _removePending(index);
    }

    /// @notice Returns a pending deposit's funds to its payer: allowed once the invoice can no longer be paid.
    function returnPending(uint256 seed, uint256 callerSeed) external {
        if (_pending.length == 0) return;
        uint256 index = seed % _pending.length;
        Pending memory p = _pending[index];
        IPaymentEscrow.Invoice memory invoice = p.invoice;
        DepositContext memory d;
        d.deposit = router.depositAddress(invoice);
        d.funded = _balanceOf(d.deposit, invoice.token);
        d.stray = invoice.token == ETH ? 0 : d.deposit.balance;
        // "allowed": the invoice can no longer be paid, so its own asset may go back.
        d.allowed =
            escrow.isInvoiceUsed(invoice.merchantId, invoice.invoiceNumber) ||
            block.timestamp > invoice.expiry ||
            invoice.epoch != registry.paymentTerms(invoice.merchantId).epoch;
        // A blocklisted payer cannot receive the token back (the sweeper's transfer fails; only ETH moves).
        d.used = invoice.token == address(blocklist) && blocklist.blocked(p.payer);
        d.creditBefore = _balanceOf(p.payer, invoice.token);
        d.etherCreditBefore = p.payer.balance;
        // An ETH invoice's address is sometimes asked for another token: its ETH must still wait while payable.
        d.asked = invoice.token == ETH && (callerSeed >> 8) % 2 == 1 ? address(token) : invoice.token;
        bytes32 before = fundsFingerprint();
        address caller = invoice.payer != address(0)
            ? payers[callerSeed % payers.length]
            : VM.addr(_signerKeys[_merchantIndex(invoice.merchantId)]);
        VM.prank(caller);
        try router.returnDeposit(invoice, d.asked, invoice.payer != address(0) ? address(0) : p.payer) {
            ++successes["returnDeposit"];
        } catch {
            if (d.allowed && !d.used && (d.funded != 0 || d.stray != 0)) _violation("returnDeposit refused");
            return;
        }
        if (!d.allowed) _violation("returnDeposit took a payable invoice's asset");
        if (fundsFingerprint() != before) _violation("returnDeposit moved the escrow's funds");
        _checkReturned(p, d);
        if (_balanceOf(d.deposit, invoice.token) == 0) _removePending(index);
    }

    /// @dev After a return: the payer got everything that was at the address (a blocklisted payer's token stays).
    function _checkReturned(Pending memory p, DepositContext memory d) private {
        address asset = p.invoice.token;
        uint256 tokenBack = d.used ? 0 : d.funded;
        if (asset == ETH) {
            if (p.payer.balance - d.etherCreditBefore != d.funded) _violation("returnDeposit: ETH amount");
        } else {
            if (_balanceOf(p.payer, asset) - d.creditBefore != tokenBack) _violation("returnDeposit: token amount");
            if (p.payer.balance - d.etherCreditBefore != d.stray) _violation("returnDeposit: stray ETH");
        }
        if (d.deposit.balance != 0 || _balanceOf(d.deposit, asset) != d.funded - tokenBack) {
            _violation("returnDeposit: left at the address");
        }
    }

    /// @notice Pays a fresh USDC invoice with the payer's EIP-3009 ReceiveWithAuthorization, submitted by another
    /// account, then replays the same authorization.
    function payWithAuthorization(
        uint256 payerSeed,
        uint256 merchantSeed,
        uint256 amountSeed,
        uint256 awardSeed,
        uint256 redeemSeed,
        uint256 mode
    ) external {
        PayContext memory c;
        c.payer = payers[payerSeed % payers.length];
        c.merchantIndex = merchantSeed % merchantIds.length;
        c.debtBefore = points.debtOf(c.payer, merchantIds[c.merchantIndex]);
        c.tokenIndex = 4;
        IPaymentEscrow.Invoice memory invoice = _newInvoice(c, amountSeed, awardSeed, redeemSeed, mode);
        bytes memory signature = _sign(c.merchantIndex, invoice, mode & 2 != 0);
        _payWithAuthorization(c, invoice, signature, payerSeed);
    }

    function _payWithAuthorization(
        PayContext memory c,
        IPaymentEscrow.Invoice memory invoice,
        bytes memory signature,
        uint256 payerSeed
    ) private {
        c.id = escrow.paymentId(invoice.merchantId, invoice.invoiceNumber);
        _fund(c.payer, invoice.token, invoice.amount);
        c.expectSuccess = _payAllowed(c.payer, invoice);
        _measureBefore(c, invoice);
        uint16 feeBps = escrow.feeBps();
        IPaymentEscrow.ReceiveAuthorization memory authorization = _authorize(payerSeed % payers.length, invoice);
        VM.prank(payers[(payerSeed >> 8) % payers.length]);
        try escrow.payWithAuthorization(invoice, signature, authorization) {
            _recordPaid(c, invoice, signature, feeBps);
        } catch {
            if (c.expectSuccess) {
                ++rejectedValidPays;
                lastRejectedToken = invoice.token;
            } else {
                ++successes["authorization refused"];
            }
            return;
        }
        _fund(c.payer, invoice.token, invoice.amount);
        try escrow.payWithAuthorization(invoice, signature, authorization) {
            ++doublePays;
            _violation("an authorization was used twice");
        } catch {
            ++successes["authorization replay refused"];
        }
    }

    /// @notice Cancels a fresh invoice number (signed first, so `replay` can try to pay it).
    function cancel(uint256 merchantSeed, uint256 amountSeed) external {
        uint256 merchantIndex = merchantSeed % merchantIds.length;
        uint32 merchantId = merchantIds[merchantIndex];
        IPaymentEscrow.Invoice memory invoice = IPaymentEscrow.Invoice({
            merchantId: merchantId,
            invoiceNumber: _takeNumber(merchantId),
            token: ETH,
            amount: uint96(_bound(amountSeed, 1, 1e21)),
            expiry: uint40(block.timestamp + 30 days),
            payer: address(0),
            pointsAward: 0,
            pointsRedeem: 0,
            orderRef: bytes32(0),
            holdPeriod: 0,
            epoch: registry.paymentTerms(merchantId).epoch
        });
        bytes memory signature = _sign(merchantIndex, invoice, false);
        VM.prank(VM.addr(_signerKeys[merchantIndex]));
        try escrow.cancelInvoice(merchantId, invoice.invoiceNumber) {
            uint256 id = escrow.paymentId(merchantId, invoice.invoiceNumber);
            cancelled[id] = true;
            _remember(id, invoice, signature);
            ++successes["cancel"];
        } catch {
            _violation("cancel of a fresh number failed");
        }
    }

    // --------------------------------------------------------------------------------------------------------
    // Refunds, releases, disputes
    // --------------------------------------------------------------------------------------------------------

    /// @notice The merchant (owner or signer) refunds part or all of what is left of an open payment.
    function refund(uint256 seed, uint256 amountSeed, bool bySigner) external {
        (bool found, uint256 id) = _pick(seed, Status.Held, Status.Disputed);
        if (!found) return;
        Ghost storage g = ghosts[id];
        uint96 amount = uint96(_bound(amountSeed, 1, g.amount - g.refunded));
        address caller = bySigner ? VM.addr(_signerKeys[_merchantIndex(g.merchantId)]) : address(this);
        uint256 before = _settledAt(g.payer, g.token);
        uint256 pointsBefore = points.balanceOf(g.payer, g.merchantId);
        VM.prank(caller);
        try escrow.refund(g.merchantId, g.invoiceNumber, amount) {
            _afterRefund(id, amount, before, pointsBefore);
            ++successes["refund"];
        } catch {
            _violation("refund of an open payment failed");
        }
    }

    /// @notice Releases up to three releasable payments in one batch, from any caller.
    function release(uint256 seed, uint256 countSeed, uint256 callerSeed) external {
        uint256[] memory batch = _releasable(seed, 1 + (countSeed % 3));
        if (batch.length == 0) return;
        uint256[5] memory settledBefore;
        uint256[5] memory treasuryBefore;
        for (uint256 t = 0; t < 5; ++t) {
            settledBefore[t] = _payoutsSide(tokens[t]);
            treasuryBefore[t] = _treasuries(tokens[t]);
        }
        uint256 pointsBefore = _allPoints();
        VM.prank(payers[callerSeed % payers.length]);
        try escrow.release(batch) {
            ++successes["release"];
        } catch {
            _violation("release of releasable payments failed");
            return;
        }
        uint256[5] memory expectedSettled;
        uint256[5] memory expectedFees;
        uint256 expectedPoints;
        for (uint256 i = 0; i < batch.length; ++i) {
            Ghost storage g = ghosts[batch[i]];
            uint96 remaining = g.amount - g.refunded;
            uint256 award = (uint256(g.pointsAward) * remaining) / g.amount;
            uint256 t = _tokenIndex(g.token);
            expectedSettled[t] += remaining;
            expectedFees[t] += (uint256(remaining) * g.feeBps) / BPS;
            expectedPoints += award;
            g.released = remaining;
            g.status = Status.Settled;
            g.netPoints += int256(award);
        }
        pointsMinted += expectedPoints;
        for (uint256 t = 0; t < 5; ++t) {
            // The payouts' side counts the fee too (treasuries are among the accounts summed).
            if (_payoutsSide(tokens[t]) - settledBefore[t] != expectedSettled[t]) _violation("release: settled amount");
            if (_treasuries(tokens[t]) - treasuryBefore[t] != expectedFees[t]) _violation("release: fee");
        }
        if (_allPoints() - pointsBefore != expectedPoints) _violation("release: points");
    }

    /// @notice The payer opens a dispute on a held payment (before release time, or after it while suspended).
    function openDispute(uint256 seed) external {
        (bool found, uint256 id) = _pick(seed, Status.Held, Status.Held);
        if (!found) return;
        Ghost storage g = ghosts[id];
        bool allowed = block.timestamp < escrow.paymentOf(g.merchantId, g.invoiceNumber).releaseAt ||
            registry.paymentTerms(g.merchantId).status != IMerchantRegistry.MerchantStatus.Active;
        VM.prank(g.payer);
        try escrow.openDispute(g.merchantId, g.invoiceNumber) {
            if (!allowed) _violation("dispute opened after the window");
            g.status = Status.Disputed;
            ++successes["openDispute"];
        } catch {
            if (allowed) _violation("payer could not dispute");
        }
    }

    /// @notice The arbiter resolves a dispute: part (or all) back to the payer, the rest to the merchant.
    function resolve(uint256 seed, uint256 refundSeed) external {
        (bool found, uint256 id) = _pick(seed, Status.Disputed, Status.Disputed);
        if (!found) return;
        Ghost storage g = ghosts[id];
        uint96 remaining = g.amount - g.refunded;
        uint96 refundAmount = uint96(_bound(refundSeed, 0, remaining));
        uint256 payerBefore = _settledAt(g.payer, g.token);
        uint256 sideBefore = _payoutsSide(g.token);
        uint256 pointsBefore = points.balanceOf(g.payer, g.merchantId);
        bool inTime = block.timestamp < escrow.paymentOf(g.merchantId, g.invoiceNumber).releaseAt;
        bool suspended = registry.paymentTerms(g.merchantId).status != IMerchantRegistry.MerchantStatus.Active;
        uint256 frozenBefore = escrow.merchantBalanceOf(g.merchantId, g.token);
        VM.prank(admin);
        try escrow.resolveDispute(g.merchantId, g.invoiceNumber, refundAmount) {
            if (!inTime) _violation("arbiter resolved after the deadline");
            ++successes["resolve"];
        } catch {
            if (inTime) _violation("arbiter could not resolve");
            return;
        }
        uint256 frozen = escrow.merchantBalanceOf(g.merchantId, g.token) - frozenBefore;
        if (_settledAt(g.payer, g.token) - payerBefore != refundAmount) _violation("resolve: payer amount");
        g.refunded += refundAmount;
        int256 pointsDelta = int256(points.balanceOf(g.payer, g.merchantId)) - int256(pointsBefore);
        g.netPoints += pointsDelta;
        if (refundAmount == remaining) {
            g.status = Status.Refunded;
            pointsMinted += g.pointsRedeem;
            if (pointsDelta != int256(uint256(g.pointsRedeem))) _violation("resolve: redeemed points not returned");
            if (_payoutsSide(g.token) != sideBefore) _violation("resolve: merchant paid on a full refund");
        } else {
            uint96 rest = remaining - refundAmount;
            uint256 award = (uint256(g.pointsAward) * rest) / g.amount;
            pointsMinted += award;
            g.released = rest;
            g.status = Status.Settled;
            if (pointsDelta != int256(award)) _violation("resolve: points award");
            if (_payoutsSide(g.token) - sideBefore != rest) _violation("resolve: merchant amount");
            // While suspended the merchant's share is frozen, never pushed to a payout that may be a thief's.
            uint256 share = rest - (uint256(rest) * g.feeBps) / BPS;
            if (frozen != (suspended ? share : 0)) _violation("resolve: frozen share");
        }
    }

    /// @notice The payer takes back what is left of a dispute once the arbiter's deadline passed.
    function reclaim(uint256 seed) external {
        (bool found, uint256 id) = _pick(seed, Status.Disputed, Status.Disputed);
        if (!found) return;
        Ghost storage g = ghosts[id];
        IPaymentEscrow.Payment memory record = escrow.paymentOf(g.merchantId, g.invoiceNumber);
        if (block.timestamp < record.releaseAt) return;
        // A dispute only a suspension allowed does not outlive the reinstatement.
        bool allowed = record.state == IPaymentEscrow.PaymentState.Disputed ||
            registry.paymentTerms(g.merchantId).status != IMerchantRegistry.MerchantStatus.Active;
        uint96 remaining = g.amount - g.refunded;
        uint256 before = _settledAt(g.payer, g.token);
        uint256 pointsBefore = points.balanceOf(g.payer, g.merchantId);
        VM.prank(g.payer);
        try escrow.reclaim(g.merchantId, g.invoiceNumber) {
            if (!allowed) _violation("reclaimed after the reinstatement");
            _afterRefund(id, remaining, before, pointsBefore);
            ++successes["reclaim"];
        } catch {
            if (allowed) _violation("payer could not reclaim");
        }
    }

    /// @notice The merchant refunds a settled payment with its own funds and claws back points.
    function refundSettled(uint256 seed, uint256 amountSeed, uint256 clawSeed) external {
        (bool found, uint256 id) = _pick(seed, Status.Settled, Status.Settled);
        if (!found) return;
        Ghost storage g = ghosts[id];
        uint256 amount = _bound(amountSeed, 1, g.amount);
        uint32 claw = uint32(clawSeed % (uint256(g.pointsAward) + 1));
        uint32 restore = uint32((clawSeed >> 128) % (uint256(g.pointsRedeem) + 1));
        _fund(address(this), g.token, amount);
        uint256 before = _settledAt(g.payer, g.token);
        uint256 pointsBefore = points.balanceOf(g.payer, g.merchantId);
        uint256 debtBefore = points.debtOf(g.payer, g.merchantId);
        try
            escrow.refundSettled{value: g.token == ETH ? amount : 0}(
                g.merchantId,
                g.invoiceNumber,
                g.payer,
                g.token,
                amount,
                restore,
                claw
            )
        {
            ++successes["refundSettled"];
        } catch {
            _violation("refundSettled failed");
            return;
        }
        if (_settledAt(g.payer, g.token) - before != amount) _violation("refundSettled: payer amount");
        // Restored first, then clawed back: what the payer no longer holds becomes debt.
        uint256 available = pointsBefore + restore;
        uint256 expectedBurn = claw < available ? claw : available;
        if (points.balanceOf(g.payer, g.merchantId) != available - expectedBurn) _violation("refundSettled: clawback");
        if (points.debtOf(g.payer, g.merchantId) != debtBefore + claw - expectedBurn) _violation("refundSettled: debt");
        pointsMinted += restore;
        pointsBurned += expectedBurn;
    }

    /// @notice An account withdraws its whole balance of a token to SINK.
    function withdraw(uint256 accountSeed, uint256 tokenSeed) external {
        address account = accounts[accountSeed % accounts.length];
        address asset = tokens[tokenSeed % tokens.length];
        uint256 amount = escrow.withdrawableOf(account, asset);
        if (amount == 0) return;
        uint256 before = _balanceOf(SINK, asset);
        VM.prank(account);
        try escrow.withdraw(asset, SINK) {
            ++successes["withdraw"];
        } catch {
            _violation("withdrawal trapped");
            return;
        }
        if (_balanceOf(SINK, asset) - before != amount) _violation("withdraw: amount");
        if (escrow.withdrawableOf(account, asset) != 0) _violation("withdraw: balance left");
    }

    /// @notice Moves time forward by 1 second to 10 days.
    function warp(uint256 seconds_) external {
        VM.warp(block.timestamp + _bound(seconds_, 1, 10 days));
    }

    // --------------------------------------------------------------------------------------------------------
    // Admin, pauser, issuer and incident calls: none may touch held funds
    // --------------------------------------------------------------------------------------------------------

    /// @notice The admin sets the fee (0 to the cap).
    function setFee(uint256 seed) external {
        bytes32 before = fundsFingerprint();
        VM.prank(admin);
        escrow.setFee(uint16(seed % (uint256(escrow.MAX_FEE_BPS()) + 1)));
        _checkUnchanged(before, "setFee");
    }

    /// @notice The admin switches the treasury.
    function setTreasury(bool toB) external {
        bytes32 before = fundsFingerprint();
        VM.prank(admin);
        escrow.setTreasury(toB ? TREASURY_B : TREASURY_A);
        _checkUnchanged(before, "setTreasury");
    }

    /// @notice The admin sets the dispute timeout.
    function setDisputeTimeout(uint256 seed) external {
        bytes32 before = fundsFingerprint();
        VM.prank(admin);
        escrow.setDisputeTimeout(uint32(_bound(seed, 1 hours, 90 days)));
        _checkUnchanged(before, "setDisputeTimeout");
    }

    /// @notice The admin allows or disallows a token for new payments (disallows one time in four).
    function toggleToken(uint256 seed) external {
        address asset = tokens[1 + (seed % (tokens.length - 1))];
        (, , bool allowed) = escrow.tokenIndexOf(asset);
        if (allowed && (seed >> 8) % 4 != 0) return;
        bytes32 before = fundsFingerprint();
        VM.prank(admin);
        escrow.setTokenAllowed(asset, !allowed);
        _checkUnchanged(before, "setTokenAllowed");
    }

    /// @notice The pauser unpauses, or pauses one time in four.
    function togglePause(uint256 seed) external {
        if (!escrow.paused() && seed % 4 != 0) return;
        bytes32 before = fundsFingerprint();
        VM.prank(admin);
        if (escrow.paused()) escrow.unpause();
        else escrow.pause();
        _checkUnchanged(before, "pause");
    }

    /// @notice The registry admin reinstates a merchant, or suspends it one time in four.
    function toggleSuspension(uint256 seed) external {
        uint32 merchantId = merchantIds[seed % merchantIds.length];
        bool active = registry.paymentTerms(merchantId).status == IMerchantRegistry.MerchantStatus.Active;
        if (active && (seed >> 8) % 4 != 0) return;
        bytes32 before = fundsFingerprint();
        VM.prank(admin);
        if (registry.paymentTerms(merchantId).status == IMerchantRegistry.MerchantStatus.Active) registry.suspend(merchantId);
        else registry.reinstate(merchantId);
        _checkUnchanged(before, "suspension");
    }

    /// @notice The admin grants and revokes roles and starts and cancels an admin handover.
    function shuffleRoles(uint256 seed) external {
        bytes32 before = fundsFingerprint();
        address someone = address(uint160(0xF00D0000 + (seed % 16)));
        VM.prank(admin);
        registry.grantRole(registry.ARBITER_ROLE(), someone);
        VM.prank(admin);
        registry.revokeRole(registry.ARBITER_ROLE(), someone);
        VM.prank(admin);
        registry.beginDefaultAdminTransfer(someone);
        VM.prank(admin);
        registry.cancelDefaultAdminTransfer();
        _checkUnchanged(before, "roles");
    }

    /// @notice A merchant's signer (or owner) voids every outstanding invoice by moving to the next epoch.
    function voidInvoices(uint256 seed, bool byOwner) external {
        uint256 merchantIndex = seed % merchantIds.length;
        uint32 merchantId = merchantIds[merchantIndex];
        bytes32 before = fundsFingerprint();
        VM.prank(byOwner ? address(this) : VM.addr(_signerKeys[merchantIndex]));
        registry.voidInvoices(merchantId);
        _checkUnchanged(before, "voidInvoices");
    }

    /// @notice The merchant's owner withdraws its frozen balance (dispute splits made while it was suspended).
    function withdrawMerchantBalance(uint256 seed, uint256 tokenSeed) external {
        uint32 merchantId = merchantIds[seed % merchantIds.length];
        address asset = tokens[tokenSeed % tokens.length];
        uint256 amount = escrow.merchantBalanceOf(merchantId, asset);
        if (amount == 0) return;
        bool active = registry.paymentTerms(merchantId).status == IMerchantRegistry.MerchantStatus.Active;
        uint256 before = _balanceOf(SINK, asset);
        try escrow.withdrawMerchantBalance(merchantId, asset, SINK) {
            if (!active) _violation("frozen balance withdrawn while suspended");
            ++successes["withdrawMerchantBalance"];
        } catch {
            if (active) _violation("frozen balance trapped");
            return;
        }
        if (_balanceOf(SINK, asset) - before != amount) _violation("withdrawMerchantBalance: amount");
    }

    /// @notice The token issuer unblocks a payer, a payout or the treasury, or blocks it one time in three.
    function toggleBlock(uint256 seed) external {
        address[5] memory candidates = [payers[0], payers[1], payouts[1], payouts[3], TREASURY_A];
        address account = candidates[seed % candidates.length];
        if (!blocklist.blocked(account) && (seed >> 8) % 3 != 0) return;
        bytes32 before = fundsFingerprint();
        blocklist.setBlocked(account, !blocklist.blocked(account));
        _checkUnchanged(before, "blocklist");
    }

    // --------------------------------------------------------------------------------------------------------
    // Views for the invariants
    // --------------------------------------------------------------------------------------------------------

    /// @notice Number of payments made.
    function paymentCount() external view returns (uint256) {
        return ids.length;
    }

    /// @notice The ghost of payment `id`.
    function ghostOf(uint256 id) external view returns (Ghost memory) {
        return ghosts[id];
    }

    /// @notice Number of payers.
    function payerCount() external view returns (uint256) {
        return payers.length;
    }

    /// @notice Number of merchants.
    function merchantCount() external view returns (uint256) {
        return merchantIds.length;
    }

    /// @notice What the escrow owes in `asset`: open payments (from the ghosts) plus every withdrawable balance.
    function owed(address asset) public view returns (uint256 total) {
        for (uint256 i = 0; i < ids.length; ++i) {
            Ghost storage g = ghosts[ids[i]];
            if (g.token == asset && (g.status == Status.Held || g.status == Status.Disputed)) {
                total += g.amount - g.refunded;
            }
        }
        for (uint256 i = 0; i < accounts.length; ++i) total += escrow.withdrawableOf(accounts[i], asset);
        for (uint256 m = 0; m < merchantIds.length; ++m) total += escrow.merchantBalanceOf(merchantIds[m], asset);
    }

    /// @notice The escrow's balance of `asset`.
    function held(address asset) public view returns (uint256) {
        return _balanceOf(address(escrow), asset);
    }

    /// @notice Whether the escrow's records of open payments match the ghosts (amount, refunded, payer, state).
    function recordsMatch() external view returns (bool) {
        for (uint256 i = 0; i < ids.length; ++i) {
            Ghost storage g = ghosts[ids[i]];
            IPaymentEscrow.Payment memory p = escrow.paymentOf(g.merchantId, g.invoiceNumber);
            if (g.status == Status.Held || g.status == Status.Disputed) {
                if (p.amount != g.amount || p.refunded != g.refunded || p.payer != g.payer) return false;
                if (g.status == Status.Held ? p.state != IPaymentEscrow.PaymentState.Held : !_disputed(p.state)) {
                    return false;
                }
            } else if (g.status == Status.Settled && p.amount != 0) {
                return false;
            }
        }
        return true;
    }

    /// @notice Hash of everything held funds consist of: balances, every payment record, every withdrawable balance.
    function fundsFingerprint() public view returns (bytes32 fingerprint) {
        fingerprint = keccak256(
            abi.encode(held(ETH), held(address(token)), held(address(blocklist)), held(address(noReturn)), held(address(usdc)))
        );
        for (uint256 i = 0; i < ids.length; ++i) {
            Ghost storage g = ghosts[ids[i]];
            fingerprint = keccak256(abi.encode(fingerprint, escrow.paymentOf(g.merchantId, g.invoiceNumber)));
        }
        for (uint256 i = 0; i < accounts.length; ++i) {
            for (uint256 t = 0; t < tokens.length; ++t) {
                fingerprint = keccak256(abi.encode(fingerprint, escrow.withdrawableOf(accounts[i], tokens[t])));
            }
        }
        for (uint256 m = 0; m < merchantIds.length; ++m) {
            for (uint256 t = 0; t < tokens.length; ++t) {
                fingerprint = keccak256(abi.encode(fingerprint, escrow.merchantBalanceOf(merchantIds[m], tokens[t])));
            }
        }
    }

    // --------------------------------------------------------------------------------------------------------
    // Internals
    // --------------------------------------------------------------------------------------------------------

    function _newInvoice(
        PayContext memory c,
        uint256 amountSeed,
        uint256 awardSeed,
        uint256 redeemSeed,
        uint256 mode
    ) private returns (IPaymentEscrow.Invoice memory invoice) {
        uint32 merchantId = merchantIds[c.merchantIndex];
        address asset = tokens[c.tokenIndex];
        // A redemption burns the payer's points debt first: only what is left above it can be redeemed.
        uint256 balance = points.balanceOf(c.payer, merchantId);
        uint256 available = balance > c.debtBefore ? balance - c.debtBefore : 0;
        uint256 redeem = redeemSeed % 500;
        invoice = IPaymentEscrow.Invoice({
            merchantId: merchantId,
            invoiceNumber: _takeNumber(merchantId),
            token: asset,
            amount: uint96(_bound(amountSeed, 1, asset == ETH ? 1e21 : 1e13)),
            expiry: uint40(block.timestamp + 30 days),
            payer: mode & 1 != 0 ? c.payer : address(0),
            pointsAward: uint32(awardSeed % 10_000),
            pointsRedeem: uint32(redeem < available ? redeem : available),
            orderRef: mode & 8 != 0 ? keccak256(abi.encode(merchantId, amountSeed)) : bytes32(0),
            holdPeriod: mode & 16 != 0 ? uint32(1 + (amountSeed % 2 days)) : 0,
            epoch: registry.paymentTerms(merchantId).epoch
        });
    }

    function _sendPay(
        PayContext memory c,
        IPaymentEscrow.Invoice memory invoice,
        bytes memory signature
    ) private returns (bool) {
        uint256 value = invoice.token == ETH ? invoice.amount : 0;
        VM.prank(c.payer);
        if (c.packed) {
            try escrow.payPacked{value: value}(InvoiceCodec.pack(invoice, c.tokenIndex, signature)) {
                return true;
            } catch {
                return false;
            }
        }
        try escrow.pay{value: value}(invoice, signature) {
            return true;
        } catch {
            return false;
        }
    }

    function _recordPaid(
        PayContext memory c,
        IPaymentEscrow.Invoice memory invoice,
        bytes memory signature,
        uint16 feeBps
    ) private {
        Ghost storage g = ghosts[c.id];
        if (g.timesPaid != 0) ++doublePays;
        ++g.timesPaid;
        g.payer = c.payer;
        g.token = invoice.token;
        g.merchantId = invoice.merchantId;
        g.invoiceNumber = invoice.invoiceNumber;
        g.amount = invoice.amount;
        g.feeBps = feeBps;
        g.pointsAward = invoice.pointsAward;
        g.pointsRedeem = invoice.pointsRedeem;
        ids.push(c.id);
        _remember(c.id, invoice, signature);
        ++successes["pay"];
        uint256 burnedNow = invoice.pointsRedeem == 0 ? 0 : invoice.pointsRedeem + c.debtBefore;
        pointsBurned += burnedNow;
        int256 expectedPoints = -int256(burnedNow);
        if (c.holdPeriod == 0) {
            g.status = Status.Settled;
            g.released = invoice.amount;
            pointsMinted += invoice.pointsAward;
            expectedPoints += int256(uint256(invoice.pointsAward));
            uint256 fee = (uint256(invoice.amount) * feeBps) / BPS;
            if (_settledAt(c.payout, invoice.token) - c.settledBefore != invoice.amount - fee) {
                _violation("pay: merchant amount");
            }
            if (_treasuries(invoice.token) - c.treasuryBefore != fee) _violation("pay: fee");
        } else {
            g.status = Status.Held;
        }
        int256 pointsDelta = int256(points.balanceOf(c.payer, invoice.merchantId)) - int256(c.pointsBefore);
        g.netPoints = pointsDelta;
        if (pointsDelta != expectedPoints) _violation("pay: points");
    }

    /// @dev Settles `p` through the router (by a relayer, or the merchant's signer when the invoice is unbound or
    /// `byMerchant`) and checks the outcome against the rules; returns whether it settled.
    function _trySettle(Pending memory p, bool byMerchant) private returns (bool) {
        IPaymentEscrow.Invoice memory invoice = p.invoice;
        PayContext memory c;
        c.payer = p.payer;
        c.merchantIndex = _merchantIndex(invoice.merchantId);
        c.id = escrow.paymentId(invoice.merchantId, invoice.invoiceNumber);
        c.debtBefore = points.debtOf(c.payer, invoice.merchantId);
        _measureBefore(c, invoice);
        DepositContext memory d;
        d.deposit = router.depositAddress(invoice);
        d.funded = _balanceOf(d.deposit, invoice.token);
        d.stray = invoice.token == ETH ? 0 : d.deposit.balance;
        d.creditBefore = escrow.withdrawableOf(c.payer, invoice.token);
        d.etherCreditBefore = escrow.withdrawableOf(c.payer, ETH);
        d.used = escrow.isInvoiceUsed(invoice.merchantId, invoice.invoiceNumber);
        bool merchant = byMerchant || invoice.payer == address(0);
        d.allowed =
            !d.used &&
            _depositAllowed(invoice) &&
            (block.timestamp <= invoice.expiry || merchant) &&
            invoice.epoch == registry.paymentTerms(invoice.merchantId).epoch &&
            d.funded >= invoice.amount;
        uint16 feeBps = escrow.feeBps();
        address caller = merchant ? VM.addr(_signerKeys[c.merchantIndex]) : payers[uint256(uint160(d.deposit)) % payers.length];
        VM.prank(caller);
        try router.settleDeposit(invoice, p.signature, invoice.payer == address(0) ? c.payer : address(0)) {
            ++successes["settleDeposit"];
        } catch {
            if (d.allowed) {
                ++rejectedValidPays;
                lastRejectedToken = invoice.token;
            } else {
                ++successes["deposit refused as expected"];
            }
            return false;
        }
        if (d.used) ++doublePays;
        if (!d.allowed) _violation("a deposit settled against the rules");
        if (_balanceOf(d.deposit, invoice.token) != 0 || d.deposit.balance != 0) _violation("settleDeposit: left at the address");
        // Everything beyond the amount is the payer's: the excess of the asset, and stray ETH.
        uint256 excess = d.funded - invoice.amount;
        if (invoice.token == ETH) {
            if (escrow.withdrawableOf(c.payer, ETH) - d.etherCreditBefore != excess) _violation("settleDeposit: ETH excess");
        } else {
            if (escrow.withdrawableOf(c.payer, invoice.token) - d.creditBefore != excess) _violation("settleDeposit: excess");
            if (escrow.withdrawableOf(c.payer, ETH) - d.etherCreditBefore != d.stray) _violation("settleDeposit: stray ETH");
        }
        _recordPaid(c, invoice, p.signature, feeBps);
        return true;
    }

    /// @dev A used invoice's deposit never settles, and can always be returned.
    function _replayByDeposit(IPaymentEscrow.Invoice memory invoice, bytes memory signature, address payer) private {
        address deposit = router.depositAddress(invoice);
        _fundDeposit(deposit, invoice.token, invoice.amount);
        VM.prank(VM.addr(_signerKeys[_merchantIndex(invoice.merchantId)]));
        try router.settleDeposit(invoice, signature, invoice.payer == address(0) ? payer : address(0)) {
            ++doublePays;
            _violation("a used invoice was paid by deposit");
        } catch {
            ++successes["deposit replay rejected"];
        }
        _pending.push(Pending({invoice: invoice, signature: signature, payer: invoice.payer == address(0) ? payer : invoice.payer}));
    }

    /// @dev A used invoice is never paid with an authorization, even a fresh one.
    function _replayByAuthorization(IPaymentEscrow.Invoice memory invoice, bytes memory signature, address payer) private {
        if (invoice.token != address(usdc)) return;
        uint256 payerIndex = _payerIndex(payer);
        _fund(payer, invoice.token, invoice.amount);
        try escrow.payWithAuthorization(invoice, signature, _authorize(payerIndex, invoice)) {
            ++doublePays;
            _violation("a used invoice was paid with an authorization");
        } catch {
            ++successes["authorization replay refused"];
        }
    }

    /// @dev `payers[payerIndex]`'s ReceiveWithAuthorization of the invoice amount to the escrow, nonce = its digest.
    function _authorize(
        uint256 payerIndex,
        IPaymentEscrow.Invoice memory invoice
    ) private view returns (IPaymentEscrow.ReceiveAuthorization memory authorization) {
        authorization.from = payers[payerIndex];
        authorization.validBefore = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                usdc.RECEIVE_WITH_AUTHORIZATION_TYPEHASH(),
                authorization.from,
                address(escrow),
                uint256(invoice.amount),
                uint256(0),
                authorization.validBefore,
                escrow.invoiceDigest(invoice)
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", usdc.DOMAIN_SEPARATOR(), structHash));
        (authorization.v, authorization.r, authorization.s) = VM.sign(_payerKeys[payerIndex], digest);
    }

    /// @dev The merchant's terms, the payout's and treasuries' balances and the payer's points before a payment.
    function _measureBefore(PayContext memory c, IPaymentEscrow.Invoice memory invoice) private view {
        IMerchantRegistry.PaymentTerms memory terms = registry.paymentTerms(invoice.merchantId);
        c.holdPeriod = invoice.holdPeriod > terms.holdPeriod ? invoice.holdPeriod : terms.holdPeriod;
        c.payout = terms.payout;
        c.settledBefore = _settledAt(c.payout, invoice.token);
        c.treasuryBefore = _treasuries(invoice.token);
        c.pointsBefore = points.balanceOf(c.payer, invoice.merchantId);
    }

    /// @dev Sends `amount` of `asset` to a deposit address (ETH: a plain send; a token: a transfer, here a mint).
    function _fundDeposit(address deposit, address asset, uint256 amount) private {
        if (amount == 0) return;
        if (asset == ETH) VM.deal(deposit, deposit.balance + amount);
        else TestToken(asset).mint(deposit, amount);
    }

    function _removePending(uint256 index) private {
        _pending[index] = _pending[_pending.length - 1];
        _pending.pop();
    }

    function _payerIndex(address payer) private view returns (uint256) {
        for (uint256 i = 0; i < payers.length; ++i) if (payers[i] == payer) return i;
        return 0;
    }

    function _afterRefund(uint256 id, uint96 amount, uint256 before, uint256 pointsBefore) private {
        Ghost storage g = ghosts[id];
        if (_settledAt(g.payer, g.token) - before != amount) _violation("refund: payer amount");
        g.refunded += amount;
        int256 pointsDelta = int256(points.balanceOf(g.payer, g.merchantId)) - int256(pointsBefore);
        g.netPoints += pointsDelta;
        if (g.refunded == g.amount) {
            g.status = Status.Refunded;
            pointsMinted += g.pointsRedeem;
            if (pointsDelta != int256(uint256(g.pointsRedeem))) _violation("refund: redeemed points not returned");
        } else if (pointsDelta != 0) {
            _violation("refund: points moved on a partial refund");
        }
    }

    /// @dev Whether the rules say this payment must go through (the handler only builds well-formed invoices).
    function _payAllowed(address payer, IPaymentEscrow.Invoice memory invoice) private view returns (bool) {
        if (escrow.paused()) return false;
        (, , bool allowed) = escrow.tokenIndexOf(invoice.token);
        if (!allowed) return false;
        IMerchantRegistry.PaymentTerms memory terms = registry.paymentTerms(invoice.merchantId);
        if (terms.status != IMerchantRegistry.MerchantStatus.Active) return false;
        if (invoice.token == address(blocklist) && blocklist.blocked(payer)) return false;
        return true;
    }

    /// @dev Whether the rules let a deposit settle (the payer's blocklisting does not matter: the sweeper moves it).
    function _depositAllowed(IPaymentEscrow.Invoice memory invoice) private view returns (bool) {
        if (escrow.paused()) return false;
        (, , bool allowed) = escrow.tokenIndexOf(invoice.token);
        if (!allowed) return false;
        return registry.paymentTerms(invoice.merchantId).status == IMerchantRegistry.MerchantStatus.Active;
    }

    function _releasable(uint256 seed, uint256 count) private view returns (uint256[] memory batch) {
        uint256[] memory found = new uint256[](count);
        uint256 n;
        uint256 length = ids.length;
        for (uint256 k = 0; k < length && n < count; ++k) {
            uint256 id = ids[(seed + k) % length];
            Ghost storage g = ghosts[id];
            IPaymentEscrow.Payment memory record = escrow.paymentOf(g.merchantId, g.invoiceNumber);
            // Held payments, and disputes opened while suspended that lapsed after the reinstatement.
            bool lapsed = g.status == Status.Disputed && record.state == IPaymentEscrow.PaymentState.DisputedWhileSuspended;
            if (g.status != Status.Held && !lapsed) continue;
            if (block.timestamp < record.releaseAt) continue;
            if (registry.paymentTerms(g.merchantId).status != IMerchantRegistry.MerchantStatus.Active) continue;
            found[n++] = id;
        }
        batch = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) batch[i] = found[i];
    }

    function _disputed(IPaymentEscrow.PaymentState state) private pure returns (bool) {
        return state == IPaymentEscrow.PaymentState.Disputed || state == IPaymentEscrow.PaymentState.DisputedWhileSuspended;
    }

    function _pick(uint256 seed, Status a, Status b) private view returns (bool, uint256) {
        uint256 length = ids.length;
        for (uint256 k = 0; k < length; ++k) {
            uint256 id = ids[(seed + k) % length];
            Status s = ghosts[id].status;
            if (s == a || s == b) return (true, id);
        }
        return (false, 0);
    }

    function _remember(uint256 id, IPaymentEscrow.Invoice memory invoice, bytes memory signature) private {
        usedIds.push(id);
        _invoiceOf[id] = invoice;
        _signatureOf[id] = signature;
    }

    function _takeNumber(uint32 merchantId) private returns (uint64 number) {
        number = nextNumber[merchantId];
        nextNumber[merchantId] = number + 1;
    }

    function _sign(
        uint256 merchantIndex,
        IPaymentEscrow.Invoice memory invoice,
        bool compactForm
    ) private view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(_signerKeys[merchantIndex], escrow.invoiceDigest(invoice));
        if (!compactForm) return abi.encodePacked(r, s, v);
        return InvoiceCodec.compact(v, r, s);
    }

    function _fund(address account, address asset, uint256 amount) private {
        if (asset == ETH) VM.deal(account, account.balance + amount);
        else TestToken(asset).mint(account, amount);
    }

    function _balanceOf(address account, address asset) private view returns (uint256) {
        return asset == ETH ? account.balance : TestToken(asset).balanceOf(account);
    }

    /// @dev What `account` has received in `asset`: its balance plus what the escrow owes it.
    function _settledAt(address account, address asset) private view returns (uint256) {
        return _balanceOf(account, asset) + escrow.withdrawableOf(account, asset);
    }

    /// @dev What the merchant side (all payouts and both treasuries) has received in `asset`.
    function _payoutsSide(address asset) private view returns (uint256 total) {
        for (uint256 i = 0; i < payouts.length; ++i) total += _settledAt(payouts[i], asset);
        total += escrow.withdrawableOf(TREASURY_A, asset) + escrow.withdrawableOf(TREASURY_B, asset);
    }

    function _treasuries(address asset) private view returns (uint256) {
        return escrow.withdrawableOf(TREASURY_A, asset) + escrow.withdrawableOf(TREASURY_B, asset);
    }

    function _allPoints() private view returns (uint256 total) {
        for (uint256 i = 0; i < payers.length; ++i) {
            for (uint256 m = 0; m < merchantIds.length; ++m) total += points.balanceOf(payers[i], merchantIds[m]);
        }
    }

    function _tokenIndex(address asset) private view returns (uint256) {
        for (uint256 t = 0; t < tokens.length; ++t) if (tokens[t] == asset) return t;
        return 0;
    }

    function _merchantIndex(uint32 merchantId) private view returns (uint256) {
        for (uint256 i = 0; i < merchantIds.length; ++i) if (merchantIds[i] == merchantId) return i;
        return 0;
    }

    function _checkUnchanged(bytes32 before, string memory action) private {
        if (fundsFingerprint() != before) {
            ++adminViolations;
            lastViolation = action;
        }
        ++successes[keccak256(bytes(action))];
    }

    function _violation(string memory what) private {
        ++violations;
        lastViolation = what;
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        if (max <= min) return min;
        return min + (x % (max - min + 1));
    }

    /// @notice Accepts ETH for merchant-funded refunds.
    receive() external payable {}
}

/// @title EscrowInvariantsTest
/// @notice Invariants of the escrow under random sequences of payments (ETH, a plain token, a USDC-style
/// blocklist token, a USDT-style token and an EIP-3009 token; by `pay`, `payPacked`, deposit address and
/// `payWithAuthorization`), deposits left short, topped up and returned, replays through every entry point, refunds, releases, disputes, resolutions, reclaims, cancellations, withdrawals,
/// merchant-funded refunds, time warps, and every admin, pauser, issuer and incident call (see EscrowHandler).
/// @dev The default profile runs a short campaign per invariant (inline config below); the `deep` test profile in
/// hardhat.config.ts runs a longer one (`npx hardhat test solidity --test-profile deep`).
contract EscrowInvariantsTest {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    error InvariantBroken(string what, uint256 actual, uint256 expected);
    error InvariantBrokenBy(string what, string lastViolation);
    error ValidInvoicesRefused(uint256 count, address lastToken);

    Vm private constant VM = Vm(VM_ADDRESS);
    address private constant TREASURY = address(0x7EA5A);

    EscrowHandler private handler;
    PaymentEscrow private escrow;
    LoyaltyPoints private points;

    function setUp() public {
        MerchantRegistry registry = new MerchantRegistry(0, address(this), address(this), address(this), 30 days);
        address predicted = VM.computeCreateAddress(address(this), uint256(VM.getNonce(address(this))) + 1);
        points = new LoyaltyPoints(registry, predicted);
        escrow = new PaymentEscrow(registry, points, TREASURY, 100, 7 days);
        if (address(escrow) != predicted) revert InvariantBroken("escrow address", uint160(address(escrow)), uint160(predicted));
        TestToken token = new TestToken("Test", "TST", 6);
        BlocklistToken blocklist = new BlocklistToken();
        NoReturnToken noReturn = new NoReturnToken();
        RevertingReceiver receiver = new RevertingReceiver();
        escrow.setTokenAllowed(address(token), true);
        escrow.setTokenAllowed(address(blocklist), true);
        escrow.setTokenAllowed(address(noReturn), true);
        handler = new EscrowHandler(escrow, registry, points, token, blocklist, noReturn, receiver, address(this));
        // Index 4, as the handler's token list has it.
        escrow.setTokenAllowed(address(handler.usdc()), true);
        if (handler.TREASURY_A() != TREASURY) revert InvariantBroken("treasury", 0, 0);
        if (address(handler).code.length == 0) revert InvariantBroken("handler code", 0, 1);
        VM.label(address(handler), "EscrowHandler");
        VM.label(address(escrow), "PaymentEscrow");
    }

    /// @notice The fuzzer calls only the handler.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice The handler's actions (its views are left out).
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        // Weights: paying feeds every other action, so it comes up most often.
        bytes4[34] memory list = [
            EscrowHandler.payByDeposit.selector,
            EscrowHandler.payByDeposit.selector,
            EscrowHandler.settlePending.selector,
            EscrowHandler.returnPending.selector,
            EscrowHandler.payWithAuthorization.selector,
            EscrowHandler.payWithAuthorization.selector,
            EscrowHandler.pay.selector,
            EscrowHandler.pay.selector,
            EscrowHandler.pay.selector,
            EscrowHandler.pay.selector,
            EscrowHandler.pay.selector,
            EscrowHandler.replay.selector,
            EscrowHandler.cancel.selector,
            EscrowHandler.refund.selector,
            EscrowHandler.refund.selector,
            EscrowHandler.release.selector,
            EscrowHandler.release.selector,
            EscrowHandler.openDispute.selector,
            EscrowHandler.resolve.selector,
            EscrowHandler.reclaim.selector,
            EscrowHandler.refundSettled.selector,
            EscrowHandler.withdraw.selector,
            EscrowHandler.warp.selector,
            EscrowHandler.warp.selector,
            EscrowHandler.setFee.selector,
            EscrowHandler.setTreasury.selector,
            EscrowHandler.setDisputeTimeout.selector,
            EscrowHandler.toggleToken.selector,
            EscrowHandler.togglePause.selector,
            EscrowHandler.toggleSuspension.selector,
            EscrowHandler.shuffleRoles.selector,
            EscrowHandler.voidInvoices.selector,
            EscrowHandler.withdrawMerchantBalance.selector,
            EscrowHandler.toggleBlock.selector
        ];
        bytes4[] memory selectors = new bytes4[](list.length);
        for (uint256 i = 0; i < list.length; ++i) selectors[i] = list[i];
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector({addr: address(handler), selectors: selectors});
    }

    /// @notice (a) For ETH and each token, the escrow holds exactly what it owes: what is left of every open
    /// payment plus every withdrawable balance; and its records of open payments match what the handler measured.
    /// hardhat-config: default.invariant.runs = 32
    /// hardhat-config: default.invariant.depth = 100
    function invariant_escrowHoldsExactlyWhatItOwes() public view {
        address[5] memory assets = [address(0), handler.tokens(1), handler.tokens(2), handler.tokens(3), handler.tokens(4)];
        for (uint256 t = 0; t < assets.length; ++t) {
            uint256 balance = handler.held(assets[t]);
            uint256 owed = handler.owed(assets[t]);
            if (balance != owed) revert InvariantBroken("escrow balance != open payments + withdrawable", balance, owed);
        }
        if (!handler.recordsMatch()) revert InvariantBroken("payment records differ from measured ghosts", 0, 1);
    }

    /// @notice (b) Every invoice is paid at most once: replays of paid and cancelled invoices (65- and 64-byte
    /// signatures; by `pay`, by a deposit, by a fresh or the same EIP-3009 authorization) never succeed, and no
    /// payment id was ever recorded twice.
    /// hardhat-config: default.invariant.runs = 32
    /// hardhat-config: default.invariant.depth = 100
    function invariant_everyInvoicePaidAtMostOnce() public view {
        if (handler.doublePays() != 0) revert InvariantBrokenBy("an invoice was paid twice", handler.lastViolation());
        uint256 count = handler.paymentCount();
        for (uint256 i = 0; i < count; ++i) {
            uint8 timesPaid = handler.ghostOf(handler.ids(i)).timesPaid;
            if (timesPaid != 1) revert InvariantBroken("times paid", timesPaid, 1);
        }
    }

    /// @notice (c) For every closed payment, what the merchant side received plus what the payer got back equals
    /// what was paid; refunds never exceed the payment; nothing is released while open. Also: every amount the
    /// handler measured matched the rules, and no call the rules allow (refund, release, dispute, resolve,
    /// reclaim, withdraw, even while paused or suspended) ever reverted.
    /// hardhat-config: default.invariant.runs = 32
    /// hardhat-config: default.invariant.depth = 100
    function invariant_closedPaymentsBalance() public view {
        if (handler.violations() != 0) revert InvariantBrokenBy("rule violated", handler.lastViolation());
        uint256 count = handler.paymentCount();
        for (uint256 i = 0; i < count; ++i) {
            EscrowHandler.Ghost memory g = handler.ghostOf(handler.ids(i));
            (uint96 amount, uint96 refunded, uint96 released) = (g.amount, g.refunded, g.released);
            if (refunded > amount) revert InvariantBroken("refunded more than paid", refunded, amount);
            if (g.status == EscrowHandler.Status.Refunded || g.status == EscrowHandler.Status.Settled) {
                if (uint256(released) + refunded != amount) revert InvariantBroken("released + refunded", released + refunded, amount);
            } else if (released != 0) {
                revert InvariantBroken("released while open", released, 0);
            }
        }
    }

    /// @notice (d) The points supply (sum over all payers and merchants) equals minted minus burned by the rules,
    /// and a fully refunded payment leaves its payer with no points from it (award never minted, redemption
    /// returned).
    /// hardhat-config: default.invariant.runs = 32
    /// hardhat-config: default.invariant.depth = 100
    function invariant_pointsSupplyMatchesMintedMinusBurned() public view {
        uint256 supply;
        for (uint256 p = 0; p < handler.payerCount(); ++p) {
            for (uint256 m = 0; m < handler.merchantCount(); ++m) {
                supply += points.balanceOf(handler.payers(p), handler.merchantIds(m));
            }
        }
        uint256 expected = handler.pointsMinted() - handler.pointsBurned();
        if (supply != expected) revert InvariantBroken("points supply", supply, expected);
        uint256 count = handler.paymentCount();
        for (uint256 i = 0; i < count; ++i) {
            EscrowHandler.Ghost memory g = handler.ghostOf(handler.ids(i));
            int256 netPoints = g.netPoints;
            if (g.status == EscrowHandler.Status.Refunded && netPoints != 0) {
                revert InvariantBroken("points left on a refunded payment", uint256(netPoints < 0 ? -netPoints : netPoints), 0);
            }
        }
    }

    /// @notice (e) No admin, pauser, issuer or incident call (fee, treasury, dispute timeout, token allowlist,
    /// pause, suspension, roles, invoice floor, blocklist) changed a balance, a payment record or the ledger.
    /// hardhat-config: default.invariant.runs = 32
    /// hardhat-config: default.invariant.depth = 100
    function invariant_adminCallsNeverMoveHeldFunds() public view {
        if (handler.adminViolations() != 0) revert InvariantBrokenBy("an admin call moved funds", handler.lastViolation());
    }

    /// @notice Every well-formed invoice the rules accept (not paused, token allowed, merchant active, payer not
    /// blocklisted by the token) is payable, in every token, through `pay` and `payPacked`.
    /// hardhat-config: default.invariant.runs = 32
    /// hardhat-config: default.invariant.depth = 100
    function invariant_everyValidInvoiceIsPayable() public view {
        uint256 rejected = handler.rejectedValidPays();
        if (rejected != 0) revert ValidInvoicesRefused(rejected, handler.lastRejectedToken());
    }
}
