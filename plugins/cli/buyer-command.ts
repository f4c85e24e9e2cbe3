/** `xbr-edge buyer`: buys keys and prints the decrypted events of a topic until `--count` events or Ctrl-C. */
import { formatXbr } from './amounts.js';
import { parseBuyerArgs } from './args.js';
import { BuyerRole } from './buyer-role.js';
import { readDevchainFile } from './devchain-file.js';
import { ExitCode } from './errors.js';
import { watchInterrupt } from './interrupt.js';
import { keyOrDemo, loginSeed } from './keys.js';
import { shortId, show, type Output } from './output.js';
import { BUYER_USAGE } from './usage.js';

export async function buyerCommand(argv: readonly string[], output: Output): Promise<number> {
  const a = parseBuyerArgs(argv);
  if (a.help) {
    output.out(BUYER_USAGE);
    return ExitCode.ok;
  }
  const devchain = readDevchainFile(a.devchain);
  const role = await BuyerRole.start({
    url: a.url,
    realm: a.realm,
    devchain,
    memberKey: keyOrDemo('--member-key', a.memberKey, devchain, 'buyer'),
    delegateKey: keyOrDemo('--delegate-key', a.delegateKey, devchain, 'buyerDelegate'),
    loginSeed: loginSeed(a.loginKey),
    amount: a.amount,
    maxPrice: a.maxPrice,
    logLevel: a.logLevel,
    output,
  });
  const interrupt = watchInterrupt(() => output.out('buyer: stopping (Ctrl-C again to quit at once)'));
  let received = 0;
  let enough!: () => void;
  const done = new Promise<void>((r) => (enough = r));
  try {
    await role.subscribe(a.topic, (d) => {
      if (d.paid > 0n) output.out(`buyer: bought key ${shortId(d.keyId)} for ${formatXbr(d.paid)}: ${formatXbr(role.buyer.channel!.remaining)} left`);
      output.out(`buyer: decrypted ${show(d.data)}`);
      if (a.count !== undefined && ++received >= a.count) enough();
    });
    await Promise.race([done, interrupt.signal]);
  } finally {
    interrupt.dispose();
    output.out(role.balanceLine());
    await role.stop({ close: a.close });
  }
  return ExitCode.ok;
}
