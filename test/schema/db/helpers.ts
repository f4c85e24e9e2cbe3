/** Shared fixtures for the storage tests: temp dirs and records with valid field sizes. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Ed25519PublicKey, Hash32, Signature65, Uuid } from '../../../schema/codec/types.js';
import { ChannelState, ChannelType, type Channel } from '../../../schema/db/records/channel.js';
import type { Offer } from '../../../schema/db/records/offer.js';
import { TransactionState, type Transaction } from '../../../schema/db/records/transaction.js';

/** A fresh temp directory and its remover. */
export function tempDir(prefix = 'xbr-db-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const uuidOf = (first?: number): Uuid => {
  const b = randomBytes(16);
  if (first !== undefined) b[0] = first;
  return new Uint8Array(b) as Uuid;
};
export const addressOf = (first?: number): Address => {
  const b = randomBytes(20);
  if (first !== undefined) b[0] = first;
  return new Uint8Array(b) as Address;
};
export const sig = (): Signature65 => new Uint8Array(randomBytes(65)) as Signature65;
export const hash = (): Hash32 => new Uint8Array(randomBytes(32)) as Hash32;
export const pubkey = (): Ed25519PublicKey => new Uint8Array(randomBytes(32)) as Ed25519PublicKey;

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function channel(over: Partial<Channel> = {}): Channel {
  return {
    market_oid: uuidOf(),
    channel_oid: uuidOf(),
    timestamp: 1_732_190_000_000_000_000n,
    channel_type: ChannelType.PAYMENT,
    open_at: 100n,
    open_sig: sig(),
    seq: 1,
    marketmaker: addressOf(),
    actor: addressOf(),
    delegate: addressOf(),
    recipient: addressOf(),
    amount: 10n ** 21n,
    timeout: 1440,
    state: ChannelState.OPEN,
    ...over,
  };
}

export function offer(over: Partial<Offer> = {}): Offer {
  return {
    timestamp: 1_732_190_000_000_000_000n,
    offer: uuidOf(),
    seller: addressOf(),
    seller_session_id: 123456789,
    seller_authid: 'seller-1',
    key: uuidOf(),
    api: uuidOf(),
    uri: 'com.example.topic',
    valid_from: 1_732_190_000_000_000_000n,
    signature: sig(),
    price: 35n * 10n ** 18n,
    categories: { color: 'blue', a: 'b' },
    ...over,
  };
}

export function transaction(over: Partial<Transaction> = {}): Transaction {
  return {
    tid: uuidOf(),
    created: 1_732_190_000_000_000_000n,
    created_payment_channel_seq: 1,
    created_paying_channel_seq: 1,
    offer: uuidOf(),
    key: uuidOf(),
    amount: 35n,
    payment_channel: uuidOf(),
    paying_channel: uuidOf(),
    state: TransactionState.INFLIGHT,
    buyer_pubkey: pubkey(),
    payment_channel_after: 65n,
    paying_channel_after: 65n,
    ...over,
  };
}
