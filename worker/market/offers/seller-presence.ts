/**
 * Which sellers can sell right now. A seller sells through its `xbr.provider.<authid>.sell`; while no
 * session of its authid has that procedure registered, a purchase of its keys would reserve the price on
 * both channels, find no seller, refund, and leave a used seq on both channels. So the maker suspends the
 * offers of a seller that left — they are not sold and are shown as suspended — and resumes them as soon
 * as the seller has registered `sell` again.
 *
 * The maker learns that a seller left from the router's `wamp.session.on_leave` (and, at start, by asking
 * for each seller with sellable offers), and asks the router (`wamp.registration.lookup`) whether `sell` is
 * registered. Only suspended sellers are looked up again, at the purchase or quote that needs them, so a
 * seller that is online costs a purchase nothing.
 */
import { providerSellUri } from '../../../schema/index.js';

/** Asks the router whether `uri` has a registration (`wamp.registration.lookup`). */
export type RegistrationLookup = (uri: string) => Promise<boolean>;

export class SellerPresence {
  readonly #suspended = new Set<string>();
  /** Authids with offers in this market: only their leaving matters (others are never looked up). */
  readonly #sellers = new Set<string>();
  readonly #lookup: RegistrationLookup;
  /** Set when the router refuses the maker what presence needs: every seller then counts as connected. */
  #disabled: string | undefined;

  constructor(lookup: RegistrationLookup) {
    this.#lookup = lookup;
  }

  /** Follows `authid` from now on: it has offers here. */
  track(authid: string): void {
    this.#sellers.add(authid);
  }

  /** Whether `authid` has offers here (so its leaving is looked into). */
  isTracked(authid: string): boolean {
    return this.#sellers.has(authid);
  }

  /** Stops suspending (`why`: what the router refused); suspended offers are resumed. */
  disable(why: string): void {
    this.#disabled = why;
    this.#suspended.clear();
  }

  /** Why presence is off, if it is. */
  get disabled(): string | undefined {
    return this.#disabled;
  }

  /** Whether the offers of `authid` are suspended now (no lookup: what the maker last saw). */
  isSuspended(authid: string): boolean {
    return this.#suspended.has(authid);
  }

  /** The sellers whose offers are suspended now. */
  suspended(): readonly string[] {
    return [...this.#suspended];
  }

  /**
   * Looks `authid` up: suspends its offers when its `sell` is not registered, resumes them when it is.
   * @returns whether the seller can sell
   */
  async refresh(authid: string): Promise<boolean> {
    if (this.#disabled !== undefined) return true;
    const online = await this.#lookup(providerSellUri(authid));
    if (online) this.#suspended.delete(authid);
    else this.#suspended.add(authid);
    return online;
  }

  /**
   * Whether `authid` can sell now: true at once for a seller that is not suspended; a suspended one is looked
   * up again (it may have come back since).
   */
  async canSell(authid: string): Promise<boolean> {
    return this.#suspended.has(authid) ? this.refresh(authid) : true;
  }
}
