/**
 * The keys of the sessions the market's authenticator admitted, shared by `authenticate` (remembers them) and
 * `logout` (forgets them): session id → hex public key, bounded. After a maker restart, or for a session
 * forgotten meanwhile, `logout` reads the key from the router's session meta API (`authextra.pubkey`).
 */

/** Sessions whose key is remembered at most (oldest forgotten first; logout then asks the router). */
const MAX_REMEMBERED_SESSIONS = 10_000;

/** Session id → the hex public key it logged in with; one per maker (the auth part's). */
export class SessionKeys {
  private readonly keyBySession = new Map<string, string>();

  remember(session: unknown, pubkeyHex: string): void {
    const keyBySession = this.keyBySession;
    keyBySession.delete(String(session));
    keyBySession.set(String(session), pubkeyHex);
    if (keyBySession.size > MAX_REMEMBERED_SESSIONS) keyBySession.delete(keyBySession.keys().next().value as string);
  }

  get(session: unknown): string | undefined {
    return this.keyBySession.get(String(session));
  }

  forget(session: unknown): void {
    this.keyBySession.delete(String(session));
  }
}

/** Bytes from raw bytes or (0x-)hex text; undefined when it is neither. */
export function bytesOf(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string' && /^(0x)?([0-9a-fA-F]{2})*$/.test(v)) return new Uint8Array(Buffer.from(v.replace(/^0x/, ''), 'hex'));
  return undefined;
}
