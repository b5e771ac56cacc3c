// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC6909} from "@openzeppelin/contracts/token/ERC6909/ERC6909.sol";

import {ILoyaltyPoints} from "./interfaces/ILoyaltyPoints.sol";
import {IMerchantRegistry} from "./interfaces/IMerchantRegistry.sol";

/// @title LoyaltyPoints
/// @notice Per-merchant loyalty points, one ERC-6909 id per merchant. See {ILoyaltyPoints}.
/// @dev One multi-token contract instead of an ERC-20 clone per merchant: minting costs one warm contract call
/// and one balance slot (no clone deployment per merchant, no delegatecall per mint). See docs/loyalty-points.md.
contract LoyaltyPoints is ILoyaltyPoints, ERC6909 {
    IMerchantRegistry private immutable _registry;
    /// @dev Immutable, so no key can ever add a minter, and the check on every mint costs no storage read.
    /// The deploy script passes the escrow's address, predicted from the deployer's nonce, and checks it.
    address private immutable _escrow;

    mapping(uint32 merchantId => bool) private _transferable;
    mapping(address account => mapping(uint32 merchantId => uint256 points)) private _debt;

    /// @param registry_ The merchant registry whose owners run the programs.
    /// @param escrow_ The payment escrow, the only minter and burner.
    constructor(IMerchantRegistry registry_, address escrow_) {
        if (escrow_ == address(0)) revert LoyaltyPointsInvalidEscrow(escrow_);
        _registry = registry_;
        _escrow = escrow_;
    }

    modifier onlyEscrow() {
        if (msg.sender != _escrow) revert LoyaltyPointsNotEscrow(msg.sender);
        _;
    }

    /// @inheritdoc ILoyaltyPoints
    function mint(address to, uint32 merchantId, uint256 amount) external onlyEscrow {
        _mint(to, merchantId, amount);
    }

    /// @inheritdoc ILoyaltyPoints
    function burn(address from, uint32 merchantId, uint256 amount) external onlyEscrow {
        _repayDebt(from, merchantId);
        _burn(from, merchantId, amount);
    }

    /// @inheritdoc ILoyaltyPoints
    function clawBack(address from, uint32 merchantId, uint256 amount) external onlyEscrow returns (uint256 burned) {
        uint256 balance = balanceOf(from, merchantId);
        burned = amount < balance ? amount : balance;
        if (burned != 0) _burn(from, merchantId, burned);
        if (burned != amount) {
            // burned < amount here: the payer spent the points first; what it cannot give back now it owes.
            uint256 totalDebt = _debt[from][merchantId] + (amount - burned);
            _debt[from][merchantId] = totalDebt;
            emit LoyaltyPointsDebtRecorded(from, merchantId, amount - burned, totalDebt);
        }
    }

    /// @inheritdoc ILoyaltyPoints
    function setTransferable(uint32 merchantId, bool transferable) external {
        if (msg.sender != _registry.ownerOf(merchantId)) revert LoyaltyPointsNotMerchantOwner(merchantId, msg.sender);
        _transferable[merchantId] = transferable;
        emit LoyaltyPointsTransferabilityChanged(merchantId, transferable);
    }

    /// @inheritdoc ILoyaltyPoints
    function isTransferable(uint32 merchantId) external view returns (bool) {
        return _transferable[merchantId];
    }

    /// @inheritdoc ILoyaltyPoints
    function debtOf(address account, uint32 merchantId) external view returns (uint256) {
        return _debt[account][merchantId];
    }

    /// @inheritdoc ILoyaltyPoints
    function escrow() external view returns (address) {
        return _escrow;
    }

    /// @inheritdoc ILoyaltyPoints
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc ILoyaltyPoints
    function decimals(uint256) external pure returns (uint8) {
        return 0;
    }

    /// @dev Customer-to-customer moves need the merchant's consent; mints and burns come only from the escrow.
    function _update(address from, address to, uint256 id, uint256 amount) internal override {
        if (id > type(uint32).max) revert LoyaltyPointsInvalidId(id);
        if (from != address(0) && to != address(0)) {
            if (!_transferable[uint32(id)]) revert LoyaltyPointsTransferDisabled(uint32(id));
            // A debtor pays its debt before it can move points away from the merchant's clawback.
            _repayDebt(from, uint32(id));
        }
        super._update(from, to, id, amount);
    }

    /// @dev Burns `account`'s points debt from its balance (reverting if the balance is short of it).
    function _repayDebt(address account, uint32 merchantId) private {
        uint256 debt = _debt[account][merchantId];
        if (debt == 0) return;
        delete _debt[account][merchantId];
        super._update(account, address(0), merchantId, debt);
        emit LoyaltyPointsDebtRepaid(account, merchantId, debt);
    }
}
