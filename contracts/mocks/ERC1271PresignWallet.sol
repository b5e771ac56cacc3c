// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title ERC1271PresignWallet
/// @notice Test smart-contract wallet that accepts a hash its owner approved on chain beforehand (like a Safe's
/// approved hashes), whatever the signature bytes. A merchant signer that is a contract must be able to pay.
contract ERC1271PresignWallet {
    /// @notice Who may approve hashes.
    address public immutable owner;
    /// @notice Hashes approved by the owner.
    mapping(bytes32 hash => bool) public approved;

    /// @notice Only the owner may approve hashes.
    error ERC1271PresignWalletNotOwner(address caller);

    /// @param owner_ Who may approve hashes.
    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Approves `hash` (e.g. an invoice digest). Owner only.
    function approveHash(bytes32 hash) external {
        if (msg.sender != owner) revert ERC1271PresignWalletNotOwner(msg.sender);
        approved[hash] = true;
    }

    /// @notice ERC-1271: returns `IERC1271.isValidSignature.selector` if the signature is accepted.
    function isValidSignature(bytes32 hash, bytes calldata) external view returns (bytes4) {
        return approved[hash] ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
