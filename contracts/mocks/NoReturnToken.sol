// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title NoReturnToken
/// @notice USDT-style test token: `transfer`, `transferFrom` and `approve` return nothing (not even `true`) and
/// revert on failure. The escrow must still accept it (SafeERC20 and its own push both allow empty return data).
contract NoReturnToken {
    /// @notice Total supply.
    uint256 public totalSupply;
    /// @notice Balance of each account.
    mapping(address account => uint256 amount) public balanceOf;
    /// @notice Allowance of `spender` over `owner`'s tokens.
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    /// @notice ERC-20 transfer event.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice ERC-20 approval event.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice The sender's balance is too low.
    error NoReturnTokenInsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice The spender's allowance is too low.
    error NoReturnTokenInsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    /// @notice Token name.
    function name() external pure returns (string memory) {
        return "No Return USD";
    }

    /// @notice Token symbol.
    function symbol() external pure returns (string memory) {
        return "NRT";
    }

    /// @notice Decimals, as USDT.
    function decimals() external pure returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` to `to`. Anyone may call: it is a test token.
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Approves `spender`; returns nothing (USDT).
    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
    }

    /// @notice Moves `amount` to `to`; returns nothing (USDT).
    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    /// @notice Moves `amount` from `from` to `to` with the caller's allowance; returns nothing (USDT).
    function transferFrom(address from, address to, uint256 amount) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert NoReturnTokenInsufficientAllowance(msg.sender, allowed, amount);
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert NoReturnTokenInsufficientBalance(from, balance, amount);
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
