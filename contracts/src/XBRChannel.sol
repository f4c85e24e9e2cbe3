// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {XBRTypes} from "./XBRTypes.sol";

/// The part of XBRMarket the channel contract reads.
interface IXBRChannelMarket {
    function network() external view returns (address);

    function getMarketOwner(bytes16 marketId) external view returns (address);

    function getMarketCoin(bytes16 marketId) external view returns (address);

    function getMarketFee(bytes16 marketId) external view returns (uint256);

    function getMarketMaker(bytes16 marketId) external view returns (address);

    function isActor(bytes16 marketId, address actor, uint8 actorType) external view returns (bool);

    function hasDelegateConsent(bytes16 marketId, address member, address delegate, uint8 role) external view returns (bool);
}

/// The part of XBRNetwork the channel contract reads.
interface IXBRChannelNetwork {
    function memberLevel(address member) external view returns (uint8);

    function token() external view returns (address);

    function organization() external view returns (address);

    function contribution() external view returns (uint256);
}

/// The part of an ERC-20 coin the channel contract uses.
interface IXBRChannelCoin {
    function totalSupply() external view returns (uint256);
}

/**
 * XBR Channel (docs/protocol.md#xbr-channel): PAYMENT channels (a consumer's deposit, spent off-chain with EIP712ChannelClose
 * transactions co-signed by its delegate and the market maker) and PAYING channels (the market maker's
 * deposit for a provider), and their settlement.
 *
 * EIP712 (docs/protocol.md#eip712-domain): domain XBR / 1; `chainId` = `block.chainid`, `verifyingContract` = the **network**;
 * EIP712ChannelOpen signed by the actor, EIP712ChannelClose signed by both the delegate and the market maker.
 *
 * Differences from the original (deliberate, docs/protocol.md#chain-defects; details in contracts/README.md):
 * - a non-final close puts the channel in CLOSING for NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT **blocks**
 *   (docs/protocol.md#chain-defect-6); newer states (higher seq, balance not higher) are accepted until then; afterwards anyone calls
 *   `settleChannel` and the last state is paid out (docs/protocol.md#chain-defect-1: the original locked the deposit for ever);
 * - replayed / outdated closes are rejected (`OUTDATED_TRANSACTION`), a non-final close at seq 1 is no longer
 *   a silent no-op (it starts CLOSING), zero-address / high-s / bad-v signatures are rejected (docs/protocol.md#chain-defect-9);
 * - `requestChannelClose`: a party (actor, delegate, maker) starts the timeout alone with the open state; the
 *   other party answers with its newest co-signed state (docs/protocol.md#chain-defect-4: the original had no unilateral close);
 * - `openChannel` requires the actor's consent for the delegate in the channel's role (docs/protocol.md#chain-defect-18);
 * - `closeAt` must not lie in the future but has no lower bound: states are ordered by seq, and an old
 *   co-signed state must stay submittable (docs/protocol.md#chain-defect-5);
 * - nothing but the channel's state is stored: signatures are in the transaction / the `Opened` event, the
 *   market maker and the recipient are derived (the maker of a market never changes; PAYMENT recipient =
 *   market owner, PAYING recipient = actor); `closedSeq` / `closedBalance` are now set (docs/protocol.md#chain-defect-18).
 * Kept from the original (docs/protocol.md#xbr-channel tables, docs/protocol.md#test-vectors vectors): PAYMENT payout → market maker, the market fee on
 * both legs, the contribution share of the fee → network organization.
 */
contract XBRChannel {
    /// Member levels of XBRNetwork that may act (ACTIVE = 1, VERIFIED = 2).
    uint8 private constant ACTIVE = 1;
    uint8 private constant VERIFIED = 2;
    /// Actor types of XBRMarket.
    uint8 private constant PROVIDER = 1;
    uint8 private constant CONSUMER = 2;
    /// Channel types (docs/protocol.md#xbr-channel): NULL 0, PAYMENT 1, PAYING 2.
    uint8 private constant PAYMENT = 1;
    uint8 private constant PAYING = 2;
    /// Channel states: NULL 0, OPEN 1, CLOSING 2, CLOSED 3.
    uint8 private constant OPEN = 1;
    uint8 private constant CLOSING = 2;
    uint8 private constant CLOSED = 3;

    /// Pre-signed `openedAt` window (blocks).
    uint256 public constant PRESIGNED_TXN_MAX_AGE = 1440;
    /// CLOSING → settleable after this many **blocks** (the original added it to `block.timestamp`).
    uint256 public constant NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT = 1440;

    /**
     * One channel: three packed slots. Everything a cooperative close writes (state, closedAt, seq, balance) lives
     * in the slots openChannel already made non-zero, so that close pays for no fresh slot (20,000 gas) and
     * reads the channel with three SLOADs into memory. Block numbers fit 40 bits (2^40 blocks: 34,000 years at
     * one block a second). `closedSeq` / `closedBalance` are not stored apart: once CLOSED they are the closing ones.
     */
    struct Channel {
        // slot 0
        address actor;
        uint40 created; // openedAt (signed block number)
        uint40 closedAt; // block; 0 until CLOSED
        uint8 ctype;
        uint8 state;
        // slot 1
        address delegate;
        uint96 amount;
        // slot 2
        bytes16 marketId;
        uint32 closingSeq; // 1 while OPEN
        uint96 closingBalance; // 0 while OPEN
    }

    address public immutable market;
    address public immutable network;

    mapping(bytes16 => Channel) private _channels;
    /// Block from which a CLOSING channel may be settled; 0 unless a non-final state was submitted (own slot: see Channel).
    mapping(bytes16 => uint256) private _closingAt;

    event Opened(
        uint8 ctype,
        bytes16 indexed marketId,
        bytes16 indexed channelId,
        address actor,
        address delegate,
        address marketmaker,
        address recipient,
        uint256 amount,
        bytes signature
    );
    event Closing(
        uint8 ctype, bytes16 indexed marketId, bytes16 indexed channelId, uint256 payout, uint256 fee, uint256 refund, uint256 timeoutAt
    );
    event Closed(
        uint8 ctype, bytes16 indexed marketId, bytes16 indexed channelId, uint256 payout, uint256 fee, uint256 refund, uint256 closedAt
    );

    constructor(address market_) {
        require(market_ != address(0), "INVALID_MARKET");
        market = market_;
        network = IXBRChannelMarket(market_).network();
    }

    // ----------------------------------------------------------------------------------------- views

    /**
     * The original's eleven outputs. `created` = openedAt, `seq` = 1, `marketmaker` = the market's maker,
     * `recipient` = market owner (PAYMENT) / actor (PAYING), `signature` always empty (see `Opened`).
     */
    function channels(bytes16 channelId)
        external
        view
        returns (
            uint256 created,
            uint32 seq,
            uint8 ctype,
            bytes16 marketId,
            bytes16 channelId_,
            address actor,
            address delegate,
            address marketmaker,
            address recipient,
            uint256 amount,
            bytes memory signature
        )
    {
        Channel storage c = _channels[channelId];
        if (c.state == 0) return (0, 0, 0, bytes16(0), bytes16(0), address(0), address(0), address(0), address(0), 0, signature);
        created = c.created;
        seq = 1;
        ctype = c.ctype;
        marketId = c.marketId;
        channelId_ = channelId;
        actor = c.actor;
        delegate = c.delegate;
        marketmaker = IXBRChannelMarket(market).getMarketMaker(marketId);
        recipient = ctype == PAYMENT ? IXBRChannelMarket(market).getMarketOwner(marketId) : actor;
        amount = c.amount;
    }

    /**
     * The original's nine outputs: `(state, closingAt, closingSeq, closingBalance, closedAt, closedSeq,
     * closedBalance, delegateSignature, marketmakerSignature)`; `closingAt` / `closedAt` are block numbers,
     * the signatures always empty (they are in the closing transactions).
     */
    function channelClosingStates(bytes16 channelId)
        external
        view
        returns (
            uint8 state,
            uint256 closingAt,
            uint32 closingSeq,
            uint256 closingBalance,
            uint256 closedAt,
            uint32 closedSeq,
            uint256 closedBalance,
            bytes memory delegateSignature,
            bytes memory marketmakerSignature
        )
    {
        Channel storage c = _channels[channelId];
        state = c.state;
        closingAt = _closingAt[channelId];
        closingSeq = c.closingSeq;
        closingBalance = state == OPEN ? 0 : c.closingBalance;
        closedAt = c.closedAt;
        closedSeq = state == CLOSED ? closingSeq : 0;
        closedBalance = state == CLOSED ? c.closingBalance : 0;
        return (
            state, closingAt, closingSeq, closingBalance, closedAt, closedSeq, closedBalance, delegateSignature, marketmakerSignature
        );
    }

    // ------------------------------------------------------------------------------------------ open

    /**
     * Opens channel `channelId` (docs/protocol.md#xbr-channel, checks in the original's order). PAYMENT: sent by the market maker
     * or the actor (a consumer), recipient = market owner, `amount` pulled from the actor. PAYING: sent by the
     * market maker or the market owner, actor = recipient (a provider), `amount` pulled from the market maker.
     * The actor signs EIP712ChannelOpen in both cases. Both approve the market coin to this contract first.
     */
    function openChannel(
        uint8 ctype,
        uint256 openedAt,
        bytes16 marketId,
        bytes16 channelId,
        address actor,
        address delegate,
        address marketmaker,
        address recipient,
        uint256 amount,
        bytes calldata signature
    ) external {
        // the nine static arguments, re-read from the (already ABI-validated) call data as one memory struct
        (ctype, openedAt, marketId, channelId, actor, delegate, marketmaker, recipient, amount);
        _open(abi.decode(msg.data[4:292], (Open)), signature);
    }

    /// openChannel's static arguments (same order as EIP712ChannelOpen after chainId, verifyingContract).
    struct Open {
        uint8 ctype;
        uint256 openedAt;
        bytes16 marketId;
        bytes16 channelId;
        address actor;
        address delegate;
        address marketmaker;
        address recipient;
        uint256 amount;
    }

    function _open(Open memory o, bytes calldata signature) private {
        address owner = IXBRChannelMarket(market).getMarketOwner(o.marketId);
        require(owner != address(0), "NO_SUCH_MARKET");
        require(_channels[o.channelId].state == 0, "INVALID_CHANNEL_ALREADY_EXISTS");
        require(_isMember(o.actor), "INVALID_CHANNEL_ACTOR");
        require(o.delegate != address(0), "INVALID_CHANNEL_DELEGATE");
        require(o.marketmaker == IXBRChannelMarket(market).getMarketMaker(o.marketId), "INVALID_CHANNEL_MARKETMAKER");
        require(_isMember(o.recipient), "INVALID_CHANNEL_RECIPIENT");
        require(_inWindow(o.openedAt), "INVALID_CHANNEL_BLOCK_NUMBER");
        address coin = IXBRChannelMarket(market).getMarketCoin(o.marketId);
        require(
            o.amount > 0 && o.amount <= IXBRChannelCoin(coin).totalSupply() && o.amount <= type(uint96).max,
            "INVALID_CHANNEL_AMOUNT"
        );
        require(XBRTypes.isSignedBy(o.actor, _openDigest(), signature), "INVALID_CHANNEL_SIGNATURE");

        address from;
        if (o.ctype == PAYMENT) {
            require(msg.sender == o.marketmaker || msg.sender == o.actor, "SENDER_NOT_MARKETMAKER_OR_BUYER");
            require(IXBRChannelMarket(market).isActor(o.marketId, o.actor, CONSUMER), "ACTOR_NOT_CONSUMER");
            require(IXBRChannelMarket(market).hasDelegateConsent(o.marketId, o.actor, o.delegate, CONSUMER), "DELEGATE_NOT_CONSENTED");
            require(o.recipient == owner, "RECIPIENT_NOT_MARKET");
            from = o.actor;
        } else if (o.ctype == PAYING) {
            require(msg.sender == o.marketmaker || msg.sender == owner, "SENDER_NOT_MARKETMAKER_OR_OWNER");
            require(IXBRChannelMarket(market).isActor(o.marketId, o.actor, PROVIDER), "ACTOR_NOT_PROVIDER");
            require(IXBRChannelMarket(market).hasDelegateConsent(o.marketId, o.actor, o.delegate, PROVIDER), "DELEGATE_NOT_CONSENTED");
            require(o.recipient == o.actor, "RECIPIENT_NOT_ACTOR");
            from = o.marketmaker;
        } else {
            revert("INVALID_CHANNEL_TYPE");
        }

        Channel storage c = _channels[o.channelId];
        c.created = uint40(o.openedAt);
        c.ctype = o.ctype;
        c.state = OPEN;
        c.actor = o.actor;
        c.delegate = o.delegate;
        c.amount = uint96(o.amount);
        c.marketId = o.marketId;
        c.closingSeq = 1;

        if (!_call(coin, abi.encodeWithSelector(0x23b872dd, from, address(this), o.amount))) {
            revert(o.ctype == PAYMENT ? "OPEN_CHANNEL_TRANSFER_FROM_ACTOR_FAILED" : "OPEN_CHANNEL_TRANSFER_FROM_MARKETMAKER_FAILED");
        }
        emit Opened(o.ctype, o.marketId, o.channelId, o.actor, o.delegate, o.marketmaker, o.recipient, o.amount, signature);
    }

    // ----------------------------------------------------------------------------------------- close

    /**
     * Submits an off-chain state (EIP712ChannelClose signed by the channel's delegate **and** the market
     * maker); callable by anyone. Final (`isFinal` or `balance == 0`): paid out at once (`Closed`; preceded by
     * `Closing` unless the channel is OPEN and `seq == 1`, as in the original). Non-final: the channel becomes
     * / stays CLOSING with this state for NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT blocks (`Closing`); a strictly
     * newer seq with a balance not above the stored one replaces it and restarts the timeout; then
     * `settleChannel`.
     */
    function closeChannel(
        bytes16 channelId,
        uint256 closeAt,
        uint32 closingChannelSeq,
        uint256 balance,
        bool isFinal,
        bytes calldata delegateSignature,
        bytes calldata marketmakerSignature
    ) external {
        // one read of the three slots: every check and the settlement use the copy
        Channel memory c = _channels[channelId];
        (bool closing, address maker) =
            _checkClose(c, channelId, closeAt, closingChannelSeq, balance, isFinal, delegateSignature, marketmakerSignature);
        bool settle = isFinal || balance == 0;
        Split memory sp = _split(c, balance);
        if (closing || closingChannelSeq > 1 || !settle) _emitClosing(channelId, c, closingChannelSeq, balance, sp, settle);
        if (settle) _settle(channelId, c, maker, closingChannelSeq, balance, sp);
    }

    /**
     * Unilateral close (new, docs/protocol.md#chain-defect-4): a party of an OPEN channel — its actor, its delegate or the market's
     * maker — starts the timeout without any counter-signature. The stored state is the one both agreed on
     * on-chain at open (seq 1, the whole amount as balance, i.e. nothing earned); until the timeout the other
     * party answers with its newest co-signed state through `closeChannel` (seq > 1, balance not higher), and
     * then anyone calls `settleChannel`. Each side holds the states that favour it, signed by the other side,
     * so neither can be cheated by the other's silence.
     */
    function requestChannelClose(bytes16 channelId) external {
        Channel memory c = _channels[channelId];
        require(c.state != 0, "NO_SUCH_CHANNEL");
        require(c.state == OPEN, "CHANNEL_NOT_OPEN");
        require(
            msg.sender == c.actor || msg.sender == c.delegate || msg.sender == IXBRChannelMarket(market).getMarketMaker(c.marketId),
            "SENDER_NOT_CHANNEL_PARTY"
        );
        _emitClosing(channelId, c, 1, c.amount, _split(c, c.amount), false);
    }

    /**
     * Pays out a CLOSING channel with its last submitted state once NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT blocks
     * have passed since that state (new; the original had no way to do this). Callable by anyone.
     */
    function settleChannel(bytes16 channelId) external {
        Channel memory c = _channels[channelId];
        require(c.state != 0, "NO_SUCH_CHANNEL");
        require(c.state == CLOSING, "CHANNEL_NOT_CLOSING");
        require(block.number >= _closingAt[channelId], "CHANNEL_NOT_TIMED_OUT");
        address maker = IXBRChannelMarket(market).getMarketMaker(c.marketId);
        _settle(channelId, c, maker, c.closingSeq, c.closingBalance, _split(c, c.closingBalance));
    }

    // ------------------------------------------------------------------------------------- internals

    struct Split {
        address coin;
        uint256 payout; // earned - fee
        uint256 fee; // gross market fee
        uint256 contribution; // network share of the fee
    }

    /**
     * EIP712ChannelOpen digest of the current `openChannel` call: the message fields after `chainId` and
     * `verifyingContract` are exactly `openChannel`'s first nine (static, ABI-validated) arguments, in order, so
     * the struct hash is taken over the call data directly (= `XBRTypes.hashChannelOpen`, without the stack).
     */
    function _openDigest() private view returns (bytes32) {
        return XBRTypes.xbrDigest(
            keccak256(abi.encodePacked(XBRTypes.EIP712_CHANNEL_OPEN_TYPEHASH, block.chainid, uint256(uint160(network)), msg.data[4:292]))
        );
    }

    /**
     * Every check of `closeChannel`, in the original's order; returns whether the channel is CLOSING and the
     * market's maker (read once: the signature check and the payout both need it; a market's maker never changes).
     */
    function _checkClose(
        Channel memory c,
        bytes16 channelId,
        uint256 closeAt,
        uint32 seq,
        uint256 balance,
        bool isFinal,
        bytes calldata delegateSignature,
        bytes calldata marketmakerSignature
    ) private view returns (bool closing, address maker) {
        require(c.state != 0, "NO_SUCH_CHANNEL");
        require(c.state == OPEN || c.state == CLOSING, "CHANNEL_NOT_OPEN");
        require(closeAt <= block.number, "INVALID_CHANNEL_BLOCK_NUMBER");
        closing = c.state == CLOSING;
        bytes32 digest = _closeDigest(c.marketId, channelId, closeAt, seq, balance, isFinal);
        require(XBRTypes.isSignedBy(c.delegate, digest, delegateSignature), "INVALID_DELEGATE_SIGNATURE");
        maker = IXBRChannelMarket(market).getMarketMaker(c.marketId);
        require(XBRTypes.isSignedBy(maker, digest, marketmakerSignature), "INVALID_MARKETMAKER_SIGNATURE");
        require(balance <= c.amount, "INVALID_CLOSING_BALANCE");
        require(seq >= 1, "INVALID_CLOSING_SEQ");
        if (closing) {
            require(block.number < _closingAt[channelId], "CHANNEL_TIMEOUT");
            require(seq > c.closingSeq, "OUTDATED_TRANSACTION");
            require(balance <= c.closingBalance, "TRANSACTION_BALANCE_OUTDATED");
        }
    }

    function _closeDigest(bytes16 marketId, bytes16 channelId, uint256 closeAt, uint32 seq, uint256 balance, bool isFinal)
        private
        view
        returns (bytes32)
    {
        return XBRTypes.xbrDigest(
            XBRTypes.hashChannelClose(block.chainid, network, closeAt, marketId, channelId, seq, balance, isFinal)
        );
    }

    /// Emits `Closing`; unless the state is paid out right after (`settle`), the channel becomes CLOSING with it.
    function _emitClosing(bytes16 channelId, Channel memory c, uint32 seq, uint256 balance, Split memory sp, bool settle) private {
        uint256 timeoutAt = block.number + NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT;
        emit Closing(c.ctype, c.marketId, channelId, sp.payout, sp.fee - sp.contribution, balance, timeoutAt);
        if (!settle) {
            Channel storage stored = _channels[channelId];
            stored.state = CLOSING;
            stored.closingSeq = seq;
            stored.closingBalance = uint96(balance);
            _closingAt[channelId] = timeoutAt;
        }
    }

    /// Settlement arithmetic of docs/protocol.md#xbr-channel (integer division, in this order).
    function _split(Channel memory c, uint256 balance) private view returns (Split memory sp) {
        sp.coin = IXBRChannelMarket(market).getMarketCoin(c.marketId);
        uint256 earned = c.amount - balance;
        uint256 coinSupply = IXBRChannelCoin(sp.coin).totalSupply();
        sp.fee = earned * IXBRChannelMarket(market).getMarketFee(c.marketId) / coinSupply;
        if (sp.fee > 0) {
            address token = IXBRChannelNetwork(network).token();
            // the network token is usually the market coin, whose supply was just read
            sp.contribution = sp.fee * IXBRChannelNetwork(network).contribution()
                / (token == sp.coin ? coinSupply : IXBRChannelCoin(token).totalSupply());
        }
        sp.payout = earned - sp.fee;
    }

    function _settle(bytes16 channelId, Channel memory c, address maker, uint32 seq, uint256 balance, Split memory sp) private {
        Channel storage stored = _channels[channelId];
        stored.state = CLOSED;
        stored.closedAt = uint40(block.number);
        stored.closingSeq = seq;
        stored.closingBalance = uint96(balance);
        // PAYMENT: payout → market maker, refund → actor; PAYING: payout → actor, refund → market maker.
        bool payment = c.ctype == PAYMENT;
        _transfer(sp.coin, payment ? maker : c.actor, sp.payout);
        _transfer(sp.coin, payment ? c.actor : maker, balance);
        if (sp.fee > 0) {
            _transfer(sp.coin, IXBRChannelMarket(market).getMarketOwner(c.marketId), sp.fee - sp.contribution);
            _transfer(sp.coin, IXBRChannelNetwork(network).organization(), sp.contribution);
        }
        emit Closed(c.ctype, c.marketId, channelId, sp.payout, sp.fee - sp.contribution, balance, block.number);
    }

    function _transfer(address coin, address to, uint256 value) private {
        if (value == 0) return;
        require(_call(coin, abi.encodeWithSelector(0xa9059cbb, to, value)), "CLOSE_CHANNEL_TRANSFER_FAILED");
    }

    /// `x <= block.number` and, past the first PRESIGNED_TXN_MAX_AGE blocks, `x >= block.number - MAX_AGE`.
    function _inWindow(uint256 x) private view returns (bool) {
        return x <= block.number && (block.number <= PRESIGNED_TXN_MAX_AGE || x >= block.number - PRESIGNED_TXN_MAX_AGE);
    }

    function _isMember(address member) private view returns (bool) {
        uint8 level = IXBRChannelNetwork(network).memberLevel(member);
        return level == ACTIVE || level == VERIFIED;
    }

    /**
     * Calls an ERC-20 `transfer`/`transferFrom`; true iff it did not revert and returned true (or nothing, from a
     * contract). A returned word other than 0 / 1 reverts without data (as `abi.decode(ret, (bool))` would). The
     * return data is read from scratch memory, not copied into a new array: this runs four times per close.
     */
    function _call(address coin, bytes memory data) private returns (bool ok) {
        assembly ("memory-safe") {
            ok := call(gas(), coin, 0, add(data, 0x20), mload(data), 0, 0x20)
            if ok {
                switch returndatasize()
                case 0 { ok := gt(extcodesize(coin), 0) }
                case 0x20 {
                    ok := mload(0)
                    if gt(ok, 1) { revert(0, 0) }
                }
                default { ok := 0 }
            }
        }
    }
}
