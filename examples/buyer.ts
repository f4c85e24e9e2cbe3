/**
 * A data consumer's buyer delegate: it finds its payment channel, buys each data key once (an EIP712-signed
 * balance update per key) and decrypts the events. Run against a node started with `npm start`:
 *
 *   node --import tsx examples/buyer.ts <maker address> <buyer delegate key hex>
 */
import { randomBytes } from 'node:crypto';
import { Wampy } from 'wampy';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import WebSocket from 'ws';
import { SimpleBuyer } from 'xbr-edge/buyer';

const [makerArg, keyArg] = process.argv.slice(2);
if (makerArg === undefined || keyArg === undefined) throw new Error('usage: buyer.ts <maker address> <delegate key hex>');

const session = new Wampy('ws://127.0.0.1:8080/', { ws: WebSocket, realm: 'realm1', serializer: new MsgpackSerializer() });
await session.connect();

// the Ed25519 seed the maker's sealed boxes are addressed to (the seller seals each key to its public key)
const buyer = new SimpleBuyer(makerArg, Buffer.from(keyArg.replace(/^0x/, ''), 'hex'), randomBytes(32), { maxPrice: 10n ** 16n });
const remaining: bigint = await buyer.start(session);
console.log(`payment channel: ${remaining} remaining`);

await session.subscribe('xbr.demo.temperature', async (event) => {
  const [keyId, serializer, ciphertext] = event.argsList as [Uint8Array, string, Uint8Array];
  console.log(await buyer.unwrap(keyId, serializer, ciphertext));
});
