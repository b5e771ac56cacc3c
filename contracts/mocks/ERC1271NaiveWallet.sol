// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ERC1271NaiveWallet
/// @notice Test smart-contract wallet with the classic flaw: it accepts any hash its owner key signed, without
/// binding the hash to this wallet's address. Two such wallets of one key accept each other's signatures, so the
/// escrow's signed data (the merchant id) is all that keeps merchant A's invoice from paying merchant B.
contract ERC1271NaiveWallet {
    /// @notice The key whose signatures this wallet accepts.
    address public immutable owner;

    /// @param owner_ The key whose signatures this wallet accepts.
    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice ERC-1271: returns `IERC1271.isValidSignature.selector` if the signature is accepted.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError error_, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return
            error_ == ECDSA.RecoverError.NoError && recovered == owner
                ? IERC1271.isValidSignature.selector
                : bytes4(0xffffffff);
    }
}
