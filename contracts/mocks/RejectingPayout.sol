// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title RejectingPayout
/// @notice Test account whose ETH receive can be switched between accepting, reverting and burning all gas. It
/// stands in for a merchant payout or a payer that cannot take a push; `execute` lets it act as a caller
/// (pay, withdraw, open a dispute).
contract RejectingPayout {
    /// @notice How the receive function behaves.
    enum Mode {
        Accept,
        Revert,
        BurnGas
    }

    /// @notice The receive function was called in `Revert` mode.
    error RejectingPayoutRejected(uint256 amount);

    /// @notice Current behaviour of the receive function.
    Mode public mode;

    constructor(Mode mode_) {
        mode = mode_;
    }

    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        if (mode == Mode.Revert) revert RejectingPayoutRejected(msg.value);
        if (mode == Mode.BurnGas) {
            // Spin until the call runs out of gas.
            uint256 i;
            while (true) {
                unchecked {
                    ++i;
                }
            }
        }
    }

    /// @notice Switches the behaviour of the receive function.
    function setMode(Mode mode_) external {
        mode = mode_;
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
