// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {XBRMaintained} from "./XBRMaintained.sol";
import {XBRTypes} from "./XBRTypes.sol";

/// The part of the network token the network reads.
interface IXBRNetworkToken {
    function totalSupply() external view returns (uint256);
}

/**
 * XBR Network (docs/protocol.md#xbr-network): the member directory, the network EULA, the network token and
 * organization, the set of coins markets may use, and the network contribution.
 *
 * EIP712 (docs/protocol.md#eip712-domain): domain `EIP712Domain(string name,string version)` = XBR / 1; every signed message
 * carries `chainId` = {verifyingChain} and `verifyingContract` = this contract as its first two fields.
 *
 * Differences from the original (deliberate, docs/protocol.md#chain-defects):
 * - signatures are checked by `XBRTypes.isSignedBy`: high `s`, `v` ∉ {0,1,27,28} and zero-address
 *   recoveries are rejected, so `registerMemberFor(0x0, …, garbage)` no longer registers 0x0 (docs/protocol.md#chain-defect-9);
 * - `verifyingChain` is `block.chainid` (the same value as at deployment unless the chain forks, where a
 *   signature for the other chain no longer verifies);
 * - `setMemberLevel` checks that the *target* is a member (docs/protocol.md#chain-defect-12) and never sets NULL, so a member can
 *   never register again and a registration signature can never be replayed;
 * - an `unregisterMemberFor` signature works once (`SIGNATURE_REUSED`), also after a maintainer reactivated
 *   the member;
 * - the deployer's `registered` is a block number like everyone else's (docs/protocol.md#chain-defect-21);
 * - maintainers are managed through `XBRMaintained` (docs/protocol.md#chain-defect-8);
 * - gas: the eula (always equal to the network eula) and the registration signature are not stored; the
 *   eula and profile are in `MemberRegistered`, the signature in the transaction. `members()` keeps the
 *   original's five outputs: `eula` is the network eula for every registered member, `signature` is empty;
 * - `setNetworkToken` emits `CoinChanged` for the old and the new token; zero token/organization rejected;
 * - new `memberLevel(member)`: the level alone, the cheap check XBRMarket uses.
 */
contract XBRNetwork is XBRMaintained {
    /// Membership levels (docs/protocol.md#xbr-network).
    enum MemberLevel {
        NULL,
        ACTIVE,
        VERIFIED,
        RETIRED,
        PENALTY,
        BLOCKED
    }

    /// Stored per member: one slot (the profile's slots only when it is non-empty).
    struct Member {
        uint128 registered;
        MemberLevel level;
        string profile;
    }

    /// "Any operator": `coins[coin][ANYADR]` enables a coin for every market operator.
    address public constant ANYADR = 0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF;
    /// Maximum age, in blocks, of the block number signed in a pre-signed transaction.
    uint256 public constant PRESIGNED_TXN_MAX_AGE = 1440;
    /// The network EULA (IPFS multihash) every member must agree to.
    string public constant eula = "QmUEM5UuSUMeET2Zo8YQtDMK74Fr2SJGEyTokSYzT3uD94";

    /// The `verifyingContract` of every XBR EIP712 message: this contract.
    address public immutable verifyingContract;

    /// The network token.
    address public token;
    /// The network organization (receives the contribution of channel payouts).
    address public organization;
    /// Contribution to the organization, as a fraction of the token supply (initially 30 %).
    uint256 public contribution;
    /// `coins[coin][operator]`: whether markets of `operator` (or of anyone, ANYADR) may use `coin`.
    mapping(address => mapping(address => bool)) public coins;

    mapping(address => Member) private _members;
    /// Digests of `unregisterMemberFor` signatures already used.
    mapping(bytes32 => bool) private _usedSignatures;

    event MemberRegistered(address indexed member, uint256 registered, string eula, string profile, MemberLevel level);
    event MemberChanged(address indexed member, uint256 changed, string eula, string profile, MemberLevel level);
    event MemberRetired(address member, uint256 retired);
    event CoinChanged(address indexed coin, address operator, bool isPayable);

    constructor(address networkToken, address networkOrganization) {
        require(networkToken != address(0), "INVALID_TOKEN");
        require(networkOrganization != address(0), "INVALID_ORGANIZATION");
        verifyingContract = address(this);
        token = networkToken;
        organization = networkOrganization;
        contribution = (IXBRNetworkToken(networkToken).totalSupply() * 30) / 100;
        coins[networkToken][ANYADR] = true;
        emit CoinChanged(networkToken, ANYADR, true);
        _members[msg.sender].registered = uint128(block.number);
        _members[msg.sender].level = MemberLevel.VERIFIED;
        emit MemberRegistered(msg.sender, block.number, "", "", MemberLevel.VERIFIED);
    }

    /// The `chainId` of every XBR EIP712 message: this chain.
    function verifyingChain() public view returns (uint256) {
        return block.chainid;
    }

    /**
     * Member record, with the original's outputs: `registered` (block number), `eula` (the network eula
     * for every registered member, "" otherwise), `profile`, `level`, `signature` (always empty: not stored).
     */
    function members(address member)
        external
        view
        returns (uint256 registered, string memory eula_, string memory profile, MemberLevel level, bytes memory signature)
    {
        Member storage m = _members[member];
        level = m.level;
        return (m.registered, level == MemberLevel.NULL ? "" : eula, m.profile, level, signature);
    }

    /// The level of `member` alone (new; NULL for unknown addresses): a cheap check for XBRMarket.
    function memberLevel(address member) external view returns (MemberLevel) {
        return _members[member].level;
    }

    // ------------------------------------------------------------------------------------- members

    /// Registers the caller as an ACTIVE member; `networkEula` must equal {eula}.
    function registerMember(string calldata networkEula, string calldata memberProfile) external {
        _registerMember(msg.sender, block.number, networkEula, memberProfile);
    }

    /**
     * Registers `member` from its EIP712MemberRegister signature over (verifyingChain, this, member,
     * registered, networkEula, memberProfile); anyone may submit it. `registered` is the block number
     * signed, at most PRESIGNED_TXN_MAX_AGE blocks old and not in the future.
     */
    function registerMemberFor(
        address member,
        uint256 registered,
        string calldata networkEula,
        string calldata memberProfile,
        bytes calldata signature
    ) external {
        bytes32 digest = XBRTypes.xbrDigest(
            XBRTypes.hashMemberRegister(block.chainid, address(this), member, registered, networkEula, memberProfile)
        );
        require(XBRTypes.isSignedBy(member, digest, signature), "INVALID_MEMBER_REGISTER_SIGNATURE");
        require(_inWindow(registered), "INVALID_REGISTERED_BLOCK_NUMBER");
        _registerMember(member, registered, networkEula, memberProfile);
    }

    /// The caller (ACTIVE or VERIFIED) leaves the network: level RETIRED.
    function unregisterMember() external {
        _unregisterMember(msg.sender, block.number);
    }

    /**
     * Retires `member` from its EIP712MemberUnregister signature over (verifyingChain, this, member,
     * retired); anyone may submit it, once. `retired` is a block number as in {registerMemberFor}.
     */
    function unregisterMemberFor(address member, uint256 retired, bytes calldata signature) external {
        bytes32 digest =
            XBRTypes.xbrDigest(XBRTypes.hashMemberUnregister(block.chainid, address(this), member, retired));
        require(XBRTypes.isSignedBy(member, digest, signature), "INVALID_SIGNATURE");
        require(_inWindow(retired), "INVALID_BLOCK_NUMBER");
        _unregisterMember(member, retired);
        require(!_usedSignatures[digest], "SIGNATURE_REUSED");
        _usedSignatures[digest] = true;
    }

    // --------------------------------------------------------------------------------- maintainers

    /// Sets the level of the registered `member` (maintainers only; never back to NULL).
    function setMemberLevel(address member, MemberLevel level) external onlyMaintainer {
        Member storage m = _members[member];
        require(m.level != MemberLevel.NULL, "NO_SUCH_MEMBER");
        require(level != MemberLevel.NULL, "INVALID_MEMBER_LEVEL");
        m.level = level;
        emit MemberChanged(member, block.number, eula, m.profile, level);
    }

    /// Replaces the network token (enabled for ANYADR instead of the old one); returns whether it changed.
    function setNetworkToken(address networkToken) external onlyMaintainer returns (bool) {
        require(networkToken != address(0), "INVALID_TOKEN");
        address old = token;
        if (networkToken == old) return false;
        coins[old][ANYADR] = false;
        emit CoinChanged(old, ANYADR, false);
        token = networkToken;
        coins[networkToken][ANYADR] = true;
        emit CoinChanged(networkToken, ANYADR, true);
        return true;
    }

    /// Replaces the network organization; returns whether it changed.
    function setNetworkOrganization(address networkOrganization) external onlyMaintainer returns (bool) {
        require(networkOrganization != address(0), "INVALID_ORGANIZATION");
        if (networkOrganization == organization) return false;
        organization = networkOrganization;
        return true;
    }

    /// Enables or disables `coin` for markets of `operator` (ANYADR: every operator).
    function setCoinPayable(address coin, address operator, bool isPayable) external onlyMaintainer {
        coins[coin][operator] = isPayable;
        emit CoinChanged(coin, operator, isPayable);
    }

    /// Sets the contribution (at most the token supply); returns whether it changed.
    function setContribution(uint256 networkContribution) external onlyMaintainer returns (bool) {
        require(networkContribution <= IXBRNetworkToken(token).totalSupply(), "INVALID_CONTRIBUTION");
        if (networkContribution == contribution) return false;
        contribution = networkContribution;
        return true;
    }

    // ----------------------------------------------------------------------------------- internals

    /// `x <= block.number` and, past the first PRESIGNED_TXN_MAX_AGE blocks, `x >= block.number - MAX_AGE`.
    function _inWindow(uint256 x) private view returns (bool) {
        return x <= block.number && (block.number <= PRESIGNED_TXN_MAX_AGE || x >= block.number - PRESIGNED_TXN_MAX_AGE);
    }

    function _registerMember(address member, uint256 registered, string calldata networkEula, string calldata profile)
        private
    {
        Member storage m = _members[member];
        require(m.level == MemberLevel.NULL, "MEMBER_ALREADY_REGISTERED");
        require(keccak256(bytes(networkEula)) == keccak256(bytes(eula)), "INVALID_EULA");
        m.registered = uint128(registered);
        m.level = MemberLevel.ACTIVE;
        if (bytes(profile).length != 0) m.profile = profile;
        emit MemberRegistered(member, registered, networkEula, profile, MemberLevel.ACTIVE);
    }

    function _unregisterMember(address member, uint256 retired) private {
        Member storage m = _members[member];
        require(m.level == MemberLevel.ACTIVE || m.level == MemberLevel.VERIFIED, "MEMBER_NOT_REGISTERED");
        m.level = MemberLevel.RETIRED;
        emit MemberRetired(member, retired);
    }
}
