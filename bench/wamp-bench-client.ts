/**
 * A minimal WAMP v2 client for benchmarks, on `ws` directly: anonymous HELLO → WELCOME, REGISTER with a
 * synchronous handler (INVOCATION → YIELD), CALL → RESULT/ERROR, SUBSCRIBE with a synchronous handler
 * (EVENT), UNSUBSCRIBE, acknowledged PUBLISH → PUBLISHED/ERROR, GOODBYE. JSON goes in text frames,
 * msgpack (msgpackr) in binary frames. Calls and publications take a callback, not a promise, so the
 * client adds as little as possible to what the router costs; the same client is used against every
 * router.
 *
 * Not a general client: no auth challenges, no progressive results, no cancel, no pattern-based
 * subscriptions, no unacknowledged publications; binary payloads are not converted (a JSON session
 * sends and receives them as the `"\u0000" + base64` strings of the WAMP JSON serializer).
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { Packr, Unpackr } from 'msgpackr';

export type BenchSerializer = 'json' | 'msgpack';

class BenchWampError extends Error {
  constructor(
    readonly uri: string,
    message: string,
  ) {
    super(message);
    this.name = 'BenchWampError';
  }
}

export type CallCallback = (err: Error | null, args: unknown[] | undefined) => void;
export type InvocationHandler = (args: unknown[] | undefined, kwargs: Record<string, unknown> | undefined) => unknown[];
/** Gets the PUBLISHED's publication id (as `idKey` gives it), or an error (WAMP ERROR or lost connection). */
export type PublishCallback = (err: Error | null, publication: number | string) => void;
/** Runs synchronously per EVENT; `publication` as `idKey` gives it. */
export type EventHandler = (publication: number | string, args: unknown[] | undefined, details: Record<string, unknown>) => void;

export interface BenchClientOptions {
  url: string;
  realm: string;
  serializer: BenchSerializer;
  /** Limit for the WebSocket opening handshake plus HELLO → WELCOME, and for REGISTER / GOODBYE. */
  timeoutMs: number;
}

const HELLO = 1;
const WELCOME = 2;
const ABORT = 3;
const CHALLENGE = 4;
const GOODBYE = 6;
const ERROR = 8;
const PUBLISH = 16;
const PUBLISHED = 17;
const SUBSCRIBE = 32;
const SUBSCRIBED = 33;
const UNSUBSCRIBE = 34;
const UNSUBSCRIBED = 35;
const EVENT = 36;
const CALL = 48;
const RESULT = 50;
const REGISTER = 64;
const REGISTERED = 65;
const INVOCATION = 68;
const YIELD = 70;

// Plain arrays/maps on the wire (no msgpackr records); fixmaps for small dicts. Integers above 2^32
// arrive as bigint and are sent back as int64, so router-chosen ids round-trip exactly.
const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false });
const EMPTY: Record<string, never> = {};
const ACKNOWLEDGE = { acknowledge: true };

/** Map key for a router-chosen id: msgpack gives bigint above 2^32, JSON a number; make them agree. */
function idKey(id: unknown): number | string {
  if (typeof id === 'number') return id;
  if (typeof id === 'bigint') return id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id.toString();
  return String(id);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class BenchClient {
  readonly serializer: BenchSerializer;
  sessionId: number | bigint = 0;
  /** Set once the connection is gone; every later call fails at once. */
  closedReason: string | null = null;

  private readonly ws: WebSocket;
  private readonly send: (msg: unknown[]) => void;
  private nextRequest = 1;
  private readonly pendingCalls = new Map<number, CallCallback>();
  private readonly pendingControl = new Map<number, (err: Error | null, msg: unknown[]) => void>();
  private readonly handlers = new Map<number | string, InvocationHandler>();
  private readonly pendingPublishes = new Map<number, PublishCallback>();
  private readonly eventHandlers = new Map<number | string, EventHandler>();
  /** EVENTs for a subscription this client does not (or no longer) hold: only between UNSUBSCRIBE and UNSUBSCRIBED, else a router bug. */
  strayEvents = 0;
  private onWelcome: ((err: Error | null) => void) | null = null;
  private onGoodbye: (() => void) | null = null;
  /** Frames sent in one tick go out in one socket write (cork now, uncork on the next tick). */
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socketOf()?.uncork();
  };
  /** Listeners told when the connection closes (for aborting a measurement). */
  private readonly closeListeners: ((reason: string) => void)[] = [];

  private constructor(ws: WebSocket, serializer: BenchSerializer) {
    this.ws = ws;
    this.serializer = serializer;
    if (serializer === 'json') {
      this.send = (msg) => {
        this.batch();
        ws.send(JSON.stringify(msg));
      };
    } else {
      const opts = { binary: true };
      this.send = (msg) => {
        this.batch();
        ws.send(packr.pack(msg), opts);
      };
    }
    ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => this.closed(`connection closed (code ${code}${reason.length ? `, ${reason.toString()}` : ''})`));
    ws.on('error', (err: Error) => this.closed(`connection error: ${err.message}`));
  }

  private socketOf(): Socket | null {
    // ws keeps the TCP socket in a private field; corking it is what lets a pipelined burst of
    // frames leave in one write instead of one syscall per frame.
    return (this.ws as unknown as { _socket: Socket | null })._socket;
  }

  private batch(): void {
    if (this.corked) return;
    const socket = this.socketOf();
    if (socket === null) return;
    this.corked = true;
    socket.cork();
    process.nextTick(this.uncork);
  }

  /** Opens the WebSocket and joins `realm` anonymously. Rejects on ABORT, CHALLENGE, errors or timeout. */
  static connect(opts: BenchClientOptions): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(opts.url, [`wamp.2.${opts.serializer}`], {
        perMessageDeflate: false,
        handshakeTimeout: opts.timeoutMs,
        skipUTF8Validation: true,
        // An all-zero mask makes ws skip masking client frames: less client CPU, same bytes for the router to parse.
        generateMask: () => undefined,
        maxPayload: 16 * 1024 * 1024,
      });
      const client = new BenchClient(ws, opts.serializer);
      const timer = setTimeout(() => {
        done(new Error(`no WELCOME from ${opts.url} (${opts.serializer}) within ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      let settled = false;
      const done = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.onWelcome = null;
        if (err) {
          client.terminate();
          reject(err);
        } else {
          resolve(client);
        }
      };
      client.onWelcome = done;
      client.closeListeners.push((reason) => done(new Error(`${opts.url} (${opts.serializer}): ${reason}`)));
      ws.once('open', () => {
        if (ws.protocol !== `wamp.2.${opts.serializer}`) {
          done(new Error(`router chose subprotocol '${ws.protocol}' instead of wamp.2.${opts.serializer}`));
          return;
        }
        client.send([
          HELLO,
          opts.realm,
          {
            roles: { caller: { features: {} }, callee: { features: {} }, publisher: { features: {} }, subscriber: { features: {} } },
            authmethods: ['anonymous'],
          },
        ]);
      });
    });
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== null) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  /** Registers `procedure`; `handler` runs synchronously per INVOCATION and its return value is yielded. */
  register(procedure: string, handler: InvocationHandler, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = this.nextRequest++;
      const timer = setTimeout(() => {
        this.pendingControl.delete(request);
        reject(new Error(`no REGISTERED for ${procedure} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingControl.set(request, (err, msg) => {
        clearTimeout(timer);
        if (err) {
          reject(err);
          return;
        }
        const registration = msg[2];
        if (typeof registration !== 'number' && typeof registration !== 'bigint') {
          reject(new Error(`REGISTERED without a registration id: ${JSON.stringify(msg)}`));
          return;
        }
        this.handlers.set(idKey(registration), handler);
        resolve();
      });
      if (this.closedReason !== null) {
        this.pendingControl.delete(request);
        clearTimeout(timer);
        reject(new Error(this.closedReason));
        return;
      }
      this.send([REGISTER, request, EMPTY, procedure]);
    });
  }

  /** Sends a CALL; `cb` gets the RESULT's args, or an error (WAMP ERROR or lost connection). No timeout here. */
  call(procedure: string, args: unknown[], cb: CallCallback): void {
    if (this.closedReason !== null) {
      cb(new Error(this.closedReason), undefined);
      return;
    }
    const request = this.nextRequest++;
    this.pendingCalls.set(request, cb);
    this.send([CALL, request, EMPTY, procedure, args]);
  }

  callAsync(procedure: string, args: unknown[]): Promise<unknown[] | undefined> {
    return new Promise((resolve, reject) => this.call(procedure, args, (err, res) => (err ? reject(err) : resolve(res))));
  }

  get outstandingCalls(): number {
    return this.pendingCalls.size;
  }

  /** Sends a request answered by one control message (REGISTERED, SUBSCRIBED, UNSUBSCRIBED) or ERROR, with a time limit. */
  private control(msg: (request: number) => unknown[], what: string, timeoutMs: number): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      if (this.closedReason !== null) {
        reject(new Error(this.closedReason));
        return;
      }
      const request = this.nextRequest++;
      const timer = setTimeout(() => {
        this.pendingControl.delete(request);
        reject(new Error(`no answer to ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingControl.set(request, (err, reply) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(reply);
      });
      this.send(msg(request));
    });
  }

  /** Subscribes to `topic` (exact match); `handler` runs synchronously per EVENT. Resolves to the subscription id. */
  async subscribe(topic: string, handler: EventHandler, timeoutMs: number): Promise<number | string> {
    const reply = await this.control((request) => [SUBSCRIBE, request, EMPTY, topic], `SUBSCRIBE ${topic}`, timeoutMs);
    const subscription = reply[2];
    if (typeof subscription !== 'number' && typeof subscription !== 'bigint') {
      throw new Error(`SUBSCRIBED without a subscription id: ${JSON.stringify(reply)}`);
    }
    const key = idKey(subscription);
    this.eventHandlers.set(key, handler);
    return key;
  }

  /** Unsubscribes; the handler keeps receiving until UNSUBSCRIBED arrives. */
  async unsubscribe(subscription: number | string, timeoutMs: number): Promise<void> {
    // A key from idKey: a string only for ids beyond 2^53, which go back on the wire as bigint.
    const id = typeof subscription === 'string' ? BigInt(subscription) : subscription;
    await this.control((request) => [UNSUBSCRIBE, request, id], `UNSUBSCRIBE ${String(subscription)}`, timeoutMs);
    this.eventHandlers.delete(subscription);
  }

  /** Sends an acknowledged PUBLISH (`{acknowledge: true}`, exclude_me left at its default); `cb` gets the PUBLISHED. No timeout here. */
  publish(topic: string, args: unknown[], cb: PublishCallback): void {
    if (this.closedReason !== null) {
      cb(new Error(this.closedReason), 0);
      return;
    }
    const request = this.nextRequest++;
    this.pendingPublishes.set(request, cb);
    this.send([PUBLISH, request, ACKNOWLEDGE, topic, args]);
  }

  get outstandingPublishes(): number {
    return this.pendingPublishes.size;
  }

  /** GOODBYE and wait for the router's GOODBYE (or `timeoutMs`), then close the WebSocket. */
  async close(timeoutMs: number): Promise<void> {
    if (this.closedReason !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.onGoodbye = () => {
        clearTimeout(timer);
        resolve();
      };
      this.onClose(() => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.send([GOODBYE, EMPTY, 'wamp.close.system_shutdown']);
      } catch {
        resolve();
      }
    });
    await new Promise<void>((resolve) => {
      if (this.closedReason !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.terminate();
        resolve();
      }, timeoutMs);
      this.onClose(() => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close(1000);
    });
  }

  terminate(): void {
    try {
      this.ws.terminate();
    } catch {
      // already gone
    }
    this.closed('terminated by the client');
  }

  private closed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    const err = new Error(reason);
    const calls = [...this.pendingCalls.values()];
    this.pendingCalls.clear();
    for (const cb of calls) cb(err, undefined);
    const publishes = [...this.pendingPublishes.values()];
    this.pendingPublishes.clear();
    for (const cb of publishes) cb(err, 0);
    const controls = [...this.pendingControl.values()];
    this.pendingControl.clear();
    for (const cb of controls) cb(err, []);
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  private protocolError(reason: string): void {
    this.closed(`protocol error: ${reason}`);
    try {
      this.ws.terminate();
    } catch {
      // already gone
    }
  }

  private receive(data: Buffer, isBinary: boolean): void {
    let msg: unknown;
    try {
      if (this.serializer === 'json') {
        if (isBinary) throw new Error('binary frame on a JSON session');
        msg = JSON.parse(data.toString('utf8'));
      } else {
        if (!isBinary) throw new Error('text frame on a msgpack session');
        msg = unpackr.unpack(data);
      }
    } catch (err) {
      this.protocolError(`cannot decode message: ${describe(err)}`);
      return;
    }
    if (!Array.isArray(msg) || msg.length === 0) {
      this.protocolError(`not a WAMP message: ${String(msg)}`);
      return;
    }
    switch (msg[0]) {
      case EVENT: {
        const handler = this.eventHandlers.get(idKey(msg[1]));
        if (handler === undefined) this.strayEvents++;
        else handler(idKey(msg[2]), msg[4] as unknown[] | undefined, msg[3] as Record<string, unknown>);
        return;
      }
      case PUBLISHED: {
        const request = msg[1] as number;
        const cb = this.pendingPublishes.get(request);
        if (cb === undefined) {
          this.protocolError(`PUBLISHED for unknown request ${String(request)}`);
          return;
        }
        this.pendingPublishes.delete(request);
        cb(null, idKey(msg[2]));
        return;
      }
      case RESULT: {
        const request = msg[1] as number;
        const cb = this.pendingCalls.get(request);
        if (cb === undefined) {
          this.protocolError(`RESULT for unknown request ${String(request)}`);
          return;
        }
        this.pendingCalls.delete(request);
        cb(null, msg[3] as unknown[] | undefined);
        return;
      }
      case INVOCATION: {
        const request = msg[1] as number | bigint;
        const handler = this.handlers.get(idKey(msg[2]));
        if (handler === undefined) {
          this.send([ERROR, INVOCATION, request, EMPTY, 'wamp.error.no_such_registration']);
          return;
        }
        let result: unknown[];
        try {
          result = handler(msg[4] as unknown[] | undefined, msg[5] as Record<string, unknown> | undefined);
        } catch (err) {
          this.send([ERROR, INVOCATION, request, EMPTY, 'wamp.error.runtime_error', [describe(err)]]);
          return;
        }
        this.send([YIELD, request, EMPTY, result]);
        return;
      }
      case ERROR: {
        const requestType = msg[1] as number;
        const request = msg[2] as number;
        const uri = String(msg[4]);
        const args = msg[5];
        const err = new BenchWampError(uri, `${uri}${Array.isArray(args) && args.length ? `: ${JSON.stringify(args)}` : ''}`);
        if (requestType === CALL) {
          const cb = this.pendingCalls.get(request);
          if (cb !== undefined) {
            this.pendingCalls.delete(request);
            cb(err, undefined);
          }
        } else if (requestType === PUBLISH) {
          const cb = this.pendingPublishes.get(request);
          if (cb !== undefined) {
            this.pendingPublishes.delete(request);
            cb(err, 0);
          }
        } else {
          const cb = this.pendingControl.get(request);
          if (cb !== undefined) {
            this.pendingControl.delete(request);
            cb(err, msg);
          }
        }
        return;
      }
      case REGISTERED:
      case SUBSCRIBED:
      case UNSUBSCRIBED: {
        const request = msg[1] as number;
        const cb = this.pendingControl.get(request);
        if (cb !== undefined) {
          this.pendingControl.delete(request);
          cb(null, msg);
        }
        return;
      }
      case WELCOME: {
        this.sessionId = msg[1] as number | bigint;
        this.onWelcome?.(null);
        return;
      }
      case ABORT: {
        const reason = `ABORT ${String(msg[2])} ${JSON.stringify(msg[1] ?? {})}`;
        this.onWelcome?.(new Error(reason));
        this.closed(reason);
        this.ws.close(1000);
        return;
      }
      case CHALLENGE: {
        this.onWelcome?.(new Error(`router sent CHALLENGE (${String(msg[1])}); the bench client only does anonymous`));
        return;
      }
      case GOODBYE: {
        if (this.onGoodbye) {
          this.onGoodbye();
        } else {
          this.send([GOODBYE, EMPTY, 'wamp.close.goodbye_and_out']);
        }
        return;
      }
      default:
        // Anything else (UNREGISTERED, ...) is not used by the bench.
        return;
    }
  }
}
