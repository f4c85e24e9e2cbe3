/**
 * The buyer side of the CLI and the demo: logs in as the buyer member, runs a {@link SimpleBuyer} whose
 * payment channel it opens when the delegate has none (the member approves and signs, the maker submits),
 * subscribes to a topic and decrypts every event, buying each key once.
 */
import { computeAddress, hexlify } from 'ethers';
import { SimpleBuyer } from '../buyer/index.js';
import { formatUuid } from '../../schema/codec/index.js';
import { createLogger } from '../../schema/index.js';
import { formatXbr } from './amounts.js';
import { CliError, describeError } from './errors.js';
import { SerialQueue } from '../common/index.js';
import { connectionReporter, loginMember, type MemberRoleOptions, type MemberSession } from './login.js';
import { shortId, type Output } from './output.js';

export interface BuyerRoleOptions extends MemberRoleOptions {
  /** Deposit of a payment channel opened at start. */
  amount: bigint;
  maxPrice: bigint | undefined;
}

/** One decrypted event, with what its key cost (0 when the key was already held). */
export interface Decrypted {
  data: unknown;
  keyId: Uint8Array;
  paid: bigint;
}

export class BuyerRole {
  readonly #events = new SerialQueue();
  #subscribed: string | undefined;

  private constructor(
    readonly session: MemberSession,
    readonly buyer: SimpleBuyer,
    private readonly output: Output,
  ) {}

  /** @throws CliError */
  static async start(o: BuyerRoleOptions): Promise<BuyerRole> {
    const say = (s: string): void => o.output.out(`buyer: ${s}`);
    const session = await loginMember({ url: o.url, realm: o.realm, memberKey: o.memberKey, loginSeed: o.loginSeed, onConnection: connectionReporter(o.output, 'buyer') });
    try {
      say(`logged in as ${session.authid} (delegate ${computeAddress(hexlify(o.delegateKey))})`);
      // The Ed25519 key keys are sealed to: one per run is enough, bought keys live as long as the run.
      const buyer = new SimpleBuyer(o.devchain.address('maker'), o.delegateKey, o.loginSeed, {
        ...(o.maxPrice === undefined ? {} : { maxPrice: o.maxPrice }),
        openChannel: { amount: o.amount, memberKey: o.memberKey, provider: o.devchain.chainUrl },
        logger: createLogger({ component: 'buyer' }, o.logLevel),
      });
      const remaining = await buyer.start(session.client);
      const ch = buyer.channel!;
      say(`payment channel ${shortId(ch.channelId)} (seq ${ch.seq}): ${formatXbr(remaining)} to spend`);
      return new BuyerRole(session, buyer, o.output);
    } catch (err) {
      await session.client.disconnect().catch(() => undefined);
      throw err instanceof CliError ? err : new CliError(`the buyer could not start: ${describeError(err)}`, undefined, { cause: err });
    }
  }

  /**
   * Subscribes to `topic`; each event `[key_id, serializer, ciphertext]` is decrypted in arrival order and
   * handed to `onData`. An event that cannot be decrypted is reported on stderr and skipped.
   */
  async subscribe(topic: string, onData: (d: Decrypted) => void): Promise<void> {
    const handle = (argsList: unknown[] | undefined): void => {
      this.#events.run(async () => {
        const [keyId, serializer, ciphertext] = argsList ?? [];
        if (!(keyId instanceof Uint8Array) || typeof serializer !== 'string' || !(ciphertext instanceof Uint8Array)) {
          this.output.err(`buyer: skipped an event on ${topic} that is not [key_id, serializer, ciphertext]`);
          return;
        }
        const before = this.buyer.channel?.remaining;
        const bought = this.buyer.keyCount;
        try {
          const data = await this.buyer.unwrap(keyId, serializer, ciphertext);
          const after = this.buyer.channel?.remaining;
          const paid = this.buyer.keyCount > bought && before !== undefined && after !== undefined ? before - after : 0n;
          onData({ data, keyId, paid });
        } catch (err) {
          this.output.err(`buyer: cannot decrypt an event (key ${formatUuid(keyId)}): ${describeError(err)}`);
        }
      }).catch((err: unknown) => this.output.err(`buyer: handling an event on ${topic} failed: ${describeError(err)}`));
    };
    try {
      await this.session.client.subscribe(topic, (ev: { argsList?: unknown[] }) => handle(ev.argsList));
    } catch (err) {
      throw new CliError(`cannot subscribe to ${topic}: ${describeError(err)}`, undefined, { cause: err });
    }
    this.#subscribed = topic;
    this.output.out(`buyer: subscribed to ${topic}`);
  }

  /** Waits for the events received so far to be handled. */
  drain(): Promise<void> {
    return this.#events.idle();
  }

  balanceLine(): string {
    const ch = this.buyer.channel;
    return ch === undefined ? 'buyer: no payment channel' : `buyer: payment channel ${formatXbr(ch.remaining)} left (seq ${ch.seq}), ${this.buyer.keyCount} key(s) bought`;
  }

  /** Stops; with `close`, closes the payment channel cooperatively first (the member gets the rest back). */
  async stop(options: { close: boolean }): Promise<void> {
    if (this.#subscribed !== undefined) await this.session.client.unsubscribe(this.#subscribed).catch(() => undefined);
    await this.#events.idle();
    try {
      if (options.close && this.buyer.channel !== undefined) {
        const r = await this.buyer.closeChannel();
        this.output.out(`buyer: payment channel ${shortId(r.channelId)} closed at seq ${r.seq}: ${formatXbr(r.remaining)} back to the member (tx 0x${Buffer.from(r.transaction).toString('hex')})`);
      }
    } catch (err) {
      this.output.err(`buyer: could not close the payment channel: ${describeError(err)}`);
      throw new CliError(`could not close the payment channel: ${describeError(err)}`, undefined, { cause: err });
    } finally {
      await this.buyer.stop();
      await this.session.client.disconnect().catch(() => undefined);
    }
  }
}
