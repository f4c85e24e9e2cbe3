// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {XBRTypes} from "./XBRTypes.sol";

/// The part of XBRNetwork the market reads.
interface IXBRMarketNetwork {
    function memberLevel(address member) external view returns (uint8);

    function coins(address coin, address operator) external view returns (bool);
}

/// The part of XBRCatalog the market reads.
interface IXBRMarketCatalog {
    function catalogs(bytes16 catalogId)
        external
        view
        returns (
            uint256 created,
            uint32 seq,
            address owner,
            string memory terms,
            string memory meta,
            bytes memory signature
        );
}

/// The part of an ERC-20 market coin the market uses.
interface IXBRMarketCoin {
    function totalSupply() external view returns (uint256);
}

/**
 * XBR Market (docs/protocol.md#xbr-market): data markets (owner, coin, maker, securities, fee), the providers and consumers
 * that joined them, and the consents members give their delegates.
 *
 * EIP712 (docs/protocol.md#eip712-domain): domain XBR / 1; `chainId` = `block.chainid` (= XBRNetwork.verifyingChain()) and
 * `verifyingContract` = the **network** address are the first two fields of every message, as
 * `schema/eip712` signs them. All four types are verified with the client type strings, standard encoding.
 *
 * Differences from the original (deliberate, docs/protocol.md#chain-defects; details in contracts/README.md):
 * - no public `_leaveMarket` / `_setConsent`: only the member itself or its signature changes its state (docs/protocol.md#chain-defect-2);
 * - `leaveMarketFor` / `setConsentFor` verify standard EIP712 digests (docs/protocol.md#chain-defect-3);
 * - securities are held in escrow by this contract and refunded in full when the actor leaves (docs/protocol.md#chain-defect-7);
 * - `createMarketFor` with non-zero securities must be sent by the member or its signed maker (docs/protocol.md#chain-defect-11);
 * - `MarketCreated.marketSeq` is the stored seq (docs/protocol.md#chain-defect-13);
 * - the never-written channel lists / "current channel" maps are removed (docs/protocol.md#chain-defect-15; XBRChannel keeps its own);
 * - ACTIVE and VERIFIED members may create, join and set consent; any joined actor may leave whatever its
 *   level, so it can always get its security back (docs/protocol.md#chain-defect-16);
 * - zero-address / high-s / bad-v signatures rejected; every pre-signed join/leave/consent is ordered after
 *   the member's previous change of that state, so replays are rejected (`SIGNATURE_REUSED`, docs/protocol.md#chain-defect-9);
 * - `isActor` / `getMarketActor` handle PROVIDER_CONSUMER (docs/protocol.md#chain-defect-22); actor lists are kept exact on leave.
 */
contract XBRMarket {
    /// Member levels of XBRNetwork that may act (ACTIVE = 1, VERIFIED = 2).
    uint8 private constant ACTIVE = 1;
    uint8 private constant VERIFIED = 2;
    /// Actor types (docs/protocol.md#xbr-market): PROVIDER = 1, CONSUMER = 2, PROVIDER_CONSUMER = 3.
    uint8 private constant PROVIDER = 1;
    uint8 private constant CONSUMER = 2;
    uint8 private constant PROVIDER_CONSUMER = 3;
    /// XBRNetwork "any operator" address for `coins(coin, ANYADR)`.
    address private constant ANYADR = 0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF;

    /// Maximum age, in blocks, of the block number signed in a pre-signed transaction (as XBRNetwork).
    uint256 public constant PRESIGNED_TXN_MAX_AGE = 1440;
    /// Non-cooperative channel close timeout (docs/protocol.md#xbr-market; used by XBRChannel).
    uint256 public constant NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT = 1440;

    struct Market {
        uint64 created;
        uint32 seq;
        address owner;
        address coin;
        uint96 providerSecurity;
        address maker;
        uint96 consumerSecurity;
        uint256 marketFee;
        string terms;
        string meta;
    }

    /// One role (provider or consumer) of an actor in a market: one slot.
    struct Role {
        uint64 joined; // block number of the (last) join, kept after leaving
        uint64 left; // block number of the last leave
        uint32 index; // 1-based position in the market's provider/consumer list; 0 = not joined
        uint96 security; // security held in escrow for this role
    }

    struct Actor {
        Role provider;
        Role consumer;
        string providerMeta;
        string consumerMeta;
    }

    struct Consent {
        uint64 updated;
        bool consent;
        string servicePrefix;
    }

    struct Stats {
        uint128 sent;
        uint128 received;
    }

    /// The XBRNetwork (member directory, coins; its address is the EIP712 `verifyingContract`).
    address public immutable network;
    /// The XBRCatalog (consents name catalogs of it).
    address public immutable catalog;

    /// Ids of all markets, in creation order (`marketIds[seq - 1]`).
    bytes16[] public marketIds;
    /// The market a maker works for (a maker serves one market, for ever: there is no close-market).
    mapping(address => bytes16) public marketsByMaker;
    /// Markets owned by an address, in creation order.
    mapping(address => bytes16[]) public marketsByOwner;
    /// Markets an address joined (in any role), in order of its first join; each market once.
    mapping(address => bytes16[]) public marketsByActor;

    mapping(bytes16 => Market) private _markets;
    mapping(bytes16 => mapping(address => Actor)) private _actors;
    mapping(bytes16 => address[]) private _providers;
    mapping(bytes16 => address[]) private _consumers;
    mapping(address => Stats) private _stats;
    /// keccak256(marketId, member, delegate, delegateType, apiCatalog) → consent.
    mapping(bytes32 => Consent) private _consents;
    /**
     * keccak256(marketId, member, delegate, role) → number of catalogs for which `member` currently consents to
     * `delegate` acting in `role` (PROVIDER or CONSUMER; a PROVIDER_CONSUMER consent counts for both). Lets
     * XBRChannel check a delegate's consent without knowing a catalog (openChannel carries none).
     */
    mapping(bytes32 => uint256) private _delegateConsents;

    event MarketCreated(
        bytes16 indexed marketId,
        uint256 created,
        uint32 marketSeq,
        address owner,
        address coin,
        string terms,
        string meta,
        address maker,
        uint256 providerSecurity,
        uint256 consumerSecurity,
        uint256 marketFee
    );
    event ActorJoined(bytes16 indexed marketId, address actor, uint8 actorType, uint256 joined, uint256 security, string meta);
    event ActorLeft(bytes16 indexed marketId, address actor, uint8 actorType, uint256 left, uint256 securitiesToBeRefunded);
    event ConsentSet(
        address member,
        uint256 updated,
        bytes16 marketId,
        address delegate,
        uint8 delegateType,
        bytes16 apiCatalog,
        bool consent,
        string servicePrefix
    );

    constructor(address network_, address catalog_) {
        require(network_ != address(0), "INVALID_NETWORK");
        require(catalog_ != address(0), "INVALID_CATALOG");
        network = network_;
        catalog = catalog_;
    }

    // ----------------------------------------------------------------------------------------- views

    /// The seq the next market gets (starts at 1, as the original's public counter).
    function marketSeq() external view returns (uint256) {
        return marketIds.length + 1;
    }

    /// Market record with the original's eleven outputs; `signature` is always empty (not stored).
    function markets(bytes16 marketId)
        external
        view
        returns (
            uint256 created,
            uint32 seq,
            address owner,
            address coin,
            string memory terms,
            string memory meta,
            address maker,
            uint256 providerSecurity,
            uint256 consumerSecurity,
            uint256 marketFee,
            bytes memory signature
        )
    {
        Market storage m = _markets[marketId];
        return (
            m.created,
            m.seq,
            m.owner,
            m.coin,
            m.terms,
            m.meta,
            m.maker,
            m.providerSecurity,
            m.consumerSecurity,
            m.marketFee,
            signature
        );
    }

    /// `(marketsOwned, marketsJoined, marketSecuritiesSent, marketSecuritiesReceived)`; securities received
    /// are the refunds the member got back on leaving (the original never updated the field).
    function memberStats(address member)
        external
        view
        returns (uint256 marketsOwned, uint256 marketsJoined, uint256 marketSecuritiesSent, uint256 marketSecuritiesReceived)
    {
        Stats storage st = _stats[member];
        return (marketsByOwner[member].length, marketsByActor[member].length, st.sent, st.received);
    }

    function countMarkets() external view returns (uint256) {
        return marketIds.length;
    }

    function getMarketOwner(bytes16 marketId) external view returns (address) {
        return _markets[marketId].owner;
    }

    function getMarketCoin(bytes16 marketId) external view returns (address) {
        return _markets[marketId].coin;
    }

    function getMarketFee(bytes16 marketId) external view returns (uint256) {
        return _markets[marketId].marketFee;
    }

    function getMarketMaker(bytes16 marketId) external view returns (address) {
        return _markets[marketId].maker;
    }

    function getMarketsByOwner(address owner, uint256 index) external view returns (bytes16) {
        return marketsByOwner[owner][index];
    }

    function countMarketsByOwner(address owner) external view returns (uint256) {
        return marketsByOwner[owner].length;
    }

    /// Whether `actor` is currently joined in `marketId` as `actorType` (3: as provider and as consumer).
    function isActor(bytes16 marketId, address actor, uint8 actorType) external view returns (bool) {
        Actor storage a = _actors[marketId][actor];
        if (actorType == PROVIDER) return a.provider.index != 0;
        if (actorType == CONSUMER) return a.consumer.index != 0;
        if (actorType == PROVIDER_CONSUMER) return a.provider.index != 0 && a.consumer.index != 0;
        return false;
    }

    /**
     * `(joined, security, meta, signature)` of `actor`'s current role `actorType` in `marketId` (zeros if not
     * joined; `signature` always empty). Type 3: both roles must be joined; joined = the later join, security =
     * the sum, meta = the provider's meta.
     */
    function getMarketActor(bytes16 marketId, address actor, uint8 actorType)
        external
        view
        returns (uint256 joined, uint256 security, string memory meta, bytes memory signature)
    {
        require(actorType >= PROVIDER && actorType <= PROVIDER_CONSUMER, "INVALID_ACTOR_TYPE");
        Actor storage a = _actors[marketId][actor];
        Role memory p = a.provider;
        Role memory c = a.consumer;
        if (actorType == PROVIDER) {
            if (p.index != 0) return (p.joined, p.security, a.providerMeta, signature);
        } else if (actorType == CONSUMER) {
            if (c.index != 0) return (c.joined, c.security, a.consumerMeta, signature);
        } else if (p.index != 0 && c.index != 0) {
            return (p.joined > c.joined ? p.joined : c.joined, uint256(p.security) + c.security, a.providerMeta, signature);
        }
    }

    function getAllMarketProviders(bytes16 marketId) external view returns (address[] memory) {
        return _providers[marketId];
    }

    function getAllMarketConsumers(bytes16 marketId) external view returns (address[] memory) {
        return _consumers[marketId];
    }

    /**
     * True iff `member` currently consents, for at least one catalog, to `delegate` acting for it in `role`
     * (PROVIDER = 1 or CONSUMER = 2) in `marketId` (new; XBRChannel requires it to open a channel, docs/protocol.md#chain-defect-18).
     */
    function hasDelegateConsent(bytes16 marketId, address member, address delegate, uint8 role) external view returns (bool) {
        return _delegateConsents[keccak256(abi.encode(marketId, member, delegate, role))] != 0;
    }

    /**
     * Consent of `member` (joined as `delegateType`) for `delegate` on catalog `apiCatalog` in `marketId`
     * (new; the original's consent map was not readable): `(updated, consent, servicePrefix)`, zeros if never set.
     */
    function getConsent(bytes16 marketId, address member, address delegate, uint8 delegateType, bytes16 apiCatalog)
        external
        view
        returns (uint256 updated, bool consent, string memory servicePrefix)
    {
        Consent storage c = _consents[keccak256(abi.encode(marketId, member, delegate, delegateType, apiCatalog))];
        return (c.updated, c.consent, c.servicePrefix);
    }

    // --------------------------------------------------------------------------------------- markets

    /**
     * Creates market `marketId` owned by the caller (ACTIVE or VERIFIED member). `coin` must be enabled in
     * XBRNetwork for the caller or for everyone; securities and fee are amounts of `coin`, at most its supply
     * (securities also at most 2^96 − 1); `maker` (≠ 0) must not work for another market.
     */
    function createMarket(
        bytes16 marketId,
        address coin,
        string calldata terms,
        string calldata meta,
        address maker,
        uint256 providerSecurity,
        uint256 consumerSecurity,
        uint256 marketFee
    ) external {
        _createMarket(
            msg.sender, block.number, marketId, coin, terms, meta, maker, providerSecurity, consumerSecurity, marketFee
        );
    }

    /**
     * Creates market `marketId` owned by `member` from its EIP712MarketCreate signature over (chainid, network,
     * member, created, marketId, coin, terms, meta, maker, marketFee). The securities are not part of the
     * signed type (docs/protocol.md#eip712-types), so non-zero securities are accepted only from the member itself or its
     * (signed) maker (`SECURITIES_NOT_SIGNED`).
     */
    function createMarketFor(
        address member,
        uint256 created,
        bytes16 marketId,
        address coin,
        string memory terms,
        string memory meta,
        address maker,
        uint256 providerSecurity,
        uint256 consumerSecurity,
        uint256 marketFee,
        bytes calldata signature
    ) external {
        _checkCreateSignature(member, created, marketId, coin, terms, meta, maker, marketFee, signature);
        require(
            (providerSecurity == 0 && consumerSecurity == 0) || msg.sender == member || msg.sender == maker,
            "SECURITIES_NOT_SIGNED"
        );
        _createMarket(member, created, marketId, coin, terms, meta, maker, providerSecurity, consumerSecurity, marketFee);
    }

    // ---------------------------------------------------------------------------------------- actors

    /**
     * The caller (ACTIVE or VERIFIED member, not the owner) joins `marketId` as PROVIDER (1), CONSUMER (2) or
     * both (3). The role's security (sum for 3) is transferred from the caller to this contract (escrow;
     * approve the market coin to this contract first) and refunded on leaving. Returns the security.
     */
    function joinMarket(bytes16 marketId, uint8 actorType, string calldata meta) external returns (uint256) {
        return _joinMarket(msg.sender, block.number, marketId, actorType, meta);
    }

    /**
     * `member` joins from its EIP712MarketJoin signature over (chainid, network, member, joined, marketId,
     * actorType, meta). `joined` must be later than the member's last leave of that role (`SIGNATURE_REUSED`).
     */
    function joinMarketFor(
        address member,
        uint256 joined,
        bytes16 marketId,
        uint8 actorType,
        string calldata meta,
        bytes calldata signature
    ) external returns (uint256) {
        bytes32 digest = XBRTypes.xbrDigest(
            XBRTypes.hashMarketJoin(block.chainid, network, member, joined, marketId, actorType, keccak256(bytes(meta)))
        );
        require(XBRTypes.isSignedBy(member, digest, signature), "INVALID_MARKET_JOIN_SIGNATURE");
        require(_inWindow(joined), "INVALID_REGISTERED_BLOCK_NUMBER");
        Actor storage a = _actors[marketId][member];
        require(
            (actorType == CONSUMER || joined > a.provider.left) && (actorType == PROVIDER || joined > a.consumer.left),
            "SIGNATURE_REUSED"
        );
        return _joinMarket(member, joined, marketId, actorType, meta);
    }

    /**
     * The caller leaves role `actorType` of `marketId` (any member level); its security is refunded now.
     * Returns the amount refunded.
     */
    function leaveMarket(bytes16 marketId, uint8 actorType) external returns (uint256) {
        return _leaveMarket(msg.sender, block.number, marketId, actorType);
    }

    /**
     * `member` leaves from its EIP712MarketLeave signature over (chainid, network, member, left, marketId,
     * actorType). `left` must be later than the role's join (`SIGNATURE_REUSED`).
     */
    function leaveMarketFor(address member, uint256 left, bytes16 marketId, uint8 actorType, bytes calldata signature)
        external
        returns (uint256)
    {
        bytes32 digest =
            XBRTypes.xbrDigest(XBRTypes.hashMarketLeave(block.chainid, network, member, left, marketId, actorType));
        require(XBRTypes.isSignedBy(member, digest, signature), "INVALID_SIGNATURE");
        require(_inWindow(left), "INVALID_BLOCK_NUMBER");
        Actor storage a = _actors[marketId][member];
        require(
            (actorType == CONSUMER || left > a.provider.joined) && (actorType == PROVIDER || left > a.consumer.joined),
            "SIGNATURE_REUSED"
        );
        return _leaveMarket(member, left, marketId, actorType);
    }

    // -------------------------------------------------------------------------------------- consents

    /**
     * The caller (ACTIVE or VERIFIED, joined as `delegateType`) gives or withdraws consent for `delegate` to
     * act for it on the APIs of catalog `apiCatalog` under `servicePrefix` in `marketId`.
     */
    function setConsent(
        bytes16 marketId,
        address delegate,
        uint8 delegateType,
        bytes16 apiCatalog,
        bool consent,
        string calldata servicePrefix
    ) external {
        _setConsent(msg.sender, block.number, marketId, delegate, delegateType, apiCatalog, consent, servicePrefix);
    }

    /**
     * As {setConsent} for `member`, from its EIP712Consent signature (client type, with `string servicePrefix`).
     * `updated` must be later than the consent's last update (`SIGNATURE_REUSED`).
     */
    function setConsentFor(
        address member,
        uint256 updated,
        bytes16 marketId,
        address delegate,
        uint8 delegateType,
        bytes16 apiCatalog,
        bool consent,
        string memory servicePrefix,
        bytes calldata signature
    ) external {
        bytes32 digest = XBRTypes.xbrDigest(
            XBRTypes.hashConsent(
                block.chainid,
                network,
                member,
                updated,
                marketId,
                delegate,
                delegateType,
                apiCatalog,
                consent,
                keccak256(bytes(servicePrefix))
            )
        );
        require(XBRTypes.isSignedBy(member, digest, signature), "INVALID_CONSENT_SIGNATURE");
        require(_inWindow(updated), "INVALID_CONSENT_BLOCK_NUMBER");
        require(
            updated > _consents[keccak256(abi.encode(marketId, member, delegate, delegateType, apiCatalog))].updated,
            "SIGNATURE_REUSED"
        );
        _setConsent(member, updated, marketId, delegate, delegateType, apiCatalog, consent, servicePrefix);
    }

    // ------------------------------------------------------------------------------------- internals

    /// `x <= block.number` and, past the first PRESIGNED_TXN_MAX_AGE blocks, `x >= block.number - MAX_AGE`.
    function _inWindow(uint256 x) private view returns (bool) {
        return x <= block.number && (block.number <= PRESIGNED_TXN_MAX_AGE || x >= block.number - PRESIGNED_TXN_MAX_AGE);
    }

    function _isMember(address member) private view returns (bool) {
        uint8 level = IXBRMarketNetwork(network).memberLevel(member);
        return level == ACTIVE || level == VERIFIED;
    }

    function _checkCreateSignature(
        address member,
        uint256 created,
        bytes16 marketId,
        address coin,
        string memory terms,
        string memory meta,
        address maker,
        uint256 marketFee,
        bytes calldata signature
    ) private view {
        bytes32 digest = XBRTypes.xbrDigest(
            XBRTypes.hashMarketCreate(
                block.chainid,
                network,
                member,
                created,
                marketId,
                coin,
                keccak256(bytes(terms)),
                keccak256(bytes(meta)),
                maker,
                marketFee
            )
        );
        require(XBRTypes.isSignedBy(member, digest, signature), "INVALID_MARKET_CREATE_SIGNATURE");
        require(_inWindow(created), "INVALID_CREATED_BLOCK_NUMBER");
    }

    function _createMarket(
        address member,
        uint256 created,
        bytes16 marketId,
        address coin,
        string memory terms,
        string memory meta,
        address maker,
        uint256 providerSecurity,
        uint256 consumerSecurity,
        uint256 marketFee
    ) private {
        require(_isMember(member), "SENDER_NOT_A_MEMBER");
        Market storage m = _markets[marketId];
        require(m.owner == address(0), "MARKET_ALREADY_EXISTS");
        require(
            IXBRMarketNetwork(network).coins(coin, member) || IXBRMarketNetwork(network).coins(coin, ANYADR),
            "INVALID_COIN"
        );
        require(maker != address(0), "INVALID_MAKER");
        require(marketsByMaker[maker] == bytes16(0), "MAKER_ALREADY_WORKING_FOR_OTHER_MARKET");
        {
            uint256 supply = IXBRMarketCoin(coin).totalSupply();
            require(providerSecurity <= supply && providerSecurity <= type(uint96).max, "INVALID_PROVIDER_SECURITY");
            require(consumerSecurity <= supply && consumerSecurity <= type(uint96).max, "INVALID_CONSUMER_SECURITY");
            require(marketFee <= supply, "INVALID_MARKET_FEE");
        }
        marketIds.push(marketId);
        uint32 seq = uint32(marketIds.length);
        m.created = uint64(created);
        m.seq = seq;
        m.owner = member;
        m.coin = coin;
        m.providerSecurity = uint96(providerSecurity);
        m.maker = maker;
        m.consumerSecurity = uint96(consumerSecurity);
        if (marketFee != 0) m.marketFee = marketFee;
        if (bytes(terms).length != 0) m.terms = terms;
        if (bytes(meta).length != 0) m.meta = meta;
        marketsByMaker[maker] = marketId;
        marketsByOwner[member].push(marketId);
        emit MarketCreated(
            marketId, created, seq, member, coin, terms, meta, maker, providerSecurity, consumerSecurity, marketFee
        );
    }

    function _joinMarket(address member, uint256 joined, bytes16 marketId, uint8 actorType, string calldata meta)
        private
        returns (uint256 security)
    {
        require(_isMember(member), "SENDER_NOT_A_MEMBER");
        Market storage m = _markets[marketId];
        address owner = m.owner;
        require(owner != address(0), "NO_SUCH_MARKET");
        require(owner != member, "SENDER_IS_OWNER");
        require(actorType >= PROVIDER && actorType <= PROVIDER_CONSUMER, "INVALID_ACTOR_TYPE");
        Actor storage a = _actors[marketId][member];
        if (a.provider.joined == 0 && a.consumer.joined == 0) marketsByActor[member].push(marketId);
        if (actorType != CONSUMER) {
            Role storage r = a.provider;
            require(r.index == 0, "ALREADY_JOINED_AS_PROVIDER");
            uint96 sec = m.providerSecurity;
            _providers[marketId].push(member);
            r.joined = uint64(joined);
            r.index = uint32(_providers[marketId].length);
            r.security = sec;
            if (bytes(meta).length != 0) a.providerMeta = meta;
            security = sec;
        }
        if (actorType != PROVIDER) {
            Role storage r = a.consumer;
            require(r.index == 0, "ALREADY_JOINED_AS_CONSUMER");
            uint96 sec = m.consumerSecurity;
            _consumers[marketId].push(member);
            r.joined = uint64(joined);
            r.index = uint32(_consumers[marketId].length);
            r.security = sec;
            if (bytes(meta).length != 0) a.consumerMeta = meta;
            security += sec;
        }
        if (security != 0) {
            _stats[member].sent += uint128(security);
            require(_call(m.coin, abi.encodeWithSelector(0x23b872dd, member, address(this), security)), "JOIN_MARKET_TRANSFER_FROM_FAILED");
        }
        emit ActorJoined(marketId, member, actorType, joined, security, meta);
    }

    function _leaveMarket(address member, uint256 left, bytes16 marketId, uint8 actorType)
        private
        returns (uint256 refund)
    {
        Market storage m = _markets[marketId];
        require(m.owner != address(0), "NO_SUCH_MARKET");
        require(actorType >= PROVIDER && actorType <= PROVIDER_CONSUMER, "INVALID_ACTOR_TYPE");
        Actor storage a = _actors[marketId][member];
        if (actorType != CONSUMER) {
            require(a.provider.index != 0, "MEMBER_NOT_PROVIDER");
            refund = _removeRole(marketId, member, true);
            if (bytes(a.providerMeta).length != 0) delete a.providerMeta;
        }
        if (actorType != PROVIDER) {
            require(a.consumer.index != 0, "MEMBER_NOT_CONSUMER");
            refund += _removeRole(marketId, member, false);
            if (bytes(a.consumerMeta).length != 0) delete a.consumerMeta;
        }
        if (refund != 0) {
            _stats[member].received += uint128(refund);
            require(_call(m.coin, abi.encodeWithSelector(0xa9059cbb, member, refund)), "LEAVE_MARKET_TRANSFER_FAILED");
        }
        emit ActorLeft(marketId, member, actorType, left, refund);
    }

    /// Clears `member`'s joined role (keeps `joined`, `left` = this block) and swap-removes it from the list.
    function _removeRole(bytes16 marketId, address member, bool provider) private returns (uint256 security) {
        Role storage r = provider ? _actors[marketId][member].provider : _actors[marketId][member].consumer;
        address[] storage list = provider ? _providers[marketId] : _consumers[marketId];
        security = r.security;
        uint32 index = r.index;
        uint256 last = list.length;
        if (index != last) {
            address moved = list[last - 1];
            list[index - 1] = moved;
            if (provider) _actors[marketId][moved].provider.index = index;
            else _actors[marketId][moved].consumer.index = index;
        }
        list.pop();
        r.left = uint64(block.number);
        r.index = 0;
        r.security = 0;
    }

    function _setConsent(
        address member,
        uint256 updated,
        bytes16 marketId,
        address delegate,
        uint8 delegateType,
        bytes16 apiCatalog,
        bool consent,
        string memory servicePrefix
    ) private {
        require(_isMember(member), "SENDER_NOT_A_MEMBER");
        require(_markets[marketId].owner != address(0), "NO_SUCH_MARKET");
        require(delegateType >= PROVIDER && delegateType <= PROVIDER_CONSUMER, "INVALID_ACTOR_TYPE");
        Actor storage a = _actors[marketId][member];
        if (delegateType != CONSUMER) require(a.provider.index != 0, "MEMBER_NOT_PROVIDER");
        if (delegateType != PROVIDER) require(a.consumer.index != 0, "MEMBER_NOT_CONSUMER");
        require(delegate != address(0), "INVALID_CHANNEL_DELEGATE");
        (,, address catalogOwner,,,) = IXBRMarketCatalog(catalog).catalogs(apiCatalog);
        require(catalogOwner != address(0), "NO_SUCH_CATALOG");
        require(bytes(servicePrefix).length != 0, "SERVICE_PREFIX_EMPTY");
        Consent storage c = _consents[keccak256(abi.encode(marketId, member, delegate, delegateType, apiCatalog))];
        if (c.consent != consent) {
            if (delegateType != CONSUMER) _countConsent(marketId, member, delegate, PROVIDER, consent);
            if (delegateType != PROVIDER) _countConsent(marketId, member, delegate, CONSUMER, consent);
        }
        c.updated = uint64(updated);
        c.consent = consent;
        c.servicePrefix = servicePrefix;
        emit ConsentSet(member, updated, marketId, delegate, delegateType, apiCatalog, consent, servicePrefix);
    }

    function _countConsent(bytes16 marketId, address member, address delegate, uint8 role, bool given) private {
        bytes32 k = keccak256(abi.encode(marketId, member, delegate, role));
        if (given) _delegateConsents[k] += 1;
        else _delegateConsents[k] -= 1;
    }

    /// Calls an ERC-20 `transfer`/`transferFrom`; true iff it did not revert and returned true (or nothing).
    function _call(address coin, bytes memory data) private returns (bool) {
        (bool ok, bytes memory ret) = coin.call(data);
        return ok && (ret.length == 0 ? coin.code.length != 0 : (ret.length == 32 && abi.decode(ret, (bool))));
    }
}
