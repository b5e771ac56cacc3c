// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPaymentEscrow} from "./IPaymentEscrow.sol";

/// @title IDepositRouter
/// @notice Gives every invoice of its escrow a deposit address that any wallet or exchange can pay with a plain ETH
/// send or a plain ERC-20 `transfer`, and settles or returns what arrives there. See docs/deposits.md.
/// @dev The escrow creates its router in its constructor. A deposit address is the CREATE2 address of a sweeper
/// deployed by the router with the invoice's EIP-712 digest as salt: it differs for every invoice, merchant, chain
/// and escrow, and nothing lives there until a settlement or return creates the sweeper, which moves the funds and
/// self-destructs in the same transaction (so the address can be swept again).
interface IDepositRouter {
    /// @notice A deposit to settle with `settleDeposits`: the signed invoice and, for an invoice that names no payer,
    /// the payer of record the merchant names (see `settleDeposit`).
    struct DepositSettlement {
        IPaymentEscrow.Invoice invoice;
        bytes signature;
        address payer;
    }

    /// @notice Emitted when funds found at an invoice's deposit address were sent to `to` (the invoice could no
    /// longer take them, or they were not the asset it asks for).
    event DepositReturned(
        uint32 indexed merchantId,
        uint64 indexed invoiceNumber,
        address indexed to,
        address token,
        uint256 amount
    );

    /// @notice Only the escrow may call this.
    error DepositRouterNotEscrow(address caller);
    /// @notice Redeeming points burns the payer's points, which needs the payer's own signature or transaction
    /// (`pay` or `payWithAuthorization` on the escrow): a deposit proves nobody's consent.
    error DepositRouterRedeemsPoints(uint32 pointsRedeem);
    /// @notice The invoice names `payer`; another payer of record cannot be named.
    error DepositRouterWrongPayer(address payer, address named);
    /// @notice The invoice names no payer, so the caller must name the payer of record (not zero, not the escrow).
    error DepositRouterInvalidPayer(address payer);
    /// @notice Only the merchant's signer or owner (or the escrow's arbiter) may name where an unbound invoice's
    /// deposit goes back to.
    error DepositRouterNotMerchant(uint32 merchantId, address caller);
    /// @notice The recipient is zero, the escrow or this router.
    error DepositRouterInvalidRecipient(address recipient);
    /// @notice The invoice can still be paid, so its own asset stays at the deposit address (for an ETH invoice, also
    /// while another asset is asked for and the address holds ETH: a sweep moves all of it).
    error DepositRouterStillPayable(uint32 merchantId, uint64 invoiceNumber);
    /// @notice The deposit address holds none of `token` that could be moved, and no ETH.
    error DepositRouterNothingToReturn(address deposit, address token);
    /// @notice The sweeper could not be created (its token transfer ran out of gas).
    error DepositRouterSweepFailed(address deposit);
    /// @notice No settlements were given.
    error DepositRouterEmptyBatch();

    /// @notice Settles the payment waiting at `invoice`'s deposit address: the escrow applies the rules of `pay` (see
    /// IPaymentEscrow.payFromDeposit), takes everything at the address and credits what exceeds the amount to the
    /// payer of record, who gets the refunds, disputes and points.
    /// Payer of record: the invoice's `payer` when it names one (anyone may settle; `payer` must then be zero or the
    /// same); otherwise `payer`, which only the merchant's signer or owner may name: the chain does not know who sent
    /// a transfer, and the merchant's keeper reads it from the transfer itself. After the expiry only the merchant's
    /// signer or owner may settle. A deposit cannot redeem points. See docs/SECURITY.md.
    function settleDeposit(IPaymentEscrow.Invoice calldata invoice, bytes calldata signature, address payer) external;

    /// @notice `settleDeposit` for each entry, all or nothing (a keeper simulates each one first).
    function settleDeposits(DepositSettlement[] calldata settlements) external;

    /// @notice Sends what `invoice`'s deposit address holds of `token`, and any ETH there, to the payer: the invoice's
    /// own asset only once the invoice can no longer be paid (paid, cancelled, expired or voided), any other asset at
    /// any time, except while a still payable ETH invoice's address holds ETH (the sweep would move that ETH too). An invoice that names a payer returns to it (anyone may call; `to` must be zero or the payer);
    /// otherwise the merchant's signer or owner, or the escrow's arbiter, names `to`. The invoice's signature is not
    /// needed: a signer rotation must not strand a deposit, and an unsigned invoice's address is one nobody was shown.
    /// @return returned How much of `token` was sent. @return etherReturned How much ETH was sent.
    function returnDeposit(
        IPaymentEscrow.Invoice calldata invoice,
        address token,
        address to
    ) external returns (uint256 returned, uint256 etherReturned);

    /// @notice Escrow only, during `payFromDeposit`: creates the sweeper for `salt` (an invoice digest), which sends
    /// all its `token` and ETH to the escrow.
    function sweep(bytes32 salt, address token) external;

    /// @notice The invoice's deposit address.
    function depositAddress(IPaymentEscrow.Invoice calldata invoice) external view returns (address);

    /// @notice The deposit address for an invoice digest (`IPaymentEscrow.invoiceDigest`).
    function depositAddressOf(bytes32 invoiceDigest) external view returns (address);

    /// @notice What the sweeper being created now must do: send all its `token` (zero: only ETH) and ETH to `to`.
    /// Read by the sweeper's init code.
    function depositSweep() external view returns (address token, address to);

    /// @notice The escrow this router serves.
    function escrow() external view returns (address);
}
