/**
 * Child-process fixture of `crash.test.ts`: a TransactionSender on a hardhat node, killed by the parent.
 *
 * `node --import tsx crash-sender.ts <rpc-url> <journal-dir> <private-key> <mode>`
 * - `after-broadcast`: three sends that settle, then one that stops after its broadcast and prints
 *   `BROADCAST <hash> <nonce>` (the parent SIGKILLs it there, before the journal entry is closed);
 * - `stream`: sends 8 at a time forever, printing `SENT <nonce>` per settled send (killed at random).
 */
import { JsonRpcProvider, Wallet } from 'ethers';
import { createLogger } from '../../../schema/log.js';
import { BroadcastJournal, TransactionSender, type SenderHooks } from '../../../worker/chain/index.js';

const [url, dir, key, mode] = process.argv.slice(2) as [string, string, string, string];
const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
const journal = await BroadcastJournal.open(dir);
let crashNext = false;
const hooks: SenderHooks = {
  afterBroadcast: (e) => {
    if (!crashNext) return;
    process.stdout.write(`BROADCAST ${e.tx_hash} ${e.nonce}\n`);
    return new Promise<void>(() => undefined);
  },
};
const sender = new TransactionSender({ provider, privateKey: key, journal, pollIntervalMs: 20, logger: createLogger({}, 'error'), hooks });
const to = (): string => Wallet.createRandom().address;
process.stdout.write('READY\n');
if (mode === 'after-broadcast') {
  for (let i = 0; i < 3; i++) await sender.send({ to: to(), value: 1n });
  crashNext = true;
  await sender.send({ to: to(), value: 2n });
} else {
  for (;;) {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const r = await sender.send({ to: to(), value: 1n });
        process.stdout.write(`SENT ${r.entry.nonce}\n`);
      }),
    );
  }
}
