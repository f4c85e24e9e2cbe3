/**
 * Whole maker answers for the stub makers of delegate tests, typed by the maker API (schema/api): a stub
 * names the fields its test is about and gets the rest as plausible values, so every stub answer is one the
 * real maker could give (and the delegates' readers accept), and a change of the API breaks the stubs at
 * compile time instead of letting them drift.
 */
import { randomBytes } from 'node:crypto';
import type { BalanceResult, ChannelResult, EarningsResult, PayingChannelResult, CloseChannelResult, ConfigResult, GetStatusResult, OfferResult, QuoteResult } from '../../schema/api/index.js';
import { packUint256 as packBuffer, toChecksumAddress } from '../../schema/codec/index.js';

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const address = (): string => toChecksumAddress(rnd(20));
const NOW = 1_700_000_000_000_000_000n;
/** As the maker sends it: a plain Uint8Array, not the codec's Buffer. */
const packUint256 = (v: bigint): Uint8Array => new Uint8Array(packBuffer(v));

export function configAnswer(c: Pick<ConfigResult, 'verifying_chain_id' | 'verifying_contract_adr' | 'market' | 'marketmaker'> & Partial<ConfigResult>): ConfigResult {
  return {
    now: NOW,
    chain: c.verifying_chain_id,
    owner: address(),
    contracts: { xbrtoken: address(), xbrnetwork: address(), xbrcatalog: address(), xbrmarket: address(), xbrchannel: address() },
    eula: { url: 'https://example.invalid/eula.txt', hash: 'QmEula', text: null },
    coin: address(),
    ...c,
  };
}

export function statusAnswer(block: bigint | number): GetStatusResult {
  return { now: NOW, chain: 1337, block: { number: Number(block), hash: rnd(32), gas_limit: 30_000_000n }, status: 1 };
}

export function balanceAnswer(b: { seq: number; remaining: bigint; inflight?: bigint }): BalanceResult {
  return { seq: b.seq, remaining: packUint256(b.remaining), inflight: packUint256(b.inflight ?? 0n) };
}

export function channelAnswer(c: Pick<ChannelResult, 'channel_oid' | 'market_oid' | 'delegate' | 'marketmaker' | 'channel_type'> & Partial<ChannelResult>): ChannelResult {
  return {
    member_oid: null,
    timestamp: NOW,
    open_at: packUint256(1n),
    seq: 0,
    actor: rnd(20),
    recipient: rnd(20),
    amount: packUint256(0n),
    timeout: 0,
    state: 1,
    closing_at: null,
    closed_at: null,
    close_mm_sig: null,
    close_del_sig: null,
    close_channel_seq: 0,
    close_balance: packUint256(0n),
    close_is_final: false,
    closed_tx: null,
    ...c,
  };
}

/** `get_paying_channel`: the channel with the seller's earnings (a stand-in maker's own ledger view). */
export function payingChannelAnswer(c: Parameters<typeof channelAnswer>[0], e: { remaining: bigint; inflight?: bigint; earned?: bigint; sales?: number; refunds?: number; seq: number }): PayingChannelResult {
  const channel = channelAnswer(c);
  const earned = e.earned ?? 0n;
  const earnings: EarningsResult = {
    earned: packUint256(earned),
    unclaimed: packUint256(channel.state === 3 ? 0n : earned),
    remaining: packUint256(e.remaining),
    inflight: packUint256(e.inflight ?? 0n),
    sales: e.sales ?? 0,
    refunds: e.refunds ?? 0,
    seq: e.seq,
  };
  return { ...channel, earnings };
}

export function quoteAnswer(key: Uint8Array, price: bigint): QuoteResult {
  return { timestamp: NOW, key, price: packUint256(price), expires: 0n };
}

export function offerAnswer(o: Pick<OfferResult, 'key'> & Partial<OfferResult>): OfferResult {
  return {
    timestamp: NOW,
    offer: rnd(16),
    seller: rnd(20),
    seller_session_id: null,
    seller_authid: 'member-0x' + Buffer.from(rnd(20)).toString('hex'),
    api: rnd(16),
    uri: 'xbr.test',
    valid_from: 0n,
    signature: rnd(65),
    price: packUint256(0n),
    categories: null,
    expires: null,
    copies: null,
    remaining: null,
    revoked: null,
    suspended: false,
    ...o,
  };
}

export function closeAnswer(c: Omit<CloseChannelResult, 'transaction' | 'state'> & Partial<CloseChannelResult>): CloseChannelResult {
  return { transaction: rnd(32), state: 2, ...c };
}
