// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ERC1271DenyWallet
/// @notice Test smart-contract wallet that rejects every signature: it returns the failure value, or reverts in
/// `revertOnCheck` mode. The escrow must treat both as an invalid signature.
contract ERC1271DenyWallet {
    /// @notice Whether `isValidSignature` reverts instead of returning the failure value.
    bool public immutable revertOnCheck;

    /// @notice Raised by `isValidSignature` in `revertOnCheck` mode.
    error ERC1271DenyWalletDenied(bytes32 hash);

    /// @param revertOnCheck_ Whether `isValidSignature` reverts instead of returning the failure value.
    constructor(bool revertOnCheck_) {
        revertOnCheck = revertOnCheck_;
    }

    /// @notice ERC-1271: returns `0x1626ba7e` if the signature is accepted; never here.
    function isValidSignature(bytes32 hash, bytes calldata) external view returns (bytes4) {
        if (revertOnCheck) revert ERC1271DenyWalletDenied(hash);
        return bytes4(0xffffffff);
    }
}
