// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title InvariantVm
/// @notice The Foundry-compatible cheatcodes the invariant handlers and tests use, served by Hardhat's Solidity
/// test runner at `INVARIANT_VM_ADDRESS`. forge-std is not a dependency: only what is used is declared.
interface InvariantVm {
    function prank(address msgSender) external;
    function deal(address account, uint256 newBalance) external;
    function warp(uint256 newTimestamp) external;
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    function getNonce(address account) external view returns (uint64 nonce);
    function computeCreateAddress(address deployer, uint256 nonce) external pure returns (address);
    function label(address account, string calldata newLabel) external;
}

/// @dev keccak256("hevm cheat code") truncated to an address.
address constant INVARIANT_VM_ADDRESS = 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D;
