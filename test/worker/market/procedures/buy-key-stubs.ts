/**
 * Fixtures of the `buy_key` tests: a seller stub behind the maker's session (seals the data key to the
 * buyer, signs the paying state; can refuse, or hold `sell` open), and the `buy_key` handler of a maker
 * over a real maker DB (a restarted maker is a new handler over the reopened DB).
 */
import { SellerPresence } from '../../../../worker/market/index.js';
import assert from 'node:assert/strict';
import { toChecksumAddress } from '../../../../schema/codec/address.js';
import type { Uuid } from '../../../../schema/codec/types.js';
import { packUint256, unpackUint256 } from '../../../../schema/codec/uint256.js';
import type { MakerDb } from '../../../../schema/db/maker-db.js';
import { ed25519PublicKeyToX25519, sealBox } from '../../../../schema/crypto/index.js';
import { signChannelClose } from '../../../../schema/eip712/channelClose.js';
import { WampError, remoteErrorUri } from '../../../../schema/errors.js';
import { createLogger } from '../../../../schema/log.js';
import type { MakerContext, ProcedureCall } from '../../../../worker/market/api/index.js';
import { buyKeyProcedure } from '../../../../worker/market/procedures/index.js';
import { MAKER, MARKET, hex, rnd, type Key } from '../ledger/helpers.js';
import { channelCloseMessage } from '../../../../schema/eip712/index.js';

/** The seller behind the maker's session: `sell` seals `dataKey` to the buyer and signs the paying state. */
export class SellerStub {
  sells = 0;
  calls = 0;
  quotes = 0;
  mode: 'ok' | 'throw' = 'ok';
  /** While set, `sell` waits for it (a purchase in flight). */
  gate: Promise<void> | undefined;
  readonly dataKey = rnd(32);
  constructor(
    readonly key: Key,
    readonly quote = 7n,
  ) {}

  async call(uri: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<{ args: unknown[]; kwargs: Record<string, unknown> }> {
    if (uri.endsWith('.get_quote')) {
      this.quotes++;
      return { args: [{ price: packUint256(this.quote) }], kwargs: {} };
    }
    assert.ok(uri.endsWith('.sell'), `unexpected call ${uri}`);
    this.calls++;
    if (this.mode === 'throw') throw new WampError(remoteErrorUri('com.example.seller_broken'), 'seller refuses', { kwargs: { why: 'test' } });
    await this.gate;
    const [, buyerPubkey, , channel, seq, , balance] = args as [Uint8Array, Uint8Array, Uint8Array, Uuid, number, Uint8Array, Uint8Array];
    const msg = channelCloseMessage(MARKET, kwargs['close_at'] as bigint, channel, seq, unpackUint256(balance), false);
    this.sells++;
    return { args: [{ sealed_key: sealBox(this.dataKey, ed25519PublicKeyToX25519(buyerPubkey)), signature: signChannelClose(msg, this.key.priv) }], kwargs: {} };
  }
}

/**
 * The `buy_key` handler of a freshly started maker on `db` (MAKER's key, MARKET's binding), calling `seller`,
 * at the chain head `block()`.
 */
export function buyKeyHandler(db: MakerDb, seller: SellerStub, block: () => bigint): (call: ProcedureCall) => Promise<unknown> {
  return buyKeyProcedure(
    {
      makerDb: db,
      log: createLogger({ test: 'purchase' }, 'error'),
      provider: { getBlockNumber: async () => Number(block()) },
      address: toChecksumAddress(MAKER.address),
      privateKey: MAKER.priv,
      verifyingChainId: MARKET.chainId,
      verifyingContract: toChecksumAddress(MARKET.verifyingContract),
      marketId: MARKET.marketId,
      session: { call: (uri: string, args: unknown[], kwargs?: Record<string, unknown>) => seller.call(uri, args, kwargs), publish: async () => undefined },
      // every seller is connected here; the suspension of a gone seller is the e2e test's (seller-presence.test.ts)
      sellers: new SellerPresence(async () => true),
    } as unknown as MakerContext,
    { sellTimeoutMs: 2000, headTtlMs: 0 },
  );
}

/** Every byte field as hex, so receipts from memory (Uint8Array) and from the DB (Buffer) compare. */
export function wire(v: unknown): unknown {
  if (v instanceof Uint8Array) return hex(v);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x)]));
  return v;
}
