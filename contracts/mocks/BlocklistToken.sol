// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlocklistToken
/// @notice USDC-style test token with an issuer blocklist: any transfer from, to or by a blocked account reverts.
/// The escrow must keep paying everyone else when a merchant payout, the treasury or a payer is blocked.
contract BlocklistToken is ERC20 {
    /// @notice Whether an account is blocked.
    mapping(address account => bool) public blocked;

    /// @notice The account is blocked by the issuer.
    error BlocklistTokenBlocked(address account);

    constructor() ERC20("Blocklist USD", "BLK") {}

    /// @notice Mints `amount` to `to`. Anyone may call: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Blocks or unblocks `account` (the issuer's power; open to anyone in this mock).
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @dev Like USDC: the sender, the receiver and the caller must all be unblocked.
    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert BlocklistTokenBlocked(from);
        if (blocked[to]) revert BlocklistTokenBlocked(to);
        if (blocked[msg.sender]) revert BlocklistTokenBlocked(msg.sender);
        super._update(from, to, value);
    }
}
