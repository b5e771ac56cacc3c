// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPaymentEscrow} from "../interfaces/IPaymentEscrow.sol";

/// @title InvoiceCodec
/// @notice Test-side encoders for the escrow's inputs: the EIP-2098 compact signature and the packed invoice of
/// `payPacked` (docs/qr-format.md), written independently of the contract's decoder.
library InvoiceCodec {
    /// @notice EIP-2098: r || (s with y-parity, v - 27, in its top bit).
    function compact(uint8 v, bytes32 r, bytes32 s) internal pure returns (bytes memory) {
        return abi.encodePacked(r, bytes32(uint256(s) | (uint256(v - 27) << 255)));
    }

    /// @notice The compact form of a 65-byte r || s || v signature; any other length is returned unchanged.
    function compact(bytes memory signature) internal pure returns (bytes memory) {
        if (signature.length != 65) return signature;
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        return compact(v, r, s);
    }

    /// @notice version | flags | fixed fields | [payer] | [orderRef] | [holdPeriod] | [epoch] | signature.
    function pack(
        IPaymentEscrow.Invoice memory invoice,
        uint16 tokenIndex,
        bytes memory signature
    ) internal pure returns (bytes memory packed) {
        uint8 flags = (invoice.payer != address(0) ? 1 : 0) |
            (invoice.orderRef != bytes32(0) ? 2 : 0) |
            (invoice.holdPeriod != 0 ? 4 : 0) |
            (invoice.epoch != 0 ? 8 : 0);
        packed = abi.encodePacked(
            uint8(1),
            flags,
            invoice.merchantId,
            invoice.invoiceNumber,
            tokenIndex,
            invoice.amount,
            invoice.expiry,
            invoice.pointsAward,
            invoice.pointsRedeem
        );
        if (flags & 1 != 0) packed = abi.encodePacked(packed, invoice.payer);
        if (flags & 2 != 0) packed = abi.encodePacked(packed, invoice.orderRef);
        if (flags & 4 != 0) packed = abi.encodePacked(packed, invoice.holdPeriod);
        if (flags & 8 != 0) packed = abi.encodePacked(packed, invoice.epoch);
        packed = abi.encodePacked(packed, signature);
    }
}
