/**
 * Interop: wampy 8 (the JS client the project's own services use) against the router, over WebSocket
 * (tcp and unix socket) with the json, msgpack and cbor serializers.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { Wampy } from 'wampy';
import { sign as cryptosignSign } from 'wampy/cryptosign.js';
import { sign as wampcraSign } from 'wampy/wampcra.js';
import { CRA, interopConfig, TICKETS } from '../helpers/configs.js';
import { assertReceived, Bytes, samplePayload, toWire, viaJsJson, type Logical } from '../helpers/payload.js';
import { rawHello, rawWs } from '../helpers/raw.js';
import {
  deferred,
  ed25519Keypair,
  SERIALIZER_KINDS,
  startTestRouter,
  unixWebSocketClass,
  waitFor,
  wampyClient,
  wampyConnectError,
  withTimeout,
  type ConnectedWampy,
  type Ed25519Keys,
  type SerializerKind,
  type TestRouter,
  type WampyClientOptions,
} from '../helpers/router.js';

type WampyErr = Error & { errorUri?: string; argsList?: unknown[]; argsDict?: Record<string, unknown>; details?: Record<string, unknown> };

async function rejection(p: Promise<unknown>, what: string): Promise<WampyErr> {
  try {
    await withTimeout(p, 3000, what);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('timed out')) throw err;
    return err as WampyErr;
  }
  throw new Error(`${what}: expected an error, but it succeeded`);
}

interface Setup {
  router: TestRouter;
  alice: Ed25519Keys;
  connect(opts?: Partial<WampyClientOptions> & { transport?: string }): Promise<ConnectedWampy>;
}

async function setup(t: TestContext): Promise<Setup> {
  const alice = ed25519Keypair();
  const router = await startTestRouter(interopConfig({ alicePub: alice.pubHex }), { t });
  return {
    router,
    alice,
    connect: (opts = {}) => {
      const { transport = 'ws', ...rest } = opts;
      return wampyClient(router.url(transport), { realm: 'realm1', serializer: 'json', t, ...rest });
    },
  };
}

const cra = (secret: string) => (method: string, extra: Record<string, unknown>) => wampcraSign(secret)(method, extra as { challenge: string });

const other = (s: SerializerKind): SerializerKind => (s === 'json' ? 'msgpack' : s === 'msgpack' ? 'cbor' : 'json');

/**
 * Waits until every subscriber has seen a marker event published after the events under test: events
 * of one publisher arrive in order, so anything not received before the marker was not delivered.
 */
async function flushEvents(publisher: Wampy, topic: string, seen: () => unknown[][][], count: number): Promise<void> {
  await publisher.publish(topic, ['__marker__']);
  await waitFor(() => seen().every((events) => events.some((argsList) => argsList[0] === '__marker__')), 3000, `marker event on ${topic} at ${count} subscribers`);
}

describe('wampy over WebSocket', () => {
  for (const s of SERIALIZER_KINDS) {
    test(`${s} caller: register/call/yield with args, kwargs, bytes, 2^40, 2^53, 2^60 and unicode, to callees of every serializer`, async (t) => {
      const { connect, router } = await setup(t);
      const { args, kwargs } = samplePayload({ beyond53: s !== 'json' });
      const received = new Map<SerializerKind, { argsList: unknown; argsDict: unknown; details: Record<string, unknown> }[]>();
      for (const cs of SERIALIZER_KINDS) {
        const callee = await connect({ serializer: cs });
        received.set(cs, []);
        await callee.wampy.register(`com.echo.${cs}`, ({ argsList, argsDict, details }) => {
          received.get(cs)!.push({ argsList, argsDict, details });
          return { argsList: argsList ?? [], argsDict: argsDict ?? {} };
        });
      }
      const caller = await connect({ serializer: s });
      for (const cs of SERIALIZER_KINDS) {
        const res = await caller.wampy.call(`com.echo.${cs}`, {
          argsList: toWire(s, args) as unknown[],
          argsDict: toWire(s, kwargs) as Record<string, unknown>,
        });
        const got = received.get(cs)!;
        assert.equal(got.length, 1, `callee ${cs} invoked once`);
        assertReceived(cs, got[0]!.argsList, args, `callee(${cs}).args`);
        assertReceived(cs, got[0]!.argsDict, kwargs, `callee(${cs}).kwargs`);
        // a JS JSON callee re-sends integers beyond 2^53 in shortest double form
        const echo = (v: Logical) => (cs === 'json' ? viaJsJson(v) : v);
        assertReceived(s, res.argsList, echo(args), `caller(${s}) <- callee(${cs}).args`);
        assertReceived(s, res.argsDict, echo(kwargs), `caller(${s}) <- callee(${cs}).kwargs`);
        // caller identity is not disclosed under com.echo (the role's permission does not say so)
        assert.equal(got[0]!.details['caller'], undefined);
      }
      if (s === 'msgpack') {
        // msgpack to msgpack keeps integers beyond 2^53 exact
        const big = 2n ** 60n + 1n;
        const res = await caller.wampy.call('com.echo.msgpack', [big, -big]);
        assert.deepEqual(res.argsList, [big, -big]);
      }
      assert.equal(router.router.sessionCount, 4);
    });

    test(`${s}: callee error reaches the caller unchanged (URI, args, kwargs)`, async (t) => {
      const { connect } = await setup(t);
      const callee = await connect({ serializer: s });
      const caller = await connect({ serializer: other(s) });
      const bytes = new Bytes([1, 2, 3]);
      await callee.wampy.register('com.fail', () => {
        throw { error: 'com.example.error.custom_failure', argsList: ['it failed', toWire(s, bytes), 42], argsDict: { reason: 'because', code: 7 } };
      });
      const err = await rejection(caller.wampy.call('com.fail', ['x']), 'call com.fail');
      assert.equal(err.errorUri, 'com.example.error.custom_failure');
      assert.equal(err.argsList?.length, 3);
      assert.equal(err.argsList?.[0], 'it failed');
      assertReceived(other(s), err.argsList?.[1], bytes, 'error.args[1]');
      assert.equal(err.argsList?.[2], 42);
      assert.deepEqual(err.argsDict, { reason: 'because', code: 7 });
      // the session survives the error
      await callee.wampy.register('com.ok', () => ({ argsList: ['ok'] }));
      assert.deepEqual((await caller.wampy.call('com.ok')).argsList, ['ok']);
    });

    test(`${s}: publish/subscribe with acknowledge, exclude_me by default, exclude/eligible/exclude_authid`, async (t) => {
      const { connect } = await setup(t);
      const { args, kwargs } = samplePayload({ beyond53: s !== 'json' });
      const a = await connect({ serializer: s });
      const b = await connect({ serializer: other(s) });
      const pub = await connect({ serializer: s });
      const seen: Record<'a' | 'b' | 'pub', unknown[][]> = { a: [], b: [], pub: [] };
      const events: Record<'a' | 'b', { argsList?: unknown[]; argsDict?: Record<string, unknown>; details: Record<string, unknown> }[]> = { a: [], b: [] };
      await a.wampy.subscribe('com.topic', (e) => {
        events.a.push(e);
        seen.a.push(e.argsList ?? []);
      });
      await b.wampy.subscribe('com.topic', (e) => {
        events.b.push(e);
        seen.b.push(e.argsList ?? []);
      });
      await pub.wampy.subscribe('com.topic', (e) => void seen.pub.push(e.argsList ?? []));
      const tag = (x: unknown[][]) => x.map((argsList) => argsList[0]);

      const ack = await pub.wampy.publish('com.topic', { argsList: toWire(s, args) as unknown[], argsDict: toWire(s, kwargs) as Record<string, unknown> });
      assert.ok(Number(ack.publicationId) > 0, 'PUBLISHED carries a publication id');
      await pub.wampy.publish('com.topic', ['to-a'], { exclude: [b.sessionId] });
      await pub.wampy.publish('com.topic', ['to-b'], { eligible: [b.sessionId] });
      await pub.wampy.publish('com.topic', ['not-a'], { exclude_authid: [String(a.welcome['authid'])] });
      await flushEvents(pub.wampy, 'com.topic', () => [seen.a, seen.b], 2);

      assert.equal(events.a.length, 3);
      assertReceived(s, events.a[0]!.argsList, args, 'a.args');
      assertReceived(s, events.a[0]!.argsDict, kwargs, 'a.kwargs');
      assertReceived(other(s), events.b[0]!.argsList, args, 'b.args');
      assertReceived(other(s), events.b[0]!.argsDict, kwargs, 'b.kwargs');
      assert.deepEqual(tag(seen.a).slice(1), ['to-a', '__marker__']);
      assert.deepEqual(tag(seen.b).slice(1), ['to-b', 'not-a', '__marker__']);
      // a marker from another session tells when the publisher's connection has caught up
      await a.wampy.publish('com.topic', ['__from_a__']);
      await waitFor(() => seen.pub.length > 0, 2000, 'the marker from a at the publisher');
      assert.deepEqual(tag(seen.pub), ['__from_a__'], 'the publisher does not get its own events (exclude_me defaults to true)');
      // publisher identity is not disclosed under com.topic
      assert.equal(events.a[0]!.details['publisher'], undefined);
    });
  }

  test('exclude_me: false delivers the event to the publisher itself', async (t) => {
    const { router } = await setup(t);
    const raw = await rawWs(router.url('ws'), 'json', t);
    await rawHello(raw, 'realm1');
    raw.send([32, 1, {}, 'com.self']);
    const subscribed = await raw.next(2000, (m) => m[0] === 33, 'SUBSCRIBED');
    raw.send([16, 2, { acknowledge: true, exclude_me: false }, 'com.self', ['hello']]);
    const event = await raw.next(2000, (m) => m[0] === 36, 'EVENT');
    assert.equal(event[1], subscribed[2]);
    assert.deepEqual(event[4], ['hello']);
    const published = await raw.next(2000, (m) => m[0] === 17, 'PUBLISHED');
    assert.equal(published[1], 2);
  });

  test('wampy over the WebSocket unix socket transport interoperates with a tcp peer', async (t) => {
    const { connect, router } = await setup(t);
    const viaUnix = await connect({ ws: unixWebSocketClass(router.unixPath('wsunix')), serializer: 'msgpack' });
    assert.equal(router.router.realms.get('realm1')!.sessions.get(viaUnix.sessionId)!.transport!.transport_id, 'wsunix');
    const viaTcp = await connect({ serializer: 'cbor' });
    await viaUnix.wampy.register('com.unix.add', ({ argsList }) => ({ argsList: [Number(argsList![0]) + Number(argsList![1])] }));
    assert.deepEqual((await viaTcp.wampy.call('com.unix.add', [2, 40])).argsList, [42]);
    const got = deferred<unknown[]>();
    await viaUnix.wampy.subscribe('com.unix.topic', (e) => got.resolve(e.argsList ?? []));
    await viaTcp.wampy.publish('com.unix.topic', [Buffer.from([9, 8])]);
    const [b] = await withTimeout(got.promise, 2000, 'event over unix socket');
    assert.ok(b instanceof Uint8Array);
    assert.deepEqual([...b], [9, 8]);
  });

  test('wampy cbor: Uint8Array (cbor-x writes CBOR tag 64, "uint8 typed array") and Buffer (plain byte string) both arrive as bytes', async (t) => {
    const { connect } = await setup(t);
    const msgpackCallee = await connect({ serializer: 'msgpack' });
    const cborCallee = await connect({ serializer: 'cbor' });
    const caller = await connect({ serializer: 'cbor' });
    const got: unknown[] = [];
    await msgpackCallee.wampy.register('com.echo', ({ argsList }) => {
      got.push(...(argsList ?? []));
      return { argsList: argsList ?? [] };
    });
    // a plain wampy-cbor echo: the bytes it got are Uint8Arrays, which cbor-x re-sends as tag 64
    await cborCallee.wampy.register('com.echo.cbor', ({ argsList }) => ({ argsList: argsList ?? [] }));
    let res = await caller.wampy.call('com.echo.cbor', [Buffer.from([4, 5]), new Uint8Array([6])]);
    assertReceived('cbor', res.argsList, [new Bytes([4, 5]), new Bytes([6])]);
    res = await caller.wampy.call('com.echo', [new Uint8Array([1, 2, 3]), Buffer.from([9])]);
    assertReceived('msgpack', got, [new Bytes([1, 2, 3]), new Bytes([9])]);
    assertReceived('cbor', res.argsList, [new Bytes([1, 2, 3]), new Bytes([9])]);
  });

  test('pattern-based subscriptions: prefix and wildcard get details.topic, exact does not', async (t) => {
    const { connect } = await setup(t);
    const sub = await connect({ serializer: 'msgpack' });
    const pub = await connect({ serializer: 'json' });
    const got: Record<string, { topic: unknown; arg: unknown }[]> = { exact: [], prefix: [], wildcard: [] };
    const all: unknown[][] = [];
    const on = (kind: string) => (e: { argsList?: unknown[]; details: Record<string, unknown> }) => {
      got[kind]!.push({ topic: e.details['topic'], arg: e.argsList?.[0] });
      all.push(e.argsList ?? []);
    };
    await sub.wampy.subscribe('net.pfx.evt', on('exact'));
    await sub.wampy.subscribe('net.pfx', on('prefix'), { match: 'prefix' });
    await sub.wampy.subscribe('net..evt', on('wildcard'), { match: 'wildcard' });
    await pub.wampy.publish('net.pfx.evt', ['1']);
    await pub.wampy.publish('net.other.evt', ['2']);
    await pub.wampy.publish('net.pfx.a.b', ['3']);
    await pub.wampy.publish('net.pfxyz', ['4']); // string prefix, as Crossbar matches
    await pub.wampy.publish('net.pfx.evt.more', ['5']);
    await flushEvents(pub.wampy, 'net.pfx.marker', () => [all], 1);
    assert.deepEqual(got['exact'], [{ topic: undefined, arg: '1' }]);
    assert.deepEqual(got['prefix'], [
      { topic: 'net.pfx.evt', arg: '1' },
      { topic: 'net.pfx.a.b', arg: '3' },
      { topic: 'net.pfxyz', arg: '4' },
      { topic: 'net.pfx.evt.more', arg: '5' },
      { topic: 'net.pfx.marker', arg: '__marker__' },
    ]);
    assert.deepEqual(got['wildcard'], [
      { topic: 'net.pfx.evt', arg: '1' },
      { topic: 'net.other.evt', arg: '2' },
    ]);
  });

  test('pattern-based registrations: details.procedure, and precedence exact > prefix > wildcard', async (t) => {
    const { connect } = await setup(t);
    const callee = await connect({ serializer: 'cbor' });
    const caller = await connect({ serializer: 'msgpack' });
    const handler = (label: string) => ({ details }: { details: Record<string, unknown> }) => ({ argsList: [label, details['procedure'] ?? null] });
    await callee.wampy.register('com.prec.a.b', handler('exact'));
    await callee.wampy.register('com.prec', handler('prefix'), { match: 'prefix' });
    await callee.wampy.register('com.prec..b', handler('wildcard'), { match: 'wildcard' });
    await callee.wampy.register('com.wild..only', handler('wildcard2'), { match: 'wildcard' });
    const call = async (uri: string) => (await caller.wampy.call(uri)).argsList;
    assert.deepEqual(await call('com.prec.a.b'), ['exact', null]);
    assert.deepEqual(await call('com.prec.x.b'), ['prefix', 'com.prec.x.b']);
    assert.deepEqual(await call('com.prec.x.y.z'), ['prefix', 'com.prec.x.y.z']);
    assert.deepEqual(await call('com.wild.x.only'), ['wildcard2', 'com.wild.x.only']);
    await callee.wampy.unregister('com.prec.a.b');
    assert.deepEqual(await call('com.prec.a.b'), ['prefix', 'com.prec.a.b']);
    await callee.wampy.unregister('com.prec');
    assert.deepEqual(await call('com.prec.a.b'), ['wildcard', 'com.prec.a.b']);
    const err = await rejection(caller.wampy.call('com.prec.a.c'), 'call without a match');
    assert.equal(err.errorUri, 'wamp.error.no_such_procedure');
  });

  test('shared registrations: roundrobin, random, first, last; a second single registration is refused', async (t) => {
    const { connect } = await setup(t);
    const callees = [await connect({ serializer: 'json' }), await connect({ serializer: 'msgpack' }), await connect({ serializer: 'cbor' })];
    const caller = await connect({ serializer: 'json' });
    for (const invoke of ['roundrobin', 'random', 'first', 'last'] as const) {
      for (const [i, c] of callees.entries()) {
        const r = await c.wampy.register(`com.shared.${invoke}`, () => ({ argsList: [i] }), { invoke });
        assert.ok(Number(r.registrationId) > 0);
      }
    }
    const calls = async (uri: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await caller.wampy.call(uri)).argsList![0] as number);
      return out;
    };
    assert.deepEqual(await calls('com.shared.roundrobin', 6), [0, 1, 2, 0, 1, 2]);
    assert.deepEqual(await calls('com.shared.first', 3), [0, 0, 0]);
    assert.deepEqual(await calls('com.shared.last', 3), [2, 2, 2]);
    const random = await calls('com.shared.random', 45);
    assert.ok(random.every((x) => [0, 1, 2].includes(x)));
    assert.ok(new Set(random).size >= 2, `random picked only ${[...new Set(random)].join(',')} in 45 calls`);
    // first: when the first callee leaves, the next in registration order takes over
    await callees[0]!.wampy.unregister('com.shared.first');
    assert.deepEqual(await calls('com.shared.first', 2), [1, 1]);

    await callees[0]!.wampy.register('com.single', () => ({ argsList: ['one'] }));
    let err = await rejection(callees[1]!.wampy.register('com.single', () => ({ argsList: ['two'] })), 'second single registration');
    assert.equal(err.errorUri, 'wamp.error.procedure_already_exists');
    err = await rejection(callees[1]!.wampy.register('com.shared.last.x', () => null).then(() =>
      callees[2]!.wampy.register('com.shared.last.x', () => null, { invoke: 'first' })), 'mismatched invoke policy');
    assert.equal(err.errorUri, 'wamp.error.procedure_already_exists');
    assert.deepEqual((await caller.wampy.call('com.single')).argsList, ['one']);
  });

  test('caller and publisher disclosure follow the role permission', async (t) => {
    const { connect } = await setup(t);
    const callee = await connect({ serializer: 'msgpack' });
    const caller = await connect({ serializer: 'cbor' });
    const details: Record<string, Record<string, unknown>> = {};
    for (const uri of ['com.disclose.proc', 'com.plain.proc']) {
      await callee.wampy.register(uri, (inv) => {
        details[uri] = inv.details;
        return null;
      });
      await caller.wampy.call(uri);
    }
    const d = details['com.disclose.proc']!;
    assert.equal(Number(d['caller']), caller.sessionId);
    assert.equal(d['caller_authid'], caller.welcome['authid']);
    assert.equal(d['caller_authrole'], 'anonymous');
    for (const k of ['caller', 'caller_authid', 'caller_authrole']) assert.ok(!(k in details['com.plain.proc']!), `${k} not disclosed`);

    const events: Record<string, Record<string, unknown>> = {};
    for (const uri of ['com.disclose.topic', 'com.plain.topic']) {
      await callee.wampy.subscribe(uri, (e) => {
        events[uri] = e.details;
      });
      await caller.wampy.publish(uri, ['x']);
    }
    await waitFor(() => Object.keys(events).length === 2, 2000, 'both events');
    const e = events['com.disclose.topic']!;
    assert.equal(Number(e['publisher']), caller.sessionId);
    assert.equal(e['publisher_authid'], caller.welcome['authid']);
    assert.equal(e['publisher_authrole'], 'anonymous');
    for (const k of ['publisher', 'publisher_authid', 'publisher_authrole']) assert.ok(!(k in events['com.plain.topic']!), `${k} not disclosed`);
  });

  test('progressive call results reach a caller that asked for them; others get only the final result', async (t) => {
    const { connect, router } = await setup(t);
    const callee = await connect({ serializer: 'msgpack' });
    const caller = await connect({ serializer: 'json' });
    await callee.wampy.register('com.progress', ({ argsList, result_handler }) => {
      const n = Number(argsList![0]);
      for (let i = 0; i < n; i++) result_handler({ argsList: [i], options: { progress: true } });
      return { argsList: ['done'], argsDict: { n } };
    });
    const progress: unknown[] = [];
    const res = await caller.wampy.call('com.progress', [3], { progress_callback: (r) => void progress.push(r.argsList?.[0]) });
    assert.deepEqual(progress, [0, 1, 2]);
    assert.deepEqual(res.argsList, ['done']);
    assert.deepEqual(res.argsDict, { n: 3 });
    assert.ok(!res.details['progress']);

    const raw = await rawWs(router.url('ws'), 'json', t);
    await rawHello(raw, 'realm1');
    raw.send([48, 7, {}, 'com.progress', [2]]);
    const result = await raw.next(2000, (m) => m[0] === 50 || m[0] === 8, 'RESULT');
    assert.deepEqual(result, [50, 7, {}, ['done'], { n: 2 }]);
    raw.send([48, 8, {}, 'com.progress', [0]]);
    assert.deepEqual(await raw.next(2000, undefined, 'second RESULT'), [50, 8, {}, ['done'], { n: 0 }]);
    assert.deepEqual(raw.inbox, [], 'no progressive RESULT for a caller that did not ask');
  });

  test('call timeout: the router answers wamp.error.timeout and ignores the late YIELD', async (t) => {
    const { connect } = await setup(t);
    const callee = await connect({ serializer: 'cbor' });
    const caller = await connect({ serializer: 'msgpack' });
    const release = deferred();
    const invoked = deferred();
    t.after(() => release.resolve());
    await callee.wampy.register('com.slow', async () => {
      invoked.resolve();
      await release.promise;
      return { argsList: ['late'] };
    });
    await callee.wampy.register('com.fast', () => ({ argsList: ['fast'] }));
    const started = Date.now();
    const err = await rejection(caller.wampy.call('com.slow', [], { timeout: 150 }), 'call with timeout');
    assert.equal(err.errorUri, 'wamp.error.timeout');
    assert.ok(Date.now() - started >= 140, 'not before the timeout');
    await invoked.promise;
    release.resolve();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await caller.wampy.call('com.fast')).argsList, ['fast']);
  });

  test('cancel: the caller gets wamp.error.canceled', async (t) => {
    const { connect } = await setup(t);
    const callee = await connect({ serializer: 'json' });
    const caller = await connect({ serializer: 'cbor' });
    const release = deferred();
    const invoked = deferred();
    t.after(() => release.resolve());
    await callee.wampy.register('com.slow', async () => {
      invoked.resolve();
      await release.promise;
      return { argsList: ['late'] };
    });
    const p = caller.wampy.call('com.slow');
    const reqId = caller.wampy.getOpStatus().reqId;
    await withTimeout(invoked.promise, 2000, 'invocation');
    assert.equal(caller.wampy.cancel(reqId), true);
    const err = await rejection(p, 'canceled call');
    assert.equal(err.errorUri, 'wamp.error.canceled');
    release.resolve();
  });

  test('authorization: not_authorized for call, register, subscribe and acknowledged publish; no_such_procedure', async (t) => {
    const { connect } = await setup(t);
    const restricted = await connect({ transport: 'restricted', serializer: 'msgpack' });
    assert.equal(restricted.welcome['authrole'], 'restricted');
    const open = await connect({ serializer: 'json' });
    await open.wampy.register('com.open.echo', ({ argsList }) => ({ argsList: argsList ?? [] }));
    await open.wampy.register('com.echo', ({ argsList }) => ({ argsList: argsList ?? [] }));
    assert.deepEqual((await restricted.wampy.call('com.open.echo', [1])).argsList, [1]);
    const expectDenied = async (p: Promise<unknown>, what: string) => assert.equal((await rejection(p, what)).errorUri, 'wamp.error.not_authorized', what);
    await expectDenied(restricted.wampy.call('com.echo', [1]), 'call');
    await expectDenied(restricted.wampy.register('com.mine', () => null), 'register');
    await expectDenied(restricted.wampy.subscribe('com.topic', () => {}), 'subscribe');
    await expectDenied(restricted.wampy.publish('com.open.topic', ['x']), 'publish');
    await expectDenied(open.wampy.call('com.forbidden.thing'), 'call to an explicitly forbidden URI');
    const err = await rejection(open.wampy.call('com.nobody.home'), 'call to an unregistered procedure');
    assert.equal(err.errorUri, 'wamp.error.no_such_procedure');
  });

  describe('a raw callee that announces call_canceling, with a wampy caller', () => {
    async function rawCallee(t: TestContext, router: TestRouter) {
      const callee = await rawWs(router.url('ws'), 'json', t);
      await rawHello(callee, 'realm1', { roles: { callee: { features: { call_canceling: true, progressive_call_results: true } } } });
      callee.send([64, 1, {}, 'com.raw.slow']);
      const registered = await callee.next(2000, (m) => m[0] === 65, 'REGISTERED');
      return { callee, registration: registered[2] };
    }
    const invocation = (c: Awaited<ReturnType<typeof rawCallee>>['callee']) => c.next(2000, (m) => m[0] === 68, 'INVOCATION');
    const interrupt = (c: Awaited<ReturnType<typeof rawCallee>>['callee']) => c.next(2000, (m) => m[0] === 69, 'INTERRUPT');

    test('cancel mode kill: INTERRUPT kill, and the caller gets the callee\'s answer', async (t) => {
      const { connect, router } = await setup(t);
      const { callee } = await rawCallee(t, router);
      const caller = await connect({ serializer: 'msgpack' });
      const p = caller.wampy.call('com.raw.slow', [1]);
      const reqId = caller.wampy.getOpStatus().reqId;
      const inv = await invocation(callee);
      caller.wampy.cancel(reqId, { mode: 'kill' });
      assert.deepEqual(await interrupt(callee), [69, inv[1], { mode: 'kill' }]);
      callee.send([8, 68, inv[1], {}, 'wamp.error.canceled', ['stopped by callee']]);
      const err = await rejection(p, 'killed call');
      assert.equal(err.errorUri, 'wamp.error.canceled');
      assert.deepEqual(err.argsList, ['stopped by callee']);
    });

    test('cancel mode killnowait: the caller is answered at once and the callee gets INTERRUPT killnowait', async (t) => {
      const { connect, router } = await setup(t);
      const { callee } = await rawCallee(t, router);
      const caller = await connect({ serializer: 'json' });
      const p = caller.wampy.call('com.raw.slow');
      const reqId = caller.wampy.getOpStatus().reqId;
      const inv = await invocation(callee);
      caller.wampy.cancel(reqId, { mode: 'killnowait' });
      assert.equal((await rejection(p, 'canceled call')).errorUri, 'wamp.error.canceled');
      assert.deepEqual(await interrupt(callee), [69, inv[1], { mode: 'killnowait' }]);
      // a late YIELD is ignored; the callee keeps working
      callee.send([70, inv[1], {}, ['late']]);
      const p2 = caller.wampy.call('com.raw.slow', [2]);
      const inv2 = await invocation(callee);
      callee.send([70, inv2[1], {}, ['second']]);
      assert.deepEqual((await p2).argsList, ['second']);
    });

    test('cancel mode skip: no INTERRUPT; timeout: INTERRUPT killnowait; a caller that leaves: INTERRUPT killnowait', async (t) => {
      const { connect, router } = await setup(t);
      const { callee } = await rawCallee(t, router);
      const caller = await connect({ serializer: 'cbor' });
      let p = caller.wampy.call('com.raw.slow');
      const reqId = caller.wampy.getOpStatus().reqId;
      let inv = await invocation(callee);
      caller.wampy.cancel(reqId, { mode: 'skip' });
      assert.equal((await rejection(p, 'skipped call')).errorUri, 'wamp.error.canceled');

      p = caller.wampy.call('com.raw.slow', [], { timeout: 100 });
      const inv2 = await invocation(callee);
      assert.equal((await rejection(p, 'timed out call')).errorUri, 'wamp.error.timeout');
      assert.deepEqual(await interrupt(callee), [69, inv2[1], { mode: 'killnowait' }], 'the first INTERRUPT is for the timed-out call, none for skip');

      const leaver = await connect({ serializer: 'json' });
      void leaver.wampy.call('com.raw.slow').catch(() => {});
      inv = await invocation(callee);
      await leaver.close();
      assert.deepEqual(await interrupt(callee), [69, inv[1], { mode: 'killnowait' }]);
    });

    test('progressive results: receive_progress is offered to a callee that announced progressive_call_results', async (t) => {
      const { connect, router } = await setup(t);
      const { callee } = await rawCallee(t, router);
      const caller = await connect({ serializer: 'json' });
      const progress: unknown[] = [];
      const p = caller.wampy.call('com.raw.slow', [], { progress_callback: (r) => void progress.push(r.argsList?.[0]) });
      const inv = await invocation(callee);
      assert.equal((inv[3] as Record<string, unknown>)['receive_progress'], true);
      callee.send([70, inv[1], { progress: true }, ['p1']]);
      callee.send([70, inv[1], { progress: true }, ['p2']]);
      callee.send([70, inv[1], {}, ['final']]);
      assert.deepEqual((await p).argsList, ['final']);
      assert.deepEqual(progress, ['p1', 'p2']);
      // without receive_progress the callee is not offered it
      const p2 = caller.wampy.call('com.raw.slow');
      const inv2 = await invocation(callee);
      assert.equal((inv2[3] as Record<string, unknown>)['receive_progress'], undefined);
      callee.send([70, inv2[1], {}, []]);
      await p2;
    });
  });

  test('a payload the other side\'s serializer cannot carry (2^70 to msgpack) fails that call or event only', async (t) => {
    const { connect, router } = await setup(t);
    const callee = await connect({ serializer: 'msgpack' });
    const sub = await connect({ serializer: 'msgpack' });
    const jsonSub = await connect({ serializer: 'json' });
    await callee.wampy.register('com.echo', ({ argsList }) => ({ argsList: argsList ?? [] }));
    const raw = await rawWs(router.url('ws'), 'json', t);
    await rawHello(raw, 'realm1');
    raw.sendRaw('[48, 1, {}, "com.echo", [1180591620717411303424]]', false);
    const err = await raw.next(2000, (m) => m[0] === 8 || m[0] === 50, 'ERROR for the call');
    assert.equal(err[0], 8);
    assert.equal(err[4], 'wamp.error.invalid_payload');
    // JSON callee yielding 2^70 to a msgpack caller: the caller gets invalid_payload
    raw.send([64, 2, {}, 'com.raw.huge']);
    await raw.next(2000, (m) => m[0] === 65, 'REGISTERED');
    const pHuge = callee.wampy.call('com.raw.huge');
    const inv = await raw.next(2000, (m) => m[0] === 68, 'INVOCATION');
    raw.sendRaw(`[70, ${String(inv[1])}, {}, [1180591620717411303424]]`, false);
    assert.equal((await rejection(pHuge, 'call with an unrepresentable result')).errorUri, 'wamp.error.invalid_payload');
    // events: the msgpack subscriber misses it, the JSON subscriber gets it exactly
    const gotMsgpack: unknown[][] = [];
    const gotJson: unknown[][] = [];
    await sub.wampy.subscribe('com.huge', (e) => void gotMsgpack.push(e.argsList ?? []));
    await jsonSub.wampy.subscribe('com.huge', (e) => void gotJson.push(e.argsList ?? []));
    raw.sendRaw('[16, 3, {"acknowledge": true}, "com.huge", [1180591620717411303424]]', false);
    assert.equal((await raw.next(2000, (m) => m[0] === 17 || m[0] === 8, 'PUBLISHED'))[0], 17);
    raw.send([16, 4, { acknowledge: true }, 'com.huge', ['small']]);
    await raw.next(2000, (m) => m[0] === 17, 'PUBLISHED');
    await waitFor(() => gotMsgpack.length === 1 && gotJson.length === 2, 2000, 'events');
    assert.deepEqual(gotMsgpack, [['small']]);
    assert.equal(gotJson[0]![0], 2 ** 70);
    // everyone is still connected
    assert.equal(router.router.sessionCount, 4);
    assert.deepEqual((await callee.wampy.call('com.echo', [1])).argsList, [1]);
  });

  test('a float64 beyond 2^53 from a msgpack peer reaches a JSON peer with its exact value', async (t) => {
    const { router } = await setup(t);
    const json = await rawWs(router.url('ws'), 'json', t);
    await rawHello(json, 'realm1');
    json.send([32, 1, {}, 'com.float']);
    await json.next(2000, (m) => m[0] === 33, 'SUBSCRIBED');
    const texts: string[] = [];
    json.ws.on('message', (d: Buffer) => texts.push(d.toString('utf8')));
    const msgpack = await rawWs(router.url('ws'), 'msgpack', t);
    await rawHello(msgpack, 'realm1');
    // msgpackr (like wampy's serializer) writes 2 ** 60 as float64 cb43b0000000000000: exactly 1152921504606846976
    msgpack.send([16, 1, { acknowledge: true }, 'com.float', [2 ** 60]]);
    await msgpack.next(2000, (m) => m[0] === 17, 'PUBLISHED');
    await waitFor(() => texts.length === 1, 2000, 'the EVENT at the JSON peer');
    const token = /,\[([^\]]+)\]\]$/.exec(texts[0]!)?.[1];
    assert.ok(token, `EVENT text ${texts[0]}`);
    // Either the exact integer or a float literal of the same double; "1152921504606847000" (what
    // JSON.stringify writes) is an integer 24 away, and JSON peers with exact integers (Python,
    // the router's own parser) read it as that.
    const exact = /^-?\d+$/.test(token) ? BigInt(token) === 2n ** 60n : Number(token) === 2 ** 60;
    assert.ok(exact, `JSON peer got ${token} for the float64 2^60 (= 1152921504606846976)`);
  });

  describe('authentication', () => {
    test('cryptosign (static principal): right key joins as alice/user; unknown key and wrong signature are refused', async (t) => {
      const { router, alice } = await setup(t);
      const url = router.url('ws');
      const ok = await wampyClient(url, {
        realm: 'realm1', serializer: 'msgpack', t,
        authid: 'alice', authmethods: ['cryptosign'], authextra: { pubkey: alice.pubHex },
        onChallenge: (m, extra) => cryptosignSign(alice.seedHex)(m, extra as { challenge: string }),
      });
      assert.equal(ok.welcome['authid'], 'alice');
      assert.equal(ok.welcome['authrole'], 'user');
      assert.equal(ok.welcome['authmethod'], 'cryptosign');
      const mallory = ed25519Keypair();
      let err = await wampyConnectError(url, {
        realm: 'realm1', serializer: 'json', t,
        authid: 'alice', authmethods: ['cryptosign'], authextra: { pubkey: mallory.pubHex },
        onChallenge: (m, extra) => cryptosignSign(mallory.seedHex)(m, extra as { challenge: string }),
      });
      assert.equal(err.errorUri, 'wamp.error.not_authorized');
      err = await wampyConnectError(url, {
        realm: 'realm1', serializer: 'cbor', t,
        authid: 'alice', authmethods: ['cryptosign'], authextra: { pubkey: alice.pubHex },
        onChallenge: (m, extra) => cryptosignSign(mallory.seedHex)(m, extra as { challenge: string }),
      });
      assert.equal(err.errorUri, 'wamp.error.not_authorized');
      await waitFor(() => router.router.sessionCount === 1, 2000, 'only alice connected');
    });

    test('ticket: right ticket joins as tom/user; wrong ticket and unknown authid are refused', async (t) => {
      const { router } = await setup(t);
      const url = router.url('ws');
      const ok = await wampyClient(url, { realm: 'realm1', t, authid: 'tom', authmethods: ['ticket'], onChallenge: () => TICKETS.tom });
      assert.deepEqual([ok.welcome['authid'], ok.welcome['authrole'], ok.welcome['authmethod']], ['tom', 'user', 'ticket']);
      let err = await wampyConnectError(url, { realm: 'realm1', t, authid: 'tom', authmethods: ['ticket'], onChallenge: () => 'wrong' });
      assert.equal(err.errorUri, 'wamp.error.not_authorized');
      err = await wampyConnectError(url, { realm: 'realm1', t, authid: 'nobody', authmethods: ['ticket'], onChallenge: () => TICKETS.tom });
      assert.equal(err.errorUri, 'wamp.error.not_authorized');
    });

    test('wampcra: plain and salted secrets join; a wrong secret is refused', async (t) => {
      const { router } = await setup(t);
      const url = router.url('ws');
      const carol = await wampyClient(url, { realm: 'realm1', serializer: 'msgpack', t, authid: 'carol', authmethods: ['wampcra'], onChallenge: cra(CRA.carol.secret) });
      assert.deepEqual([carol.welcome['authid'], carol.welcome['authrole'], carol.welcome['authmethod']], ['carol', 'user', 'wampcra']);
      const dave = await wampyClient(url, { realm: 'realm1', serializer: 'cbor', t, authid: 'dave', authmethods: ['wampcra'], onChallenge: cra(CRA.dave.secret) });
      assert.equal(dave.welcome['authid'], 'dave');
      const err = await wampyConnectError(url, { realm: 'realm1', t, authid: 'carol', authmethods: ['wampcra'], onChallenge: cra('not-the-secret') });
      assert.equal(err.errorUri, 'wamp.error.not_authorized');
    });

    test('dynamic cryptosign authenticator: its decision sets authid/role/extra; its error URI reaches the client', async (t) => {
      const { router } = await setup(t);
      const authenticator = await wampyClient(router.url('ws'), { realm: 'auth', serializer: 'msgpack', t });
      const requests: unknown[][] = [];
      await authenticator.wampy.register('com.example.authenticate', ({ argsList }) => {
        requests.push(argsList ?? []);
        const [, authid] = argsList ?? [];
        if (authid === 'refuse-me') throw { error: 'xbr.marketmaker.error.invalid-auth-request', argsList: ['refused by the test authenticator'] };
        if (authid === 'ghost') return { argsList: [{ role: 'no-such-role' }] };
        return { argsList: [{ role: 'user', authid: `dyn-${String(authid)}`, extra: { greeting: 'hello' } }] };
      });
      const key = ed25519Keypair();
      const url = router.url('dyn');
      const opts = (authid: string, signWith = key): WampyClientOptions => ({
        realm: 'realm1', serializer: 'json', t,
        authid, authmethods: ['cryptosign'], authextra: { pubkey: key.pubHex },
        onChallenge: (m, extra) => cryptosignSign(signWith.seedHex)(m, extra as { challenge: string }),
      });
      const ok = await wampyClient(url, opts('alice'));
      assert.equal(ok.welcome['authid'], 'dyn-alice');
      assert.equal(ok.welcome['authrole'], 'user');
      assert.equal(ok.welcome['authmethod'], 'cryptosign');
      assert.equal(ok.welcome['authprovider'], 'dynamic');
      assert.equal((ok.welcome['authextra'] as Record<string, unknown>)['greeting'], 'hello');
      assert.equal(ok.welcome['realm'], 'realm1');
      assert.equal(requests.length, 1);
      const [realm, authid, details] = requests[0] as [string, string, Record<string, unknown>];
      assert.equal(realm, 'realm1');
      assert.equal(authid, 'alice');
      assert.equal(details['authmethod'], 'cryptosign');
      assert.equal((details['authextra'] as Record<string, unknown>)['pubkey'], key.pubHex);
      assert.equal((details['transport'] as Record<string, unknown>)['transport_id'], 'dyn');

      let err = await wampyConnectError(url, opts('refuse-me'));
      assert.equal(err.errorUri, 'xbr.marketmaker.error.invalid-auth-request');
      assert.equal(err.details?.['message'], 'refused by the test authenticator');
      // a role the realm does not have
      err = await wampyConnectError(url, opts('ghost'));
      assert.equal(err.errorUri, 'wamp.error.no_such_role');
      // accepted by the authenticator, but the signature is not made with the presented key
      err = await wampyConnectError(url, opts('bob', ed25519Keypair()));
      assert.equal(err.errorUri, 'wamp.error.not_authorized');
      // the authenticator is gone: authentication fails, not hangs
      await authenticator.close();
      err = await wampyConnectError(url, opts('carl'));
      assert.equal(err.errorUri, 'wamp.error.authentication_failed');
    });
  });

  describe('meta API', () => {
    test('wamp.session.on_join/on_leave, count, list, get', async (t) => {
      const { connect } = await setup(t);
      const observer = await connect({ serializer: 'json' });
      const joins: Record<string, unknown>[] = [];
      const leaves: unknown[][] = [];
      await observer.wampy.subscribe('wamp.session.on_join', (e) => void joins.push(e.argsList![0] as Record<string, unknown>));
      await observer.wampy.subscribe('wamp.session.on_leave', (e) => void leaves.push(e.argsList ?? []));
      const x = await connect({ serializer: 'msgpack' });
      await waitFor(() => joins.length === 1, 2000, 'on_join');
      assert.equal(joins[0]!['session'], x.sessionId);
      assert.equal(joins[0]!['authid'], x.welcome['authid']);
      assert.equal(joins[0]!['authrole'], 'anonymous');
      assert.equal(joins[0]!['authmethod'], 'anonymous');
      assert.equal((joins[0]!['transport'] as Record<string, unknown>)['type'], 'websocket');

      assert.equal((await observer.wampy.call('wamp.session.count')).argsList![0], 2);
      assert.deepEqual(((await observer.wampy.call('wamp.session.list')).argsList![0] as number[]).sort(), [observer.sessionId, x.sessionId].sort());
      assert.equal((await observer.wampy.call('wamp.session.count', [['nobody']])).argsList![0], 0);
      const info = (await observer.wampy.call('wamp.session.get', [x.sessionId])).argsList![0] as Record<string, unknown>;
      assert.equal(info['session'], x.sessionId);
      assert.equal(info['authid'], x.welcome['authid']);
      assert.equal((info['transport'] as Record<string, unknown>)['protocol'], 'wamp.2.msgpack');
      const err = await rejection(observer.wampy.call('wamp.session.get', [123]), 'get of an unknown session');
      assert.equal(err.errorUri, 'wamp.error.no_such_session');

      await x.close();
      await waitFor(() => leaves.length === 1, 2000, 'on_leave');
      assert.deepEqual(leaves[0], [x.sessionId, x.welcome['authid'], 'anonymous']);
      assert.equal((await observer.wampy.call('wamp.session.count')).argsList![0], 1);
    });

    test('wamp.session.kill and kill_by_authid close the targeted sessions only', async (t) => {
      const { connect, router } = await setup(t);
      const admin = await connect({ serializer: 'cbor' });
      const victim = await connect({ serializer: 'msgpack' });
      const bystander = await connect({ serializer: 'json' });
      await bystander.wampy.register('com.alive', () => ({ argsList: ['yes'] }));
      assert.equal(router.router.sessionCount, 3);
      const res = await admin.wampy.call('wamp.session.kill', [victim.sessionId]);
      assert.deepEqual(res.argsList ?? [], []);
      await withTimeout(victim.closed, 3000, 'the killed session to close');
      await waitFor(() => router.router.sessionCount === 2, 2000, 'session count 2');

      // a raw client sees the GOODBYE with the given reason and message
      const raw = await rawWs(router.url('ws'), 'json', t);
      const rawId = await rawHello(raw, 'realm1');
      await admin.wampy.call('wamp.session.kill', { argsList: [rawId], argsDict: { reason: 'com.example.kicked', message: 'bye now' } });
      assert.deepEqual(await raw.next(2000, undefined, 'GOODBYE'), [6, { message: 'bye now' }, 'com.example.kicked']);
      raw.send([6, {}, 'wamp.close.goodbye_and_out']);

      // Two sessions of one authenticated principal (an anonymous authid is the router's, never the client's).
      const v1 = await connect({ serializer: 'json', authid: 'tom', authmethods: ['ticket'], onChallenge: () => TICKETS.tom });
      const v2 = await connect({ serializer: 'msgpack', authid: 'tom', authmethods: ['ticket'], onChallenge: () => TICKETS.tom });
      assert.equal(v1.welcome['authid'], 'tom');
      const killed = (await admin.wampy.call('wamp.session.kill_by_authid', ['tom'])).argsList![0] as number[];
      assert.deepEqual([...killed].map(Number).sort(), [v1.sessionId, v2.sessionId].sort());
      await withTimeout(Promise.all([v1.closed, v2.closed]), 3000, 'killed sessions to close');
      await waitFor(() => router.router.sessionCount === 2, 2000, 'admin and bystander remain');
      assert.deepEqual((await admin.wampy.call('com.alive')).argsList, ['yes']);
      const err = await rejection(admin.wampy.call('wamp.session.kill', [admin.sessionId]), 'self-kill');
      assert.equal(err.errorUri, 'wamp.error.no_such_session');
    });

    test('wamp.registration.lookup, match, get', async (t) => {
      const { connect } = await setup(t);
      const callee = await connect({ serializer: 'msgpack' });
      const client = await connect({ serializer: 'json' });
      const exact = Number((await callee.wampy.register('net.meta.exact', () => null)).registrationId);
      const prefix = Number((await callee.wampy.register('net.meta', () => null, { match: 'prefix' })).registrationId);
      const wildcard = Number((await callee.wampy.register('net..wild', () => null, { match: 'wildcard', invoke: 'roundrobin' })).registrationId);
      assert.equal(new Set([exact, prefix, wildcard]).size, 3);
      const call = async (uri: string, args: unknown[]) => (await client.wampy.call(uri, args)).argsList?.[0];
      assert.equal(await call('wamp.registration.lookup', ['net.meta.exact']), exact);
      assert.equal(await call('wamp.registration.lookup', ['net.meta', { match: 'prefix' }]), prefix);
      assert.equal(await call('wamp.registration.lookup', ['net..wild', { match: 'wildcard' }]), wildcard);
      assert.equal(await call('wamp.registration.lookup', ['net.meta']), null);
      assert.equal(await call('wamp.registration.match', ['net.meta.exact']), exact);
      assert.equal(await call('wamp.registration.match', ['net.meta.other']), prefix);
      assert.equal(await call('wamp.registration.match', ['net.x.wild']), wildcard);
      assert.equal(await call('wamp.registration.match', ['org.none']), null);
      const got = (await call('wamp.registration.get', [wildcard])) as Record<string, unknown>;
      assert.equal(got['id'], wildcard);
      assert.equal(got['uri'], 'net..wild');
      assert.equal(got['match'], 'wildcard');
      assert.equal(got['invoke'], 'roundrobin');
      assert.equal(typeof got['created'], 'string');
      const err = await rejection(client.wampy.call('wamp.registration.get', [987654]), 'get of an unknown registration');
      assert.equal(err.errorUri, 'wamp.error.no_such_registration');
    });
  });
});
