// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice Hostile test token (an ERC-777-style hook): once armed, its next transfer first calls a configured
/// target (the escrow) with configured calldata and value, before moving the tokens. It records how that call
/// ended; in `bubble` mode a failed call makes the transfer revert with the same data. `execute` lets the token
/// contract itself act as a payer, a merchant owner or an account with a balance, so the re-entrant call is one
/// that would succeed if the target had no re-entrancy guard.
/// @dev The hook must fit in the escrow's 100,000-gas push, so the calldata is kept as the code of a data
/// contract (one EXTCODECOPY instead of a storage read per word) and the bookkeeping fits in two slots.
contract ReentrantToken is ERC20 {
    // slot: read and written by the hook
    /// @notice Whether the next transfer calls the target.
    bool public armed;
    /// @notice Whether a failed re-entrant call makes the transfer revert with its data.
    bool public bubble;
    /// @notice Whether the last re-entrant call succeeded.
    bool public lastReentrySucceeded;
    /// @notice Number of re-entrant calls made.
    uint64 public reentryCount;
    /// @notice Contract called from the hook.
    address public victim;
    // slot: written by the hook
    /// @notice First four bytes of the return or revert data of the last re-entrant call.
    bytes4 public lastReentrySelector;
    /// @notice Length of the return or revert data of the last re-entrant call.
    uint32 public lastReentryDataLength;
    /// @notice Contract whose code (after a leading STOP byte) is the calldata of the re-entrant call.
    address public callDataPointer;
    /// @notice ETH sent with the re-entrant call.
    uint256 public callValue;

    /// @notice The data contract could not be created.
    error ReentrantTokenDataNotStored();

    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Accepts ETH, so the token can pay ETH invoices from its hook.
    receive() external payable {}

    /// @notice Mints `amount` to `to`. Anyone may call: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook for the next transfer.
    function arm(address target_, uint256 value, bytes calldata data, bool bubble_) external {
        armed = true;
        bubble = bubble_;
        victim = target_;
        callValue = value;
        callDataPointer = _store(data);
        // Non-zero placeholders, so the hook's writes are cheap.
        lastReentrySelector = bytes4(0xffffffff);
        lastReentryDataLength = type(uint32).max;
        lastReentrySucceeded = true;
    }

    /// @notice Calldata of the armed re-entrant call.
    function callData() public view returns (bytes memory data) {
        address pointer = callDataPointer;
        uint256 size = pointer.code.length;
        if (size == 0) return data;
        data = new bytes(size - 1);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(data, 0x20), 1, sub(size, 1))
        }
    }

    /// @notice Calls `to` with `value` and `data` as this contract; bubbles up a revert.
    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory returnData) = to.call{value: value}(data);
        if (!ok) _revertWith(returnData);
        return returnData;
    }

    /// @dev Runs the armed hook once, before a transfer (not a mint or burn) moves the tokens.
    function _update(address from, address to, uint256 value) internal override {
        if (armed && from != address(0) && to != address(0)) {
            armed = false;
            ++reentryCount;
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory returnData) = victim.call{value: callValue}(callData());
            lastReentrySucceeded = ok;
            lastReentrySelector = bytes4(returnData);
            lastReentryDataLength = uint32(returnData.length);
            if (!ok && bubble) _revertWith(returnData);
        }
        super._update(from, to, value);
    }

    /// @dev Deploys a contract whose code is a STOP byte followed by `data` (the SSTORE2 pattern).
    function _store(bytes calldata data) private returns (address pointer) {
        // PUSH2 size, DUP1, PUSH1 0x0a, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN, then the code itself.
        bytes memory creation = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600a3d393df300", data);
        assembly ("memory-safe") {
            pointer := create(0, add(creation, 0x20), mload(creation))
        }
        if (pointer == address(0)) revert ReentrantTokenDataNotStored();
    }

    function _revertWith(bytes memory data) private pure {
        assembly ("memory-safe") {
            revert(add(data, 0x20), mload(data))
        }
    }
}
