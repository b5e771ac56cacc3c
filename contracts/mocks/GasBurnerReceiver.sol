// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title GasBurnerReceiver
/// @notice Hostile test account whose ETH receive burns every unit of gas it is given (the INVALID opcode). A
/// push to it must be gas-capped, or it would take the caller's whole transaction down. `execute` lets it act as
/// a caller (withdraw its balance to another address).
contract GasBurnerReceiver {
    /// @notice Consumes all the gas forwarded to it, then fails.
    receive() external payable {
        assembly ("memory-safe") {
            invalid()
        }
    }

    /// @notice Calls `target` with `value` and `data` as this contract; bubbles up a revert.
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory returnData) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returnData, 0x20), mload(returnData))
            }
        }
        return returnData;
    }
}
