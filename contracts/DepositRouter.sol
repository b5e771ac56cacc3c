// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IDepositRouter} from "./interfaces/IDepositRouter.sol";
import {IMerchantRegistry} from "./interfaces/IMerchantRegistry.sol";
import {IPaymentEscrow} from "./interfaces/IPaymentEscrow.sol";

/// @title DepositRouter
/// @notice Deposit addresses for the invoices of one escrow: see {IDepositRouter} and docs/deposits.md.
/// @dev Created by the escrow's constructor. Holds no funds and no state: a sweeper moves a deposit straight to the
/// escrow (settlement) or to the payer (return), and the escrow measures what it received itself.
contract DepositRouter is IDepositRouter, ReentrancyGuardTransient {
    /// @dev Init code of a deposit sweeper, opcode by opcode in docs/deposits.md (78 bytes, no runtime code): it asks
    /// its creator for `(token, to)` (`depositSweep()`), transfers its whole balance of `token` to `to` (unless
    /// `token` is zero), and self-destructs to `to`, which moves all its ETH and, in the transaction that created it
    /// (EIP-6780), deletes the account so that the address can be swept again. Nothing it does is trusted: the
    /// escrow and `returnDeposit` measure balances.
    bytes private constant _SWEEPER_INIT_CODE =
        hex"63f1a314525f5260405f6004601c335afa505f5180156049576370a0823160405230606052602060a06024605c845afa5063a9059cbb6060526020516080525f5f6044607c5f855af15b602051ff";
    bytes32 private constant _SWEEPER_INIT_CODE_HASH = keccak256(_SWEEPER_INIT_CODE);
    /// @dev Transient slots telling the sweeper being created what to do: keccak256("scanpay.DepositRouter.sweep")
    /// (the token) and the next slot (the recipient).
    bytes32 private constant _SWEEP_TOKEN_SLOT = 0xe98c3d70067fe3c2562d92d2073c3b8ec38bffb97ab4cb41799078a16c6ef348;
    bytes32 private constant _SWEEP_TO_SLOT = 0xe98c3d70067fe3c2562d92d2073c3b8ec38bffb97ab4cb41799078a16c6ef349;
    bytes32 private constant _ARBITER_ROLE = keccak256("ARBITER_ROLE");

    IPaymentEscrow private immutable _escrow;
    IMerchantRegistry private immutable _registry;

    /// @param registry_ The escrow's merchant registry. The escrow is the creator.
    constructor(IMerchantRegistry registry_) {
        _escrow = IPaymentEscrow(msg.sender);
        _registry = registry_;
    }

    /// @inheritdoc IDepositRouter
    function settleDeposit(IPaymentEscrow.Invoice calldata invoice, bytes calldata signature, address payer) external {
        _settle(invoice, signature, payer);
    }

    /// @inheritdoc IDepositRouter
    function settleDeposits(DepositSettlement[] calldata settlements) external {
        if (settlements.length == 0) revert DepositRouterEmptyBatch();
        for (uint256 i = 0; i < settlements.length; ++i) {
            DepositSettlement calldata settlement = settlements[i];
            _settle(settlement.invoice, settlement.signature, settlement.payer);
        }
    }

    /// @inheritdoc IDepositRouter
    function returnDeposit(
        IPaymentEscrow.Invoice calldata invoice,
        address token,
        address to
    ) external nonReentrant returns (uint256 returned, uint256 etherReturned) {
        uint32 merchantId = invoice.merchantId;
        if (invoice.payer != address(0)) {
            if (to != address(0) && to != invoice.payer) revert DepositRouterWrongPayer(invoice.payer, to);
            to = invoice.payer;
        } else {
            if (
                !_registry.isOwnerOrSigner(merchantId, msg.sender) &&
                // The platform's roles live in the registry (the escrow has no `hasRole`).
                !IAccessControl(address(_registry)).hasRole(_ARBITER_ROLE, msg.sender)
            ) revert DepositRouterNotMerchant(merchantId, msg.sender);
            if (to == address(0) || to == address(_escrow) || to == address(this)) revert DepositRouterInvalidRecipient(to);
        }
        bytes32 digest = _escrow.invoiceDigest(invoice);
        address deposit = depositAddressOf(digest);
        etherReturned = deposit.balance;
        // While the invoice can still be paid, its own asset waits there for the rest of the payment. The sweeper
        // moves all its ETH whatever `token` is, so an ETH invoice's address returns nothing while it holds ETH.
        if (
            (token == invoice.token || (invoice.token == address(0) && etherReturned != 0)) && _isPayable(invoice)
        ) {
            revert DepositRouterStillPayable(merchantId, invoice.invoiceNumber);
        }
        uint256 tokenBefore = token == address(0) ? 0 : IERC20(token).balanceOf(deposit);
        _sweep(digest, token, to);
        if (token == address(0)) {
            (returned, etherReturned) = (etherReturned, 0);
        } else {
            // What is left is what a failed transfer (a blocklisted recipient) could not move.
            returned = tokenBefore - IERC20(token).balanceOf(deposit);
        }
        if (returned == 0 && etherReturned == 0) revert DepositRouterNothingToReturn(deposit, token);
        if (returned != 0) emit DepositReturned(merchantId, invoice.invoiceNumber, to, token, returned);
        if (etherReturned != 0) emit DepositReturned(merchantId, invoice.invoiceNumber, to, address(0), etherReturned);
    }

    /// @inheritdoc IDepositRouter
    function sweep(bytes32 salt, address token) external {
        if (msg.sender != address(_escrow)) revert DepositRouterNotEscrow(msg.sender);
        _sweep(salt, token, msg.sender);
    }

    /// @inheritdoc IDepositRouter
    function depositAddress(IPaymentEscrow.Invoice calldata invoice) external view returns (address) {
        return depositAddressOf(_escrow.invoiceDigest(invoice));
    }

    /// @inheritdoc IDepositRouter
    function depositAddressOf(bytes32 invoiceDigest) public view returns (address) {
        return
            address(
                uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), invoiceDigest, _SWEEPER_INIT_CODE_HASH))))
            );
    }

    /// @inheritdoc IDepositRouter
    function depositSweep() external view returns (address token, address to) {
        assembly ("memory-safe") {
            token := tload(_SWEEP_TOKEN_SLOT)
            to := tload(_SWEEP_TO_SLOT)
        }
    }

    /// @inheritdoc IDepositRouter
    function escrow() external view returns (address) {
        return address(_escrow);
    }

    /// @dev Resolves the payer of record (see `settleDeposit`) and hands over to the escrow, which checks everything
    /// else, including who may name a payer, and calls `sweep` back.
    function _settle(IPaymentEscrow.Invoice calldata invoice, bytes calldata signature, address payer) private {
        if (invoice.pointsRedeem != 0) revert DepositRouterRedeemsPoints(invoice.pointsRedeem);
        if (invoice.payer != address(0)) {
            if (payer != address(0) && payer != invoice.payer) revert DepositRouterWrongPayer(invoice.payer, payer);
            payer = invoice.payer;
        } else if (payer == address(0) || payer == address(_escrow) || payer == address(this)) {
            revert DepositRouterInvalidPayer(payer);
        }
        _escrow.payFromDeposit(invoice, signature, payer, msg.sender);
    }

    /// @dev Creates the sweeper of `salt`'s deposit address, which sends all its `token` and ETH to `to` and
    /// self-destructs.
    function _sweep(bytes32 salt, address token, address to) private {
        bytes memory initCode = _SWEEPER_INIT_CODE;
        address deposit;
        assembly ("memory-safe") {
            tstore(_SWEEP_TOKEN_SLOT, token)
            tstore(_SWEEP_TO_SLOT, to)
            deposit := create2(0, add(initCode, 0x20), mload(initCode), salt)
        }
        // The init code cannot revert; only a token transfer that eats all the gas makes the creation fail.
        if (deposit == address(0)) revert DepositRouterSweepFailed(depositAddressOf(salt));
    }

    /// @dev Whether the invoice could still be paid: unused, not expired, of the merchant's current epoch.
    function _isPayable(IPaymentEscrow.Invoice calldata invoice) private view returns (bool) {
        return
            !_escrow.isInvoiceUsed(invoice.merchantId, invoice.invoiceNumber) &&
            block.timestamp <= invoice.expiry &&
            invoice.epoch == _registry.paymentTerms(invoice.merchantId).epoch;
    }
}
