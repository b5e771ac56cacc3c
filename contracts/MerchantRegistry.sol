// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IMerchantRegistry} from "./interfaces/IMerchantRegistry.sol";

/// @title MerchantRegistry
/// @notice Registry of ScanPay merchants. See {IMerchantRegistry}.
/// @dev Storage is laid out for the escrow's hot path: `paymentTerms` reads exactly two slots
/// (signer | holdPeriod | status) and (payout | epoch).
contract MerchantRegistry is IMerchantRegistry, AccessControlDefaultAdminRules {
    /// @inheritdoc IMerchantRegistry
    uint32 public constant MAX_HOLD_PERIOD_LIMIT = 365 days;
    /// @inheritdoc IMerchantRegistry
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc IMerchantRegistry
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");

    /// @dev Display names are shown on a till and a phone: keep them short.
    uint256 private constant _MAX_NAME_LENGTH = 64;

    struct MerchantRecord {
        // slot 0: read on every payment
        address signer;
        uint32 holdPeriod;
        MerchantStatus status;
        // slot 1: read on every payment
        address payout;
        uint32 epoch;
        // slot 2+
        address owner;
        address pendingOwner;
        address recovery;
        string name;
        string metadataURI;
    }

    mapping(uint32 merchantId => MerchantRecord) private _merchants;
    uint32 private _merchantCount;
    uint32 private _maxHoldPeriod;

    /// @param initialAdminDelay Delay of the two-step platform admin handover, in seconds.
    /// @param initialAdmin Platform admin (suspends merchants, sets limits).
    /// @param pauser Initial holder of PAUSER_ROLE, which pauses new payments in the escrow (zero for none).
    /// @param arbiter Initial holder of ARBITER_ROLE, which resolves the escrow's disputes (zero for none).
    /// @param initialMaxHoldPeriod Longest hold period a merchant may choose, in seconds.
    constructor(
        uint48 initialAdminDelay,
        address initialAdmin,
        address pauser,
        address arbiter,
        uint32 initialMaxHoldPeriod
    ) AccessControlDefaultAdminRules(initialAdminDelay, initialAdmin) {
        if (pauser != address(0)) _grantRole(PAUSER_ROLE, pauser);
        if (arbiter != address(0)) _grantRole(ARBITER_ROLE, arbiter);
        _setMaxHoldPeriod(initialMaxHoldPeriod);
    }

    modifier onlyMerchantOwner(uint32 merchantId) {
        _checkMerchantOwner(merchantId);
        _;
    }

    /// @inheritdoc IMerchantRegistry
    function register(
        address owner,
        address payout,
        address signer,
        uint32 holdPeriod,
        string calldata name,
        string calldata metadataURI
    ) external returns (uint32 merchantId) {
        if (owner == address(0)) revert MerchantRegistryInvalidOwner(owner);
        if (payout == address(0)) revert MerchantRegistryInvalidPayout(payout);
        if (signer == address(0)) revert MerchantRegistryInvalidSigner(signer);
        _checkHoldPeriod(holdPeriod);
        _checkName(name);
        if (_merchantCount == type(uint32).max) revert MerchantRegistryIdsExhausted();
        merchantId = ++_merchantCount;

        MerchantRecord storage merchant = _merchants[merchantId];
        merchant.signer = signer;
        merchant.holdPeriod = holdPeriod;
        merchant.status = MerchantStatus.Active;
        merchant.payout = payout;
        merchant.owner = owner;
        merchant.name = name;
        merchant.metadataURI = metadataURI;
        emit MerchantRegistered(merchantId, owner, payout, signer, holdPeriod, name, metadataURI);
    }

    /// @inheritdoc IMerchantRegistry
    function setPayout(uint32 merchantId, address payout) external onlyMerchantOwner(merchantId) {
        if (payout == address(0)) revert MerchantRegistryInvalidPayout(payout);
        _merchants[merchantId].payout = payout;
        emit MerchantPayoutChanged(merchantId, payout);
    }

    /// @inheritdoc IMerchantRegistry
    function setSigner(uint32 merchantId, address signer) external onlyMerchantOwner(merchantId) {
        if (signer == address(0)) revert MerchantRegistryInvalidSigner(signer);
        _merchants[merchantId].signer = signer;
        emit MerchantSignerChanged(merchantId, signer);
        // A new epoch, so that rotating back to an earlier key never revives the invoices it signed.
        _nextEpoch(merchantId);
    }

    /// @inheritdoc IMerchantRegistry
    function setHoldPeriod(uint32 merchantId, uint32 holdPeriod) external onlyMerchantOwner(merchantId) {
        _checkHoldPeriod(holdPeriod);
        _merchants[merchantId].holdPeriod = holdPeriod;
        emit MerchantHoldPeriodChanged(merchantId, holdPeriod);
    }

    /// @inheritdoc IMerchantRegistry
    function setProfile(
        uint32 merchantId,
        string calldata name,
        string calldata metadataURI
    ) external onlyMerchantOwner(merchantId) {
        _checkName(name);
        MerchantRecord storage merchant = _merchants[merchantId];
        merchant.name = name;
        merchant.metadataURI = metadataURI;
        emit MerchantProfileChanged(merchantId, name, metadataURI);
    }

    /// @inheritdoc IMerchantRegistry
    function voidInvoices(uint32 merchantId) external returns (uint32 epoch) {
        MerchantRecord storage merchant = _merchants[merchantId];
        if (merchant.status == MerchantStatus.None) revert MerchantRegistryUnknownMerchant(merchantId);
        if (msg.sender != merchant.owner && msg.sender != merchant.signer) {
            revert MerchantRegistryNotOwnerOrSigner(merchantId, msg.sender);
        }
        return _nextEpoch(merchantId);
    }

    /// @inheritdoc IMerchantRegistry
    function setRecovery(uint32 merchantId, address recovery) external {
        MerchantRecord storage merchant = _merchants[merchantId];
        address current = merchant.recovery;
        if (current == address(0)) {
            _checkMerchantOwner(merchantId);
        } else if (msg.sender != current) {
            revert MerchantRegistryNotRecovery(merchantId, msg.sender);
        }
        merchant.recovery = recovery;
        emit MerchantRecoveryChanged(merchantId, recovery);
    }

    /// @inheritdoc IMerchantRegistry
    function recoverOwnership(uint32 merchantId, address newOwner) external {
        MerchantRecord storage merchant = _merchants[merchantId];
        // An unknown merchant has no recovery address, so this also rejects unknown ids.
        if (msg.sender != merchant.recovery || msg.sender == address(0)) {
            revert MerchantRegistryNotRecovery(merchantId, msg.sender);
        }
        if (newOwner == address(0)) revert MerchantRegistryInvalidNewOwner(newOwner);
        address previousOwner = merchant.owner;
        merchant.owner = newOwner;
        delete merchant.pendingOwner;
        emit MerchantOwnershipTransferred(merchantId, previousOwner, newOwner);
    }

    /// @inheritdoc IMerchantRegistry
    function transferMerchantOwnership(uint32 merchantId, address newOwner) external onlyMerchantOwner(merchantId) {
        _merchants[merchantId].pendingOwner = newOwner;
        emit MerchantOwnershipTransferStarted(merchantId, msg.sender, newOwner);
    }

    /// @inheritdoc IMerchantRegistry
    function acceptMerchantOwnership(uint32 merchantId) external {
        MerchantRecord storage merchant = _merchants[merchantId];
        // An unknown merchant has no pending owner, so this also rejects unknown ids.
        if (msg.sender != merchant.pendingOwner || msg.sender == address(0)) {
            revert MerchantRegistryNotPendingOwner(merchantId, msg.sender);
        }
        address previousOwner = merchant.owner;
        merchant.owner = msg.sender;
        delete merchant.pendingOwner;
        emit MerchantOwnershipTransferred(merchantId, previousOwner, msg.sender);
    }

    /// @inheritdoc IMerchantRegistry
    function suspend(uint32 merchantId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setStatus(merchantId, MerchantStatus.Suspended);
    }

    /// @inheritdoc IMerchantRegistry
    function reinstate(uint32 merchantId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setStatus(merchantId, MerchantStatus.Active);
    }

    /// @inheritdoc IMerchantRegistry
    function setMaxHoldPeriod(uint32 maxHoldPeriod_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxHoldPeriod(maxHoldPeriod_);
    }

    /// @inheritdoc IMerchantRegistry
    function maxHoldPeriod() external view returns (uint32) {
        return _maxHoldPeriod;
    }

    /// @inheritdoc IMerchantRegistry
    function merchantCount() external view returns (uint32) {
        return _merchantCount;
    }

    /// @inheritdoc IMerchantRegistry
    function paymentTerms(uint32 merchantId) external view returns (PaymentTerms memory terms) {
        MerchantRecord storage merchant = _merchants[merchantId];
        terms.signer = merchant.signer;
        terms.holdPeriod = merchant.holdPeriod;
        terms.status = merchant.status;
        terms.payout = merchant.payout;
        terms.epoch = merchant.epoch;
    }

    /// @inheritdoc IMerchantRegistry
    function ownerOf(uint32 merchantId) external view returns (address) {
        return _merchants[merchantId].owner;
    }

    /// @inheritdoc IMerchantRegistry
    function recoveryOf(uint32 merchantId) external view returns (address) {
        return _merchants[merchantId].recovery;
    }

    /// @inheritdoc IMerchantRegistry
    function pendingOwnerOf(uint32 merchantId) external view returns (address) {
        return _merchants[merchantId].pendingOwner;
    }

    /// @inheritdoc IMerchantRegistry
    function profileOf(uint32 merchantId) external view returns (string memory name, string memory metadataURI) {
        MerchantRecord storage merchant = _merchants[merchantId];
        return (merchant.name, merchant.metadataURI);
    }

    /// @inheritdoc IMerchantRegistry
    function isOwnerOrSigner(uint32 merchantId, address account) external view returns (bool) {
        MerchantRecord storage merchant = _merchants[merchantId];
        // The signer (the till's hot key) is checked first: it makes most refunds, and its slot is the one
        // a payment already reads.
        return account != address(0) && (account == merchant.signer || account == merchant.owner);
    }

    /// @dev Epochs only go up. Checked arithmetic: reaching 2^32 - 1 would take 4 billion transactions.
    function _nextEpoch(uint32 merchantId) private returns (uint32 epoch) {
        MerchantRecord storage merchant = _merchants[merchantId];
        epoch = merchant.epoch + 1;
        merchant.epoch = epoch;
        emit MerchantInvoicesVoided(merchantId, epoch);
    }

    function _setStatus(uint32 merchantId, MerchantStatus status) private {
        MerchantRecord storage merchant = _merchants[merchantId];
        if (merchant.status == MerchantStatus.None) revert MerchantRegistryUnknownMerchant(merchantId);
        if (merchant.status == status) revert MerchantRegistryStatusUnchanged(merchantId, status);
        merchant.status = status;
        emit MerchantStatusChanged(merchantId, status);
    }

    function _setMaxHoldPeriod(uint32 maxHoldPeriod_) private {
        if (maxHoldPeriod_ > MAX_HOLD_PERIOD_LIMIT) {
            revert MerchantRegistryMaxHoldPeriodTooLong(maxHoldPeriod_, MAX_HOLD_PERIOD_LIMIT);
        }
        _maxHoldPeriod = maxHoldPeriod_;
        emit MaxHoldPeriodChanged(maxHoldPeriod_);
    }

    function _checkMerchantOwner(uint32 merchantId) private view {
        address owner = _merchants[merchantId].owner;
        if (owner == address(0)) revert MerchantRegistryUnknownMerchant(merchantId);
        if (msg.sender != owner) revert MerchantRegistryNotOwner(merchantId, msg.sender);
    }

    function _checkHoldPeriod(uint32 holdPeriod) private view {
        if (holdPeriod > _maxHoldPeriod) revert MerchantRegistryHoldPeriodTooLong(holdPeriod, _maxHoldPeriod);
    }

    function _checkName(string calldata name) private pure {
        if (bytes(name).length > _MAX_NAME_LENGTH) revert MerchantRegistryNameTooLong(bytes(name).length, _MAX_NAME_LENGTH);
    }
}
