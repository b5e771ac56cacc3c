// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title GasGuzzlerToken
/// @notice Hostile test token: a transfer from an account marked with `setGuzzler` burns all the gas it is given
/// (INVALID), as a token that loops forever would. Used to make a deposit sweeper's creation run out of gas.
contract GasGuzzlerToken is ERC20 {
    /// @notice Accounts whose transfers burn all gas.
    mapping(address account => bool) public guzzles;

    constructor() ERC20("Gas Guzzler", "GUZZ") {}

    /// @notice Mints `amount` to `to`. Anyone may call: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Makes transfers from `account` burn all gas (or not).
    function setGuzzler(address account, bool guzzle) external {
        guzzles[account] = guzzle;
    }

    /// @dev Transfers from a marked account burn all the gas forwarded to the call.
    function _update(address from, address to, uint256 value) internal override {
        if (guzzles[from]) {
            assembly ("memory-safe") {
                invalid()
            }
        }
        super._update(from, to, value);
    }
}
