/**
 * A seller delegate in a process of its own, so that the crash proof can SIGKILL it: the project's
 * `SimpleSeller` with its durable state (`<dir>/paying.json`) and key archive (`<dir>/keys`), logged in as a
 * member through the e2e ticket principals on a session that rejoins by itself when the router goes away.
 *
 * `node --import tsx test/proof/seller-process.ts '<json SellerProcessArgs>'`. Once selling it prints one line
 * `{"probe": {"key_id", "serializer", "ciphertext"}}` (hex): a payload encrypted with the key it offers, which a
 * buyer decrypts to tell that the key it bought is the offered one. A restarted process (same directory) sells
 * the keys of its archive again and resumes its paying channel from the state file.
 */
import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import WebSocket from 'ws';
import { SimpleSeller } from '../../plugins/seller/index.js';
import { createLogger } from '../../schema/index.js';
import { MEMBER_TICKET, memberAuthidOf } from '../e2e/market/offers-purchase-helpers.js';

export interface SellerProcessArgs {
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
}

const hexBytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

async function main(a: SellerProcessArgs): Promise<void> {
  const session = new Wampy(a.wsUrl, {
    ws: WebSocket as never,
    realm: 'realm1',
    serializer: new CborSerializer(),
    authid: memberAuthidOf(a.member),
    authmethods: ['ticket'],
    onChallenge: () => MEMBER_TICKET,
    uriValidation: 'loose',
    autoReconnect: true,
    reconnectInterval: 500,
    maxRetries: 0,
  });
  await session.connect();
  const seller = new SimpleSeller(hexBytes(a.maker), hexBytes(a.delegateKey), {
    statePath: `${a.dir}/paying.json`,
    archivePath: `${a.dir}/keys`,
    logger: createLogger({ component: 'proof-seller', member: a.member }),
  });
  const apiId = hexBytes(a.apiId);
  // One key for the whole run: the buyers buy it over and over; a rotation would only add offers.
  seller.add(apiId, 'xbr.demo.', BigInt(a.price), { interval: 86_400 });
  await seller.start(session as never);
  const p = await seller.wrap(apiId, 'xbr.demo.probe', { probe: a.member });
  process.stdout.write(`${JSON.stringify({ probe: { key_id: Buffer.from(p.keyId).toString('hex'), serializer: p.serializer, ciphertext: Buffer.from(p.ciphertext).toString('hex') } })}\n`);
}

main(JSON.parse(process.argv[2] ?? '{}') as SellerProcessArgs).catch((err: unknown) => {
  process.stderr.write(`seller process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
