/**
 * Interop: Debian's python3-autobahn (asyncio, ApplicationRunner) against the router, over WebSocket
 * with the json, msgpack and cbor serializers and over RawSocket, with a wampy peer in the same realm;
 * plus WAMP-cryptosign with autobahn's CryptosignKey.
 */
import assert from 'node:assert/strict';
import { before, describe, test, type TestContext } from 'node:test';
import { interopConfig } from '../helpers/configs.js';
import { assertReceived, Bytes, Int, type Logical } from '../helpers/payload.js';
import { py, pythonAutobahnProblem, runPython, type PyValue } from '../helpers/python.js';
import { ed25519Keypair, startTestRouter, waitFor, wampyClient, type ConnectedWampy, type Ed25519Keys, type TestRouter } from '../helpers/router.js';

type Rec = Record<string, unknown>;

/** PY_ARGS / PY_KWARGS of autobahn_peer.py, in the fixture's typed encoding and as logical values. */
const PY_ARGS_ENC: PyValue[] = [
  py.bytes([0, 1, 0xfe, 0xff]), py.int(2n ** 53n), py.int(2n ** 60n), py.int(-(2n ** 40n)), 'ü€𝄞 ✓', py.float(1.5), null, true, [py.int(7), py.bytes('x')],
];
const PY_KWARGS_ENC: PyValue = py.dict({ bin: py.bytes([1, 2]), n53: py.int(2n ** 53n), s: 'κλειδί' });
const PY_ARGS: Logical[] = [
  new Bytes([0, 1, 0xfe, 0xff]), new Int(2n ** 53n), new Int(2n ** 60n), new Int(-(2n ** 40n)), 'ü€𝄞 ✓', 1.5, null, true, [new Int(7n), new Bytes(Buffer.from('x'))],
];
const PY_KWARGS: Record<string, Logical> = { bin: new Bytes([1, 2]), n53: new Int(2n ** 53n), s: 'κλειδί' };

/** What the wampy (msgpack) peer sends to Python. */
const WP_ARGS = [Buffer.from([0, 0xff, 0x10]), 2n ** 53n, 2n ** 60n, 'ü€𝄞', 1.5, [Buffer.from('nested')]];
const WP_ARGS_ENC: PyValue[] = [py.bytes([0, 0xff, 0x10]), py.int(2n ** 53n), py.int(2n ** 60n), 'ü€𝄞', py.float(1.5), [py.bytes('nested')]];
const WP_KWARGS = { k: Buffer.from([7]), big: 2n ** 60n };
const WP_KWARGS_ENC: PyValue = py.dict({ k: py.bytes([7]), big: py.int(2n ** 60n) });
const WP_ARGS_LOGICAL: Logical[] = [new Bytes([0, 0xff, 0x10]), new Int(2n ** 53n), new Int(2n ** 60n), 'ü€𝄞', 1.5, [new Bytes(Buffer.from('nested'))]];
const WP_KWARGS_LOGICAL: Record<string, Logical> = { k: new Bytes([7]), big: new Int(2n ** 60n) };

interface WampyPeerRecord {
  pythonSession?: number;
  readyArg?: unknown;
  echo?: { argsList?: unknown[]; argsDict?: Rec };
  whoamiDisclosed?: unknown;
  whoamiPlain?: unknown;
  progress?: { updates: unknown[]; final: unknown };
  fail?: { errorUri?: string; argsList?: unknown[]; argsDict?: Rec };
  errors: string[];
  events: { topic: string; argsList?: unknown[]; argsDict?: Rec; details: Rec }[];
  calleeDetails: Record<string, Rec>;
}

/** The wampy side: procedures Python calls, and the calls it makes to Python when Python says it is ready. */
async function wampyPeer(router: TestRouter, t: TestContext): Promise<{ peer: ConnectedWampy; rec: WampyPeerRecord }> {
  const peer = await wampyClient(router.url('ws'), { realm: 'realm1', serializer: 'msgpack', t });
  const rec: WampyPeerRecord = { errors: [], events: [], calleeDetails: {} };
  const w = peer.wampy;
  await w.register('com.wp.echo', ({ argsList, argsDict, details }) => {
    rec.calleeDetails['echo'] = details;
    return { argsList: argsList ?? [], argsDict: argsDict ?? {} };
  });
  await w.register('com.disclose.wp.whoami', ({ details }) => ({
    argsList: [{ caller: details['caller'], caller_authid: details['caller_authid'], caller_authrole: details['caller_authrole'] }],
  }));
  await w.register('com.wp.progress', ({ argsList, result_handler }) => {
    for (let i = 0; i < Number(argsList![0]); i++) result_handler({ argsList: [i], options: { progress: true } });
    return { argsList: ['wp-done'] };
  });
  await w.register('com.wp.fail', () => {
    throw { error: 'com.example.error.wp_failure', argsList: ['wp says no', 13], argsDict: { why: 'test' } };
  });
  for (const topic of ['com.py.topic', 'com.disclose.py.topic']) {
    await w.subscribe(topic, (e) => void rec.events.push({ topic, ...(e.argsList ? { argsList: e.argsList } : {}), ...(e.argsDict ? { argsDict: e.argsDict } : {}), details: e.details }));
  }
  await w.register('com.disclose.wp.ready', async ({ argsList, details }) => {
    rec.pythonSession = Number(details['caller']);
    rec.readyArg = argsList?.[0];
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        const e = err as { errorUri?: string; message?: string };
        rec.errors.push(`${what}: ${e.errorUri ?? e.message ?? String(err)}`);
      }
    };
    await attempt('echo', async () => {
      const r = await w.call('com.py.echo', { argsList: WP_ARGS, argsDict: WP_KWARGS });
      rec.echo = { ...(r.argsList ? { argsList: r.argsList } : {}), ...(r.argsDict ? { argsDict: r.argsDict } : {}) };
    });
    await attempt('whoami', async () => {
      rec.whoamiDisclosed = (await w.call('com.disclose.py.whoami')).argsList?.[0];
      rec.whoamiPlain = (await w.call('com.plain.py.whoami')).argsList?.[0];
    });
    await attempt('progress', async () => {
      const updates: unknown[] = [];
      const r = await w.call('com.py.progress', [3], { progress_callback: (p) => void updates.push(p.argsList?.[0]) });
      rec.progress = { updates, final: r.argsList?.[0] };
    });
    try {
      await w.call('com.py.fail');
      rec.errors.push('com.py.fail did not fail');
    } catch (err) {
      const e = err as { errorUri?: string; argsList?: unknown[]; argsDict?: Rec };
      rec.fail = { ...(e.errorUri ? { errorUri: e.errorUri } : {}), ...(e.argsList ? { argsList: e.argsList } : {}), ...(e.argsDict ? { argsDict: e.argsDict } : {}) };
    }
    await attempt('publish', async () => {
      await w.publish('com.wp.topic', { argsList: [Buffer.from([5, 6]), 2n ** 60n, 'ü'], argsDict: { n: 2n ** 53n } });
      await w.publish('com.disclose.wp.topic', ['disclosed-wp']);
    });
    return { argsList: ['ready'] };
  });
  return { peer, rec };
}

interface MainResult {
  session: number;
  authid: string;
  authrole: string;
  steps: string[];
  exception?: string;
  connect_error?: string;
  timeout?: boolean;
  received: { echo: { args: PyValue; kwargs: PyValue }[]; progress_offered: boolean };
  events: { topic: string; publisher: number | null; args: PyValue; kwargs: PyValue }[];
  ready: PyValue;
  echo: { args: PyValue; kwargs: PyValue };
  whoami: PyValue;
  progress: { updates: PyValue[]; final: PyValue };
  fail: { error: string; args: PyValue; kwargs: PyValue } | string;
  publication: number;
  leave: { reason: string; message: string | null };
}

let problem: string | undefined;

describe('python3-autobahn (asyncio)', () => {
  before(() => {
    problem = pythonAutobahnProblem();
  });

  const runs = [
    { name: 'WebSocket json', serializer: 'json', transport: 'ws' },
    { name: 'WebSocket msgpack', serializer: 'msgpack', transport: 'ws' },
    { name: 'WebSocket cbor', serializer: 'cbor', transport: 'ws' },
    { name: 'RawSocket msgpack', serializer: 'msgpack', transport: 'rs' },
    { name: 'RawSocket cbor', serializer: 'cbor', transport: 'rs' },
  ] as const;

  for (const run of runs) {
    test(`${run.name}: RPC both ways (bytes, 2^53, 2^60, unicode), caller/publisher disclosure, progress, errors, pub/sub with a wampy peer`, async (t) => {
      assert.equal(problem, undefined, problem);
      const router = await startTestRouter(
        interopConfig({ alicePub: ed25519Keypair().pubHex }, { transports: [{ type: 'rawsocket', id: 'rs', endpoint: { type: 'tcp' } }] }),
        { t },
      );
      const { peer, rec } = await wampyPeer(router, t);
      const url = run.transport === 'rs' ? `rs://127.0.0.1:${router.tcpPort('rs')}` : router.url('ws');
      const { result: r, stderr } = await runPython<MainResult>('autobahn_peer.py', { url, realm: 'realm1', serializer: run.serializer, scenario: 'main', timeout: 20 }, { t });
      const context = `python result: ${JSON.stringify(r, null, 1)}\nstderr: ${stderr}`;
      assert.equal(r.exception, undefined, context);
      assert.equal(r.connect_error, undefined, context);
      assert.equal(r.timeout, undefined, context);
      assert.deepEqual(r.steps, ['joined', 'registered', 'subscribed', 'ready', 'called', 'published'], context);
      assert.equal(r.leave.reason, 'wamp.close.goodbye_and_out', context);
      assert.equal(r.authrole, 'anonymous');
      assert.deepEqual(rec.errors, [], 'the wampy peer calls to python all worked');

      // The session as the router saw it (transport, serializer)
      assert.equal(rec.pythonSession, r.session, 'caller disclosure of the python session to wampy');
      assert.equal(Number(rec.readyArg), r.session);

      // wampy -> python: what python received, and what came back
      assert.equal(r.received.echo.length, 1);
      assert.deepEqual(r.received.echo[0]!.args, WP_ARGS_ENC, 'python received bytes as bytes and exact integers');
      assert.deepEqual(r.received.echo[0]!.kwargs, WP_KWARGS_ENC);
      assertReceived('msgpack', rec.echo!.argsList, WP_ARGS_LOGICAL, 'wampy <- python echo args');
      assertReceived('msgpack', rec.echo!.argsDict, WP_KWARGS_LOGICAL, 'wampy <- python echo kwargs');
      // (ids above 2^32 reach a wampy msgpack peer as bigints)
      const who = rec.whoamiDisclosed as Rec;
      assert.deepEqual({ ...who, caller: Number(who['caller']) }, { caller: peer.sessionId, caller_authid: peer.welcome['authid'], caller_authrole: 'anonymous' });
      assert.deepEqual(rec.whoamiPlain, { caller: null, caller_authid: null, caller_authrole: null });
      assert.equal(r.received.progress_offered, true, 'router passed receive_progress to the python callee');
      assert.deepEqual(rec.progress, { updates: [0, 1, 2], final: 'py-done' });
      assert.deepEqual(rec.fail, { errorUri: 'com.example.error.py_failure', argsList: ['py says no', 42], argsDict: { code: 7 } });

      // python -> wampy
      assert.deepEqual(r.ready, 'ready');
      assert.deepEqual(r.echo, { args: PY_ARGS_ENC, kwargs: PY_KWARGS_ENC }, 'round trip python -> wampy(msgpack) -> python is exact');
      assert.ok(rec.calleeDetails['echo'], 'the wampy callee was invoked by python');
      assert.equal(rec.calleeDetails['echo']['caller'], undefined, 'no caller disclosure under com.wp.');
      assert.deepEqual(r.whoami, py.dict({ caller: py.int(r.session), caller_authid: r.authid, caller_authrole: 'anonymous' }));
      assert.deepEqual(r.progress, { updates: [[py.int(0)], [py.int(1)], [py.int(2)]], final: 'wp-done' });
      assert.deepEqual(r.fail, { error: 'com.example.error.wp_failure', args: ['wp says no', py.int(13)], kwargs: py.dict({ why: 'test' }) });

      // pub/sub both ways, with publisher disclosure only under com.disclose.
      assert.ok(r.publication > 0);
      await waitFor(() => rec.events.length === 2, 2000, 'events from python');
      const plain = rec.events.find((e) => e.topic === 'com.py.topic')!;
      assertReceived('msgpack', plain.argsList, PY_ARGS, 'event.args');
      assertReceived('msgpack', plain.argsDict, PY_KWARGS, 'event.kwargs');
      assert.equal(plain.details['publisher'], undefined);
      const disclosed = rec.events.find((e) => e.topic === 'com.disclose.py.topic')!;
      assert.equal(Number(disclosed.details['publisher']), r.session);
      assert.deepEqual(disclosed.argsList, ['disclosed']);
      assert.deepEqual(
        r.events.map((e) => e.topic),
        ['com.wp.topic', 'com.disclose.wp.topic'],
      );
      assert.deepEqual(r.events[0], { topic: 'com.wp.topic', publisher: null, args: [py.bytes([5, 6]), py.int(2n ** 60n), 'ü'], kwargs: { dict: { n: py.int(2n ** 53n) } } });
      assert.equal(r.events[1]!.publisher, peer.sessionId);

      await waitFor(() => router.router.sessionCount === 1, 2000, 'python session gone');
    });
  }

  test('cryptosign with autobahn CryptosignKey: the authorized key joins; a wrong signature and an unknown key are refused', async (t) => {
    assert.equal(problem, undefined, problem);
    const alice: Ed25519Keys = ed25519Keypair();
    const mallory = ed25519Keypair();
    const router = await startTestRouter(
      interopConfig({ alicePub: alice.pubHex }, {
        transports: [{ type: 'rawsocket', id: 'rs', endpoint: { type: 'tcp' }, auth: { cryptosign: { type: 'static', principals: { alice: { authorized_keys: [alice.pubHex], role: 'user' } } } } }],
      }),
      { t },
    );
    await wampyPeer(router, t);
    const ws = router.url('ws');
    const rs = `rs://127.0.0.1:${router.tcpPort('rs')}`;
    const base = { realm: 'realm1', scenario: 'cryptosign', timeout: 20 };
    type CsResult = { session?: number; authid?: string; authrole?: string; authmethod?: string; echo?: PyValue; key_pubkey: string; challenge_method?: string; leave: { reason: string; message: string | null }; exception?: string };
    const [ok, okRs, badSig, unknownKey] = await Promise.all([
      runPython<CsResult>('autobahn_peer.py', { ...base, url: ws, serializer: 'json', authid: 'alice', seed: alice.seedHex, pubkey: alice.pubHex }, { t }),
      runPython<CsResult>('autobahn_peer.py', { ...base, url: rs, serializer: 'cbor', authid: 'alice', seed: alice.seedHex, pubkey: alice.pubHex }, { t }),
      runPython<CsResult>('autobahn_peer.py', { ...base, url: ws, serializer: 'cbor', authid: 'alice', seed: mallory.seedHex, pubkey: alice.pubHex }, { t }),
      runPython<CsResult>('autobahn_peer.py', { ...base, url: ws, serializer: 'msgpack', authid: 'alice', seed: mallory.seedHex, pubkey: mallory.pubHex }, { t }),
    ]);
    for (const [name, run] of [['ws/json', ok], ['rs/cbor', okRs]] as const) {
      const r = run.result;
      assert.equal(r.exception, undefined, `${name}: ${run.stdout} ${run.stderr}`);
      assert.equal(r.key_pubkey, alice.pubHex, 'autobahn derives the same public key from the seed');
      assert.equal(r.challenge_method, 'cryptosign');
      assert.deepEqual([r.authid, r.authrole, r.authmethod], ['alice', 'user', 'cryptosign'], name);
      assert.equal(r.echo, 'hello from python');
      assert.equal(r.leave.reason, 'wamp.close.goodbye_and_out');
    }
    assert.equal(badSig.result.session, undefined, 'no session with a wrong signature');
    assert.equal(badSig.result.challenge_method, 'cryptosign', 'the router challenged before refusing');
    assert.equal(badSig.result.leave.reason, 'wamp.error.not_authorized');
    assert.equal(unknownKey.result.session, undefined, 'no session with an unknown key');
    assert.equal(unknownKey.result.challenge_method, undefined, 'an unknown key is refused without a challenge');
    assert.equal(unknownKey.result.leave.reason, 'wamp.error.not_authorized');
    await waitFor(() => router.router.sessionCount === 1, 2000, 'only the wampy peer remains');
  });
});
