// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice Hostile test token: every transfer burns `feeBps` of the amount, so the receiver gets less than was
/// asked (like PAXG or STA). The escrow must refuse it (`PaymentEscrowInexactTransfer`).
contract FeeOnTransferToken is ERC20 {
    uint256 private constant _BPS = 10_000;

    /// @notice Share of each transfer that is burned, in basis points.
    uint256 public immutable feeBps;

    /// @param feeBps_ Share of each transfer burned, in basis points.
    constructor(uint256 feeBps_) ERC20("Fee On Transfer", "FOT") {
        feeBps = feeBps_;
    }

    /// @notice Mints `amount` to `to`. Anyone may call: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @dev Transfers (not mints or burns) lose `feeBps` of the amount on the way.
    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from == address(0) || to == address(0) ? 0 : (value * feeBps) / _BPS;
        if (fee != 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
