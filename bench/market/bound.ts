/**
 * The pure crypto-and-storage cost of one key purchase, all parties in one process, no network: the
 * bound the end-to-end market figure is compared with. One purchase =
 *   buyer: sign EIP712ChannelClose (seq + 1, remaining − price);
 *   maker: `runPurchase` — recover the buyer's signature, reserve (one durable LMDB commit), sign the paying
 *          state; seller: verify the maker's signature, seal the 32-byte key to the buyer's Ed25519 key
 *          (converted to X25519, cached as a seller would), sign the paying state; maker: recover the
 *          seller's signature, resolve (a second durable commit), sign the receipt;
 *   buyer: verify the receipt, open the sealed key.
 * `cpuUs` is the process CPU time (all threads, so LMDB's commit thread too) per purchase during the run.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, getBytes, hexlify } from 'ethers';
import type { Address, Ed25519PublicKey, Hash32, Uuid } from '../../schema/codec/types.js';
import { ed25519PublicKeyToX25519, SealedBoxKeyPair, sealBox } from '../../schema/crypto/index.js';
import { openMakerDb, type MakerDb } from '../../schema/db/maker-db.js';
import type { Offer } from '../../schema/db/records/offer.js';
import { recoverChannelClose, signChannelClose } from '../../schema/eip712/index.js';
import { applyChannelEvent, KeyedMutex, runPurchase, type ReservePurchaseRequest } from '../../worker/market/ledger/index.js';

const PRICE = 10n ** 18n;
const DEPOSIT = 10n ** 30n;

const u = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
/** A random key (Wallet.createRandom derives a mnemonic with PBKDF2: far too slow for fixtures). */
const randomWallet = (): Wallet => new Wallet(hexlify(randomBytes(32)));

/** One market with `buyers` payment channels and `sellers` paying channels (one offer each) in a fresh maker DB. */
interface Fixture {
  db: MakerDb;
  dir: string;
  binding: { chainId: bigint; verifyingContract: Address; marketId: Uuid };
  makerKey: Uint8Array;
  buyers: { key: Uint8Array; delegate: Address; channel: Uuid; edPublic: Ed25519PublicKey; box: SealedBoxKeyPair }[];
  sellers: { key: Uint8Array; offer: Offer; dataKey: Uint8Array }[];
}

async function fixture(buyers: number, sellers: number): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-bench-market-'));
  const db = await openMakerDb({ path: join(dir, 'maker.db') });
  const maker = randomWallet();
  const adr = (w: { address: string }): Address => getBytes(w.address) as Address;
  const binding = { chainId: 31337n, verifyingContract: u(20) as Address, marketId: u(16) as Uuid };
  const open = (ctype: 1 | 2, delegate: Address): Uuid => {
    const channelId = u(16) as Uuid;
    applyChannelEvent(
      db,
      {
        type: 'Opened', ctype, marketId: binding.marketId, channelId, blockNumber: 1n, txHash: u(32) as Hash32,
        actor: u(20) as Address, delegate, marketmaker: adr(maker), recipient: u(20) as Address, amount: DEPOSIT,
      },
      { marketId: binding.marketId, now: process.hrtime.bigint() },
    );
    return channelId;
  };
  const f: Fixture = { db, dir, binding, makerKey: getBytes(maker.privateKey), buyers: [], sellers: [] };
  for (let i = 0; i < sellers; i++) {
    const w = randomWallet();
    open(2, adr(w));
    const offer: Offer = {
      timestamp: 1n, offer: u(16) as Uuid, seller: adr(w), seller_session_id: 1, seller_authid: `seller_${i}`, key: u(16) as Uuid,
      api: u(16) as Uuid, uri: 'xbr.demo.data', valid_from: 1n, signature: u(65) as Offer['signature'], price: PRICE, categories: {},
    };
    db.env.writeSync(() => db.offers.put(offer.offer, offer));
    f.sellers.push({ key: getBytes(w.privateKey), offer, dataKey: u(32) });
  }
  for (let i = 0; i < buyers; i++) {
    const w = randomWallet();
    const ed = generateKeyPairSync('ed25519');
    const jwk = ed.publicKey.export({ format: 'jwk' }) as { x: string };
    f.buyers.push({
      key: getBytes(w.privateKey), delegate: adr(w), channel: open(1, adr(w)),
      edPublic: new Uint8Array(Buffer.from(jwk.x, 'base64url')) as Ed25519PublicKey, box: SealedBoxKeyPair.fromEd25519Secret(ed.privateKey),
    });
  }
  return f;
}

/**
 * Runs purchases for `ms` milliseconds with `buyers` concurrent buyer lanes and `sellers` sellers (lane i
 * buys from seller i mod sellers, as the end-to-end run does); returns purchases per second.
 */
export async function purchaseBound(ms: number, buyers = 1, sellers = 1): Promise<{ perSecond: number; count: number; cpuUs: number }> {
  const f = await fixture(buyers, sellers);
  const mutex = new KeyedMutex();
  let count = 0;
  const closeMessage = (channelId: Uuid, s: number, balance: bigint) => ({ ...f.binding, closeAt: 1n, channelId, channelSeq: s, balance, isFinal: false });
  try {
    const start = performance.now();
    const end = start + ms;
    const cpu0 = process.cpuUsage();
    await Promise.all(
      f.buyers.map(async (b, lane) => {
        const seller = f.sellers[lane % f.sellers.length]!;
        let seq = 1;
        let remaining = DEPOSIT;
        while (performance.now() < end) {
          const balance = remaining - PRICE;
          const signature = signChannelClose(closeMessage(b.channel, seq + 1, balance), b.key);
          const req: ReservePurchaseRequest = {
            ...f.binding, offer: seller.offer, paymentChannelId: b.channel, buyerDelegate: b.delegate, buyerPubkey: b.edPublic,
            amount: PRICE, channelSeq: seq + 1, balance, signature, closeAt: 1n, currentBlock: 2n, now: process.hrtime.bigint(),
          };
          const { resolved, sold } = await runPurchase(f.db, mutex, req, async (reserved) => {
            const paying = reserved.paying!;
            const makerSig = signChannelClose(paying.message, f.makerKey);
            // the seller's side
            if (recoverChannelClose(paying.message, makerSig).length !== 20) throw new Error('bad maker signature');
            const sealedKey = sealBox(seller.dataKey, ed25519PublicKeyToX25519(b.edPublic));
            return { sellerSignature: signChannelClose(paying.message, seller.key), sealedKey };
          });
          const state = closeMessage(b.channel, resolved.paymentBalance.seq, resolved.paymentBalance.remaining);
          const receipt = signChannelClose(state, f.makerKey);
          // the buyer's side
          recoverChannelClose(state, receipt);
          if (!Buffer.from(b.box.open(sold.sealedKey)).equals(seller.dataKey)) throw new Error('sealed key does not open to the data key');
          seq = resolved.paymentBalance.seq;
          remaining = resolved.paymentBalance.remaining;
          count++;
        }
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    return { perSecond: (count * 1000) / (performance.now() - start), count, cpuUs: (cpu.user + cpu.system) / count };
  } finally {
    await f.db.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
}
