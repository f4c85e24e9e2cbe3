// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * Shared EIP712 helpers of the XBR contracts (docs/protocol.md#contract-signatures). Unlike the original `XBRTypes` (a linked
 * library with `public` functions) everything here is `internal` and inlined: nothing to deploy or link.
 *
 * Signature checks (docs/protocol.md#chain-defect-9): a signature must be 65 bytes `r ‖ s ‖ v`
 * (else `INVALID_SIGNATURE_LENGTH`); `v` 0/1 is read as 27/28, any other `v` and any `s` above
 * secp256k1n/2 make {recover} return the zero address, as does a failed `ecrecover`. Callers must
 * treat a zero result as invalid (see {isSignedBy}).
 */
library XBRTypes {
    /// `EIP712Domain(string name,string version)` (docs/protocol.md#eip712-domain).
    bytes32 internal constant EIP712_DOMAIN_TYPEHASH =
        0xb03948446334eb9b2196d5eb166f69b9d49403eb4a12f36de8d3f9f3cb8e15c3;
    /// keccak256(abi.encode(EIP712_DOMAIN_TYPEHASH, keccak256("XBR"), keccak256("1"))) (docs/protocol.md#eip712-domain).
    bytes32 internal constant XBR_DOMAIN_SEPARATOR =
        0x6929f68fd2da453efae5e9c70a5e5d2d4f8286a9209a4a62641f299ca8ffb0e4;

    bytes32 internal constant EIP712_MEMBER_REGISTER_TYPEHASH = keccak256(
        "EIP712MemberRegister(uint256 chainId,address verifyingContract,address member,uint256 registered,string eula,string profile)"
    );
    bytes32 internal constant EIP712_MEMBER_UNREGISTER_TYPEHASH =
        keccak256("EIP712MemberUnregister(uint256 chainId,address verifyingContract,address member,uint256 retired)");

    /// `EIP712CatalogCreate` (docs/protocol.md#eip712-types, 0x6723effc…f0c7; same as the original).
    bytes32 internal constant EIP712_CATALOG_CREATE_TYPEHASH = keccak256(
        "EIP712CatalogCreate(uint256 chainId,address verifyingContract,address member,uint256 created,bytes16 catalogId,string terms,string meta)"
    );
    /// `EIP712ApiPublish` as the clients define it (docs/protocol.md#eip712-types, field `string schema`; 0x2fb0a8fd…eb25). The
    /// original hashed a type string with `string terms` (0xf16a0ea1…d02e) — docs/protocol.md#chain-defect-3; not reproduced.
    bytes32 internal constant EIP712_API_PUBLISH_TYPEHASH = keccak256(
        "EIP712ApiPublish(uint256 chainId,address verifyingContract,address member,uint256 published,bytes16 catalogId,bytes16 apiId,string schema,string meta)"
    );

    /// `EIP712MarketCreate` (docs/protocol.md#eip712-types, 0x37e235cb…3172; same as the original; securities are not signed).
    bytes32 internal constant EIP712_MARKET_CREATE_TYPEHASH = keccak256(
        "EIP712MarketCreate(uint256 chainId,address verifyingContract,address member,uint256 created,bytes16 marketId,address coin,string terms,string meta,address maker,uint256 marketFee)"
    );
    /// `EIP712MarketJoin` (docs/protocol.md#eip712-types, 0x3e351710…56c0; same as the original).
    bytes32 internal constant EIP712_MARKET_JOIN_TYPEHASH = keccak256(
        "EIP712MarketJoin(uint256 chainId,address verifyingContract,address member,uint256 joined,bytes16 marketId,uint8 actorType,string meta)"
    );
    /// `EIP712MarketLeave` (0x1319a8a2…321a). The original hashed leave messages with the MarketJoin
    /// typehash (docs/protocol.md#chain-defect-3); here typehash and encoding agree (standard EIP712).
    bytes32 internal constant EIP712_MARKET_LEAVE_TYPEHASH = keccak256(
        "EIP712MarketLeave(uint256 chainId,address verifyingContract,address member,uint256 left,bytes16 marketId,uint8 actorType)"
    );
    /// `EIP712Consent` as the clients define it, with `string servicePrefix` (0x9f9d3164…2f2b). The original's
    /// typehash omitted the field but still encoded it (docs/protocol.md#chain-defect-3); not reproduced.
    bytes32 internal constant EIP712_CONSENT_TYPEHASH = keccak256(
        "EIP712Consent(uint256 chainId,address verifyingContract,address member,uint256 updated,bytes16 marketId,address delegate,uint8 delegateType,bytes16 apiCatalog,bool consent,string servicePrefix)"
    );

    /// secp256k1 order / 2: larger `s` values are the malleable twins of valid signatures.
    bytes32 internal constant EIP712_CHANNEL_OPEN_TYPEHASH = keccak256(
        "EIP712ChannelOpen(uint256 chainId,address verifyingContract,uint8 ctype,uint256 openedAt,bytes16 marketId,bytes16 channelId,address actor,address delegate,address marketmaker,address recipient,uint256 amount)"
    );
    bytes32 internal constant EIP712_CHANNEL_CLOSE_TYPEHASH = keccak256(
        "EIP712ChannelClose(uint256 chainId,address verifyingContract,uint256 closeAt,bytes16 marketId,bytes16 channelId,uint32 channelSeq,uint256 balance,bool isFinal)"
    );

    uint256 internal constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// EIP712 digest of `structHash` under the XBR domain (name "XBR", version "1").
    function xbrDigest(bytes32 structHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", XBR_DOMAIN_SEPARATOR, structHash));
    }

    /// Struct hash of an EIP712MemberRegister message.
    function hashMemberRegister(
        uint256 chainId,
        address verifyingContract,
        address member,
        uint256 registered,
        string calldata eula,
        string calldata profile
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                EIP712_MEMBER_REGISTER_TYPEHASH,
                chainId,
                verifyingContract,
                member,
                registered,
                keccak256(bytes(eula)),
                keccak256(bytes(profile))
            )
        );
    }

    /// Struct hash of an EIP712MemberUnregister message.
    function hashMemberUnregister(uint256 chainId, address verifyingContract, address member, uint256 retired)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(EIP712_MEMBER_UNREGISTER_TYPEHASH, chainId, verifyingContract, member, retired));
    }

    /// Struct hash of an EIP712CatalogCreate message (`termsHash`/`metaHash`: keccak256 of the strings).
    function hashCatalogCreate(
        uint256 chainId,
        address verifyingContract,
        address member,
        uint256 created,
        bytes16 catalogId,
        bytes32 termsHash,
        bytes32 metaHash
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                EIP712_CATALOG_CREATE_TYPEHASH, chainId, verifyingContract, member, created, catalogId, termsHash, metaHash
            )
        );
    }

    /// Struct hash of an EIP712ApiPublish message (`schemaHash`/`metaHash`: keccak256 of the strings).
    function hashApiPublish(
        uint256 chainId,
        address verifyingContract,
        address member,
        uint256 published,
        bytes16 catalogId,
        bytes16 apiId,
        bytes32 schemaHash,
        bytes32 metaHash
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                EIP712_API_PUBLISH_TYPEHASH,
                chainId,
                verifyingContract,
                member,
                published,
                catalogId,
                apiId,
                schemaHash,
                metaHash
            )
        );
    }

    /// Struct hash of an EIP712MarketCreate message (`termsHash`/`metaHash`: keccak256 of the strings).
    function hashMarketCreate(
        uint256 chainId,
        address verifyingContract,
        address member,
        uint256 created,
        bytes16 marketId,
        address coin,
        bytes32 termsHash,
        bytes32 metaHash,
        address maker,
        uint256 marketFee
    ) internal pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                abi.encode(EIP712_MARKET_CREATE_TYPEHASH, chainId, verifyingContract, member, created, marketId),
                abi.encode(coin, termsHash, metaHash, maker, marketFee)
            )
        );
    }

    /// Struct hash of an EIP712MarketJoin message (`metaHash`: keccak256 of the meta string).
    function hashMarketJoin(
        uint256 chainId,
        address verifyingContract,
        address member,
        uint256 joined,
        bytes16 marketId,
        uint8 actorType,
        bytes32 metaHash
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(EIP712_MARKET_JOIN_TYPEHASH, chainId, verifyingContract, member, joined, marketId, actorType, metaHash)
        );
    }

    /// Struct hash of an EIP712MarketLeave message (its own typehash, six fields).
    function hashMarketLeave(
        uint256 chainId,
        address verifyingContract,
        address member,
        uint256 left,
        bytes16 marketId,
        uint8 actorType
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(EIP712_MARKET_LEAVE_TYPEHASH, chainId, verifyingContract, member, left, marketId, actorType));
    }

    /// Struct hash of an EIP712Consent message (client type, `servicePrefixHash` = keccak256 of the prefix).
    function hashConsent(
        uint256 chainId,
        address verifyingContract,
        address member,
        uint256 updated,
        bytes16 marketId,
        address delegate,
        uint8 delegateType,
        bytes16 apiCatalog,
        bool consent,
        bytes32 servicePrefixHash
    ) internal pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                abi.encode(EIP712_CONSENT_TYPEHASH, chainId, verifyingContract, member, updated, marketId),
                abi.encode(delegate, delegateType, apiCatalog, consent, servicePrefixHash)
            )
        );
    }

    /// Struct hash of an EIP712ChannelOpen message (docs/protocol.md#eip712-types, standard encoding).
    function hashChannelOpen(
        uint256 chainId,
        address verifyingContract,
        uint8 ctype,
        uint256 openedAt,
        bytes16 marketId,
        bytes16 channelId,
        address actor,
        address delegate,
        address marketmaker,
        address recipient,
        uint256 amount
    ) internal pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                abi.encode(EIP712_CHANNEL_OPEN_TYPEHASH, chainId, verifyingContract, ctype, openedAt, marketId),
                abi.encode(channelId, actor, delegate, marketmaker, recipient, amount)
            )
        );
    }

    /// Struct hash of an EIP712ChannelClose message (docs/protocol.md#eip712-types, standard encoding).
    function hashChannelClose(
        uint256 chainId,
        address verifyingContract,
        uint256 closeAt,
        bytes16 marketId,
        bytes16 channelId,
        uint32 channelSeq,
        uint256 balance,
        bool isFinal
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                EIP712_CHANNEL_CLOSE_TYPEHASH, chainId, verifyingContract, closeAt, marketId, channelId, channelSeq, balance, isFinal
            )
        );
    }

    /// ecrecover on a 65-byte r ‖ s ‖ v signature; zero address for a malformed or malleable one.
    function recover(bytes32 digest, bytes calldata signature) internal pure returns (address) {
        require(signature.length == 65, "INVALID_SIGNATURE_LENGTH");
        bytes32 r;
        bytes32 s;
        uint8 v;
        // the length is checked: read the three parts straight from calldata, without the slices' bounds checks
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 32))
            v := byte(0, calldataload(add(signature.offset, 64)))
        }
        if (v < 27) v += 27;
        if ((v != 27 && v != 28) || uint256(s) > HALF_ORDER) return address(0);
        return ecrecover(digest, v, r, s);
    }

    /// True iff `signature` over `digest` recovers to `signer` and `signer` is not the zero address.
    function isSignedBy(address signer, bytes32 digest, bytes calldata signature) internal pure returns (bool) {
        address recovered = recover(digest, signature);
        return recovered != address(0) && recovered == signer;
    }
}
