/**
 * A data consumer's buyer delegate: it finds its payment channel, buys each data key once (an EIP712-signed
 * balance update per key), unseals it with its Ed25519 key and decrypts the events. `session` is a wampy
 * session in the market's realm, authenticated as a member (as `xbr-edge buyer` does).
 */
import { randomBytes } from 'node:crypto';
import { SimpleBuyer, type WampyLike } from 'xbr-edge/buyer';

interface Subscriber {
  subscribe(topic: string, onEvent: (event: { argsList?: unknown[] }) => void | Promise<void>): Promise<unknown>;
}

export async function buyTemperatures(session: WampyLike & Subscriber, maker: string, delegateKey: Uint8Array): Promise<SimpleBuyer> {
  // the sellers seal each data key to the public key of this Ed25519 seed
  const buyer = new SimpleBuyer(maker, delegateKey, randomBytes(32), { maxPrice: 10n ** 16n });
  const remaining: bigint = await buyer.start(session);
  console.log(`payment channel: ${remaining} remaining`);
  await session.subscribe('xbr.demo.temperature', async (event) => {
    const [keyId, serializer, ciphertext] = event.argsList as [Uint8Array, string, Uint8Array];
    console.log(await buyer.unwrap(keyId, serializer, ciphertext));
  });
  return buyer; // buyer.closeChannel() settles the channel on chain; buyer.stop() leaves it open
}
