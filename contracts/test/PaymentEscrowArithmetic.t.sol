// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPaymentEscrow} from "../interfaces/IPaymentEscrow.sol";
import {LoyaltyPoints} from "../LoyaltyPoints.sol";
import {MerchantRegistry} from "../MerchantRegistry.sol";
import {TestToken} from "../mocks/TestToken.sol";
import {PaymentEscrow} from "../PaymentEscrow.sol";
import {InvoiceCodec} from "./InvoiceCodec.t.sol";
import {Vm, VM_ADDRESS} from "./Vm.t.sol";

/// @title PaymentEscrowArithmeticTest
/// @notice Fuzz tests of the escrow's money and points arithmetic: the fee split, sequences of partial refunds,
/// the pro-rata points award, dispute splits, and payments signed with `vm.sign` over `invoiceDigest`.
/// Every invoice is signed by the merchant's key inside the test, so each run goes through the real checks.
contract PaymentEscrowArithmeticTest {
    error AssertionFailed(string what, uint256 actual, uint256 expected);

    Vm private constant VM = Vm(VM_ADDRESS);

    uint256 private constant SIGNER_KEY = 0xA11CE;
    uint256 private constant BPS = 10_000;
    uint32 private constant HOLD_PERIOD = 1 days;
    uint32 private constant DISPUTE_TIMEOUT = 7 days;
    uint16 private constant INITIAL_FEE_BPS = 100;
    address private constant TREASURY = address(0x7EA5);
    address private constant PAYER = address(0xCAFE);
    address private constant INSTANT_PAYOUT = address(0xB0B1);
    address private constant HELD_PAYOUT = address(0xB0B2);

    MerchantRegistry private registry;
    LoyaltyPoints private points;
    PaymentEscrow private escrow;
    TestToken private token;
    address private signer;
    uint32 private instantId;
    uint32 private heldId;
    uint64 private nextInvoice = 1;

    function setUp() public {
        signer = VM.addr(SIGNER_KEY);
        registry = new MerchantRegistry(0, address(this), address(this), address(this), 30 days);
        // LoyaltyPoints takes the escrow's address at construction: predict it (the next creation after points).
        address predicted = _createAddress(address(this), uint256(VM.getNonce(address(this))) + 1);
        points = new LoyaltyPoints(registry, predicted);
        escrow = new PaymentEscrow(
            registry,
            points,
            TREASURY,
            INITIAL_FEE_BPS,
            DISPUTE_TIMEOUT
        );
        _assertEq("escrow at the predicted address", uint160(address(escrow)), uint160(predicted));
        token = new TestToken("Test", "TST", 6);
        escrow.setTokenAllowed(address(token), true);
        instantId = registry.register(address(this), INSTANT_PAYOUT, signer, 0, "Instant", "");
        heldId = registry.register(address(this), HELD_PAYOUT, signer, HOLD_PERIOD, "Held", "");

        VM.prank(PAYER);
        token.approve(address(escrow), type(uint256).max);
        // The payer holds the most points a uint32 counts, so any pointsRedeem can be burned.
        _pay(_invoice(heldId, address(0), 1, type(uint32).max, 0));
        VM.warp(block.timestamp + HOLD_PERIOD);
        uint256[] memory ids = new uint256[](1);
        ids[0] = escrow.paymentId(heldId, nextInvoice - 1);
        escrow.release(ids);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Fee split
    // ------------------------------------------------------------------------------------------------------------

    /// @notice An instant payment: merchant + fee == amount, fee == amount * bps / 10_000, fee within the cap.
    function testFuzzFeeSplitInstant(uint96 amount, uint16 feeBps, bool useToken) public {
        amount = uint96(_bound(amount, 1, type(uint96).max));
        feeBps = uint16(_bound(feeBps, 0, escrow.MAX_FEE_BPS()));
        escrow.setFee(feeBps);
        address tokenAddress = useToken ? address(token) : address(0);
        uint256 payoutBefore = _balanceOf(tokenAddress, INSTANT_PAYOUT);
        uint256 treasuryBefore = escrow.withdrawableOf(TREASURY, tokenAddress);

        _pay(_invoice(instantId, tokenAddress, amount, 0, 0));

        uint256 merchantAmount = _balanceOf(tokenAddress, INSTANT_PAYOUT) - payoutBefore;
        uint256 fee = escrow.withdrawableOf(TREASURY, tokenAddress) - treasuryBefore;
        _assertFeeSplit(amount, feeBps, merchantAmount, fee);
        _assertEq("escrow keeps exactly the fee", _balanceOf(tokenAddress, address(escrow)), fee);
    }

    /// @notice A held payment settles with the fee in force when it was paid, whatever the fee is at release.
    function testFuzzFeeSplitHeldUsesFeeAtPayment(uint96 amount, uint16 feeAtPayment, uint16 feeAtRelease) public {
        amount = uint96(_bound(amount, 1, type(uint96).max));
        feeAtPayment = uint16(_bound(feeAtPayment, 0, escrow.MAX_FEE_BPS()));
        feeAtRelease = uint16(_bound(feeAtRelease, 0, escrow.MAX_FEE_BPS()));
        escrow.setFee(feeAtPayment);
        IPaymentEscrow.Invoice memory invoice = _invoice(heldId, address(token), amount, 0, 0);
        _pay(invoice);
        escrow.setFee(feeAtRelease);
        VM.warp(block.timestamp + HOLD_PERIOD);
        uint256 treasuryBefore = escrow.withdrawableOf(TREASURY, address(token));

        _release(invoice);

        uint256 merchantAmount = token.balanceOf(HELD_PAYOUT);
        uint256 fee = escrow.withdrawableOf(TREASURY, address(token)) - treasuryBefore;
        _assertFeeSplit(amount, feeAtPayment, merchantAmount, fee);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Refunds and points
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Any sequence of partial refunds is paid out exactly, never exceeds the payment, and release then
    /// settles the rest with points pointsAward * (amount - refunded) / amount.
    function testFuzzPartialRefundsThenRelease(
        uint96 amount,
        uint32 pointsAward,
        uint32 pointsRedeem,
        uint96[4] memory refunds
    ) public {
        amount = uint96(_bound(amount, 1, type(uint96).max));
        IPaymentEscrow.Invoice memory invoice = _invoice(heldId, address(0), amount, pointsAward, pointsRedeem);
        uint256 pointsBefore = points.balanceOf(PAYER, heldId);
        _pay(invoice);
        _assertEq("redeemed points burned", pointsBefore - points.balanceOf(PAYER, heldId), pointsRedeem);

        uint96 refunded = _refundSequence(invoice, refunds);
        IPaymentEscrow.Payment memory payment = escrow.paymentOf(heldId, invoice.invoiceNumber);
        // A fully refunded record keeps only its first slot (the amounts live on in the events).
        _assertEq("refunded recorded", payment.refunded, refunded == amount ? 0 : refunded);

        if (refunded == amount) {
            _assertFullRefund(invoice, pointsBefore);
            return;
        }
        // Asking for one more than what is left always fails.
        uint96 refundable = amount - refunded;
        if (refundable < type(uint96).max) {
            VM.expectRevert(
                abi.encodeWithSelector(IPaymentEscrow.PaymentEscrowRefundTooLarge.selector, refundable + 1, refundable)
            );
            escrow.refund(heldId, invoice.invoiceNumber, refundable + 1);
        }

        _releaseAndCheckRest(invoice, refundable, pointsBefore - pointsRedeem);
    }

    /// @dev Releases a held ETH payment with `refundable` left; checks the split and the pro-rata award.
    function _releaseAndCheckRest(IPaymentEscrow.Invoice memory invoice, uint96 refundable, uint256 pointsBefore) private {
        VM.warp(block.timestamp + HOLD_PERIOD);
        uint256 payoutBefore = HELD_PAYOUT.balance;
        uint256 treasuryBefore = escrow.withdrawableOf(TREASURY, address(0));
        _release(invoice);
        uint256 merchantAmount = HELD_PAYOUT.balance - payoutBefore;
        uint256 fee = escrow.withdrawableOf(TREASURY, address(0)) - treasuryBefore;
        _assertFeeSplit(refundable, INITIAL_FEE_BPS, merchantAmount, fee);
        uint256 expectedPoints = (uint256(invoice.pointsAward) * refundable) / invoice.amount;
        _assertEq("points awarded pro rata", points.balanceOf(PAYER, heldId), pointsBefore + expectedPoints);
        _assertEq("points never above the award", expectedPoints <= invoice.pointsAward ? 1 : 0, 1);
        _assertEq("escrow holds only fees", address(escrow).balance, escrow.withdrawableOf(TREASURY, address(0)));
        _assertEq("record deleted", uint8(escrow.paymentOf(heldId, invoice.invoiceNumber).state), 0);
    }

    /// @notice A refund of everything, in one to four parts, returns pointsRedeem and mints nothing.
    function testFuzzFullRefundReturnsRedeemedPoints(
        uint96 amount,
        uint32 pointsAward,
        uint32 pointsRedeem,
        uint8 parts,
        uint96 seed
    ) public {
        amount = uint96(_bound(amount, 1, type(uint96).max));
        parts = uint8(_bound(parts, 1, 4));
        IPaymentEscrow.Invoice memory invoice = _invoice(heldId, address(token), amount, pointsAward, pointsRedeem);
        uint256 pointsBefore = points.balanceOf(PAYER, heldId);
        uint256 payerTokensBefore = token.balanceOf(PAYER);
        _pay(invoice);

        uint96 left = amount;
        for (uint256 i = 1; i < parts && left > 1; ++i) {
            uint96 part = uint96(_bound(uint256(keccak256(abi.encode(seed, i))), 1, left - 1));
            escrow.refund(heldId, invoice.invoiceNumber, part);
            left -= part;
        }
        escrow.refund(heldId, invoice.invoiceNumber, left);

        _assertEq("payer got everything back", token.balanceOf(PAYER), payerTokensBefore + amount);
        _assertFullRefund(invoice, pointsBefore);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Disputes
    // ------------------------------------------------------------------------------------------------------------

    /// @notice The arbiter's split: the payer gets refundAmount, the merchant the rest minus the fee, points pro rata.
    function testFuzzDisputeSplit(uint96 amount, uint96 refundAmount, uint32 pointsAward) public {
        amount = uint96(_bound(amount, 1, type(uint96).max));
        refundAmount = uint96(_bound(refundAmount, 0, amount));
        IPaymentEscrow.Invoice memory invoice = _invoice(heldId, address(0), amount, pointsAward, 0);
        _pay(invoice);
        VM.prank(PAYER);
        escrow.openDispute(heldId, invoice.invoiceNumber);
        uint256 payerBefore = PAYER.balance;
        uint256 payoutBefore = HELD_PAYOUT.balance;
        uint256 treasuryBefore = escrow.withdrawableOf(TREASURY, address(0));
        uint256 pointsBefore = points.balanceOf(PAYER, heldId);

        escrow.resolveDispute(heldId, invoice.invoiceNumber, refundAmount);

        _assertEq("payer refunded", PAYER.balance - payerBefore, refundAmount);
        uint256 merchantAmount = HELD_PAYOUT.balance - payoutBefore;
        uint256 fee = escrow.withdrawableOf(TREASURY, address(0)) - treasuryBefore;
        _assertFeeSplit(amount - refundAmount, INITIAL_FEE_BPS, merchantAmount, fee);
        _assertEq(
            "points awarded pro rata",
            points.balanceOf(PAYER, heldId) - pointsBefore,
            (uint256(pointsAward) * (amount - refundAmount)) / amount
        );
        _assertEq(
            "status",
            uint8(escrow.invoiceStatus(heldId, invoice.invoiceNumber, 0, 0)),
            uint8(refundAmount == amount ? IPaymentEscrow.InvoiceStatus.Refunded : IPaymentEscrow.InvoiceStatus.Settled)
        );
    }

    // ------------------------------------------------------------------------------------------------------------
    // Signatures and the packed form
    // ------------------------------------------------------------------------------------------------------------

    /// @notice A signature over `invoiceDigest` by any key but the merchant's signer is rejected; the signer's
    /// 65-byte and 64-byte signatures are accepted.
    function testFuzzOnlyTheSignerKeySigns(uint256 otherKey, uint96 amount, uint64 invoiceNumber, bool compact) public {
        // Valid secp256k1 private keys are 1 .. n - 1.
        otherKey = _bound(otherKey, 1, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140);
        VM.assume(otherKey != SIGNER_KEY);
        amount = uint96(_bound(amount, 1, type(uint96).max));
        IPaymentEscrow.Invoice memory invoice = IPaymentEscrow.Invoice({
            merchantId: instantId,
            invoiceNumber: invoiceNumber,
            token: address(0),
            amount: amount,
            expiry: uint40(block.timestamp + 1 hours),
            payer: address(0),
            pointsAward: 0,
            pointsRedeem: 0,
            orderRef: bytes32(0),
            holdPeriod: 0,
            epoch: 0
        });
        bytes memory forged = _sign(otherKey, invoice, compact);
        bytes memory genuine = _sign(SIGNER_KEY, invoice, compact);
        VM.deal(PAYER, amount);
        VM.prank(PAYER);
        VM.expectRevert(abi.encodeWithSelector(IPaymentEscrow.PaymentEscrowInvalidSignature.selector, instantId, signer));
        escrow.pay{value: amount}(invoice, forged);

        VM.prank(PAYER);
        escrow.pay{value: amount}(invoice, genuine);
        _assertEq("used", escrow.isInvoiceUsed(instantId, invoiceNumber) ? 1 : 0, 1);
    }

    /// @notice `decodePacked` returns exactly the fields packed, and `payPacked` pays them like `pay` would.
    function testFuzzPackedRoundTrip(
        uint64 invoiceNumber,
        uint96 amount,
        uint40 expiryOffset,
        address payer,
        uint32 pointsAward,
        bytes32 orderRef,
        bool useToken
    ) public {
        amount = uint96(_bound(amount, 1, type(uint96).max));
        address from = payer == address(0) ? PAYER : payer;
        VM.assume(
            from.code.length == 0 &&
                uint160(from) > 0xffff &&
                from != VM_ADDRESS &&
                from != address(this) &&
                from != INSTANT_PAYOUT
        );
        IPaymentEscrow.Invoice memory invoice = IPaymentEscrow.Invoice({
            merchantId: instantId,
            invoiceNumber: invoiceNumber,
            token: useToken ? address(token) : address(0),
            amount: amount,
            expiry: uint40(_bound(expiryOffset, block.timestamp, type(uint40).max)),
            payer: payer,
            pointsAward: pointsAward,
            pointsRedeem: 0,
            orderRef: orderRef,
            holdPeriod: 0,
            epoch: 0
        });
        bytes memory signature = _sign(SIGNER_KEY, invoice, true);
        bytes memory packed = InvoiceCodec.pack(invoice, useToken ? 1 : 0, signature);

        (IPaymentEscrow.Invoice memory decoded, bytes memory decodedSignature) = escrow.decodePacked(packed);
        _assertEq("digest of the decoded invoice", uint256(escrow.invoiceDigest(decoded)), uint256(escrow.invoiceDigest(invoice)));
        _assertEq("signature", uint256(keccak256(decodedSignature)), uint256(keccak256(signature)));

        _payPackedAndCheck(invoice, packed, from);
    }

    /// @dev Pays `packed` from `from` (funded just in time) and checks the split and the points.
    function _payPackedAndCheck(IPaymentEscrow.Invoice memory invoice, bytes memory packed, address from) private {
        uint256 payoutBefore = _balanceOf(invoice.token, INSTANT_PAYOUT);
        uint256 treasuryBefore = escrow.withdrawableOf(TREASURY, invoice.token);
        uint256 pointsBefore = points.balanceOf(from, instantId);
        if (invoice.token != address(0)) {
            token.mint(from, invoice.amount);
            VM.prank(from);
            token.approve(address(escrow), invoice.amount);
            VM.prank(from);
            escrow.payPacked(packed);
        } else {
            VM.deal(from, invoice.amount);
            VM.prank(from);
            escrow.payPacked{value: invoice.amount}(packed);
        }
        _assertFeeSplit(
            invoice.amount,
            INITIAL_FEE_BPS,
            _balanceOf(invoice.token, INSTANT_PAYOUT) - payoutBefore,
            escrow.withdrawableOf(TREASURY, invoice.token) - treasuryBefore
        );
        _assertEq("points", points.balanceOf(from, instantId) - pointsBefore, invoice.pointsAward);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    function _invoice(
        uint32 merchantId,
        address tokenAddress,
        uint96 amount,
        uint32 pointsAward,
        uint32 pointsRedeem
    ) private returns (IPaymentEscrow.Invoice memory invoice) {
        invoice = IPaymentEscrow.Invoice({
            merchantId: merchantId,
            invoiceNumber: nextInvoice++,
            token: tokenAddress,
            amount: amount,
            expiry: uint40(block.timestamp + 1 hours),
            payer: PAYER,
            pointsAward: pointsAward,
            pointsRedeem: pointsRedeem,
            orderRef: keccak256(abi.encode(merchantId, nextInvoice)),
            holdPeriod: 0,
            epoch: 0
        });
    }

    /// @dev Signs with `vm.sign` over the escrow's own digest and pays from PAYER (funded just in time).
    function _pay(IPaymentEscrow.Invoice memory invoice) private {
        bytes memory signature = _sign(SIGNER_KEY, invoice, false);
        if (invoice.token == address(0)) {
            VM.deal(PAYER, invoice.amount);
            VM.prank(PAYER);
            escrow.pay{value: invoice.amount}(invoice, signature);
        } else {
            token.mint(PAYER, invoice.amount);
            VM.prank(PAYER);
            escrow.pay(invoice, signature);
        }
    }

    function _sign(uint256 key, IPaymentEscrow.Invoice memory invoice, bool compact) private view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, escrow.invoiceDigest(invoice));
        if (!compact) return abi.encodePacked(r, s, v);
        return InvoiceCodec.compact(v, r, s);
    }


    function _release(IPaymentEscrow.Invoice memory invoice) private {
        uint256[] memory ids = new uint256[](1);
        ids[0] = escrow.paymentId(invoice.merchantId, invoice.invoiceNumber);
        escrow.release(ids);
    }

    /// @dev Refunds each fuzzed part, bounded to what is left (zero parts skipped); checks every step.
    function _refundSequence(IPaymentEscrow.Invoice memory invoice, uint96[4] memory refunds) private returns (uint96 refunded) {
        for (uint256 i = 0; i < refunds.length; ++i) {
            uint96 left = invoice.amount - refunded;
            if (left == 0) break;
            uint96 part = uint96(_bound(refunds[i], 0, left));
            if (part == 0) continue;
            uint256 payerBefore = PAYER.balance;
            escrow.refund(invoice.merchantId, invoice.invoiceNumber, part);
            refunded += part;
            _assertEq("payer received the part", PAYER.balance - payerBefore, part);
            _assertEq("never more than paid", refunded <= invoice.amount ? 1 : 0, 1);
        }
    }

    function _assertFullRefund(IPaymentEscrow.Invoice memory invoice, uint256 pointsBefore) private view {
        IPaymentEscrow.Payment memory payment = escrow.paymentOf(invoice.merchantId, invoice.invoiceNumber);
        _assertEq("state Refunded", uint8(payment.state), uint8(IPaymentEscrow.PaymentState.Refunded));
        _assertEq("second slot cleared: amount", payment.amount, 0);
        _assertEq("second slot cleared: refunded", payment.refunded, 0);
        _assertEq("payer kept", uint160(payment.payer), uint160(PAYER));
        _assertEq("redeemed points back, nothing awarded", points.balanceOf(PAYER, invoice.merchantId), pointsBefore);
        _assertEq("no fee", escrow.withdrawableOf(TREASURY, invoice.token), 0);
    }

    function _assertFeeSplit(uint256 amount, uint16 feeBps, uint256 merchantAmount, uint256 fee) private view {
        _assertEq("merchant + fee == amount", merchantAmount + fee, amount);
        _assertEq("fee == amount * bps / 10_000", fee, (amount * feeBps) / BPS);
        _assertEq("fee within the cap", fee <= (amount * escrow.MAX_FEE_BPS()) / BPS ? 1 : 0, 1);
    }

    function _balanceOf(address tokenAddress, address account) private view returns (uint256) {
        return tokenAddress == address(0) ? account.balance : token.balanceOf(account);
    }

    function _assertEq(string memory what, uint256 actual, uint256 expected) private pure {
        if (actual != expected) revert AssertionFailed(what, actual, expected);
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }

    /// @dev CREATE address of `deployer` at `nonce` (nonce < 2^16 suffices here).
    function _createAddress(address deployer, uint256 nonce) private pure returns (address) {
        bytes memory rlp;
        if (nonce == 0) rlp = abi.encodePacked(bytes1(0xd6), bytes1(0x94), deployer, bytes1(0x80));
        else if (nonce < 0x80) rlp = abi.encodePacked(bytes1(0xd6), bytes1(0x94), deployer, uint8(nonce));
        else if (nonce < 0x100) rlp = abi.encodePacked(bytes1(0xd7), bytes1(0x94), deployer, bytes1(0x81), uint8(nonce));
        else rlp = abi.encodePacked(bytes1(0xd8), bytes1(0x94), deployer, bytes1(0x82), uint16(nonce));
        return address(uint160(uint256(keccak256(rlp))));
    }
}
