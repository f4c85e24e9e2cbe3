/**
 * The seller side of the CLI and the demo: logs in as the seller member, makes sure its delegate has a
 * paying channel, runs a {@link SimpleSeller} for one API and publishes encrypted sample events on a topic.
 */
import { join } from 'node:path';
import { computeAddress, hexlify } from 'ethers';
import { loadBuyerConfig, wampySession } from '../buyer/index.js';
import { SimpleSeller, type EncryptedPayload } from '../seller/index.js';
import { parseAddress } from '../../schema/codec/index.js';
import type { Uuid } from '../../schema/codec/index.js';
import { createLogger } from '../../schema/index.js';
import { formatXbr } from './amounts.js';
import { CliError, describeError } from './errors.js';
import { connectionReporter, loginMember, type MemberRoleOptions, type MemberSession } from './login.js';
import type { Output } from './output.js';
import { shortId } from './output.js';
import { ensurePayingChannel } from './paying-channel.js';

export interface SellerRoleOptions extends MemberRoleOptions {
  /** `0x` + 32 hex digits. */
  apiId: string;
  topic: string;
  price: bigint;
  /** Key rotation (s) and/or after this many events. */
  interval: number;
  perKey: number | undefined;
  payingAmount: bigint;
  dataDir: string | undefined;
}

/** A sample reading, the kind of data a provider sells. */
export interface SampleEvent {
  seq: number;
  sensor: string;
  celsius: number;
  at: string;
}

export function sampleEvent(seq: number): SampleEvent {
  return { seq, sensor: 'demo-sensor-1', celsius: Math.round((20 + 5 * Math.sin(seq / 3)) * 100) / 100, at: new Date().toISOString() };
}

export class SellerRole {
  #startBalance: bigint | undefined;
  #shownSeq = 0;

  private constructor(
    readonly session: MemberSession,
    readonly seller: SimpleSeller,
    readonly apiId: Uuid,
    readonly topic: string,
    readonly channelId: Uuid | undefined,
    private readonly output: Output,
    private readonly keepOffers: boolean,
  ) {
    const b = seller.balance();
    this.#startBalance = b?.balance;
    this.#shownSeq = b?.seq ?? 0;
  }

  /** @throws CliError */
  static async start(o: SellerRoleOptions): Promise<SellerRole> {
    const say = (s: string): void => o.output.out(`seller: ${s}`);
    const session = await loginMember({ url: o.url, realm: o.realm, memberKey: o.memberKey, loginSeed: o.loginSeed, onConnection: connectionReporter(o.output, 'seller') });
    try {
      const delegate = parseAddress(computeAddress(hexlify(o.delegateKey)));
      say(`logged in as ${session.authid} (delegate ${computeAddress(hexlify(o.delegateKey))})`);
      const maker = parseAddress(o.devchain.address('maker'));
      const makerSession = wampySession(session.client);
      const config = await loadBuyerConfig(makerSession.call.bind(makerSession), maker);
      const channel = await ensurePayingChannel(session.client, config, { memberKey: o.memberKey, member: session.member, delegate, amount: o.payingAmount });
      say(`paying channel ${shortId(channel.channelId)} ${channel.opened ? 'opened' : 'in use'}: ${formatXbr(channel.remaining)} left to earn`);
      const seller = new SimpleSeller(maker, o.delegateKey, {
        providerId: session.authid,
        archivePath: o.dataDir === undefined ? undefined : join(o.dataDir, 'keys'),
        statePath: o.dataDir === undefined ? undefined : join(o.dataDir, 'paying.json'),
        logger: createLogger({ component: 'seller' }, o.logLevel),
      });
      const apiId = new Uint8Array(Buffer.from(o.apiId.replace(/^0x/, ''), 'hex')) as Uuid;
      seller.add(apiId, o.topic, o.price, { interval: o.interval, count: o.perKey });
      await seller.start(session.client);
      say(`selling ${o.topic} at ${formatXbr(o.price)} per key (new key every ${o.interval} s${o.perKey === undefined ? '' : ` or ${o.perKey} events`})`);
      return new SellerRole(session, seller, apiId, o.topic, channel.channelId, o.output, o.dataDir !== undefined);
    } catch (err) {
      await session.client.disconnect().catch(() => undefined);
      throw err instanceof CliError ? err : new CliError(`the seller could not start: ${describeError(err)}`, undefined, { cause: err });
    }
  }

  /**
   * Encrypts `event` under the current key and publishes `[key_id, serializer, ciphertext]`. Resolves with
   * undefined when the connection to the router was lost before the broker acknowledged it (delivered or not:
   * nobody can tell; the session is rejoining and the caller may go on with the next event).
   * @throws CliError when the broker refused the event
   */
  async publish(event: unknown): Promise<EncryptedPayload | undefined> {
    const enc = await this.seller.wrap(this.apiId, this.topic, event);
    try {
      await this.session.client.publish(this.topic, { argsList: [enc.keyId, enc.serializer, enc.ciphertext] }, { acknowledge: true });
    } catch (err) {
      // The broker's refusals carry a URI; wampy fails what was pending without one when the socket closed.
      if (typeof (err as { errorUri?: unknown } | null)?.errorUri !== 'string') return undefined;
      throw new CliError(`cannot publish on ${this.topic}: ${describeError(err)}`, undefined, { cause: err });
    }
    return enc;
  }

  /** Earned this run and left in the paying channel, from the seller's own co-signed state. */
  balance(): { earned: bigint; remaining: bigint; seq: number } | undefined {
    const b = this.seller.balance();
    if (b === null) return undefined;
    this.#startBalance ??= b.balance;
    return { earned: this.#startBalance - b.balance, remaining: b.balance, seq: b.seq };
  }

  /** The balance line if it changed since the last one shown. */
  balanceLineIfChanged(): string | undefined {
    const b = this.balance();
    if (b === undefined || b.seq === this.#shownSeq) return undefined;
    this.#shownSeq = b.seq;
    return this.balanceLine();
  }

  balanceLine(): string {
    const b = this.balance();
    return b === undefined ? 'seller: no paying channel' : `seller: earned ${formatXbr(b.earned)} this run, paying channel ${formatXbr(b.remaining)} left (seq ${b.seq})`;
  }

  /**
   * Stops selling (revokes the offers unless keys are archived in a data dir) and leaves the realm; with
   * `close`, first closes the paying channel cooperatively (after the last sale, in the seller's queue).
   * @throws CliError when the close was asked for and failed (the channel stays open; nothing is lost)
   */
  async stop(options: { close: boolean } = { close: false }): Promise<void> {
    let closeError: unknown;
    if (options.close && this.seller.balance() !== null) {
      try {
        const r = await this.seller.closeChannel();
        this.output.out(`seller: paying channel ${shortId(r.channelId)} closed at seq ${r.seq}: ${formatXbr(r.remaining)} back to the market maker (tx 0x${Buffer.from(r.transaction).toString('hex')})`);
      } catch (err) {
        this.output.err(`seller: could not close the paying channel: ${describeError(err)}`);
        closeError = err;
      }
    }
    try {
      await this.seller.stop({ revokeOffers: !this.keepOffers });
    } catch (err) {
      this.output.err(`seller: stop: ${describeError(err)}`);
    }
    await this.session.client.disconnect().catch(() => undefined);
    if (closeError !== undefined) throw new CliError(`could not close the paying channel: ${describeError(closeError)}`, undefined, { cause: closeError });
  }
}
