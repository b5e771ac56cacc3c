// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ILoyaltyPoints
/// @notice Per-merchant loyalty points in one ERC-6909 multi-token contract: token id = merchant id, whole
/// points (0 decimals). Points are earned on a merchant's settled payments and redeemed only at that merchant.
/// @dev Only the escrow fixed at construction (an immutable) mints and burns. Transfers between customers are off unless
/// the merchant's owner enables them for its program.
interface ILoyaltyPoints {
    /// @notice Emitted when a merchant's owner allowed or disallowed transfers of its points.
    event LoyaltyPointsTransferabilityChanged(uint32 indexed merchantId, bool transferable);

    /// @notice Emitted when a clawback found fewer points than asked: `amount` more is owed, `totalDebt` in all.
    /// The debt is burned from the account's points the next time it spends or transfers them.
    event LoyaltyPointsDebtRecorded(address indexed account, uint32 indexed merchantId, uint256 amount, uint256 totalDebt);
    /// @notice Emitted when an account's points debt was burned from its balance before it spent points.
    event LoyaltyPointsDebtRepaid(address indexed account, uint32 indexed merchantId, uint256 amount);

    /// @notice Only the escrow may mint and burn.
    error LoyaltyPointsNotEscrow(address caller);
    /// @notice The escrow address is zero.
    error LoyaltyPointsInvalidEscrow(address escrow);
    /// @notice The merchant's program does not allow transfers between customers.
    error LoyaltyPointsTransferDisabled(uint32 merchantId);
    /// @notice Only the merchant's owner may change its program.
    error LoyaltyPointsNotMerchantOwner(uint32 merchantId, address caller);
    /// @notice The token id is not a merchant id (above 2^32 - 1).
    error LoyaltyPointsInvalidId(uint256 id);

    /// @notice Mints `amount` points of `merchantId` to `to`. Escrow only.
    function mint(address to, uint32 merchantId, uint256 amount) external;

    /// @notice Burns `amount` points of `merchantId` from `from` (a redemption), after burning any points debt
    /// first; reverts if the balance is short of both. Escrow only.
    function burn(address from, uint32 merchantId, uint256 amount) external;

    /// @notice Claws back `amount` points of `merchantId` from `from`: burns what the balance holds and records the
    /// rest as a debt, burned before the account can spend or transfer points of this merchant again. Escrow only.
    /// @return burned The number of points burned now (the rest became debt).
    function clawBack(address from, uint32 merchantId, uint256 amount) external returns (uint256 burned);

    /// @notice Allows or disallows transfers of `merchantId`'s points between customers. Merchant owner only.
    function setTransferable(uint32 merchantId, bool transferable) external;

    /// @notice Whether `merchantId`'s points can move between customers.
    function isTransferable(uint32 merchantId) external view returns (bool);

    /// @notice Points of `merchantId` that `account` owes from clawbacks (not yet burned).
    function debtOf(address account, uint32 merchantId) external view returns (uint256);

    /// @notice The escrow, the only minter and burner (fixed at construction).
    function escrow() external view returns (address);

    /// @notice The merchant registry whose owners run the programs.
    function registry() external view returns (address);

    /// @notice Points are whole: always 0.
    function decimals(uint256 id) external pure returns (uint8);
}
