// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDepositRouter} from "../interfaces/IDepositRouter.sol";
import {IPaymentEscrow} from "../interfaces/IPaymentEscrow.sol";

/// @title DepositMulticall
/// @notice Test helper: a keeper contract that settles a deposit and returns another asset from the same deposit
/// address in one transaction (two sweeps of one address in one transaction).
contract DepositMulticall {
    /// @notice Settles `invoice`'s deposit, then returns what its address holds of `token` (to the bound payer).
    function settleThenReturn(
        IDepositRouter router,
        IPaymentEscrow.Invoice calldata invoice,
        bytes calldata signature,
        address token
    ) external {
        router.settleDeposit(invoice, signature, address(0));
        router.returnDeposit(invoice, token, address(0));
    }
}
