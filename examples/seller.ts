/**
 * A data provider's seller delegate: a key series for one API, each key offered to the market maker before it
 * encrypts, events published encrypted. Run against a node started with `npm start` (the demo market):
 *
 *   node --import tsx examples/seller.ts <maker address> <seller delegate key hex> <api id hex>
 */
import { randomBytes } from 'node:crypto';
import { Wampy } from 'wampy';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import WebSocket from 'ws';
import { parseAddress, parseUuid } from 'xbr-edge/codec';
import { SimpleSeller } from 'xbr-edge/seller';

const [makerArg, keyArg, apiArg] = process.argv.slice(2);
if (makerArg === undefined || keyArg === undefined || apiArg === undefined) throw new Error('usage: seller.ts <maker address> <delegate key hex> <api id>');

const session = new Wampy('ws://127.0.0.1:8080/', { ws: WebSocket, realm: 'realm1', serializer: new MsgpackSerializer() });
await session.connect();

const seller = new SimpleSeller(parseAddress(makerArg), Buffer.from(keyArg.replace(/^0x/, ''), 'hex'), { archivePath: './seller-keys', statePath: './seller-paying.json' });
const apiId = parseUuid(apiArg);
// a new key every 60 s or every 100 events, each sold for 0.001 XBR
seller.add(apiId, 'xbr.demo.temperature', 10n ** 15n, { interval: 60, count: 100 });
await seller.start(session);

const encrypted = await seller.wrap(apiId, 'xbr.demo.temperature', { celsius: 21.5, sample: randomBytes(4).toString('hex') });
await session.publish('xbr.demo.temperature', { argsList: [encrypted.keyId, encrypted.serializer, encrypted.ciphertext] });

await seller.stop();
await session.disconnect();
