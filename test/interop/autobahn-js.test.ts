/**
 * Interop: autobahn-js (npm `autobahn`, the Crossbar project's JS client) against the router over
 * WebSocket with json and msgpack, and together with wampy peers in the same realm.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import autobahn from 'autobahn';
import { CRA, interopConfig, TICKETS } from '../helpers/configs.js';
import { deferred, ed25519Keypair, startTestRouter, waitFor, wampyClient, withTimeout, type AfterHook, type TestRouter } from '../helpers/router.js';

// autobahn-js logs every closed connection through console.warn; keep the test output readable.
const abWarnings: unknown[][] = [];
autobahn.log.warn = (...a: unknown[]) => void abWarnings.push(a);

type AbSerializer = 'json' | 'msgpack';
const AB_SERIALIZERS: readonly AbSerializer[] = ['json', 'msgpack'];

interface AbClient {
  session: autobahn.Session;
  details: Record<string, unknown>;
  connection: autobahn.Connection;
  /** Resolves with the close reason and details once the connection is gone. */
  closed: Promise<{ reason: string; details: autobahn.CloseDetails }>;
  close(): Promise<void>;
}

interface AbOptions {
  realm?: string;
  serializer?: AbSerializer;
  authid?: string;
  authmethods?: string[];
  onchallenge?: autobahn.ConnectionOptions['onchallenge'];
  t?: AfterHook;
}

function abConnectRaw(url: string, opts: AbOptions): { opened: Promise<AbClient>; connection: autobahn.Connection } {
  const ser = opts.serializer ?? 'json';
  const connection = new autobahn.Connection({
    url,
    realm: opts.realm ?? 'realm1',
    serializers: [ser === 'json' ? new autobahn.serializer.JSONSerializer() : new autobahn.serializer.MsgpackSerializer()],
    max_retries: 0,
    retry_if_unreachable: false,
    // a callee raising autobahn.Error is what the error tests do on purpose
    on_user_error: (error, message) => void abWarnings.push([message, error]),
    on_internal_error: (error, message) => void abWarnings.push([message, error]),
    ...(opts.authid !== undefined ? { authid: opts.authid } : {}),
    ...(opts.authmethods !== undefined ? { authmethods: opts.authmethods } : {}),
    ...(opts.onchallenge !== undefined ? { onchallenge: opts.onchallenge } : {}),
  });
  const closed = deferred<{ reason: string; details: autobahn.CloseDetails }>();
  let isOpen = false;
  const opened = new Promise<AbClient>((resolve, reject) => {
    connection.onopen = (session, details) => {
      isOpen = true;
      const client: AbClient = {
        session,
        details,
        connection,
        closed: closed.promise,
        close: async () => {
          if (!isOpen) return;
          try {
            connection.close();
          } catch {
            return;
          }
          await Promise.race([closed.promise, new Promise((r) => setTimeout(r, 1000).unref())]);
        },
      };
      resolve(client);
    };
    connection.onclose = (reason, details) => {
      isOpen = false;
      closed.resolve({ reason, details });
      reject(Object.assign(new Error(`connection closed before join: ${reason} ${details.reason ?? ''} ${details.message ?? ''}`), { reason, details }));
      return true; // never retry
    };
  });
  opts.t?.after(async () => {
    if (isOpen) {
      try {
        connection.close();
      } catch {
        // already closing
      }
      await Promise.race([closed.promise, new Promise((r) => setTimeout(r, 1000).unref())]);
    }
  });
  connection.open();
  return { opened, connection };
}

const abConnect = (url: string, opts: AbOptions): Promise<AbClient> => withTimeout(abConnectRaw(url, opts).opened, 3000, 'autobahn-js to join');

/** Connects expecting a refusal: resolves with the close details (details.reason is the ABORT URI). */
async function abRefused(url: string, opts: AbOptions): Promise<autobahn.CloseDetails> {
  try {
    const c = await abConnect(url, opts);
    await c.close();
  } catch (err) {
    const e = err as { details?: autobahn.CloseDetails };
    if (!e.details) throw err;
    return e.details;
  }
  throw new Error('expected the connection to be refused, but the session was established');
}

async function abRejects(p: Promise<unknown>, what: string): Promise<autobahn.Error> {
  try {
    await withTimeout(p, 3000, what);
  } catch (err) {
    if (err instanceof autobahn.Error) return err;
    throw err;
  }
  throw new Error(`${what}: expected an error`);
}

async function setup(t: TestContext): Promise<TestRouter> {
  return startTestRouter(interopConfig({ alicePub: ed25519Keypair().pubHex }), { t });
}

describe('autobahn-js over WebSocket', () => {
  for (const s of AB_SERIALIZERS) {
    test(`${s}: register/call/yield with args and kwargs`, async (t) => {
      const router = await setup(t);
      const callee = await abConnect(router.url('ws'), { serializer: s, t });
      const caller = await abConnect(router.url('ws'), { serializer: s, t });
      assert.ok(Number.isSafeInteger(callee.session.id) && callee.session.id > 0);
      await callee.session.register('com.ab.echo', (args, kwargs) => new autobahn.Result(args, kwargs));
      await callee.session.register('com.ab.add', (args) => Number(args[0]) + Number(args[1]));
      const bytes = s === 'json' ? '\u0000' + Buffer.from([0, 1, 255]).toString('base64') : Buffer.from([0, 1, 255]);
      const res = (await caller.session.call('com.ab.echo', [1, 'ü€𝄞', 2 ** 40, 2 ** 53 - 1, 1.5, null, bytes], { k: 'v', nested: { list: [1, 2] } })) as autobahn.Result;
      assert.ok(res instanceof autobahn.Result);
      assert.deepEqual(res.args.slice(0, 6), [1, 'ü€𝄞', 2 ** 40, 2 ** 53 - 1, 1.5, null]);
      if (s === 'json') assert.equal(res.args[6], bytes);
      else assert.deepEqual(Buffer.from(res.args[6] as Uint8Array), bytes);
      assert.deepEqual(res.kwargs, { k: 'v', nested: { list: [1, 2] } });
      assert.equal(await caller.session.call('com.ab.add', [2, 40]), 42);
    });

    test(`${s}: callee error passes through (URI, args, kwargs)`, async (t) => {
      const router = await setup(t);
      const callee = await abConnect(router.url('ws'), { serializer: s, t });
      const caller = await abConnect(router.url('ws'), { serializer: s, t });
      await callee.session.register('com.ab.fail', () => {
        throw new autobahn.Error('com.example.error.ab_failure', ['bad thing', 3], { why: 'testing' });
      });
      const err = await abRejects(caller.session.call('com.ab.fail'), 'failing call');
      assert.equal(err.error, 'com.example.error.ab_failure');
      assert.deepEqual(err.args, ['bad thing', 3]);
      assert.deepEqual(err.kwargs, { why: 'testing' });
      const noProc = await abRejects(caller.session.call('com.ab.nothing'), 'call of an unregistered procedure');
      assert.equal(noProc.error, 'wamp.error.no_such_procedure');
    });

    test(`${s}: subscribe/publish with acknowledge and exclude_me: false`, async (t) => {
      const router = await setup(t);
      const sub = await abConnect(router.url('ws'), { serializer: s, t });
      const pub = await abConnect(router.url('ws'), { serializer: s, t });
      const got: { args: unknown[]; kwargs: unknown; topic: string }[] = [];
      const own: unknown[][] = [];
      await sub.session.subscribe('com.ab.topic', (args, kwargs, details) => void got.push({ args, kwargs, topic: details.topic }));
      await pub.session.subscribe('com.ab.topic', (args) => void own.push(args));
      const publication = await pub.session.publish('com.ab.topic', ['hello', 2 ** 40], { n: 1 }, { acknowledge: true });
      assert.ok(publication && Number(publication.id) > 0);
      await pub.session.publish('com.ab.topic', ['to-self-too'], {}, { acknowledge: true, exclude_me: false });
      await waitFor(() => got.length === 2 && own.length === 1, 2000, 'events');
      assert.deepEqual(got[0], { args: ['hello', 2 ** 40], kwargs: { n: 1 }, topic: 'com.ab.topic' });
      assert.deepEqual(own, [['to-self-too']], 'the publisher only gets the exclude_me: false event');
      const denied = await abRejects(pub.session.publish('com.forbidden.topic', [], {}, { acknowledge: true })!, 'forbidden publish');
      assert.equal(denied.error, 'wamp.error.not_authorized');
    });

    test(`${s}: caller disclosure and progressive call results`, async (t) => {
      const router = await setup(t);
      const callee = await abConnect(router.url('ws'), { serializer: s, t });
      const caller = await abConnect(router.url('ws'), { serializer: s, t });
      const seen: Record<string, autobahn.Invocation> = {};
      for (const uri of ['com.disclose.ab', 'com.plain.ab']) {
        await callee.session.register(uri, (_a, _k, details) => {
          seen[uri] = details;
          return null;
        });
        await caller.session.call(uri);
      }
      assert.equal(seen['com.disclose.ab']!.caller, caller.session.id);
      assert.equal(seen['com.disclose.ab']!.caller_authid, caller.details['authid']);
      assert.equal(seen['com.disclose.ab']!.caller_authrole, 'anonymous');
      assert.equal(seen['com.plain.ab']!.caller, undefined);
      assert.equal(seen['com.plain.ab']!.caller_authid, undefined);

      await callee.session.register('com.ab.progress', (args, _k, details) => {
        // autobahn-js announces progressive_call_results as callee, so the router passes receive_progress
        assert.ok(details.progress, 'callee was told that the caller receives progress');
        for (let i = 0; i < Number(args[0]); i++) details.progress!([i]);
        return 'final';
      });
      const progress: unknown[] = [];
      const final = await caller.session.call('com.ab.progress', [3], {}, { receive_progress: true }).then(
        (r) => r,
        (e) => {
          throw e;
        },
        (p) => void progress.push(p),
      );
      assert.equal(final, 'final');
      assert.deepEqual(progress, [0, 1, 2]);
      // without receive_progress: only the final result, and the callee is not offered progress
      await callee.session.register('com.ab.progress2', (_a, _k, details) => (details.progress ? 'offered' : 'not offered'));
      assert.equal(await caller.session.call('com.ab.progress2'), 'not offered');
    });
  }

  test('ticket and wampcra (plain and salted) authentication: success and failure', async (t) => {
    const router = await setup(t);
    const url = router.url('ws');
    const tom = await abConnect(url, { t, authid: 'tom', authmethods: ['ticket'], onchallenge: () => TICKETS.tom });
    assert.equal(tom.details['authid'], 'tom');
    assert.equal(tom.details['authrole'], 'user');
    assert.equal(tom.details['authmethod'], 'ticket');
    let refused = await abRefused(url, { t, authid: 'tom', authmethods: ['ticket'], onchallenge: () => 'wrong-ticket' });
    assert.equal(refused.reason, 'wamp.error.not_authorized');

    const carol = await abConnect(url, {
      t, serializer: 'msgpack', authid: 'carol', authmethods: ['wampcra'],
      onchallenge: (_s, method, extra) => {
        assert.equal(method, 'wampcra');
        return autobahn.auth_cra.sign(CRA.carol.secret, extra['challenge'] as string);
      },
    });
    assert.deepEqual([carol.details['authid'], carol.details['authrole'], carol.details['authmethod']], ['carol', 'user', 'wampcra']);
    const dave = await abConnect(url, {
      t, authid: 'dave', authmethods: ['wampcra'],
      onchallenge: (_s, _m, extra) => {
        assert.equal(extra['salt'], CRA.dave.salt);
        const key = autobahn.auth_cra.derive_key(CRA.dave.secret, extra['salt'] as string, extra['iterations'] as number, extra['keylen'] as number);
        return autobahn.auth_cra.sign(key, extra['challenge'] as string);
      },
    });
    assert.equal(dave.details['authid'], 'dave');
    refused = await abRefused(url, {
      t, authid: 'carol', authmethods: ['wampcra'],
      onchallenge: (_s, _m, extra) => autobahn.auth_cra.sign('wrong-secret', extra['challenge'] as string),
    });
    assert.equal(refused.reason, 'wamp.error.not_authorized');
  });

  test('autobahn-js and wampy peers call each other and share events (json and msgpack)', async (t) => {
    const router = await setup(t);
    const url = router.url('ws');
    const ab = await abConnect(url, { serializer: 'msgpack', t });
    const abJson = await abConnect(url, { serializer: 'json', t });
    const wp = await wampyClient(url, { realm: 'realm1', serializer: 'msgpack', t });
    const wpJson = await wampyClient(url, { realm: 'realm1', serializer: 'json', t });

    // autobahn callee, wampy caller
    await ab.session.register('com.mixed.ab', (args, kwargs, details) => new autobahn.Result([...args, details.caller ?? null], kwargs));
    let res = await wp.wampy.call('com.mixed.ab', { argsList: [Buffer.from([1, 2, 3]), 2 ** 40], argsDict: { x: 'y' } });
    assert.deepEqual(Buffer.from(res.argsList![0] as Uint8Array), Buffer.from([1, 2, 3]));
    assert.equal(Number(res.argsList![1]), 2 ** 40);
    assert.equal(res.argsList![2], null, 'no caller disclosure under com.mixed');
    assert.deepEqual(res.argsDict, { x: 'y' });

    // wampy callee, autobahn caller: bytes from an autobahn JSON caller reach a wampy msgpack callee as bytes
    const calls: unknown[][] = [];
    await wp.wampy.register('com.disclose.mixed.wp', ({ argsList, details }) => {
      calls.push([...(argsList ?? []), details['caller'] === undefined ? null : Number(details['caller'])]);
      return { argsList: argsList ?? [] };
    });
    const r = await abJson.session.call('com.disclose.mixed.wp', ['\u0000' + Buffer.from('hi').toString('base64'), 'ü']);
    assert.deepEqual(r, new autobahn.Result(['\u0000' + Buffer.from('hi').toString('base64'), 'ü'], {}));
    assert.ok(calls[0]![0] instanceof Uint8Array, 'the wampy msgpack callee got bytes');
    assert.equal(Buffer.from(calls[0]![0] as Uint8Array).toString(), 'hi');
    assert.equal(calls[0]![2], abJson.session.id, 'caller disclosed to the wampy callee');

    // error from a wampy callee reaches an autobahn caller unchanged
    await wpJson.wampy.register('com.mixed.fail', () => {
      throw { error: 'com.example.error.mixed', argsList: ['nope'], argsDict: { code: 5 } };
    });
    const err = await abRejects(ab.session.call('com.mixed.fail'), 'mixed failing call');
    assert.deepEqual([err.error, err.args, err.kwargs], ['com.example.error.mixed', ['nope'], { code: 5 }]);

    // events both ways
    const abEvents: unknown[][] = [];
    const wpEvents: unknown[][] = [];
    await ab.session.subscribe('com.mixed.topic', (args) => void abEvents.push(args));
    await wpJson.wampy.subscribe('com.mixed.topic', (e) => void wpEvents.push(e.argsList ?? []));
    await wp.wampy.publish('com.mixed.topic', ['from-wampy']);
    await abJson.session.publish('com.mixed.topic', ['from-autobahn'], {}, { acknowledge: true });
    await waitFor(() => abEvents.length === 2 && wpEvents.length === 2, 2000, 'mixed events');
    assert.deepEqual(abEvents, [['from-wampy'], ['from-autobahn']]);
    assert.deepEqual(wpEvents, [['from-wampy'], ['from-autobahn']]);
    res = await wpJson.wampy.call('wamp.session.count');
    assert.equal(res.argsList![0], 4);
  });
});
