// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {XBRTypes} from "./XBRTypes.sol";

/// A contract named as `relayer` in an approval lets the address it returns relay that approval.
interface IXBRTokenRelayInterface {
    function getRelayAuthority() external view returns (address);
}

/**
 * XBR Token (docs/protocol.md#xbr-token): ERC-20, "XBRToken" / "XBR", 18 decimals, fixed supply of 10^9 XBR minted to
 * the deployer, plus pre-signed approvals (`approveFor`) over EIP712Approve (docs/protocol.md#eip712-approve).
 *
 * Differences from the original (deliberate, docs/protocol.md#chain-defects):
 * - the EIP712 domain uses the real chain id (`block.chainid`), not a hard-coded 1 (defect 20);
 * - signatures with high `s`, `v` other than 27/28 (0/1 accepted as 27/28) or recovering to the zero
 *   address are rejected (defects 9, 10; the checks live in `XBRTypes.recover`, shared with XBRNetwork);
 * - `burnSignature` by anyone but the sender reverts with a reason (`INVALID_SENDER`);
 * - `transferFrom` with an allowance of 2^256-1 does not decrease it, and emits no Approval.
 * ERC-20 revert reasons are OpenZeppelin 3.x's strings.
 */
contract XBRToken {
    string public constant name = "XBRToken";
    string public constant symbol = "XBR";
    uint8 public constant decimals = 18;
    uint256 public constant totalSupply = 10 ** 9 * 10 ** 18;

    bytes32 private constant EIP712_DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant EIP712_APPROVE_TYPEHASH = keccak256(
        "EIP712Approve(address sender,address relayer,address spender,uint256 amount,uint256 expires,uint256 nonce)"
    );

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    /// Approval digests: 0 unused, 1 used by `approveFor`, 2 burned by `burnSignature`.
    mapping(bytes32 => uint256) public burnedSignatures;

    uint256 private immutable cachedChainId;
    address private immutable cachedThis;
    bytes32 private immutable cachedDomainSeparator;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor() {
        balanceOf[msg.sender] = totalSupply;
        emit Transfer(address(0), msg.sender, totalSupply);
        cachedChainId = block.chainid;
        cachedThis = address(this);
        cachedDomainSeparator = _buildDomainSeparator();
    }

    // ---------------------------------------------------------------------------------------- ERC-20

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        _transfer(from, to, value);
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= value, "ERC20: transfer amount exceeds allowance");
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
        }
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    function increaseAllowance(address spender, uint256 addedValue) external returns (bool) {
        _approve(msg.sender, spender, allowance[msg.sender][spender] + addedValue);
        return true;
    }

    function decreaseAllowance(address spender, uint256 subtractedValue) external returns (bool) {
        uint256 current = allowance[msg.sender][spender];
        require(current >= subtractedValue, "ERC20: decreased allowance below zero");
        unchecked {
            _approve(msg.sender, spender, current - subtractedValue);
        }
        return true;
    }

    // ----------------------------------------------------------------------- pre-signed approvals

    /// The EIP712 domain separator: XBRToken / 1 / this chain / this contract.
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        if (block.chainid == cachedChainId && address(this) == cachedThis) return cachedDomainSeparator;
        return _buildDomainSeparator();
    }

    /// The EIP712 digest an `approveFor` signature must sign.
    function approveDigest(
        address sender,
        address relayer,
        address spender,
        uint256 amount,
        uint256 expires,
        uint256 nonce
    ) public view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(EIP712_APPROVE_TYPEHASH, sender, relayer, spender, amount, expires, nonce));
        return keccak256(abi.encodePacked(hex"1901", DOMAIN_SEPARATOR(), structHash));
    }

    /**
     * Sets `allowance[sender][spender] = amount` from `sender`'s EIP712Approve signature; anyone may
     * submit it unless `relayer` restricts who (an EOA relayer itself, or a contract relayer's
     * `getRelayAuthority()`). `expires` is a block number (0 = never); each digest works once.
     */
    function approveFor(
        address sender,
        address relayer,
        address spender,
        uint256 amount,
        uint256 expires,
        uint256 nonce,
        bytes calldata signature
    ) external returns (bool) {
        bytes32 digest = _checkedDigest(sender, relayer, spender, amount, expires, nonce, signature);
        require(_mayRelay(relayer), "INVALID_RELAYER");
        require(expires == 0 || block.number < expires, "SIGNATURE_EXPIRED");
        require(burnedSignatures[digest] == 0, "SIGNATURE_REUSED");
        burnedSignatures[digest] = 1;
        _approve(sender, spender, amount);
        return true;
    }

    /// Lets `sender` void an approval it signed but that was not submitted yet.
    function burnSignature(
        address sender,
        address relayer,
        address spender,
        uint256 amount,
        uint256 expires,
        uint256 nonce,
        bytes calldata signature
    ) external returns (bool) {
        bytes32 digest = _checkedDigest(sender, relayer, spender, amount, expires, nonce, signature);
        require(msg.sender == sender, "INVALID_SENDER");
        require(burnedSignatures[digest] == 0, "SIGNATURE_REUSED");
        burnedSignatures[digest] = 2;
        return true;
    }

    // ------------------------------------------------------------------------------------ internals

    function _transfer(address from, address to, uint256 value) private {
        require(from != address(0), "ERC20: transfer from the zero address");
        require(to != address(0), "ERC20: transfer to the zero address");
        uint256 fromBalance = balanceOf[from];
        require(fromBalance >= value, "ERC20: transfer amount exceeds balance");
        unchecked {
            // cannot overflow: the sum of all balances is the fixed total supply
            balanceOf[from] = fromBalance - value;
            balanceOf[to] += value;
        }
        emit Transfer(from, to, value);
    }

    function _approve(address owner, address spender, uint256 value) private {
        require(spender != address(0), "ERC20: approve to the zero address");
        allowance[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(EIP712_DOMAIN_TYPEHASH, keccak256("XBRToken"), keccak256("1"), block.chainid, address(this))
        );
    }

    /// The approval digest, after checking that `signature` is `sender`'s (else INVALID_SIGNATURE).
    function _checkedDigest(
        address sender,
        address relayer,
        address spender,
        uint256 amount,
        uint256 expires,
        uint256 nonce,
        bytes calldata signature
    ) private view returns (bytes32 digest) {
        digest = approveDigest(sender, relayer, spender, amount, expires, nonce);
        require(XBRTypes.isSignedBy(sender, digest, signature), "INVALID_SIGNATURE");
    }

    function _mayRelay(address relayer) private view returns (bool) {
        if (relayer == address(0)) return true;
        if (relayer.code.length == 0) return msg.sender == relayer;
        try IXBRTokenRelayInterface(relayer).getRelayAuthority() returns (address authority) {
            return msg.sender == authority;
        } catch {
            return false;
        }
    }
}
