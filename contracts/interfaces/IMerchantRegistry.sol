// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IMerchantRegistry
/// @notice Merchants of ScanPay: who owns them, where their money goes, which key signs their invoices, how long
/// their payments are held for refunds, and whether they may be paid.
/// @dev A merchant id is a small sequential number starting at 1 (it is carried by every QR code).
interface IMerchantRegistry {
    /// @notice Lifecycle of a merchant. `None` means the id was never registered.
    enum MerchantStatus {
        None,
        Active,
        Suspended
    }

    /// @notice What the escrow needs to accept and settle a payment, read in one call.
    /// @param signer Current invoice signer (an EOA or an ERC-1271 contract wallet).
    /// @param holdPeriod Seconds a payment is held before it can be released; 0 settles at once.
    /// @param status Current status; only `Active` merchants can be paid.
    /// @param payout Address that receives the merchant's share on settlement.
    /// @param epoch Current invoice epoch: only invoices signed for this epoch can be paid. It moves on with
    /// `voidInvoices` and with every signer rotation, voiding every invoice signed before.
    struct PaymentTerms {
        address signer;
        uint32 holdPeriod;
        MerchantStatus status;
        address payout;
        uint32 epoch;
    }

    /// @notice Emitted when a merchant is registered.
    event MerchantRegistered(
        uint32 indexed merchantId,
        address indexed owner,
        address payout,
        address signer,
        uint32 holdPeriod,
        string name,
        string metadataURI
    );
    /// @notice Emitted when the payout address changes.
    event MerchantPayoutChanged(uint32 indexed merchantId, address payout);
    /// @notice Emitted when the invoice signer changes (followed by `MerchantInvoicesVoided`: invoices signed
    /// before stop being payable, even if the old key is made signer again).
    event MerchantSignerChanged(uint32 indexed merchantId, address signer);
    /// @notice Emitted when the hold period changes; it applies to invoices signed with a shorter window too, since
    /// the escrow holds each payment for the longer of this and the window in its invoice.
    event MerchantHoldPeriodChanged(uint32 indexed merchantId, uint32 holdPeriod);
    /// @notice Emitted when the display name or metadata URI changes.
    event MerchantProfileChanged(uint32 indexed merchantId, string name, string metadataURI);
    /// @notice Emitted when the merchant moved to invoice epoch `epoch`: every invoice signed for an earlier epoch
    /// can no longer be paid.
    event MerchantInvoicesVoided(uint32 indexed merchantId, uint32 epoch);
    /// @notice Emitted when the merchant's recovery address changed.
    event MerchantRecoveryChanged(uint32 indexed merchantId, address indexed recovery);
    /// @notice Emitted when the owner started an ownership transfer.
    event MerchantOwnershipTransferStarted(uint32 indexed merchantId, address indexed owner, address indexed pendingOwner);
    /// @notice Emitted when the pending owner accepted ownership.
    event MerchantOwnershipTransferred(uint32 indexed merchantId, address indexed previousOwner, address indexed newOwner);
    /// @notice Emitted when the platform admin suspended or reinstated a merchant.
    event MerchantStatusChanged(uint32 indexed merchantId, MerchantStatus status);
    /// @notice Emitted when the platform admin changed the longest hold period a merchant may choose.
    event MaxHoldPeriodChanged(uint32 maxHoldPeriod);

    /// @notice The merchant id was never registered.
    error MerchantRegistryUnknownMerchant(uint32 merchantId);
    /// @notice Only the merchant's owner may do this.
    error MerchantRegistryNotOwner(uint32 merchantId, address caller);
    /// @notice Only the merchant's owner or current signer may do this.
    error MerchantRegistryNotOwnerOrSigner(uint32 merchantId, address caller);
    /// @notice Only the pending owner may accept ownership.
    error MerchantRegistryNotPendingOwner(uint32 merchantId, address caller);
    /// @notice The owner address is zero.
    error MerchantRegistryInvalidOwner(address owner);
    /// @notice The payout address is zero.
    error MerchantRegistryInvalidPayout(address payout);
    /// @notice The signer address is zero.
    error MerchantRegistryInvalidSigner(address signer);
    /// @notice The hold period exceeds the platform maximum.
    error MerchantRegistryHoldPeriodTooLong(uint32 holdPeriod, uint32 maxHoldPeriod);
    /// @notice The platform maximum hold period exceeds the hard limit in code.
    error MerchantRegistryMaxHoldPeriodTooLong(uint32 maxHoldPeriod, uint32 limit);
    /// @notice Only the merchant's recovery address may do this.
    error MerchantRegistryNotRecovery(uint32 merchantId, address caller);
    /// @notice The new owner is the zero address.
    error MerchantRegistryInvalidNewOwner(address newOwner);
    /// @notice The display name is longer than allowed.
    error MerchantRegistryNameTooLong(uint256 length, uint256 maxLength);
    /// @notice The merchant already has this status.
    error MerchantRegistryStatusUnchanged(uint32 merchantId, MerchantStatus status);
    /// @notice No more merchant ids are available.
    error MerchantRegistryIdsExhausted();

    /// @notice Registers a merchant and returns its id. Anyone may register; the merchant starts `Active`.
    /// @param owner Cold key that manages the merchant.
    /// @param payout Receives the merchant's share of settled payments.
    /// @param signer Hot key (or ERC-1271 wallet) that signs invoices.
    /// @param holdPeriod Refund window in seconds, at most `maxHoldPeriod()`; 0 settles payments at once.
    /// @param name Display name, at most 64 bytes.
    /// @param metadataURI Optional URI of further metadata (logo, address, terms).
    function register(
        address owner,
        address payout,
        address signer,
        uint32 holdPeriod,
        string calldata name,
        string calldata metadataURI
    ) external returns (uint32 merchantId);

    /// @notice Sets the payout address. Owner only. Held payments released later go to the new address.
    function setPayout(uint32 merchantId, address payout) external;

    /// @notice Rotates the invoice signer and moves to the next invoice epoch. Owner only. Takes effect at once:
    /// invoices signed before can no longer be paid, even if a later rotation brings the old key back.
    function setSigner(uint32 merchantId, address signer) external;

    /// @notice Sets the hold period (refund window) for future payments. Owner only. Payments already held keep
    /// their release time. An invoice carries the window its payer was shown, and the escrow holds the payment for
    /// the longer of the two, so lowering this never shortens a window a payer saw.
    function setHoldPeriod(uint32 merchantId, uint32 holdPeriod) external;

    /// @notice Sets the display name and metadata URI. Owner only.
    function setProfile(uint32 merchantId, string calldata name, string calldata metadataURI) external;

    /// @notice Moves the merchant to the next invoice epoch, voiding every unpaid invoice signed so far. Owner or
    /// signer. Reversible in effect (new invoices are signed for the new epoch), so a stolen signer key can void
    /// outstanding invoices but never make the merchant id unusable.
    /// @return epoch The new epoch.
    function voidInvoices(uint32 merchantId) external returns (uint32 epoch);

    /// @notice Sets the recovery address, which may take over ownership with `recoverOwnership`. While none is set
    /// the owner sets it; once set, only the recovery address itself can change it (so a stolen owner key cannot
    /// replace it). `address(0)` removes it (then the owner may set one again).
    function setRecovery(uint32 merchantId, address recovery) external;

    /// @notice Makes `newOwner` the merchant's owner at once and cancels any pending transfer. Recovery address
    /// only: the way back after an owner key leaked (see docs/SECURITY.md, incident playbook).
    function recoverOwnership(uint32 merchantId, address newOwner) external;

    /// @notice Starts moving ownership to `newOwner`, who must accept. Owner only; `address(0)` cancels.
    function transferMerchantOwnership(uint32 merchantId, address newOwner) external;

    /// @notice Completes an ownership transfer. Pending owner only.
    function acceptMerchantOwnership(uint32 merchantId) external;

    /// @notice Suspends a merchant: it can no longer be paid and its held payments are not released. Admin only.
    function suspend(uint32 merchantId) external;

    /// @notice Reinstates a suspended merchant. Admin only.
    function reinstate(uint32 merchantId) external;

    /// @notice Sets the longest hold period a merchant may choose from now on, at most `MAX_HOLD_PERIOD_LIMIT`.
    /// Admin only. Merchants that chose a longer period keep it: shortening their window would take refund rights
    /// from payers who were shown it (docs/escrow.md).
    function setMaxHoldPeriod(uint32 maxHoldPeriod) external;

    /// @notice The hard limit in code for `maxHoldPeriod()`.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_HOLD_PERIOD_LIMIT() external view returns (uint32);

    /// @notice The longest hold period a merchant may choose.
    function maxHoldPeriod() external view returns (uint32);

    /// @notice Number of merchants registered so far (the highest id).
    function merchantCount() external view returns (uint32);

    /// @notice Everything the escrow needs to accept and settle a payment to `merchantId`.
    function paymentTerms(uint32 merchantId) external view returns (PaymentTerms memory terms);

    /// @notice The merchant's owner (zero for an unknown id).
    function ownerOf(uint32 merchantId) external view returns (address);

    /// @notice The recovery address (zero if none).
    function recoveryOf(uint32 merchantId) external view returns (address);

    /// @notice The account that may accept ownership (zero if none).
    function pendingOwnerOf(uint32 merchantId) external view returns (address);

    /// @notice Display name and metadata URI.
    function profileOf(uint32 merchantId) external view returns (string memory name, string memory metadataURI);

    /// @notice Whether `account` is the merchant's owner or current signer.
    function isOwnerOrSigner(uint32 merchantId, address account) external view returns (bool);

    /// @notice Role allowed to pause and unpause new payments in the escrow. The registry holds the platform's roles
    /// (admin with a delayed two-step handover, pauser, arbiter) for both contracts.
    // solhint-disable-next-line func-name-mixedcase
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice Role allowed to resolve the escrow's disputes.
    // solhint-disable-next-line func-name-mixedcase
    function ARBITER_ROLE() external view returns (bytes32);
}
