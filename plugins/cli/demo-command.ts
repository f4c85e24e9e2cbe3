/**
 * `npm run demo`: the seller and the buyer of the demo accounts in one process against a running edge.
 * The seller publishes `--count` events (a new key every two events, so several keys are bought), the
 * buyer decrypts them; the demo checks every decrypted event equals what was published, prints both
 * balances, closes the buyer's payment channel cooperatively (unless `--keep-open`) and exits 0.
 *
 * The seller's paying channel stays open: the maker allows one per seller delegate and the next run
 * reuses it, so its balance shows the earnings of every run.
 */
import { formatXbr } from './amounts.js';
import { parseDemoArgs } from './args.js';
import { BuyerRole } from './buyer-role.js';
import { readDevchainFile } from './devchain-file.js';
import { CliError, ExitCode } from './errors.js';
import { watchInterrupt } from './interrupt.js';
import { keyOrDemo, loginSeed } from './keys.js';
import { shortId, show, type Output } from './output.js';
import { sampleEvent, SellerRole } from './seller-role.js';
import { DEMO_USAGE } from './usage.js';

/** Events per key: small, so a short demo buys several keys. */
const EVENTS_PER_KEY = 2;
/** Slack on top of the publishing time for the last purchases (ms). */
const SETTLE_MS = 60_000;

export async function demoCommand(argv: readonly string[], output: Output): Promise<number> {
  const a = parseDemoArgs(argv);
  if (a.help) {
    output.out(DEMO_USAGE);
    return ExitCode.ok;
  }
  const devchain = readDevchainFile(a.devchain);
  const common = { url: a.url, realm: a.realm, devchain, logLevel: a.logLevel, output };
  const seller = await SellerRole.start({
    ...common,
    memberKey: keyOrDemo('--member-key', undefined, devchain, 'seller'),
    delegateKey: keyOrDemo('--delegate-key', undefined, devchain, 'sellerDelegate'),
    loginSeed: loginSeed(undefined),
    apiId: devchain.apiId,
    topic: a.topic,
    price: a.price,
    interval: 3600,
    perKey: EVENTS_PER_KEY,
    payingAmount: 100n * 10n ** 18n,
    dataDir: undefined,
  });
  let buyer: BuyerRole | undefined;
  const interrupt = watchInterrupt(() => output.out('demo: stopping (Ctrl-C again to quit at once)'));
  try {
    buyer = await BuyerRole.start({
      ...common,
      memberKey: keyOrDemo('--member-key', undefined, devchain, 'buyer'),
      delegateKey: keyOrDemo('--delegate-key', undefined, devchain, 'buyerDelegate'),
      loginSeed: loginSeed(undefined),
      amount: a.amount,
      maxPrice: undefined,
    });
    const published = new Map<number, string>();
    const decrypted = new Map<number, string>();
    let all!: () => void;
    const complete = new Promise<void>((r) => (all = r));
    const b = buyer;
    await b.subscribe(a.topic, (d) => {
      if (d.paid > 0n) {
        output.out(`buyer: bought key ${shortId(d.keyId)} for ${formatXbr(d.paid)}`);
        output.out(b.balanceLine());
        output.out(seller.balanceLine());
      }
      output.out(`buyer: decrypted ${show(d.data)}`);
      const seq = (d.data as { seq?: unknown } | null)?.seq;
      if (typeof seq === 'number') decrypted.set(seq, show(d.data));
      if (decrypted.size >= a.count) all();
    });

    for (let i = 1; i <= a.count; i++) {
      const event = sampleEvent(i);
      const enc = await seller.publish(event);
      if (enc === undefined) throw new CliError(`event #${i} not acknowledged: the connection to the router was lost`);
      published.set(i, show(event));
      output.out(`seller: published #${i} key ${shortId(enc.keyId)} ${show(event)}`);
      if (i < a.count && (await interrupt.sleep(1000 / a.rate))) break;
    }
    const waitMs = SETTLE_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), waitMs)));
    const outcome = await Promise.race([complete.then(() => 'done' as const), interrupt.signal.then(() => 'interrupted' as const), timedOut]);
    clearTimeout(timer);
    await b.drain();

    output.out('demo: balances');
    output.out(b.balanceLine());
    output.out(seller.balanceLine());
    if (outcome === 'interrupted') return ExitCode.ok;
    const wrong = [...published].filter(([seq, json]) => decrypted.get(seq) !== json).map(([seq]) => seq);
    if (wrong.length > 0) {
      throw new CliError(`the buyer decrypted ${a.count - wrong.length} of ${a.count} events as published; missing or different: #${wrong.join(', #')}${outcome === 'timeout' ? ` (waited ${waitMs / 1000} s)` : ''}`);
    }
    output.out(`demo: ${a.count} events published, bought and decrypted`);
    return ExitCode.ok;
  } finally {
    interrupt.dispose();
    try {
      await buyer?.stop({ close: !a.keepOpen });
    } finally {
      await seller.stop();
    }
  }
}
