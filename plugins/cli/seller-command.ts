/** `xbr-edge seller`: sells encrypted sample events on a topic until `--count` events or Ctrl-C. */
import { parseSellerArgs } from './args.js';
import { readDevchainFile } from './devchain-file.js';
import { ExitCode } from './errors.js';
import { watchInterrupt } from './interrupt.js';
import { keyOrDemo, loginSeed } from './keys.js';
import { shortId, type Output } from './output.js';
import { sampleEvent, SellerRole } from './seller-role.js';
import { requestPayingChannelClose, showSellerStatus } from './seller-status.js';
import { SELLER_USAGE } from './usage.js';

export async function sellerCommand(argv: readonly string[], output: Output): Promise<number> {
  const a = parseSellerArgs(argv);
  if (a.help) {
    output.out(SELLER_USAGE);
    return ExitCode.ok;
  }
  const devchain = readDevchainFile(a.devchain);
  if (a.status || a.requestClose) {
    const o = { url: a.url, realm: a.realm, memberKey: keyOrDemo('--member-key', a.memberKey, devchain, 'seller'), loginSeed: loginSeed(a.loginKey), delegateKey: keyOrDemo('--delegate-key', a.delegateKey, devchain, 'sellerDelegate'), output };
    if (a.status) await showSellerStatus(o, a.json);
    else await requestPayingChannelClose(o);
    return ExitCode.ok;
  }
  const role = await SellerRole.start({
    url: a.url,
    realm: a.realm,
    devchain,
    memberKey: keyOrDemo('--member-key', a.memberKey, devchain, 'seller'),
    delegateKey: keyOrDemo('--delegate-key', a.delegateKey, devchain, 'sellerDelegate'),
    loginSeed: loginSeed(a.loginKey),
    apiId: a.api ?? devchain.apiId,
    topic: a.topic,
    price: a.price,
    interval: a.interval,
    perKey: a.perKey,
    payingAmount: a.payingAmount,
    dataDir: a.dataDir,
    logLevel: a.logLevel,
    output,
  });
  const interrupt = watchInterrupt(() => output.out('seller: stopping (Ctrl-C again to quit at once)'));
  // Sales happen when buyers buy: show the seller's balance whenever its co-signed state moved.
  const watch = setInterval(() => {
    const line = role.balanceLineIfChanged();
    if (line !== undefined) output.out(line);
  }, 500);
  try {
    for (let i = 1; a.count === undefined || i <= a.count; i++) {
      const event = sampleEvent(i);
      const enc = await role.publish(event);
      // Lost with the connection before the broker acknowledged it: it may have been delivered or not.
      if (enc === undefined) output.err(`seller: event #${i} not acknowledged (the connection to the router was lost): ${JSON.stringify(event)}`);
      else output.out(`seller: published #${i} key ${shortId(enc.keyId)} ${JSON.stringify(event)}`);
      if (a.count !== undefined && i === a.count) break;
      if (await interrupt.sleep(1000 / a.rate)) break;
    }
  } finally {
    clearInterval(watch);
    interrupt.dispose();
    output.out(role.balanceLine());
    await role.stop({ close: a.close });
  }
  return ExitCode.ok;
}
