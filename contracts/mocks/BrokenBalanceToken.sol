// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BrokenBalanceToken
/// @notice Hostile test token whose `balanceOf` can be switched to revert, to return nothing, or to return 31 bytes
/// (one short of a word), while transfers keep working: a paused, upgraded or non-standard token. The escrow must
/// refuse to collect a token whose balance it cannot read (`PaymentEscrowTokenNotContract`).
contract BrokenBalanceToken is ERC20 {
    /// @notice How `balanceOf` answers.
    enum Mode {
        Normal,
        Revert,
        Empty,
        Short
    }

    /// @notice Raised by `balanceOf` in `Revert` mode.
    error BrokenBalanceTokenUnavailable(address account);

    /// @notice Current behaviour of `balanceOf`.
    Mode public mode;

    constructor() ERC20("Broken Balance", "BRK") {}

    /// @notice Mints `amount` to `to`. Anyone may call: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Switches the behaviour of `balanceOf`.
    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// @inheritdoc ERC20
    function balanceOf(address account) public view override returns (uint256) {
        Mode current = mode;
        if (current == Mode.Revert) revert BrokenBalanceTokenUnavailable(account);
        uint256 amount = super.balanceOf(account);
        if (current == Mode.Empty) {
            assembly ("memory-safe") {
                return(0, 0)
            }
        }
        if (current == Mode.Short) {
            assembly ("memory-safe") {
                mstore(0x00, amount)
                return(0x00, 31)
            }
        }
        return amount;
    }
}
