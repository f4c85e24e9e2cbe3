/**
 * A seller delegate whose host clock is off (the clock-skew chaos scenario): the project's `SimpleSeller` in a
 * process of its own, started with `--import test/proof/chaos/skew-clock.ts` and `XBR_TEST_CLOCK_SKEW_MS`, so
 * everything in it that reads the wall clock — the offer's `expires` (now + its lifetime), the key archive's
 * retention, the log — reads the skewed one. Logged in as a member through the e2e ticket principals.
 *
 * `node --import tsx --import test/proof/chaos/skew-clock.ts test/proof/chaos/skewed-seller.ts '<json SkewedSellerArgs>'`.
 * It prints one JSON line and then either keeps selling until killed or exits 0:
 * - `{"selling": {"clock_ms", "probe": {key_id, serializer, ciphertext}}}` (hex): its offer was placed; the
 *   probe is a payload encrypted with the offered key, so a buyer can tell that the key it bought is that one;
 * - `{"refused": {"clock_ms", "uri", "cause_uri", "message"}}`: `start()` failed (`uri`, e.g.
 *   `xbr.error.key_rotation_failed`) because the maker refused its offer (`cause_uri`); the process exits.
 * `clock_ms` is the process's own `Date.now()` when it printed, so the parent can tell the skew is in force.
 */
import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import WebSocket from 'ws';
import { SimpleSeller } from '../../../plugins/seller/index.js';
import { createLogger, WampError } from '../../../schema/index.js';
import { MEMBER_TICKET, memberAuthidOf } from '../../e2e/market/offers-purchase-helpers.js';

export interface SkewedSellerArgs {
  readonly wsUrl: string;
  /** Hardhat account index of the seller's member (its authid names `xbr.provider.<authid>.sell`). */
  readonly member: number;
  /** Hex (no 0x) of the delegate's private key, the maker's address and the API id. */
  readonly delegateKey: string;
  readonly maker: string;
  readonly apiId: string;
  /** Price of every key, base units (decimal). */
  readonly price: string;
  readonly dir: string;
  /** Lifetime of each offer in seconds (`add()`'s `expires`: the offer's `expires` = own clock + lifetime), or null for none. */
  readonly lifetime: number | null;
}

const hexBytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const print = (line: unknown): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

async function main(a: SkewedSellerArgs): Promise<void> {
  const session = new Wampy(a.wsUrl, {
    ws: WebSocket as never,
    realm: 'realm1',
    serializer: new CborSerializer(),
    authid: memberAuthidOf(a.member),
    authmethods: ['ticket'],
    onChallenge: () => MEMBER_TICKET,
    uriValidation: 'loose',
  });
  await session.connect();
  const seller = new SimpleSeller(hexBytes(a.maker), hexBytes(a.delegateKey), {
    statePath: `${a.dir}/paying.json`,
    archivePath: `${a.dir}/keys`,
    logger: createLogger({ component: 'skewed-seller', member: a.member }),
  });
  const apiId = hexBytes(a.apiId);
  seller.add(apiId, 'xbr.demo.', BigInt(a.price), { interval: 86_400, ...(a.lifetime === null ? {} : { expires: a.lifetime }) });
  try {
    await seller.start(session as never);
  } catch (err) {
    if (!(err instanceof WampError)) throw err;
    // The seller reports a refused offer as its key rotation failing; the maker's own refusal is the cause.
    const cause = err.cause instanceof WampError ? err.cause.uri : null;
    print({ refused: { clock_ms: Date.now(), uri: err.uri, cause_uri: cause, message: err.message } });
    await session.disconnect();
    return;
  }
  const p = await seller.wrap(apiId, 'xbr.demo.probe', { probe: a.member });
  print({ selling: { clock_ms: Date.now(), probe: { key_id: Buffer.from(p.keyId).toString('hex'), serializer: p.serializer, ciphertext: Buffer.from(p.ciphertext).toString('hex') } } });
}

main(JSON.parse(process.argv[2] ?? '{}') as SkewedSellerArgs).catch((err: unknown) => {
  process.stderr.write(`skewed seller failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
