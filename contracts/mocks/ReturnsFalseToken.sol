// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReturnsFalseToken
/// @notice Hostile test token: while switched on, `transfer` and/or `transferFrom` return `false` without moving
/// anything instead of reverting (like ZRX or old BAT). The escrow must treat `false` as failure.
contract ReturnsFalseToken is ERC20 {
    /// @notice Whether `transfer` returns false.
    bool public failTransfer;
    /// @notice Whether `transferFrom` returns false.
    bool public failTransferFrom;

    constructor() ERC20("Returns False", "RFT") {}

    /// @notice Mints `amount` to `to`. Anyone may call: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Switches the failure modes.
    function setFailures(bool failTransfer_, bool failTransferFrom_) external {
        failTransfer = failTransfer_;
        failTransferFrom = failTransferFrom_;
    }

    /// @inheritdoc ERC20
    function transfer(address to, uint256 value) public override returns (bool) {
        if (failTransfer) return false;
        return super.transfer(to, value);
    }

    /// @inheritdoc ERC20
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (failTransferFrom) return false;
        return super.transferFrom(from, to, value);
    }
}
