// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title RevertingReceiver
/// @notice Hostile test account whose ETH receive always reverts: a merchant payout or payer that cannot take a
/// push. `execute` lets it act as a caller (withdraw its balance to another address, pay, dispute).
contract RevertingReceiver {
    /// @notice ETH was sent to this contract.
    error RevertingReceiverRejected(uint256 amount);

    /// @notice Always reverts.
    receive() external payable {
        revert RevertingReceiverRejected(msg.value);
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
