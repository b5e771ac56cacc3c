// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IERC3009
/// @notice The part of EIP-3009 ("Transfer With Authorization") the escrow uses, as USDC and EURC (Circle's
/// FiatToken v2) implement it: `v, r, s` signatures, 32-byte random nonces per authorizer.
interface IERC3009 {
    /// @notice Emitted when an authorization was used.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);

    /// @notice Receives `value` from `from`, as authorized by `from`'s EIP-712 signature of
    /// `ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)`.
    /// Only `to` may call it, so a front-runner cannot replay the authorization anywhere else.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Whether `authorizer` has used (or cancelled) `nonce`.
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);
}
