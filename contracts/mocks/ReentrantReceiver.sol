// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ReentrantReceiver
/// @notice Hostile test account: once armed, its next ETH receipt calls a configured target (the escrow) with
/// configured calldata before accepting the ETH, and records how that call ended. It stands in for a payout or a
/// payer contract that tries to re-enter the escrow from a push. `execute` lets it act as a caller.
contract ReentrantReceiver {
    /// @notice Whether the next ETH receipt calls the target.
    bool public armed;
    /// @notice Contract called on receipt.
    address public victim;
    /// @notice Calldata of the re-entrant call.
    bytes public callData;
    /// @notice Number of re-entrant calls made.
    uint256 public reentryCount;
    /// @notice Whether the last re-entrant call succeeded.
    bool public lastReentrySucceeded;
    /// @notice Return or revert data of the last re-entrant call.
    bytes public lastReentryData;

    /// @notice Runs the armed call once, then accepts the ETH.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        if (armed) {
            armed = false;
            ++reentryCount;
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory returnData) = victim.call(callData);
            lastReentrySucceeded = ok;
            lastReentryData = returnData;
        }
    }

    /// @notice Arms the call for the next ETH receipt.
    function arm(address target_, bytes calldata data) external {
        armed = true;
        victim = target_;
        callData = data;
    }

    /// @notice Calls `to` with `value` and `data` as this contract; bubbles up a revert.
    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory returnData) = to.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returnData, 0x20), mload(returnData))
            }
        }
        return returnData;
    }
}
