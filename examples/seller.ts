/**
 * A data provider's seller delegate: a key series for one API, each key offered to the market maker before it
 * encrypts, events published encrypted. `session` is a wampy session in the market's realm, authenticated as
 * a member (cryptosign with the member login, as `xbr-edge seller` does): only a member may register the
 * seller's procedures `xbr.provider.<authid>.*`.
 */
import { SimpleSeller, type SellerSession } from 'xbr-edge/seller';
import type { Uuid } from 'xbr-edge/codec';

interface Publisher {
  publish(topic: string, payload: { argsList: unknown[] }): Promise<unknown>;
}

export async function sellTemperatures(session: SellerSession & Publisher, maker: Uint8Array, delegateKey: Uint8Array, apiId: Uuid): Promise<void> {
  const seller = new SimpleSeller(maker, delegateKey, { archivePath: './seller-keys', statePath: './seller-paying.json' });
  // a new key every 60 s or every 100 events, each sold for 0.001 XBR (18 decimals)
  seller.add(apiId, 'xbr.demo.temperature', 10n ** 15n, { interval: 60, count: 100 });
  await seller.start(session);
  try {
    for (const celsius of [21.5, 21.7, 22.0]) {
      const { keyId, serializer, ciphertext } = await seller.wrap(apiId, 'xbr.demo.temperature', { celsius });
      await session.publish('xbr.demo.temperature', { argsList: [keyId, serializer, ciphertext] });
    }
  } finally {
    await seller.stop();
  }
}
