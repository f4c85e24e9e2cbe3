// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {XBRTypes} from "./XBRTypes.sol";

/// The part of XBRNetwork the catalog reads.
interface IXBRCatalogNetwork {
    function members(address member)
        external
        view
        returns (uint256 registered, string memory eula, string memory profile, uint8 level, bytes memory signature);
}

/**
 * XBR Catalog (docs/protocol.md#xbr-catalog): data-service catalogs owned by members, and the APIs published in them.
 *
 * EIP712 (docs/protocol.md#eip712-domain): domain XBR / 1 as everywhere; `chainId` = `block.chainid` (= XBRNetwork.verifyingChain())
 * and `verifyingContract` = the **network** address are the first two fields of every message, exactly as
 * `schema/eip712` signs them.
 *
 * Differences from the original (deliberate, docs/protocol.md#chain-defects):
 * - `publishApiFor` verifies the standard EIP712ApiPublish digest of the client type (`string schema`);
 *   the original hashed the type string with `string terms`, so client signatures were rejected (docs/protocol.md#chain-defect-3);
 * - `publishApi` emits `ApiPublished` (declared but never emitted in the original, docs/protocol.md#chain-defect-14) and the
 *   API records are readable through {apis} (docs/protocol.md#chain-defect-14);
 * - ACTIVE and VERIFIED members may both create catalogs and publish APIs (the original let only ACTIVE
 *   members publish, docs/protocol.md#chain-defect-16);
 * - the pre-signed window is the network's: `x ≤ block.number` and x at most PRESIGNED_TXN_MAX_AGE (1440)
 *   blocks old, no underflow in the first blocks (the original: 5 blocks, reverting while block < 4, docs/protocol.md#chain-defect-17);
 * - signatures are checked by `XBRTypes.isSignedBy` (zero-address, high-s and bad-v recoveries rejected,
 *   docs/protocol.md#chain-defect-9); a catalog/API id can be used once, so each signature works at most once;
 * - gas: signatures are not stored (they are in the transaction); `catalogs()` keeps the original's six
 *   outputs with `signature` always empty. The catalog record is one packed slot plus the strings.
 */
contract XBRCatalog {
    /// Member levels of XBRNetwork that may act (ACTIVE = 1, VERIFIED = 2).
    uint8 private constant ACTIVE = 1;
    uint8 private constant VERIFIED = 2;

    /// Maximum age, in blocks, of the block number signed in a pre-signed transaction (as XBRNetwork).
    uint256 public constant PRESIGNED_TXN_MAX_AGE = 1440;

    struct Catalog {
        uint64 created;
        uint32 seq;
        address owner;
        string terms;
        string meta;
    }

    struct Api {
        uint64 published;
        bool exists;
        string schema;
        string meta;
    }

    /// The XBRNetwork (member directory; its address is the EIP712 `verifyingContract`).
    address public immutable network;

    /// Ids of all catalogs, in creation order (`catalogIds[seq - 1]`).
    bytes16[] public catalogIds;

    mapping(bytes16 => Catalog) private _catalogs;
    mapping(bytes16 => mapping(bytes16 => Api)) private _apis;

    event CatalogCreated(
        bytes16 indexed catalogId, uint256 created, uint32 catalogSeq, address owner, string terms, string meta
    );
    event ApiPublished(bytes16 indexed catalogId, bytes16 apiId, uint256 published, string schema, string meta);

    constructor(address network_) {
        require(network_ != address(0), "INVALID_NETWORK");
        network = network_;
    }

    /// Catalog record with the original's outputs; `signature` is always empty (not stored).
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
        )
    {
        Catalog storage c = _catalogs[catalogId];
        return (c.created, c.seq, c.owner, c.terms, c.meta, signature);
    }

    /// Number of catalogs created (the seq of the latest one).
    function catalogCount() external view returns (uint256) {
        return catalogIds.length;
    }

    /**
     * API record (new; the original's API map was not readable): `published` block number, `schema`,
     * `meta`; all zero/empty for an API that was not published.
     */
    function apis(bytes16 catalogId, bytes16 apiId)
        external
        view
        returns (uint256 published, string memory schema, string memory meta)
    {
        Api storage a = _apis[catalogId][apiId];
        return (a.published, a.schema, a.meta);
    }

    // ------------------------------------------------------------------------------------- catalogs

    /// Creates catalog `catalogId` owned by the caller (an ACTIVE or VERIFIED member).
    function createCatalog(bytes16 catalogId, string calldata terms, string calldata meta) external {
        _createCatalog(msg.sender, block.number, catalogId, terms, meta);
    }

    /**
     * Creates catalog `catalogId` owned by `member` from its EIP712CatalogCreate signature over
     * (chainid, network, member, created, catalogId, terms, meta); anyone may submit it. `created` is the
     * block number signed (window as in XBRNetwork.registerMemberFor).
     */
    function createCatalogFor(
        address member,
        uint256 created,
        bytes16 catalogId,
        string calldata terms,
        string calldata meta,
        bytes calldata signature
    ) external {
        bytes32 digest = XBRTypes.xbrDigest(
            XBRTypes.hashCatalogCreate(
                block.chainid, network, member, created, catalogId, keccak256(bytes(terms)), keccak256(bytes(meta))
            )
        );
        require(XBRTypes.isSignedBy(member, digest, signature), "INVALID_CATALOG_CREATE_SIGNATURE");
        require(_inWindow(created), "INVALID_CATALOG_CREATE_BLOCK_NUMBER");
        _createCatalog(member, created, catalogId, terms, meta);
    }

    // ----------------------------------------------------------------------------------------- apis

    /// Publishes API `apiId` in the caller's catalog `catalogId` (caller: ACTIVE or VERIFIED member, owner).
    function publishApi(bytes16 catalogId, bytes16 apiId, string calldata schema, string calldata meta) external {
        _publishApi(msg.sender, block.number, catalogId, apiId, schema, meta);
    }

    /**
     * Publishes API `apiId` in `member`'s catalog `catalogId` from its EIP712ApiPublish signature over
     * (chainid, network, member, published, catalogId, apiId, schema, meta); anyone may submit it.
     */
    function publishApiFor(
        address member,
        uint256 published,
        bytes16 catalogId,
        bytes16 apiId,
        string calldata schema,
        string calldata meta,
        bytes calldata signature
    ) external {
        bytes32 digest = XBRTypes.xbrDigest(
            XBRTypes.hashApiPublish(
                block.chainid,
                network,
                member,
                published,
                catalogId,
                apiId,
                keccak256(bytes(schema)),
                keccak256(bytes(meta))
            )
        );
        require(XBRTypes.isSignedBy(member, digest, signature), "INVALID_API_PUBLISH_SIGNATURE");
        require(_inWindow(published), "INVALID_API_PUBLISH_BLOCK_NUMBER");
        _publishApi(member, published, catalogId, apiId, schema, meta);
    }

    // ------------------------------------------------------------------------------------ internals

    /// `x <= block.number` and, past the first PRESIGNED_TXN_MAX_AGE blocks, `x >= block.number - MAX_AGE`.
    function _inWindow(uint256 x) private view returns (bool) {
        return x <= block.number && (block.number <= PRESIGNED_TXN_MAX_AGE || x >= block.number - PRESIGNED_TXN_MAX_AGE);
    }

    function _isMember(address member) private view returns (bool) {
        (,,, uint8 level,) = IXBRCatalogNetwork(network).members(member);
        return level == ACTIVE || level == VERIFIED;
    }

    function _createCatalog(
        address member,
        uint256 created,
        bytes16 catalogId,
        string calldata terms,
        string calldata meta
    ) private {
        require(_isMember(member), "SENDER_NOT_A_MEMBER");
        Catalog storage c = _catalogs[catalogId];
        require(c.owner == address(0), "CATALOG_ALREADY_EXISTS");
        catalogIds.push(catalogId);
        uint32 seq = uint32(catalogIds.length);
        c.created = uint64(created);
        c.seq = seq;
        c.owner = member;
        if (bytes(terms).length != 0) c.terms = terms;
        if (bytes(meta).length != 0) c.meta = meta;
        emit CatalogCreated(catalogId, created, seq, member, terms, meta);
    }

    function _publishApi(
        address member,
        uint256 published,
        bytes16 catalogId,
        bytes16 apiId,
        string calldata schema,
        string calldata meta
    ) private {
        require(_isMember(member), "SENDER_NOT_A_MEMBER");
        address owner = _catalogs[catalogId].owner;
        require(owner != address(0), "NO_SUCH_CATALOG");
        require(owner == member, "SENDER_IS_NOT_OWNER");
        Api storage a = _apis[catalogId][apiId];
        require(!a.exists, "API_ALREADY_EXISTS");
        a.published = uint64(published);
        a.exists = true;
        if (bytes(schema).length != 0) a.schema = schema;
        if (bytes(meta).length != 0) a.meta = meta;
        emit ApiPublished(catalogId, apiId, published, schema, meta);
    }
}
