/**
 * Logging in to the market realm as a member (docs/protocol.md#member-login, the maker's `authenticate.ts`): WAMP-cryptosign
 * with an Ed25519 key, plus a new-key EIP712MarketMemberLogin signed by the member's Ethereum key, so the maker's
 * authenticator gives the session role `user` and authid `member-0x<address>`. That authid names the
 * seller's `xbr.provider.<authid>.*` procedures, which only role `user` may register in the shipped config.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { computeAddress, hexlify } from 'ethers';
import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { sign as cryptosignSign } from 'wampy/cryptosign.js';
import WebSocket from 'ws';
import { parseAddress } from '../../schema/codec/index.js';
import { sign } from '../../schema/eip712/index.js';
import { WampErrorUri, type LogLevel } from '../../schema/index.js';
import type { DevchainInfo } from './devchain-file.js';
import { CliError, describeError, unreachable } from './errors.js';
import type { Output } from './output.js';
import { toHex as hex } from '../../schema/codec/index.js';

export interface MemberLogin {
  url: string;
  realm: string;
  /** The member's (actor's) 32-byte Ethereum key: signs the login. */
  memberKey: Uint8Array;
  /** 32-byte Ed25519 seed of the session key. */
  loginSeed: Uint8Array;
  /**
   * Told when the session is lost (the router went away) and when it is back. Once logged in, the session
   * rejoins by itself, every second for as long as it takes: a delegate outlives a router restart, and wampy
   * renews its registrations and subscriptions when it is back.
   */
  onConnection?: ((state: 'lost' | 'back') => void) | undefined;
}

/** What both roles (seller, buyer) are started with: where to log in, as whom, and where to report. */
export interface MemberRoleOptions extends MemberLogin {
  devchain: DevchainInfo;
  /** The delegate's 32-byte Ethereum key (signs offers, payments). */
  delegateKey: Uint8Array;
  logLevel: LogLevel;
  output: Output;
}

export interface MemberSession {
  readonly client: Wampy;
  /** `member-0x<lowercase address>` as the router assigned it. */
  readonly authid: string;
  /** `0x…` checksummed address of the member. */
  readonly member: string;
}


/**
 * Joins `realm` at `url` as the member of `memberKey`.
 * @throws CliError exit 3 when the router is not reachable or has no market maker to authenticate;
 *   exit 1 when the login is refused or the key is no actor of the market (the session would be anonymous)
 */
export async function loginMember(o: MemberLogin): Promise<MemberSession> {
  const member = computeAddress(hexlify(o.memberKey));
  const pubkey = ed25519.getPublicKey(o.loginSeed);
  const signature = sign('EIP712MarketMemberLogin', { member: parseAddress(member), client_pubkey: pubkey }, o.memberKey);
  const seedHex = hex(o.loginSeed);
  let lost = false;
  const client = new Wampy(o.url, {
    ws: WebSocket as never,
    realm: o.realm,
    serializer: new CborSerializer(),
    // Only a joined session reconnects (wampy does not retry a first connect that failed): a router that is
    // not there at start is still reported at once (exit 3).
    autoReconnect: true,
    reconnectInterval: 1000,
    maxRetries: 0,
    // wampy calls onReconnect before every attempt: tell only the first of a run.
    onReconnect: () => {
      if (lost) return;
      lost = true;
      o.onConnection?.('lost');
    },
    onReconnectSuccess: () => {
      lost = false;
      o.onConnection?.('back');
    },
    // The seller's procedures are named after its authid (`member-0x…`), which strict validation refuses.
    uriValidation: 'loose',
    authid: 'member',
    authmethods: ['cryptosign'],
    authextra: { pubkey: hex(pubkey), wallet_address: member, signature: `0x${hex(signature)}` },
    onChallenge: (method: string, extra: unknown) => cryptosignSign(seedHex)(method, extra as { challenge: string }),
  });
  let details: { authid?: unknown; authrole?: unknown };
  try {
    details = (await client.connect()) as typeof details;
  } catch (err) {
    throw connectError(o, err);
  }
  const authid = String(details.authid);
  if (details.authrole !== 'user' || authid !== `member-${member.toLowerCase()}`) {
    await client.disconnect().catch(() => undefined);
    throw new CliError(`${member} is not an actor of this realm's market: the market maker let it in as ${authid} (role ${String(details.authrole)}), not as a member`);
  }
  return { client, authid, member };
}

function connectError(o: MemberLogin, err: unknown): CliError {
  const e = err as { error?: unknown; errorUri?: unknown };
  const text = describeError(err);
  // An ABORT carries a WAMP URI; anything else is the socket (refused, reset, DNS).
  const uri = typeof e?.errorUri === 'string' ? e.errorUri : typeof e?.error === 'string' ? e.error : undefined;
  if (uri === undefined) return unreachable(`cannot connect to the router at ${o.url} (${text || 'connection failed'}): is the edge running? Start it with \`npm start\``, err);
  if (uri === WampErrorUri.noSuchRealm) return new CliError(`the router at ${o.url} has no realm ${JSON.stringify(o.realm)} (--realm)`, undefined, { cause: err });
  if (/is not available/.test(text)) {
    return unreachable(`the router at ${o.url} cannot authenticate members (${text}): is the market maker running? It serves logins once it is RUNNING, a few seconds after \`npm start\``, err);
  }
  return new CliError(`the router at ${o.url} refused the member login: ${text}`, undefined, { cause: err });
}

/** Reports a delegate's session lost and back on stderr, prefixed with its role. */
export function connectionReporter(output: Output, role: 'seller' | 'buyer'): (state: 'lost' | 'back') => void {
  return (state) => output.err(state === 'lost' ? `${role}: the connection to the router is lost; rejoining every second` : `${role}: rejoined the realm`);
}
