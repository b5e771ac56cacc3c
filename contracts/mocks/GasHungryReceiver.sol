// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title GasHungryReceiver
/// @notice Honest but expensive test account (a smart wallet): its ETH receive needs `gasNeeded` gas (it writes
/// storage) and accepts the ETH only if it gets that much. A caller who starves the escrow's push of gas must not
/// be able to turn this payout into a withdrawable balance.
contract GasHungryReceiver {
    /// @notice Gas the receive function burns before accepting.
    uint256 public immutable gasNeeded;
    /// @notice Storage written on every receipt, so the work cannot be skipped.
    uint256 public receipts;

    /// @param gasNeeded_ Gas the receive function burns before accepting.
    constructor(uint256 gasNeeded_) {
        gasNeeded = gasNeeded_;
    }

    /// @notice Burns `gasNeeded` gas, then accepts.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        uint256 start = gasleft();
        while (start - gasleft() < gasNeeded) {
            ++receipts;
        }
    }
}
