// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title RebasingToken
/// @notice Hostile test token (like stETH or AMPL): balances are shares times a global index that the issuer
/// moves with `rebase`. A transfer moves `amount * 1e18 / index` shares, rounded down, so the receiver usually
/// gets a little less than `amount`; a rebase changes every holder's balance, including the escrow's.
contract RebasingToken {
    uint256 private constant _WAD = 1e18;

    /// @notice Balance per share, scaled by 1e18.
    uint256 public index;
    /// @notice Total shares.
    uint256 public totalShares;
    /// @notice Shares of each account.
    mapping(address account => uint256 shares) public sharesOf;
    /// @notice Allowance of `spender` over `owner`'s tokens.
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    /// @notice ERC-20 transfer event.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice ERC-20 approval event.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice The sender holds too few shares.
    error RebasingTokenInsufficientBalance(address account, uint256 shares, uint256 needed);
    /// @notice The spender's allowance is too low.
    error RebasingTokenInsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    /// @param index_ Initial balance per share, scaled by 1e18 (e.g. 1.1e18).
    constructor(uint256 index_) {
        index = index_;
    }

    /// @notice Token name.
    function name() external pure returns (string memory) {
        return "Rebasing USD";
    }

    /// @notice Token symbol.
    function symbol() external pure returns (string memory) {
        return "REB";
    }

    /// @notice Decimals.
    function decimals() external pure returns (uint8) {
        return 6;
    }

    /// @notice Mints `shares` shares to `to`. Anyone may call: it is a test token.
    function mintShares(address to, uint256 shares) external {
        totalShares += shares;
        sharesOf[to] += shares;
        emit Transfer(address(0), to, (shares * index) / _WAD);
    }

    /// @notice Sets the balance per share: every balance grows or shrinks at once.
    function rebase(uint256 index_) external {
        index = index_;
    }

    /// @notice Balance of `account`: its shares times the index, rounded down.
    function balanceOf(address account) external view returns (uint256) {
        return (sharesOf[account] * index) / _WAD;
    }

    /// @notice Total supply at the current index.
    function totalSupply() external view returns (uint256) {
        return (totalShares * index) / _WAD;
    }

    /// @notice Approves `spender`.
    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    /// @notice Moves the shares worth `amount` (rounded down) to `to`.
    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    /// @notice Moves the shares worth `amount` (rounded down) from `from` to `to` with the caller's allowance.
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert RebasingTokenInsufficientAllowance(msg.sender, allowed, amount);
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 shares = (amount * _WAD) / index;
        uint256 held = sharesOf[from];
        if (held < shares) revert RebasingTokenInsufficientBalance(from, held, shares);
        sharesOf[from] = held - shares;
        sharesOf[to] += shares;
        emit Transfer(from, to, amount);
    }
}
