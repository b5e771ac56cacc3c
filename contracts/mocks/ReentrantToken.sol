// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice Hostile test token (an ERC-777-style hook): once armed, its next transfer first calls a configured
/// target (the escrow) with configured calldata and value, before moving the tokens. It records how that call
/// ended; in `bubble` mode a failed call makes the transfer revert with the same data. `execute` lets the token
/// contract itself act as a payer, a merchant owner or an account with a balance, so the re-entrant call is one
/// that would succeed if the target had no re-entrancy guard.
contract ReentrantToken is ERC20 {
    /// @notice Whether the next transfer calls the target.
    bool public armed;
    /// @notice Whether a failed re-entrant call makes the transfer revert with its data.
    bool public bubble;
    /// @notice Contract called from the hook.
    address public target;
    /// @notice ETH sent with the re-entrant call.
    uint256 public callValue;
    /// @notice Calldata of the re-entrant call.
    bytes public callData;
    /// @notice Number of re-entrant calls made.
    uint256 public reentryCount;
    /// @notice Whether the last re-entrant call succeeded.
    bool public lastReentrySucceeded;
    /// @notice Return or revert data of the last re-entrant call.
    bytes public lastReentryData;

    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Accepts ETH, so the token can pay ETH invoices from its hook.
    receive() external payable {}

    /// @notice Mints `amount` to `to`. Anyone may call: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook for the next transfer.
    function arm(address target_, uint256 value, bytes calldata data, bool bubble_) external {
        armed = true;
        target = target_;
        callValue = value;
        callData = data;
        bubble = bubble_;
    }

    /// @notice Calls `to` with `value` and `data` as this contract; bubbles up a revert.
    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory returnData) = to.call{value: value}(data);
        if (!ok) _revertWith(returnData);
        return returnData;
    }

    /// @dev Runs the armed hook once, before a transfer (not a mint or burn) moves the tokens.
    function _update(address from, address to, uint256 value) internal override {
        if (armed && from != address(0) && to != address(0)) {
            armed = false;
            ++reentryCount;
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory returnData) = target.call{value: callValue}(callData);
            lastReentrySucceeded = ok;
            lastReentryData = returnData;
            if (!ok && bubble) _revertWith(returnData);
        }
        super._update(from, to, value);
    }

    function _revertWith(bytes memory data) private pure {
        assembly ("memory-safe") {
            revert(add(data, 0x20), mload(data))
        }
    }
}
